package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// The data plane's flags: -propagation, -revocation and -data-endpoint.

const dataToken = "tok-data-plane-0123456789abcdef"

// dataRun runs the data plane's checks with -json against an envelope
// emulator with fault, which keeps a key from working (key-late), or a
// deleted one working (revoke-late), for 300ms; extra are more flags.
func dataRun(t *testing.T, fault emulator.Fault, extra ...string) (cliResult, contract.Report) {
	t.Helper()
	ts, _ := emulator.NewTestServer(t, emulator.Options{Dialect: "envelope", Token: dataToken,
		Faults: []emulator.Fault{fault}, FaultDelay: 300 * time.Millisecond})
	jsonFile := filepath.Join(t.TempDir(), "report.json")
	args := append([]string{"-endpoint", ts.URL, "-dialect", "envelope", "-header", "Authorization: Bearer " + dataToken,
		"-checks", "key-works,key-scoped,key-revoked", "-json", jsonFile}, extra...)
	r := runCLI(t, args...)
	assertNoPanic(t, r)
	return r, readReport(t, jsonFile)
}

// TestRunWindowFlags: a correct emulator whose keys take 300ms to work
// (key-late), or to stop working (revoke-late), passes with a window on
// the command line that covers it, and the report measures the delay;
// without the flag (0 off amazonaws.com) the check fails, and says which
// flag would give the time.
func TestRunWindowFlags(t *testing.T) {
	for _, c := range []struct {
		fault emulator.Fault
		flag  string
		check contract.ID
	}{
		{emulator.FaultKeyLate, "-propagation", "key-works"},
		{emulator.FaultRevokeLate, "-revocation", "key-revoked"},
	} {
		t.Run(string(c.fault), func(t *testing.T) {
			r, rep := dataRun(t, c.fault, c.flag, "20s")
			require.Equal(t, 0, r.code, "checks: %s", statuses(rep))
			require.NotNil(t, rep.Measured)
			measured := rep.Measured.Propagation
			if c.flag == "-revocation" {
				measured = rep.Measured.Revocation
			}
			assert.GreaterOrEqual(t, measured.Max, int64(300), "the delay is measured")
			assert.Contains(t, r.stdout, "data plane: key propagation")

			r, rep = dataRun(t, c.fault)
			require.Equal(t, 1, r.code, "checks: %s", statuses(rep))
			res, _ := rep.Check(c.check)
			require.Equal(t, contract.Fail, res.Status)
			assert.Contains(t, res.Failures[0].Message, "("+c.flag+" 0: the first use decides)")
		})
	}
}

// TestRunDataFlagsRefused: a negative window and a -data-endpoint that is
// not an http(s) URL stop the run with exit 2 and one line saying why.
func TestRunDataFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-propagation", "-1s"}, "-propagation and -revocation must not be negative"},
		{[]string{"-revocation", "-5s"}, "-propagation and -revocation must not be negative"},
		{[]string{"-data-endpoint", "ftp://127.0.0.1:9/"}, "-data-endpoint"},
		{[]string{"-data-endpoint", "127.0.0.1:9000"}, "want an http:// or https:// URL"},
	} {
		r := runCLI(t, append([]string{"-endpoint", "http://127.0.0.1:9"}, c.args...)...)
		assert.Equal(t, 2, r.code, "%v", c.args)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
		assertNoPanic(t, r)
	}
	r := runCLI(t, "-h")
	for _, flag := range []string{"-data-endpoint", "-propagation", "-revocation"} {
		assert.Contains(t, r.stdout+r.stderr, flag, "run -h")
	}
}

// TestRunWindowDefaults: the windows default to 30s and 60s on
// amazonaws.com, 0 elsewhere; a flag given wins either way.
func TestRunWindowDefaults(t *testing.T) {
	for _, c := range []struct {
		endpoint                string
		propagation, revocation time.Duration
		set                     bool
		wantProp, wantRev       time.Duration
	}{
		{"https://iam.amazonaws.com", 0, 0, false, 30 * time.Second, 60 * time.Second},
		{"https://lightsail.eu-west-1.amazonaws.com", 0, 0, false, 30 * time.Second, 60 * time.Second},
		{"https://iam.amazonaws.com", 0, 5 * time.Second, true, 0, 5 * time.Second},
		{"http://127.0.0.1:9", 0, 0, false, 0, 0},
		{"http://127.0.0.1:9", 2 * time.Second, 3 * time.Second, true, 2 * time.Second, 3 * time.Second},
	} {
		o := runOptions{endpoint: c.endpoint, dialect: "iam", region: "us-east-1", timeout: time.Second,
			signSet: true, propagation: c.propagation, revocation: c.revocation,
			propagationSet: c.set, revocationSet: c.set}
		tgt, stop, err := o.target(context.Background(), io.Discard)
		require.NoError(t, err, c.endpoint)
		stop()
		assert.Equal(t, c.wantProp, tgt.Propagation, "%s -propagation", c.endpoint)
		assert.Equal(t, c.wantRev, tgt.Revocation, "%s -revocation", c.endpoint)
	}
}
