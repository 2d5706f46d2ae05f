package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// respelling rewrites a correct emulator's responses into another correct
// spelling of the same contract.
type respelling func(status int, h http.Header, body any) any

// respelled serves a correct emulator through rewrite, optionally sending
// every body in chunks.
func respelled(t *testing.T, dialect string, rewrite respelling, chunked bool, restatus func(int, http.Header) int) contract.Target {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Dialect: dialect})
	require.NoError(t, err)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rewrite != nil {
			var v any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if dec.Decode(&v) == nil {
				v = rewrite(rec.Code, rec.Header(), v)
				body, _ = json.Marshal(v)
			}
		}
		for k, vs := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = vs
			}
		}
		code := rec.Code
		if restatus != nil {
			code = restatus(code, w.Header())
		}
		w.WriteHeader(code)
		if !chunked {
			w.Write(body)
			return
		}
		for len(body) > 0 {
			n := min(7, len(body))
			w.Write(body[:n])
			w.(http.Flusher).Flush()
			body = body[n:]
		}
	}))
	t.Cleanup(ts.Close)
	return contract.Target{Endpoint: ts.URL, Dialect: dialect, Seed: 3}
}

// walk applies fn to every JSON object in v, innermost first.
func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			walk(e, fn)
		}
		fn(x) // after the children, so that what fn adds is not walked
	case []any:
		for _, e := range x {
			walk(e, fn)
		}
	}
}

// TestNoFalseAlarms: correct endpoints that spell the contract differently
// pass every check.
func TestNoFalseAlarms(t *testing.T) {
	namespaced := func(status int, h http.Header, v any) any {
		if m, ok := v.(map[string]any); ok && status >= 400 {
			if typ, ok := m["__type"].(string); ok {
				m["__type"] = "com.amazonaws.lightsail#" + typ + ":http://internal.amazon.com/coral/com.amazonaws.lightsail/"
			}
			if typ := h.Get("X-Amzn-ErrorType"); typ != "" {
				h.Set("X-Amzn-ErrorType", typ+":http://internal.amazon.com/coral/com.amazonaws.lightsail/")
			}
		}
		return v
	}
	headerOnly := func(status int, h http.Header, v any) any {
		if m, ok := v.(map[string]any); ok && status >= 400 {
			delete(m, "__type")
		}
		return v
	}
	wholeSeconds := func(_ int, _ http.Header, v any) any {
		walk(v, func(m map[string]any) {
			for k, e := range m {
				if n, ok := e.(json.Number); ok && strings.Contains(string(n), ".") {
					m[k] = json.Number(strings.Split(string(n), ".")[0])
				}
			}
		})
		return v
	}
	longFractions := func(_ int, _ http.Header, v any) any {
		walk(v, func(m map[string]any) {
			for k, e := range m {
				if n, ok := e.(json.Number); ok && strings.HasSuffix(k, "At") {
					m[k] = json.Number(strings.Split(string(n), ".")[0] + ".123456789")
				}
			}
		})
		return v
	}
	extraMembers := func(_ int, _ http.Header, v any) any {
		walk(v, func(m map[string]any) { m["keycontractUnknownMember"] = map[string]any{"nested": []any{1, "x"}} })
		return v
	}
	reversed := func(_ int, _ http.Header, v any) any {
		walk(v, func(m map[string]any) {
			for _, k := range []string{"accessKeys", "access_keys", "buckets"} {
				if list, ok := m[k].([]any); ok {
					slices.Reverse(list)
				}
			}
		})
		return v
	}
	rfcFractions := func(_ int, _ http.Header, v any) any {
		walk(v, func(m map[string]any) {
			if ts, ok := m["created_at"].(string); ok && strings.HasSuffix(ts, "Z") && !strings.Contains(ts, ".") {
				m["created_at"] = strings.TrimSuffix(ts, "Z") + ".123456Z"
			}
		})
		return v
	}
	charset := func(_ int, h http.Header, v any) any {
		if ct := h.Get("Content-Type"); ct != "" && !strings.Contains(ct, "charset") {
			h.Set("Content-Type", ct+"; charset=utf-8")
		}
		return v
	}
	// An endpoint without 405s answers a known path's wrong method as an
	// unknown route.
	no405 := func(status int, _ http.Header, v any) any {
		if m, ok := v.(map[string]any); ok && status == http.StatusMethodNotAllowed {
			m["error"] = map[string]any{"code": "NOT_FOUND", "message": "no such route"}
		}
		return v
	}
	cases := []struct {
		name     string
		dialects []string
		rewrite  respelling
		chunked  bool
		restatus func(int, http.Header) int
	}{
		{"namespaced __type", []string{"aws"}, namespaced, false, nil},
		{"error type only in X-Amzn-ErrorType", []string{"aws"}, headerOnly, false, nil},
		{"whole-second timestamps", []string{"aws"}, wholeSeconds, false, nil},
		{"nanosecond fractions", []string{"aws"}, longFractions, false, nil},
		{"unknown extra members", []string{"aws", "envelope", "rest"}, extraMembers, false, nil},
		{"keys listed in reverse order", []string{"aws", "envelope", "rest"}, reversed, false, nil},
		{"chunked responses", []string{"aws", "envelope", "rest"}, nil, true, nil},
		{"RFC 3339 timestamps with fractions", []string{"envelope", "rest"}, rfcFractions, false, nil},
		{"a charset in the content type", []string{"aws", "envelope", "rest"}, charset, false, nil},
		{"404 for a known path's wrong method", []string{"rest"}, no405, false, func(code int, h http.Header) int {
			if code == http.StatusMethodNotAllowed {
				h.Del("Allow")
				return http.StatusNotFound
			}
			return code
		}},
	}
	for _, tc := range cases {
		for _, dialect := range tc.dialects {
			t.Run(dialect+"/"+tc.name, func(t *testing.T) {
				rep, err := contract.Check(context.Background(), respelled(t, dialect, tc.rewrite, tc.chunked, tc.restatus))
				require.NoError(t, err)
				assert.NoError(t, rep.Err())
				assert.Zero(t, rep.Summary.Failed)
			})
		}
	}
}
