package fuzz_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/fuzz"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// The go test logs of contract.Run and fuzz.Run, and the rapid fail files
// fuzz.Run leaves, are outputs too: TestGoTestLogsHoldNoSecret runs both in
// a child test binary against faulty emulators served from this process,
// then scans everything the child printed or wrote for every secret the
// emulator issued.

const (
	leakEndpointEnv = "KEYCONTRACT_LEAK_ENDPOINT"
	leakDialectEnv  = "KEYCONTRACT_LEAK_DIALECT"
)

func TestGoTestLogsHoldNoSecret(t *testing.T) {
	if endpoint := os.Getenv(leakEndpointEnv); endpoint != "" {
		leakChild(t, endpoint, os.Getenv(leakDialectEnv))
		return
	}
	for _, dialect := range spec.Dialects {
		for _, f := range []emulator.Fault{"create-id-number", "create-truncated", "secret-in-header", emulator.FaultSecretInList} {
			t.Run(dialect+"/"+string(f), func(t *testing.T) {
				out, secrets := leakParent(t, dialect, f)
				for what, where := range findLeaks(out, secrets) {
					t.Errorf("%s was written to %s", what, where)
				}
			})
		}
	}
	// The same scan finds them once every mark redaction left in the
	// child's output and files is replaced by an issued secret
	// (secret-only-once's messages name the secret that leaked, as
	// <secret-N>): it reads the outputs the secrets would be in.
	t.Run("scan-can-fail", func(t *testing.T) {
		out, secrets := leakParent(t, "envelope", emulator.FaultSecretInList)
		require.Empty(t, findLeaks(out, secrets), "the outputs as written hold no secret")
		unredacted, marks := testutil.Unredact(out, secrets["issued secret #1 of "+fmt.Sprint(len(secrets))])
		require.Positive(t, marks, "redaction left no mark in the child's outputs")
		assert.NotEmpty(t, findLeaks(unredacted, secrets), "with redaction's %d marks replaced by a secret, the scan found none", marks)
	})
}

// leakChild is the child's side: a go test of an emulator author, as the
// README shows it, failing.
func leakChild(t *testing.T, endpoint, dialect string) {
	tgt := contract.Target{Endpoint: endpoint, Dialect: dialect, Seed: 3, Sequences: 20, ShrinkTime: 300 * time.Millisecond}
	contract.Run(t, tgt)
	fuzz.Run(t, tgt)
}

// leakParent serves a faulty emulator, runs the child against it in a
// directory of its own (where rapid writes its fail files), and returns
// everything the child printed or wrote.
func leakParent(t *testing.T, dialect string, fault emulator.Fault) (map[string][]byte, map[string]string) {
	_, err := emulator.ParseFault(string(fault))
	require.NoError(t, err)
	ts, srv := emulator.NewTestServer(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{fault}})
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestGoTestLogsHoldNoSecret$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), leakEndpointEnv+"="+ts.URL, leakDialectEnv+"="+dialect)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child test must fail against fault %s", fault)
	require.Contains(t, stdout.String(), "--- FAIL", "the child test did not run")
	out := map[string][]byte{"the go test output": stdout.Bytes(), "the go test stderr": stderr.Bytes()}
	var files int
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files++
		out["the file "+strings.TrimPrefix(path, dir)] = b
		return err
	}))
	t.Logf("scanned the child's output and %d files it wrote", files)
	issued := srv.IssuedSecrets()
	require.NotEmpty(t, issued)
	secrets := map[string]string{}
	for i, s := range issued {
		secrets[fmt.Sprintf("issued secret #%d of %d", i+1, len(issued))] = s
	}
	return out, secrets
}

// findLeaks returns, per secret found, one output that holds it: as is,
// JSON-escaped, URL-style escaped or base64-encoded.
func findLeaks(outputs map[string][]byte, secrets map[string]string) map[string]string {
	found := map[string]string{}
	for what, v := range secrets {
		esc, _ := json.Marshal(v)
		forms := []string{v, string(esc[1 : len(esc)-1]), strings.ReplaceAll(v, "/", `\/`),
			base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))}
		for where, b := range outputs {
			for _, f := range forms {
				if bytes.Contains(b, []byte(f)) {
					found[what] = where
				}
			}
		}
	}
	return found
}
