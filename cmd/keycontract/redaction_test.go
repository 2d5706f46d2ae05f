package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// redactionFaults attack redaction: each answers creates with a body that
// is wrong in a way that once kept its secret from being registered (a
// mistyped id, the secret under another name, a wrong content type, a
// truncated or non-JSON body, the secret echoed in a header).
var redactionFaults = []emulator.Fault{
	"create-id-number", "create-id-object", "create-id-null", "create-id-missing",
	"secret-renamed", "secret-duplicated",
	"create-wrong-content-type", "create-truncated", "create-not-json",
	"secret-in-header",
}

// leakRun runs every check of dialect against fault with every output flag
// (-json, -junit, -html, -record, -viz) and returns what it wrote and every
// secret the emulator issued. It never logs an output.
func leakRun(t *testing.T, dialect string, fault emulator.Fault) (cliResult, map[string][]byte, map[string]string, contract.Report) {
	t.Helper()
	noAWSCredentials(t)
	_, err := emulator.ParseFault(string(fault))
	require.NoError(t, err)
	ts, srv := emulator.NewTestServer(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{fault}})
	files, recording, flags := reportFlags(t.TempDir())
	r := runCLI(t, append([]string{"-endpoint", ts.URL, "-dialect", dialect, "-sequences", "20"}, flags...)...)
	outputs := runOutputs(t, r, files, recording)
	issued := srv.IssuedSecrets()
	require.NotEmpty(t, issued, "the emulator issued no secret: the scan would prove nothing")
	secrets := numbered("issued secret access key", issued)
	return r, outputs, secrets, readReport(t, files["the JSON report"])
}

// TestRunNoSecretWhateverTheBody: against every fault that attacks
// redaction, in every dialect, the run fails the check the fault breaks
// and no output holds any secret the emulator issued, in any spelling.
func TestRunNoSecretWhateverTheBody(t *testing.T) {
	for _, dialect := range spec.Dialects {
		for _, f := range redactionFaults {
			t.Run(dialect+"/"+string(f), func(t *testing.T) {
				r, outputs, secrets, rep := leakRun(t, dialect, f)
				assertNoSecretWritten(t, outputs, secrets)
				if f.Breaks() == "" {
					// A legal variation (the secret also under another
					// member): nothing fails, nothing leaks.
					require.Equal(t, 0, r.code, "exit status; checks: %s", statuses(rep))
					return
				}
				require.Equal(t, 1, r.code, "exit status; checks: %s", statuses(rep))
				c, ok := rep.Check(contract.ID(f.Breaks()))
				require.True(t, ok, "fault %s names check %q", f, f.Breaks())
				assert.Equal(t, contract.Fail, c.Status, "%s against %s; checks: %s", f.Breaks(), f, statuses(rep))
			})
		}
	}
}

// TestRedactionScanCanFail: the same scan finds the secrets in the same
// outputs with every mark redaction left there replaced by an issued
// secret (testutil.Unredact: what the harness would have written without
// redaction). Without this, a scan that looks in the wrong place, or for
// the wrong spelling, would pass whatever the harness wrote.
func TestRedactionScanCanFail(t *testing.T) {
	for _, dialect := range spec.Dialects {
		for _, f := range []emulator.Fault{"create-id-number", "create-not-json", "secret-in-header"} {
			t.Run(dialect+"/"+string(f), func(t *testing.T) {
				_, outputs, secrets, _ := leakRun(t, dialect, f)
				require.Empty(t, findSecrets(outputs, secrets), "the outputs as written hold no secret")
				unredacted, marks := testutil.Unredact(outputs, secrets[fmt.Sprintf("issued secret access key #1 of %d", len(secrets))])
				require.Positive(t, marks, "redaction left no mark in any output: the outputs show no secret's place")
				found := findSecrets(unredacted, secrets)
				assert.NotEmpty(t, found, "with redaction's %d marks replaced by a secret, the scan found none", marks)
				t.Logf("%d marks replaced: %d (secret, output) pairs found", marks, len(found))
			})
		}
	}
}
