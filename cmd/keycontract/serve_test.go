package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/emulator"
)

// Test credentials for the served emulator and its clients.
const (
	cliAKID   = "AKIDKEYCONTRACTTEST1"
	cliSecret = "keycontract/test/secret/0123456789abcdef0"
)

func TestServeHelpAndFaultList(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, serveCmd([]string{"-h"}, &out, &errb))
	for _, f := range []string{"-addr", "-data-addr", "-dialect", "-credentials-env", "-token-env", "-latency", "-race-hold", "-fault-delay", "-throttle", "-fault"} {
		assert.Contains(t, out.String(), f)
	}
	assert.Empty(t, errb.String())

	out.Reset()
	assert.Equal(t, 0, serveCmd([]string{"-fault", "list"}, &out, &errb))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, len(emulator.Faults()))
	for i, f := range emulator.Faults() {
		assert.True(t, strings.HasPrefix(lines[i], string(f)+" "), "line %d: %q", i, lines[i])
	}
}

func TestServeBadInvocations(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	t.Setenv("KC_EMPTY_TOKEN", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	for name, args := range map[string][]string{
		"unknown flag":         {"-nope"},
		"unknown fault":        {"-fault", "no-such-fault"},
		"unknown dialect":      {"-dialect", "soap"},
		"throttle range":       {"-throttle", "150"},
		"negative latency":     {"-latency", "-1s"},
		"negative race hold":   {"-race-hold", "-1s"},
		"bad duration":         {"-latency", "soon"},
		"extra argument":       {"extra"},
		"address in use":       {"-addr", busy.Addr().String()},
		"data address in use":  {"-addr", "127.0.0.1:0", "-data-addr", busy.Addr().String()},
		"negative fault delay": {"-fault-delay", "-1s"},
		"bad address":          {"-addr", "not an address"},
		"empty token variable": {"-token-env", "KC_EMPTY_TOKEN"},
		"missing credentials":  {"-credentials-env"},
	} {
		var out, errb bytes.Buffer
		code := serveCmd(args, &out, &errb)
		assert.Equal(t, 2, code, name)
		assert.Empty(t, out.String(), name)
		msg := errb.String()
		assert.True(t, strings.HasPrefix(msg, "keycontract serve: "), "%s: %q", name, msg)
		assert.Equal(t, 1, strings.Count(msg, "\n"), "%s: one line, got %q", name, msg)
	}
}

func TestServeEnvSecretsNeverPrinted(t *testing.T) {
	t.Setenv("KC_TOKEN", "tok-very-secret")
	o := serveOptions{dialect: "envelope", tokenEnv: "KC_TOKEN", credentialsEnv: true}
	_, err := o.emulatorOptions(func(k string) string {
		return map[string]string{"KC_TOKEN": "tok-very-secret", "AWS_ACCESS_KEY_ID": cliAKID, "AWS_SECRET_ACCESS_KEY": cliSecret}[k]
	}, io.Discard)
	require.Error(t, err, "token and credentials are exclusive")
	assert.NotContains(t, err.Error(), "tok-very-secret")
	assert.NotContains(t, err.Error(), cliSecret)
}

// TestServeOnShutsDownGracefully runs the serve loop in-process: the API
// and the data plane each on its listener, both printed, both shut down.
func TestServeOnShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	data, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := emulator.New(emulator.Options{Dialect: "envelope"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- serveOn(ctx, ln, data, srv, &out, &errb) }()
	resp, err := http.Post("http://"+ln.Addr().String()+"/", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "no target: VALIDATION_ERROR")
	resp, err = http.Get("http://" + data.Addr().String() + "/some-bucket?list-type=2")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the data plane: NoSuchBucket")
	assert.Equal(t, "http://"+data.Addr().String(), srv.DataURL())
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serveOn did not return after cancel")
	}
	assert.Equal(t, "keycontract serve: listening on http://"+ln.Addr().String()+" (dialect envelope)\n"+
		"keycontract serve: data plane on http://"+data.Addr().String()+" (S3, path-style: http://"+data.Addr().String()+"/{bucket})\n", out.String())
	_, err = http.Get("http://" + data.Addr().String() + "/")
	assert.Error(t, err, "the data plane is shut down too")
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// keycontractBinary builds ./cmd/keycontract into a per-test directory
// (the go build cache makes repeated builds cheap).
func keycontractBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH; cannot build keycontract")
	}
	bin := filepath.Join(t.TempDir(), "keycontract")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// served is a running `keycontract serve` process: its API at url, its
// data plane at dataURL.
type served struct {
	cmd     *exec.Cmd
	url     string
	dataURL string
	stderr  *syncBuffer
	done    chan error
}

// startServe launches the binary and waits for its "listening on" line.
func startServe(t *testing.T, env []string, args ...string) *served {
	t.Helper()
	bin := keycontractBinary(t)
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	s := &served{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	lines := make(chan [2]string, 1)
	go func() {
		rd := bufio.NewReader(stdout)
		api, _ := rd.ReadString('\n')
		data, _ := rd.ReadString('\n')
		lines <- [2]string{api, data}
		_, _ = io.Copy(io.Discard, rd)
		s.done <- cmd.Wait()
	}()
	select {
	case l := <-lines:
		m := regexp.MustCompile(`^keycontract serve: listening on (http://\S+) \(dialect (aws|envelope|rest|iam)\)\n$`).FindStringSubmatch(l[0])
		require.NotNil(t, m, "first line %q; stderr %q", l[0], s.stderr.String())
		s.url = m[1]
		m = regexp.MustCompile(`^keycontract serve: data plane on (http://\S+) \(.+\)\n$`).FindStringSubmatch(l[1])
		require.NotNil(t, m, "second line %q; stderr %q", l[1], s.stderr.String())
		s.dataURL = m[1]
	case <-time.After(30 * time.Second):
		t.Fatalf("no listening lines; stderr %q", s.stderr.String())
	}
	return s
}

// stop sends sig and expects a clean exit 0.
func (s *served) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(sig))
	select {
	case err := <-s.done:
		require.NoError(t, err, "exit status; stderr %q", s.stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("keycontract serve did not exit after the signal")
	}
}

func TestServeBinarySignals(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		s := startServe(t, []string{"KC_TEST_TOKEN=tok-secret-value"}, "-dialect", "envelope", "-token-env", "KC_TEST_TOKEN")
		req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(`{"bucketName":"sig-bucket","bundleId":"small_1_0"}`))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", "Lightsail_20161128.CreateBucket")
		req.Header.Set("Authorization", "Bearer tok-secret-value")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		s.stop(t, sig)
		log := s.stderr.String()
		assert.Contains(t, log, "POST CreateBucket 200")
		assert.Contains(t, log, "bucket=sig-bucket")
		assert.NotContains(t, log, "tok-secret-value")
	}
}

// TestServeRESTDialect: `keycontract serve -dialect rest` answers by
// method and path, with the bearer token, and logs the operations.
func TestServeRESTDialect(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, serveCmd([]string{"-h"}, &out, &errb))
	assert.Contains(t, out.String(), "aws|envelope|rest")

	s := startServe(t, []string{"KC_TEST_TOKEN=tok-secret-value"}, "-dialect", "rest", "-token-env", "KC_TEST_TOKEN")
	send := func(method, path, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Accept", "application/json")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer tok-secret-value")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return resp, v
	}
	resp, _ := send(http.MethodPost, "/v1/buckets", `{"bucketName":"rest-bucket","bundleId":"small_1_0"}`)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "/v1/buckets/rest-bucket", resp.Header.Get("Location"))
	resp, v := send(http.MethodPost, "/v1/buckets/rest-bucket/access-keys", "")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	id, _ := v["data"].(map[string]any)["id"].(string)
	assert.Equal(t, "/v1/buckets/rest-bucket/access-keys/"+id, resp.Header.Get("Location"))
	resp, _ = send(http.MethodPost, "/v1/buckets/a%2Fb/access-keys", "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "an encoded slash stays in its segment")
	resp, _ = send(http.MethodDelete, "/v1/buckets/rest-bucket/access-keys/"+id, "")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = send(http.MethodPut, "/v1/buckets", "")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, POST", resp.Header.Get("Allow"))
	s.stop(t, os.Interrupt)
	log := s.stderr.String()
	assert.Contains(t, log, "POST CreateBucketAccessKey 201")
	assert.Contains(t, log, "DELETE DeleteBucketAccessKey 204")
	assert.NotContains(t, log, "tok-secret-value")
}

// TestServeAcceptsEveryFault: -fault takes every name of the catalogue.
func TestServeAcceptsEveryFault(t *testing.T) {
	for _, f := range emulator.Faults() {
		var o serveOptions
		fs := serveFlags(&o)
		fs.SetOutput(io.Discard)
		require.NoError(t, fs.Parse([]string{"-fault", string(f)}), f)
		opts, err := o.emulatorOptions(func(string) string { return "" }, io.Discard)
		require.NoError(t, err, f)
		require.Equal(t, []emulator.Fault{f}, opts.Faults)
		_, err = emulator.New(opts)
		require.NoError(t, err, f)
	}
}
