package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
)

// moto's moto_server (moto 5) implements IAM's user access keys: the first
// implementation the harness meets that nobody here wrote. TestMoto runs
// every check against it with -dialect iam and pins exactly which checks
// fail, and why, each by the exchange that shows it (docs/README.md tells
// the findings). It does not bend a check to pass moto.

// motoServer finds moto_server: in CI (.ci/run makes sure it is there) its
// absence is a failure, elsewhere a skip that says how to get it.
func motoServer(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("moto_server")
	if err == nil {
		return p
	}
	const why = "moto_server not on PATH: pip install 'moto[server]'"
	if os.Getenv("CI") != "" {
		t.Fatal(why + " (.ci/run checks for it; in CI a missing server is a failure, not a skip)")
	}
	t.Skip(why)
	return ""
}

// startMoto starts moto_server on a free loopback port and returns its URL;
// the process is killed when the test ends.
func startMoto(t *testing.T) string {
	t.Helper()
	bin := motoServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second) // a hang guard: python's start-up on a loaded machine
	for {
		resp, err := http.Get(base + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var motoSecret = regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`)

// secretTap is a reverse proxy to moto that keeps every secret access key
// moto's responses carry, so that the outputs can be scanned for them.
type secretTap struct {
	mu      sync.Mutex
	secrets []string
}

func (s *secretTap) proxy(t *testing.T, target string) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		s.mu.Lock()
		for _, m := range motoSecret.FindAllSubmatch(body, -1) {
			s.secrets = append(s.secrets, html.UnescapeString(string(m[1])))
		}
		s.mu.Unlock()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	return ts.URL
}

// motoFindings are the checks moto fails, each with what its failures
// must show: a message and the response of the exchange that shows it.
var motoFindings = map[string]struct {
	message  *regexp.Regexp
	response *regexp.Regexp
}{
	// Unsigned requests are routed to moto's S3 (ListAllMyBuckets, 200);
	// requests signed with a wrong secret are served: moto verifies no
	// signature.
	"auth-required": {regexp.MustCompile(`without credentials\) = 200 success`), regexp.MustCompile(`ListAllMyBucketsResult`)},
	// An unknown Action, and an empty MaxItems, get an HTML 500 page.
	"no-server-errors": {regexp.MustCompile(`= 500 \(no error code\)`), regexp.MustCompile(`500 Internal Server Error`)},
	"error-envelope":   {regexp.MustCompile(`500: status 500 carries no error code`), regexp.MustCompile(`<!doctype html>`)},
	// Lengths and patterns are not validated; a malformed form is read
	// leniently; an empty body is taken for an unknown user "None".
	"invalid-input-rejected": {regexp.MustCompile(`= 200 success, want a 4xx error of`), regexp.MustCompile(`Response xmlns=`)},
	// CreateUser without UserName (or with an invalid one) succeeds, and
	// its reply then breaks the documented User: no UserName, or an empty
	// or too long one.
	"success-envelope": {regexp.MustCompile(`CreateUser.* = 200 with .*/CreateUserResult/User/UserName`), regexp.MustCompile(`<CreateUserResponse`)},
}

// TestMoto runs every check against moto_server with -dialect iam, signed
// with dummy credentials, through a proxy that keeps the secrets moto
// issues, and pins moto's verdict per check; then it scans every output
// for those secrets.
func TestMoto(t *testing.T) {
	tap := &secretTap{}
	endpoint := tap.proxy(t, startMoto(t))
	noAWSCredentials(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDMOTOTESTDUMMY000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "moto-test-dummy-secret-not-real-0123456")
	files, recording, flags := reportFlags(t.TempDir())
	r := runCLI(t, append([]string{"-endpoint", endpoint, "-dialect", "iam", "-sign", "-seed", "1"}, flags...)...)
	rep := readReport(t, files["the JSON report"])
	require.Equal(t, 1, r.code, "exit status; checks: %s; stderr: %s", statuses(rep), firstLineOf(r.stderr))
	assertNoPanic(t, r)

	for _, c := range rep.Checks {
		want, fails := motoFindings[c.ID]
		if !fails {
			assert.Equal(t, contract.Pass, c.Status, "%s against moto: %s", c.ID, c.Reason)
			continue
		}
		if !assert.Equal(t, contract.Fail, c.Status, "%s against moto", c.ID) {
			continue
		}
		found := false
		for _, f := range c.Failures {
			if !want.message.MatchString(f.Message) {
				continue
			}
			for _, ex := range f.Exchanges {
				if want.response.MatchString(ex.Response.Body) {
					found = true
				}
			}
		}
		assert.True(t, found, "%s: no failure matches %q with an exchange showing %q; first: %s",
			c.ID, want.message, want.response, c.Failures[0].Message)
	}

	// No secret moto issued is written anywhere, in any spelling.
	outputs := runOutputs(t, r, files, recording)
	tap.mu.Lock()
	issued := append([]string(nil), tap.secrets...)
	tap.mu.Unlock()
	require.NotEmpty(t, issued, "moto issued no secret: the scan would prove nothing")
	secrets := numbered("secret moto issued", issued)
	assertNoSecretWritten(t, outputs, secrets)
	t.Logf("moto: %s; %d requests in %d ms; %d secrets issued, none written",
		strings.TrimSpace(statuses(rep)), rep.Requests, rep.DurationMS, len(issued))
}
