package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// dataChecks are the data plane's checks, as -checks names them.
var dataChecks = []contract.ID{"key-works", "key-scoped", "key-revoked"}

// checkData runs the data plane's checks alone against tgt.
func checkData(t *testing.T, tgt contract.Target) contract.Report {
	t.Helper()
	tgt.Checks = dataChecks
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	return rep
}

// requireStatus asserts the status of every data-plane check of rep.
func requireStatus(t *testing.T, rep contract.Report, want string) {
	t.Helper()
	for _, id := range dataChecks {
		c, ok := rep.Check(id)
		require.True(t, ok, id)
		require.Equal(t, want, c.Status, "%s: %s %v", id, c.Reason, c.Failures)
	}
}

// TestDataPlaneMeasured: against a correct emulator the three checks pass
// in every dialect, and both windows are measured for both keys and
// reported under DESIGN.md's names: JSON measured, the table, the HTML
// report.
func TestDataPlaneMeasured(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			tgt, srv := target(t, dialect)
			rep := checkData(t, tgt)
			requireStatus(t, rep, contract.Pass)
			require.NotNil(t, rep.Measured, "a data plane was probed")
			assert.Equal(t, 2, rep.Measured.Propagation.N, "one key per bucket, each measured")
			assert.Equal(t, 2, rep.Measured.Revocation.N)
			assert.LessOrEqual(t, rep.Measured.Propagation.Median, rep.Measured.Propagation.Max)

			var js bytes.Buffer
			require.NoError(t, rep.WriteJSON(&js))
			var decoded struct {
				Measured map[string]map[string]int64 `json:"measured"`
			}
			require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
			for _, w := range []string{"key_propagation_ms", "key_revocation_ms"} {
				require.Contains(t, decoded.Measured, w)
				assert.Equal(t, int64(2), decoded.Measured[w]["n"], w)
				assert.Contains(t, decoded.Measured[w], "median", w)
				assert.Contains(t, decoded.Measured[w], "max", w)
			}
			var table, page bytes.Buffer
			require.NoError(t, rep.WriteTable(&table))
			assert.Regexp(t, `data plane: key propagation median \d+ ms, max \d+ ms \(2 keys\); key revocation median \d+ ms, max \d+ ms \(2 keys\)`, table.String())
			require.NoError(t, rep.WriteHTML(&page))
			assert.Contains(t, page.String(), `<section id="measured">`)
			assert.Contains(t, page.String(), `data-window="key_revocation_ms"`)
			assertClean(t, srv)
		})
	}
}

// TestDataPlaneNotMeasuredWithoutUse: a run that probed nothing has no
// measured, in JSON or the table.
func TestDataPlaneNotMeasuredWithoutUse(t *testing.T) {
	tgt, _ := target(t, "envelope")
	tgt.Checks = []contract.ID{"two-key-limit"}
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	assert.Nil(t, rep.Measured)
	var js, table bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	assert.NotContains(t, js.String(), `"measured"`)
	require.NoError(t, rep.WriteTable(&table))
	assert.NotContains(t, table.String(), "data plane")
}

// TestDataPlaneWindows: key-late and revoke-late pass when the window
// given covers the emulator's delay, and the measured window shows the
// delay; they fail when the window is shorter than it, the message naming
// the window. The failing runs use a delay of 2s against a window of
// 100ms, so that a loaded machine cannot make the last use late enough to
// pass.
func TestDataPlaneWindows(t *testing.T) {
	const delay = 300 * time.Millisecond
	for _, dialect := range []string{"aws", "iam"} {
		for _, fault := range []emulator.Fault{emulator.FaultKeyLate, emulator.FaultRevokeLate} {
			t.Run(dialect+"/"+string(fault)+"/covered", func(t *testing.T) {
				tgt, _ := testutil.TargetWith(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{fault}, FaultDelay: delay})
				tgt.Propagation, tgt.Revocation = 20*time.Second, 20*time.Second
				rep := checkData(t, tgt)
				requireStatus(t, rep, contract.Pass)
				require.NotNil(t, rep.Measured)
				measured := rep.Measured.Propagation
				if fault == emulator.FaultRevokeLate {
					measured = rep.Measured.Revocation
				}
				assert.Equal(t, 2, measured.N)
				assert.GreaterOrEqual(t, measured.Max, delay.Milliseconds(), "the delay is measured")
			})
			t.Run(dialect+"/"+string(fault)+"/too-short", func(t *testing.T) {
				tgt, _ := testutil.TargetWith(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{fault}, FaultDelay: 2 * time.Second})
				tgt.Propagation, tgt.Revocation = 100*time.Millisecond, 100*time.Millisecond
				rep := checkData(t, tgt)
				id, flag := contract.ID("key-works"), "-propagation"
				if fault == emulator.FaultRevokeLate {
					id, flag = "key-revoked", "-revocation"
				}
				c, _ := rep.Check(id)
				require.Equal(t, contract.Fail, c.Status, "%s with a window shorter than the delay", id)
				assert.Contains(t, c.Failures[0].Message, "within the "+flag+" window of 100ms")
				assert.GreaterOrEqual(t, len(c.Failures[0].Exchanges), 2, "the create (or delete) and the use")
			})
		}
	}
}

// TestDataPlaneSkips: where the run cannot find or reach a data plane,
// the three checks are skipped with the reason, and the run neither fails
// nor errs: a binding without a data section, a data plane at a port
// nobody listens on, and an AWS-looking bucket url from an endpoint that
// is not AWS.
func TestDataPlaneSkips(t *testing.T) {
	t.Run("no data section", func(t *testing.T) {
		tgt, _ := target(t, "envelope")
		tgt.Doc = withoutData(t, "envelope")
		rep := checkData(t, tgt)
		requireStatus(t, rep, contract.Skip)
		c, _ := rep.Check("key-works")
		assert.Contains(t, c.Reason, "the binding names none (its data section)")
		assert.NoError(t, rep.Err())
		assert.Nil(t, rep.Measured)
	})
	t.Run("nobody listens", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		tgt, srv := target(t, "rest")
		tgt.DataEndpoint = "http://" + addr
		rep := checkData(t, tgt)
		requireStatus(t, rep, contract.Skip)
		c, _ := rep.Check("key-revoked")
		assert.Contains(t, c.Reason, "does not answer")
		assert.Contains(t, c.Reason, addr)
		assert.NoError(t, rep.Err())
		assertClean(t, srv)
	})
	t.Run("an AWS url from an emulator", func(t *testing.T) {
		srv, err := emulator.New(emulator.Options{Dialect: "aws"})
		require.NoError(t, err)
		ts := httptest.NewServer(srv) // no SetDataURL: the real-looking url
		t.Cleanup(ts.Close)
		rep := checkData(t, contract.Target{Endpoint: ts.URL, Dialect: "aws", Seed: 7})
		requireStatus(t, rep, contract.Skip)
		c, _ := rep.Check("key-scoped")
		assert.Contains(t, c.Reason, "give -data-endpoint")
	})
}

// withoutData is the bundled description of dialect with its binding's
// data section removed.
func withoutData(t *testing.T, dialect string) *spec.Document {
	t.Helper()
	src, err := spec.BundledSource(dialect)
	require.NoError(t, err)
	parsed, err := spec.Parse(context.Background(), dialect, src)
	require.NoError(t, err)
	b, err := spec.Bundled(dialect)
	require.NoError(t, err)
	binding := b.Binding
	binding.Data = spec.DataBinding{}
	doc, err := spec.LoadBound(dialect, parsed, binding)
	require.NoError(t, err)
	return doc
}

// TestDataEndpointFlag: -data-endpoint locates the data plane where the
// replies declare none usable (an AWS-looking url): a path-style base,
// with or without a trailing slash, or a URL holding {bucket}; and the
// probes carry the created key's signature alone, never the run's
// credentials nor a -header value.
func TestDataEndpointFlag(t *testing.T) {
	for _, form := range []string{"%s", "%s/", "%s/{bucket}/"} {
		t.Run(form, func(t *testing.T) {
			tgt, srv := testutil.Target(t, "aws")
			// The emulator's bucket urls are real-looking unless SetDataURL
			// was called: undo NewTestServer's, and serve the data plane
			// behind a spy.
			srv.SetDataURL("")
			var mu sync.Mutex
			var seen []http.Header
			data := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.Header.Clone())
				mu.Unlock()
				srv.DataHandler().ServeHTTP(w, r)
			}))
			t.Cleanup(data.Close)
			tgt.Headers = map[string][]string{"X-Vendor-Key": {"vendor-value-0123"}}
			tgt.DataEndpoint = strings.Replace(form, "%s", data.URL, 1)
			rep := checkData(t, tgt)
			requireStatus(t, rep, contract.Pass)
			mu.Lock()
			defer mu.Unlock()
			require.NotEmpty(t, seen)
			signed := 0
			for _, h := range seen {
				assert.Empty(t, h.Get("X-Vendor-Key"), "a -header value on the data plane")
				if a := h.Get("Authorization"); a != "" {
					signed++
					assert.NotContains(t, a, testutil.KeyID, "the run's credentials on the data plane")
					assert.Contains(t, a, "/s3/aws4_request", "signed for s3")
				}
			}
			assert.Positive(t, signed)
			assertClean(t, srv)
		})
	}
}

// TestDataPlaneNoAnswerIsAFinding: a data plane that accepts the
// connection and never answers within -timeout is a finding, not a skip.
func TestDataPlaneNoAnswerIsAFinding(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	tgt, srv := target(t, "envelope")
	tgt.DataEndpoint = "http://" + ln.Addr().String()
	tgt.Timeout = 300 * time.Millisecond
	rep := checkData(t, tgt)
	c, _ := rep.Check("key-works")
	require.Equal(t, contract.Fail, c.Status, c.Reason)
	assert.Contains(t, c.Failures[0].Message, "no answer")
	assertClean(t, srv)
}

// TestSequencesUseNoKeyWithWindows: with a window above 0 the sequences'
// "use a key" step is skipped, the sequences do not find the fault that
// only they reveal, and the data-plane checks say why in their reason.
func TestSequencesUseNoKeyWithWindows(t *testing.T) {
	tgt, _ := testutil.TargetWith(t, emulator.Options{Dialect: "aws", Faults: []emulator.Fault{emulator.FaultRevokeNeedsEmpty}})
	tgt.Revocation = time.Second
	tgt.Checks = []contract.ID{"key-revoked"}
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	c, _ := rep.Check("key-revoked")
	assert.Equal(t, contract.Pass, c.Status, "%v", c.Failures)
	assert.Contains(t, c.Reason, "the property-based sequences use no key")
	assert.Contains(t, c.Reason, "-revocation 1s")
}
