package main

import (
	"bytes"
	"fmt"
	"go/build"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
)

// Helpers for the tests that run every check against an implementation
// nobody here wrote (moto_test.go, versitygw_test.go): finding its
// executable, starting it on a loopback port and always stopping it,
// keeping the secrets it issues, pinning its verdict per check, and
// publishing its report to docs/ for make moto-report and make
// versitygw-report.

// externalTool finds an implementation's executable: on PATH, else in the
// directory `go install` writes to (GOBIN, else GOPATH/bin). In CI (.ci/run
// installs it) its absence fails the test; elsewhere the test is skipped,
// saying how to get it.
func externalTool(t *testing.T, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	dirs := []string{os.Getenv("GOBIN")}
	for _, gopath := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gopath, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	why := name + " not found: " + install
	if os.Getenv("CI") != "" {
		t.Fatal(why + " (.ci/run installs it; in CI a missing implementation is a failure, not a skip)")
	}
	t.Skip(why)
	return ""
}

// freeLoopbackPort returns a port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// lockedBuffer is a bytes.Buffer a process may write while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProcess starts cmd, which must serve HTTP on loopback, and waits
// until GET ready answers (any status), for at most a minute (a hang guard:
// python's start-up on a loaded machine). The process is killed, and
// waited for, when the test ends, whatever happens. Its output is kept in
// memory and shown only when it does not come up (it holds no secret: the
// servers log request lines, never headers or bodies).
func startProcess(t *testing.T, cmd *exec.Cmd, ready string) {
	t.Helper()
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start(), "starting %s", cmd.Path)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(time.Minute)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(ready)
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case werr := <-exited:
			exited <- werr // for the cleanup
			t.Fatalf("%s exited before it answered on %s (%v); its output:\n%s", filepath.Base(cmd.Path), ready, werr, lastLines(logs.String(), 20))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer on %s: %v; its output:\n%s", filepath.Base(cmd.Path), ready, err, lastLines(logs.String(), 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var issuedSecret = regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`)

// secretTap is a reverse proxy to an IAM endpoint that keeps every secret
// access key its responses carry, so that the run's outputs can be scanned
// for them. It forwards the request as it came (Host included, so a SigV4
// signature made for the proxy's address still holds).
type secretTap struct {
	mu      sync.Mutex
	secrets []string
}

// proxy starts the tap in front of target and returns its URL.
func (s *secretTap) proxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		s.add(issuedSecretsIn(body)...)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return nil
	}
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	return ts.URL
}

// add keeps secrets issued outside the proxy (an admin key made in set-up).
func (s *secretTap) add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets = append(s.secrets, secrets...)
}

// issued returns every secret kept so far.
func (s *secretTap) issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// issuedSecretsIn returns the secret access keys an XML reply carries.
func issuedSecretsIn(body []byte) []string {
	var out []string
	for _, m := range issuedSecret.FindAllSubmatch(body, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// evidence is what one finding's failure must show: a failure of its check
// whose message matches message, with an exchange whose request matches
// request and whose response matches response, as requestText and
// responseText write them.
type evidence struct {
	message, request, response *regexp.Regexp
}

// ev builds an evidence from its three patterns ("" matches anything).
func ev(message, request, response string) evidence {
	return evidence{regexp.MustCompile(message), regexp.MustCompile(request), regexp.MustCompile(response)}
}

// requestText is an exchange's request as evidence patterns match it:
// "signed BODY" or "unsigned BODY" (whether it carried an Authorization
// header, whose value the report redacts).
func requestText(ex contract.RecordedExchange) string {
	signed := "unsigned"
	if header(ex.Request.Headers, "Authorization") != "" {
		signed = "signed"
	}
	return signed + " " + ex.Request.Body
}

// responseText is an exchange's response as evidence patterns match it:
// "STATUS CONTENT-TYPE\nBODY", or "STATUS CONTENT-TYPE Location: URL\nBODY"
// when it names a Location.
func responseText(ex contract.RecordedExchange) string {
	head := fmt.Sprintf("%d %s", ex.Response.Status, header(ex.Response.Headers, "Content-Type"))
	if loc := header(ex.Response.Headers, "Location"); loc != "" {
		head += " Location: " + loc
	}
	return head + "\n" + ex.Response.Body
}

// header is the value of a recorded header, whatever its case.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// shownBy reports whether a failure of c shows e.
func (e evidence) shownBy(c contract.CheckResult) bool {
	for _, f := range c.Failures {
		if !e.message.MatchString(f.Message) {
			continue
		}
		for _, ex := range f.Exchanges {
			if e.request.MatchString(requestText(ex)) && e.response.MatchString(responseText(ex)) {
				return true
			}
		}
	}
	return false
}

// near lists, for a failed pin, the exchanges of the failures of c whose
// message matches e (the report's exchanges are redacted already).
func (e evidence) near(c contract.CheckResult) string {
	var b strings.Builder
	for _, f := range c.Failures {
		if !e.message.MatchString(f.Message) {
			continue
		}
		fmt.Fprintf(&b, "\n  failure %q", firstLineOf(f.Message))
		for _, ex := range f.Exchanges {
			resp := responseText(ex)
			if len(resp) > 300 {
				resp = resp[:300] + "..."
			}
			fmt.Fprintf(&b, "\n    %s\n    -> %s", requestText(ex), resp)
		}
	}
	if b.Len() == 0 {
		return "; no failure's message matches"
	}
	return b.String()
}

// pinVerdicts asserts an implementation's verdict per check: the checks
// in fails fail, each showing every one of its evidences; those in skips
// are left to pinSkips; every other check passes. Every check of the run is judged, so a check that starts
// failing, or stops, is noticed.
func pinVerdicts(t *testing.T, impl string, rep contract.Report, fails map[string][]evidence, skips, racy map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range rep.Checks {
		seen[string(c.ID)] = true
		want, failing := fails[string(c.ID)]
		if _, skipped := skips[string(c.ID)]; skipped {
			continue // pinSkips judges it
		}
		// The whole first failure (redacted by the run), so that a verdict
		// that changes can be read from the test log alone.
		first := ""
		if len(c.Failures) > 0 {
			first = c.Failures[0].Message
		}
		if why, ok := racy[string(c.ID)]; ok && c.Status == contract.Fail {
			assert.Contains(t, first, "not linearizable", "%s against %s", c.ID, impl)
			t.Logf("%s against %s failed this time (%s): %s", c.ID, impl, why, first)
			continue
		}
		if !failing {
			assert.Equal(t, contract.Pass, c.Status, "%s against %s: %s %s", c.ID, impl, c.Reason, first)
			continue
		}
		if !assert.Equal(t, contract.Fail, c.Status, "%s against %s: %s", c.ID, impl, c.Reason) {
			continue
		}
		for _, e := range want {
			assert.True(t, e.shownBy(c), "%s against %s: no failure matches %q with an exchange (request %q, response %q)%s",
				c.ID, impl, e.message, e.request, e.response, e.near(c))
		}
	}
	for id := range fails {
		assert.True(t, seen[id], "pinned check %s is not in the report", id)
	}
	for id := range skips {
		assert.True(t, seen[id], "pinned check %s is not in the report", id)
	}
}
