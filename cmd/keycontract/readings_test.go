package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// iamRun runs the CLI, sequences and concurrent-limit included, against
// an iam emulator with opts, and returns its result and JSON report.
func iamRun(t *testing.T, opts emulator.Options) (cliResult, contract.Report) {
	t.Helper()
	noAWSCredentials(t)
	opts.Dialect = emulator.DialectIAM
	ts, _ := emulator.NewTestServer(t, opts)
	file := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(t, "-endpoint", ts.URL, "-dialect", "iam", "-seed", "1", "-sequences", "20", "-json", file)
	assertNoPanic(t, r)
	return r, readReport(t, file)
}

// TestRunLegalReadingsPassIAM: an iam endpoint that reads a form's
// undecodable escapes leniently, or labels its XML application/xml,
// passes every check the CLI runs (exit 0), the sequences and
// concurrent-limit included. auth-required is skipped: the endpoint asks
// for no credentials.
func TestRunLegalReadingsPassIAM(t *testing.T) {
	for _, f := range []emulator.Fault{emulator.FaultFormSkipsUndecodable, emulator.FaultFormKeepsEscapes, emulator.FaultMediaTypeSynonym} {
		t.Run(string(f), func(t *testing.T) {
			require.Empty(t, f.Breaks(), "a legal variation")
			r, rep := iamRun(t, emulator.Options{Faults: []emulator.Fault{f}})
			assert.Equal(t, 0, r.code, "checks: %s\nstderr:\n%s", statuses(rep), r.stderr)
			for _, c := range rep.Checks {
				if c.ID == "auth-required" {
					continue
				}
				assert.Equal(t, contract.Pass, c.Status, "%s: %s", c.ID, c.Reason)
			}
		})
	}
}

// TestRunRedirectingIAM: versitygw's answer to a POST with no Action, a
// 302 to another host, is judged as the answer it is: the run completes
// (exit 1, not 2), invalid-input-rejected and error-envelope fail, every
// other check passes, and the other host (a second loopback server)
// receives no request.
func TestRunRedirectingIAM(t *testing.T) {
	var hits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	r, rep := iamRun(t, emulator.Options{Faults: []emulator.Fault{emulator.FaultRedirectNoOperation}, RedirectTo: other.URL + "/products/versitygw/"})
	require.Equal(t, 1, r.code, "checks: %s\nstderr:\n%s", statuses(rep), r.stderr)
	for _, c := range rep.Checks {
		switch c.ID {
		case "auth-required":
		case "invalid-input-rejected", "error-envelope":
			assert.Equal(t, contract.Fail, c.Status, c.ID)
		default:
			assert.Equal(t, contract.Pass, c.Status, "%s: %s", c.ID, c.Reason)
		}
	}
	assert.Zero(t, hits.Load(), "a request went to the redirect's host")
}
