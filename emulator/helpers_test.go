package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// resp is a decoded response.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any // nil when the body is not a JSON object
	rest   bool           // answered by a rest server (2xx is success)
}

// errCode is the aws error type (__type) or the envelope error code.
func (r resp) errCode() string {
	if t, ok := r.body["__type"].(string); ok {
		return t
	}
	if e, ok := r.body["error"].(map[string]any); ok {
		c, _ := e["code"].(string)
		return c
	}
	if c, ok := at(r.body, "ErrorResponse", "Error", "Code").(string); ok {
		return c
	}
	return ""
}

// data is the envelope's data member.
func (r resp) data() map[string]any {
	d, _ := r.body["data"].(map[string]any)
	return d
}

// call sends one request straight to the handler. hdr holds extra
// "Name: value" headers; the content type follows the dialect. In rest the
// RPC-style request is translated to its method and path (restRequest), in
// iam to its form (iamForm).
func call(t testing.TB, s *Server, target, body string, hdr ...string) resp {
	t.Helper()
	switch s.Dialect() {
	case DialectREST:
		method, path, restBody := restRequest(t, target, body)
		return restCall(t, s, method, path, restBody, hdr...)
	case DialectIAM:
		return iamCall(t, s, iamForm(t, target, body), hdr...)
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", ctAWS)
	if s.Dialect() == DialectEnvelope {
		req.Header.Set("Content-Type", ctEnvelope)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	return do(t, s, req, hdr...)
}

// restCall sends one rest request straight to the handler; path is sent as
// written (already percent-encoded).
func restCall(t testing.TB, s *Server, method, path, body string, hdr ...string) resp {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	r := do(t, s, req, hdr...)
	r.rest = true
	return r
}

func do(t testing.TB, s *Server, req *http.Request, hdr ...string) resp {
	t.Helper()
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return decode(t, rec.Result().StatusCode, rec.Result().Header, rec.Body.Bytes())
}

// restRequest is the rest form of an RPC-style request: the operation's
// method and path, with the body's bucketName, accessKeyId and (query)
// forceDelete. CreateBucket keeps its body as it is; an unknown operation
// gets a path no route matches. The other operations need a JSON object
// body whose parameters are strings (forceDelete: any value).
func restRequest(t testing.TB, target, body string) (method, path, restBody string) {
	t.Helper()
	name := strings.TrimPrefix(target, TargetPrefix)
	if name == opCreateBucket {
		return http.MethodPost, "/v1/buckets", body
	}
	var in map[string]any
	if _, known := inputs[name]; known {
		if err := json.Unmarshal([]byte(body), &in); err != nil || in == nil {
			t.Fatalf("no rest form for %s with body %.40q", name, body)
		}
	}
	param := func(k string) string {
		v, ok := in[k].(string)
		if !ok {
			t.Fatalf("no rest form for %s: %s is not a string", name, k)
		}
		return pct(v)
	}
	switch name {
	case opGetBuckets:
		if b, ok := in["bucketName"].(string); ok {
			return http.MethodGet, "/v1/buckets?bucketName=" + url.QueryEscape(b), ""
		}
		return http.MethodGet, "/v1/buckets", ""
	case opDeleteBucket:
		path = "/v1/buckets/" + param("bucketName")
		if f, ok := in["forceDelete"]; ok {
			path += "?forceDelete=" + url.QueryEscape(fmt.Sprint(f))
		}
		return http.MethodDelete, path, ""
	case opCreateBucketAccessKey:
		return http.MethodPost, "/v1/buckets/" + param("bucketName") + "/access-keys", ""
	case opGetBucketAccessKeys:
		return http.MethodGet, "/v1/buckets/" + param("bucketName") + "/access-keys", ""
	case opDeleteBucketAccessKey:
		return http.MethodDelete, "/v1/buckets/" + param("bucketName") + "/access-keys/" + param("accessKeyId"), ""
	}
	return http.MethodPost, "/v1/" + pct(strings.ToLower(name)), body
}

// pct percent-encodes a path segment as docs/DESIGN.md asks of rest
// clients: every byte outside RFC 3986's unreserved set, and "." and ".."
// as %2E and %2E%2E. (An implementation of its own, not the server's.)
func pct(seg string) string {
	if seg == "." || seg == ".." {
		return strings.Repeat("%2E", len(seg))
	}
	const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	var b strings.Builder
	for _, c := range []byte(seg) {
		if strings.IndexByte(unreserved, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func decode(t testing.TB, status int, h http.Header, raw []byte) resp {
	t.Helper()
	r := resp{status: status, header: h, raw: raw}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&r.body) != nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("<")) {
		r.body = xmlToMap(raw) // iam
	}
	return r
}

// op is the X-Amz-Target of a Lightsail operation.
func op(name string) string { return TargetPrefix + name }

// js marshals v to a JSON string.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// newServer is New that fails the test on error.
func newServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	require.NoError(t, err)
	return s
}

// mustOK asserts a 200 (in rest, any 2xx) and returns the response.
func mustOK(t testing.TB, r resp) resp {
	t.Helper()
	if r.rest {
		require.True(t, r.status >= 200 && r.status < 300, "status %d, body: %s", r.status, r.raw)
		return r
	}
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	return r
}

// createKey creates a key on bucket and returns its id and secret, for
// either dialect.
func createKey(t testing.TB, s *Server, bucket string, hdr ...string) (id, secret string) {
	t.Helper()
	if s.Dialect() == DialectIAM {
		return iamCreateKey(t, s, bucket, hdr...)
	}
	r := mustOK(t, call(t, s, op("CreateBucketAccessKey"), js(map[string]any{"bucketName": bucket}), hdr...))
	if s.Dialect() != DialectAWS {
		return r.data()["id"].(string), r.data()["secret_access_key"].(string)
	}
	k := r.body["accessKey"].(map[string]any)
	return k["accessKeyId"].(string), k["secretAccessKey"].(string)
}

// listedIDs lists the key ids of bucket, for either dialect.
func listedIDs(t testing.TB, s *Server, bucket string, hdr ...string) []string {
	t.Helper()
	if s.Dialect() == DialectIAM {
		return iamListedIDs(t, s, bucket, hdr...)
	}
	r := mustOK(t, call(t, s, op("GetBucketAccessKeys"), js(map[string]any{"bucketName": bucket}), hdr...))
	var items []any
	field := "accessKeyId"
	if s.Dialect() != DialectAWS {
		items, _ = r.data()["access_keys"].([]any)
		field = "id"
	} else {
		items, _ = r.body["accessKeys"].([]any)
	}
	ids := []string{}
	for _, it := range items {
		ids = append(ids, it.(map[string]any)[field].(string))
	}
	return ids
}

// shape summarises a JSON value as sorted "path:type" lines, with array
// lengths, so responses can be compared without their random values.
func shape(v any) string {
	var lines []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			lines = append(lines, path+":object")
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			lines = append(lines, fmt.Sprintf("%s:array[%d]", path, len(x)))
			for _, e := range x {
				walk(path+"[]", e)
			}
		case string:
			lines = append(lines, path+":string")
		case json.Number:
			lines = append(lines, path+":number")
		case bool:
			lines = append(lines, path+":bool")
		case nil:
			lines = append(lines, path+":null")
		}
	}
	walk("$", v)
	sort.Strings(lines)
	return strings.Join(dedupe(lines), "\n")
}

func dedupe(in []string) []string {
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}
