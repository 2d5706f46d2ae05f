package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// Issue 5, "What it must show", through the CLI, against the emulator
// configured the way AWS behaves (SigV4 verification, throttling, buckets
// holding keys the run did not create). Every run includes the
// property-based sequences and concurrent-limit. A run killed outright, and
// the sweep that cleans up after it, are in sweep_test.go.

// awsEnv is a run's AWS identity, given through the standard environment
// variables only (no config file, no profile, no IMDS).
type awsEnv struct{ akid, secret string }

func setAWSEnv(t *testing.T) awsEnv {
	t.Helper()
	noAWSCredentials(t)
	// "/" and "+" as in real AWS secrets, so that escaped forms matter.
	e := awsEnv{akid: "AKIDKC" + strings.ToUpper(randomHex(t, 7)), secret: "kc/Nightly+" + randomHex(t, 15)}
	t.Setenv("AWS_ACCESS_KEY_ID", e.akid)
	t.Setenv("AWS_SECRET_ACCESS_KEY", e.secret)
	return e
}

// nightlyRun is one CLI run with -json and -junit, and everything it wrote.
type nightlyRun struct {
	cliResult
	rep     contract.Report
	outputs map[string][]byte
}

func runNightly(t *testing.T, args ...string) nightlyRun {
	t.Helper()
	dir := t.TempDir()
	jsonFile, junitFile := filepath.Join(dir, "report.json"), filepath.Join(dir, "junit.xml")
	r := nightlyRun{cliResult: runCLI(t, append(args, "-json", jsonFile, "-junit", junitFile)...)}
	r.outputs = map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}
	for name, path := range map[string]string{"the JSON report": jsonFile, "the JUnit report": junitFile} {
		if b, err := os.ReadFile(path); err == nil {
			r.outputs[name] = b
		}
	}
	if _, ok := r.outputs["the JSON report"]; ok {
		r.rep = readReport(t, jsonFile)
	}
	return r
}

// assertNoSecretIn scans everything the run wrote for every secret the
// emulator issued and for extra credentials.
func assertNoSecretIn(t *testing.T, outputs map[string][]byte, srv *emulator.Server, credentials ...string) {
	t.Helper()
	secrets := map[string]string{}
	issued := srv.IssuedSecrets()
	for i, s := range issued {
		secrets[fmt.Sprintf("issued secret access key #%d of %d", i+1, len(issued))] = s
	}
	for i, c := range credentials {
		secrets[fmt.Sprintf("credential #%d", i+1)] = c
	}
	assertNoSecretWritten(t, outputs, secrets)
}

// assertAllPass fails unless every check of rep passed (none skipped).
func assertAllPass(t *testing.T, r nightlyRun) {
	t.Helper()
	require.Equal(t, 0, r.code, "checks: %s; stderr: %s", statuses(r.rep), r.stderr)
	require.Len(t, r.rep.Checks, len(contract.IDs()))
	for _, c := range r.rep.Checks {
		assert.Equal(t, contract.Pass, c.Status, "%s: %s", c.ID, c.Reason)
	}
}

// TestNightlySigningFromEnvironment: against an emulator that verifies
// SigV4, a run given credentials through AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (or a -profile of the shared credentials file)
// passes every check, auth-required included, and writes no secret.
func TestNightlySigningFromEnvironment(t *testing.T) {
	t.Run("environment", func(t *testing.T) {
		e := setAWSEnv(t)
		ts, srv := emulator.NewTestServer(t, emulator.Options{Credentials: map[string]string{e.akid: e.secret}})
		r := runNightly(t, "-endpoint", ts.URL, "-sign")
		assertAllPass(t, r)
		assertNoSecretIn(t, r.outputs, srv, e.secret)
		assert.Empty(t, srv.Snapshot())
	})
	t.Run("profile and region", func(t *testing.T) {
		noAWSCredentials(t)
		akid, secret := "AKIDKCPROFILE0000001", "kc/Profile+"+randomHex(t, 15)
		creds := filepath.Join(t.TempDir(), "credentials")
		require.NoError(t, os.WriteFile(creds, []byte("[nightly]\naws_access_key_id = "+akid+"\naws_secret_access_key = "+secret+"\n"), 0o600))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
		ts, srv := emulator.NewTestServer(t, emulator.Options{Credentials: map[string]string{akid: secret}, Region: "eu-west-1"})
		r := runNightly(t, "-endpoint", ts.URL, "-sign", "-profile", "nightly", "-region", "eu-west-1")
		assertAllPass(t, r)
		assertNoSecretIn(t, r.outputs, srv, secret)
	})
}

// TestNightlyWrongCredentials: wrong credentials end the run with one
// clear line naming the endpoint's auth error, not a flood of failures,
// and still write no secret.
func TestNightlyWrongCredentials(t *testing.T) {
	cases := []struct {
		name, want string
		args       []string
		creds      func(e awsEnv) map[string]string
	}{
		{"wrong secret", "InvalidSignatureException", nil, func(e awsEnv) map[string]string { return map[string]string{e.akid: "kc/Other+" + e.secret} }},
		{"unknown access key id", "UnrecognizedClientException", nil, func(e awsEnv) map[string]string { return map[string]string{"AKIDKCSOMEBODYELSE01": e.secret} }},
		{"wrong region", "InvalidSignatureException", []string{"-region", "ap-south-1"}, func(e awsEnv) map[string]string { return map[string]string{e.akid: e.secret} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setAWSEnv(t)
			ts, srv := emulator.NewTestServer(t, emulator.Options{Credentials: c.creds(e)})
			r := runNightly(t, append([]string{"-endpoint", ts.URL, "-sign"}, c.args...)...)
			assertNoSecretIn(t, r.outputs, srv, e.secret)
			requireExit2(t, r.cliResult, false, c.want)
			assert.Zero(t, r.rep.Summary.Failed, "a flood of failures: %s", statuses(r.rep))
			assert.NotContains(t, r.stdout, "FAIL")
			assert.Empty(t, srv.Snapshot())
		})
	}
}

// TestNightlyForeignKeys: with -bucket pointing at a bucket that already
// holds a key the run did not create (and a second -bucket, so that
// bucket-isolation runs), the run passes, and afterwards that key still
// exists and nothing else does. A leaking endpoint fails the run without
// touching the key either, and without writing its secret. A bucket with
// no free slot is exit 2 with the reason.
func TestNightlyForeignKeys(t *testing.T) {
	for _, dialect := range []string{"aws", "envelope"} {
		for _, fault := range []emulator.Fault{"", emulator.FaultSecretInList} {
			t.Run(dialect+"/"+string(fault), func(t *testing.T) {
				ts, srv := emulator.NewTestServer(t, emulator.Options{Dialect: dialect, Faults: testutil.Faults(fault)})
				require.NoError(t, srv.AddBucket("users-bucket-a"))
				require.NoError(t, srv.AddBucket("users-bucket-b"))
				foreign, _, err := srv.AddKey("users-bucket-a")
				require.NoError(t, err)
				r := runNightly(t, "-endpoint", ts.URL, "-dialect", dialect, "-bucket", "users-bucket-a", "-bucket", "users-bucket-b")
				assertNoSecretIn(t, r.outputs, srv)
				if fault == "" {
					require.Equal(t, 0, r.code, "checks: %s; stderr: %s", statuses(r.rep), r.stderr)
					iso, _ := r.rep.Check("bucket-isolation")
					assert.Equal(t, contract.Pass, iso.Status, iso.Reason)
				} else {
					require.Equal(t, 1, r.code, "checks: %s", statuses(r.rep))
				}
				snap := srv.Snapshot()
				require.Len(t, snap, 2)
				require.Len(t, snap["users-bucket-a"], 1, "users-bucket-a: the run's keys are left, or the foreign key is gone")
				assert.Equal(t, foreign, snap["users-bucket-a"][0].ID)
				assert.Empty(t, snap["users-bucket-b"])
			})
		}
	}
	t.Run("full bucket", func(t *testing.T) {
		ts, srv := emulator.NewTestServer(t, emulator.Options{})
		require.NoError(t, srv.AddBucket("users-bucket-a"))
		for range 2 {
			_, _, err := srv.AddKey("users-bucket-a")
			require.NoError(t, err)
		}
		r := runCLI(t, "-endpoint", ts.URL, "-bucket", "users-bucket-a")
		requireExit2(t, r, false, "users-bucket-a already holds 2 keys (limit 2)")
		assert.Len(t, srv.Snapshot()["users-bucket-a"], 2)
	})
}

// TestNightlyCleanupAfterAnyRun: after passing and failing runs, in both
// dialects, the emulator holds nothing: no bucket, so no key.
func TestNightlyCleanupAfterAnyRun(t *testing.T) {
	faults := []emulator.Fault{"", emulator.FaultDeleteKeepsKey, emulator.FaultDeletedStillCounts,
		emulator.FaultLimitRace, emulator.FaultRejectedCreateStored, emulator.FaultUnknownBucketCreates}
	for _, dialect := range []string{"aws", "envelope"} {
		for _, f := range faults {
			t.Run(dialect+"/"+string(f), func(t *testing.T) {
				// limit-race's barrier is released by the concurrent check's
				// burst of creates, never by RaceHold, which only lets a
				// sequential create through: so that fault runs the
				// concurrent check alone (the sequences would wait RaceHold
				// for every create that fills a bucket), and the run then
				// fails whatever the scheduling.
				ts, srv := emulator.NewTestServer(t, emulator.Options{Dialect: dialect, Faults: testutil.Faults(f), RaceHold: time.Minute})
				args := []string{"-endpoint", ts.URL, "-dialect", dialect}
				if f == emulator.FaultLimitRace {
					args = append(args, "-checks", "concurrent-limit")
				}
				r := runCLI(t, args...)
				want := 0
				if f != "" {
					want = 1
				}
				assert.Equal(t, want, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
				assertNoPanic(t, r)
				assert.NotContains(t, r.stderr, "cleanup incomplete")
				assert.Empty(t, srv.Snapshot(), "the run left buckets or keys behind")
			})
		}
	}
}

var retriedLine = regexp.MustCompile(`(?m)^\d+ passed, 0 failed, 0 skipped; (\d+) requests \((\d+) retried\)`)

// TestNightlyThrottling: against an emulator that throttles 15% of
// requests (signed, as on AWS), the run passes, and both the table's
// summary line and the JUnit report's properties count the retries.
func TestNightlyThrottling(t *testing.T) {
	e := setAWSEnv(t)
	ts, srv := emulator.NewTestServer(t, emulator.Options{Credentials: map[string]string{e.akid: e.secret}, ThrottlePercent: 15})
	// Fewer sequences than the default: every retry waits its backoff.
	r := runNightly(t, "-endpoint", ts.URL, "-sign", "-sequences", "25")
	assertAllPass(t, r)
	assertNoSecretIn(t, r.outputs, srv, e.secret)
	assert.Empty(t, srv.Snapshot())

	m := retriedLine.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "no summary line with retries in:\n%s", r.stdout)
	requests, _ := strconv.Atoi(m[1])
	retried, _ := strconv.Atoi(m[2])
	assert.Positive(t, retried, "no retry counted at 15%% throttling")
	assert.Equal(t, int64(requests), r.rep.Requests)

	var doc struct {
		Props []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"testsuite>properties>property"`
	}
	require.NoError(t, xml.Unmarshal(r.outputs["the JUnit report"], &doc))
	props := map[string]string{}
	for _, p := range doc.Props {
		props[p.Name] = p.Value
	}
	assert.Equal(t, map[string]string{"retries": m[2], "requests": m[1]}, props)
	// The server saw every attempt: the requests and their retries.
	assert.GreaterOrEqual(t, srv.Requests(), int64(requests))
}

// process is a keycontract binary running in the background.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
}

// startBinary runs the built keycontract with args and the test's
// environment (t.Setenv's credentials included).
func startBinary(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(keycontractBinary(t), args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// hangGuard bounds the waits for a background keycontract: it only turns
// a hang into a failure, and is far beyond what a loaded machine needs
// under -race, so it never decides a verdict.
const hangGuard = 2 * time.Minute

// waitFor waits until the process's stderr shows line.
func (p *process) waitFor(t *testing.T, line string) {
	t.Helper()
	waitUntil(t, func() bool {
		select {
		case <-p.done:
			t.Fatalf("keycontract exited before %q; stderr: %s", line, p.stderr.String())
		default:
		}
		return strings.Contains(p.stderr.String(), line)
	}, "no %q; stderr: %s", line, p.stderr)
}

// waitUntil polls cond until it holds; after hangGuard it fails the test
// with msg.
func waitUntil(t *testing.T, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		require.True(t, time.Now().Before(deadline), append([]any{msg}, args...)...)
		time.Sleep(10 * time.Millisecond)
	}
}

// exit waits for the process to exit and returns its status.
func (p *process) exit(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(hangGuard):
		t.Fatalf("keycontract did not exit within %v; stderr: %s", hangGuard, p.stderr.String())
		return -1
	}
}

// TestNightlyInterrupt: a signed run interrupted with SIGINT (or SIGTERM)
// in the middle of the property-based sequences exits promptly (the wait
// is only a hang guard), having deleted everything it created, and writes
// no secret on the way.
func TestNightlyInterrupt(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			e := setAWSEnv(t)
			ts, srv := emulator.NewTestServer(t, emulator.Options{Credentials: map[string]string{e.akid: e.secret}, Latency: 20 * time.Millisecond})
			dir := t.TempDir()
			p := startBinary(t, "run", "-endpoint", ts.URL, "-sign", "-json", filepath.Join(dir, "r.json"), "-junit", filepath.Join(dir, "j.xml"))
			p.waitFor(t, "running property-based sequences")
			// Interrupt once the sequences have created a key, so that there
			// is something of theirs to clean up.
			waitUntil(t, func() bool { return keysIn(srv.Snapshot()) > 0 }, "the sequences created no key; stderr: %s", p.stderr)
			require.NoError(t, p.cmd.Process.Signal(sig))
			code := p.exit(t)

			assert.Empty(t, srv.Snapshot(), "the interrupted run left buckets or keys behind")
			assert.Equal(t, 2, code, "stderr: %s", p.stderr.String())
			assert.Contains(t, p.stderr.String(), "keycontract: interrupted; cleaning up")
			assert.True(t, strings.HasSuffix(p.stderr.String(), "\nkeycontract: interrupted: the run was stopped before its end\n"), "the last line does not say why: %s", p.stderr.String())
			assert.NotContains(t, p.stderr.String(), "cleanup incomplete")
			outputs := map[string][]byte{"stdout": []byte(p.stdout.String()), "stderr": []byte(p.stderr.String())}
			for _, f := range []string{"r.json", "j.xml"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err, "the interrupted run wrote no %s", f)
				outputs[f] = b
			}
			assertNoSecretIn(t, outputs, srv, e.secret)
		})
	}
}

// keysIn counts the keys of a snapshot.
func keysIn(snap map[string][]emulator.KeyInfo) int {
	n := 0
	for _, keys := range snap {
		n += len(keys)
	}
	return n
}
