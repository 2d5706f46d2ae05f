package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// Tests of "keycontract run", in-process through dispatch: exit statuses,
// the one-line reason of exit 2, -h, and the third-party description.

// cliResult is what one dispatch call returned and wrote.
type cliResult struct {
	code           int
	stdout, stderr string
}

// testTuning keeps the CLI tests quick: every run includes the
// property-based sequences, and a run against a faulty emulator would
// otherwise spend the full shrink budget on each failure. fuzz/sequence's
// own tests measure shrinking.
var testTuning = tuning{shrinkTime: 300 * time.Millisecond}

// cli runs dispatch(args) in-process, with testTuning.
func cli(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb, testTuning)
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// runCLI is cli("run", args...).
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	return cli(t, append([]string{"run"}, args...)...)
}

// assertNoPanic fails if the output shows a panic or a goroutine dump.
func assertNoPanic(t *testing.T, r cliResult) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, s, "panic")
		assert.NotContains(t, s, "goroutine")
		assert.NotContains(t, s, "internal error")
	}
}

// requireExit2 asserts exit status 2 with the reason in one line: every
// stderr line is the tool's ("keycontract: ..."), the last is the reason
// and contains want. When early, the run never started, so the reason is
// all of stderr and nothing was printed on stdout.
func requireExit2(t *testing.T, r cliResult, early bool, want string) {
	t.Helper()
	require.Equal(t, 2, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assertNoPanic(t, r)
	require.True(t, strings.HasSuffix(r.stderr, "\n"), "stderr %q does not end a line", r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "keycontract: "), "stderr line %q is not the tool's", l)
	}
	last := lines[len(lines)-1]
	assert.Contains(t, last, want)
	if early {
		assert.Len(t, lines, 1, "stderr: %q", r.stderr)
		assert.Empty(t, r.stdout)
	}
}

// closedPortURL returns an http URL on which nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// noAWSCredentials empties the AWS credential chain for the test.
func noAWSCredentials(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
	} {
		t.Setenv(k, v)
	}
}

// readReport decodes a -json report.
func readReport(t *testing.T, path string) contract.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var rep contract.Report
	require.NoError(t, json.Unmarshal(b, &rep))
	return rep
}

func TestRunExitZeroAgainstCorrectEmulator(t *testing.T) {
	for _, dialect := range []string{"aws", "envelope"} {
		t.Run(dialect+"/endpoint", func(t *testing.T) {
			ts, _ := emulator.NewTestServer(t, emulator.Options{Dialect: dialect})
			r := runCLI(t, "-endpoint", ts.URL, "-dialect", dialect)
			assert.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assertNoPanic(t, r)
			assert.Contains(t, r.stdout, "0 failed")
			for _, id := range contract.IDs() {
				assert.Contains(t, r.stdout, id)
			}
		})
		t.Run(dialect+"/embedded", func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "report.json")
			r := runCLI(t, "-dialect", dialect, "-json", file)
			assert.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assertNoPanic(t, r)
			rep := readReport(t, file)
			assert.Equal(t, dialect, rep.Target.Dialect)
			// The embedded emulator requires credentials, so auth-required runs.
			c, ok := rep.Check("auth-required")
			require.True(t, ok)
			assert.Equal(t, contract.Pass, c.Status, c.Reason)
		})
	}
}

// TestRunEmbeddedWithFlagCredentials: the embedded emulator requires the
// credentials that -sign or -header configure, so the reference passes
// auth-required (it used to accept unsigned requests and fail it, exit 1).
func TestRunEmbeddedWithFlagCredentials(t *testing.T) {
	noAWSCredentials(t)
	const awsSecret, token = "kc/embedded+secret/0123456789abcdef01234", "embedded-token-0123456789"
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDKCEMBEDDED000001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsSecret)
	for name, args := range map[string][]string{
		"aws -sign":                  {"-sign"},
		"aws -sign -region":          {"-sign", "-region", "eu-west-1"},
		"aws -header":                {"-header", "X-Vendor-Key: " + token},
		"envelope bearer -header":    {"-dialect", "envelope", "-header", "Authorization: Bearer " + token},
		"envelope other -header":     {"-dialect", "envelope", "-header", "X-Vendor-Key: " + token},
		"third-party -sign -binding": {"-sign", "-spec", "../../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml", "-binding", "../../fixtures/thirdparty/overlay.yaml"},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "report.json")
			r := runCLI(t, append(args, "-json", file)...)
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			for _, out := range []string{r.stdout, r.stderr, string(b)} {
				// No assert.Contains: it would quote the secret.
				assert.False(t, strings.Contains(out, awsSecret) || strings.Contains(out, token), "a credential was written")
			}
			assert.Equal(t, 0, r.code)
			assertNoPanic(t, r)
			rep := readReport(t, file)
			c, ok := rep.Check("auth-required")
			require.True(t, ok)
			assert.Equal(t, contract.Pass, c.Status, c.Reason)
		})
	}
}

func TestRunExitOneAgainstFaultyEmulator(t *testing.T) {
	for _, dialect := range []string{"aws", "envelope"} {
		t.Run(dialect, func(t *testing.T) {
			ts, _ := emulator.NewTestServer(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{emulator.FaultNoKeyLimit}})
			file := filepath.Join(t.TempDir(), "report.json")
			r := runCLI(t, "-endpoint", ts.URL, "-dialect", dialect, "-json", file)
			assert.Equal(t, 1, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assertNoPanic(t, r)
			assert.Regexp(t, `(?m)^two-key-limit\s+FAIL`, r.stdout)
			rep := readReport(t, file)
			c, ok := rep.Check("two-key-limit")
			require.True(t, ok)
			assert.Equal(t, contract.Fail, c.Status)
			assert.NotEmpty(t, c.Failures)
		})
	}
}

func TestRunExitTwo(t *testing.T) {
	notOpenAPI := filepath.Join(t.TempDir(), "not-openapi.yaml")
	require.NoError(t, os.WriteFile(notOpenAPI, []byte("hello: world\nlist: [1, 2]\n"), 0o600))
	const headerSecret = "hdr-secret-value-4a1f9c"
	cases := []struct {
		name  string
		args  []string
		early bool
		want  string
	}{
		{"unknown flag", []string{"-no-such-flag"}, true, "-no-such-flag"},
		{"bad flag value", []string{"-seed", "abc"}, true, "-seed"},
		{"stray argument", []string{"extra"}, true, `"extra"`},
		{"bad dialect", []string{"-dialect", "soap"}, true, "soap"},
		{"unknown check", []string{"-checks", "two-key-limit,no-such-check"}, true, "no-such-check"},
		{"missing spec", []string{"-spec", filepath.Join(t.TempDir(), "absent.yaml")}, true, "absent.yaml"},
		{"spec not OpenAPI", []string{"-spec", notOpenAPI}, true, "not-openapi.yaml"},
		{"binding without spec", []string{"-binding", "../../fixtures/thirdparty/overlay.yaml"}, true, "-binding"},
		{"endpoint not a URL", []string{"-endpoint", "ftp://example.com"}, true, "-endpoint"},
		{"unreachable endpoint", []string{"-endpoint", closedPortURL(t), "-timeout", "2s"}, false, "refused"},
		{"malformed header", []string{"-header", "NoColon" + headerSecret}, true, "-header"},
		{"header name with space", []string{"-header", "Bad Name: " + headerSecret}, true, "-header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.args...)
			requireExit2(t, r, c.early, c.want)
			assert.NotContains(t, r.stdout+r.stderr, headerSecret, "a -header value was printed")
		})
	}
	t.Run("sign without credentials", func(t *testing.T) {
		noAWSCredentials(t)
		ts, _ := emulator.NewTestServer(t, emulator.Options{})
		requireExit2(t, runCLI(t, "-endpoint", ts.URL, "-sign"), true, "credentials")
		// The embedded emulator does not make -sign need no credentials.
		requireExit2(t, runCLI(t, "-sign"), true, "credentials")
	})
}

func TestRunHelp(t *testing.T) {
	for _, h := range []string{"-h", "-help", "--help"} {
		r := runCLI(t, h)
		assert.Equal(t, 0, r.code, h)
		assertNoPanic(t, r)
		// Asked-for help is output, as for "keycontract -h" and serve -h.
		usage := r.stdout
		assert.Empty(t, r.stderr)
		assert.Contains(t, usage, "Usage: keycontract run")
		for _, id := range contract.IDs() {
			assert.Contains(t, usage, id, "%s: usage does not name check %s", h, id)
		}
		for _, f := range []string{"-endpoint", "-dialect", "-spec", "-binding", "-header", "-sign", "-checks", "-json", "-junit"} {
			assert.Contains(t, usage, f)
		}
	}
}

func TestRunNoArgsExitTwo(t *testing.T) {
	r := cli(t)
	assert.Equal(t, 2, r.code)
	assertNoPanic(t, r)
	assert.Contains(t, r.stderr, "Usage:")
	for _, cmd := range []string{"run", "serve", "sweep"} {
		assert.Contains(t, r.stderr, "keycontract "+cmd)
	}

	r = cli(t, "frobnicate")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `keycontract: unknown command "frobnicate"`)
}
