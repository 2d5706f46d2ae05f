package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/emulator"
)

// The nightly IAM job runs against a real account whose policy confines
// the run to the users under the path /keycontract/ (README, "Nightly runs
// against real accounts"). These tests show, against the iam emulator, that
// every user a run creates is under that path (the bundled binding fixes
// CreateUser's Path), and that sweep finds and deletes the users a killed
// run left there.

// iamUserPath is the path of every user a run creates (spec/iam.yaml's
// request.fixed.createBucket).
const iamUserPath = "/keycontract/"

// createUserSeen is one CreateUser an endpoint answered.
type createUserSeen struct {
	form    url.Values
	created bool // the endpoint answered 2xx
}

// createUserSpy serves an emulator and keeps every CreateUser it answered.
type createUserSpy struct {
	srv  *emulator.Server
	mu   sync.Mutex
	seen []createUserSeen
}

func (s *createUserSpy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.srv.ServeHTTP(rec, r)
	// A body that does not parse is not a CreateUser anyone could act on.
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") == "CreateUser" {
		s.mu.Lock()
		s.seen = append(s.seen, createUserSeen{form: form, created: rec.status/100 == 2})
		s.mu.Unlock()
	}
}

// split returns the CreateUser requests the endpoint accepted, and those
// it refused.
func (s *createUserSpy) split() (created, refused []url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.seen {
		if c.created {
			created = append(created, c.form)
		} else {
			refused = append(refused, c.form)
		}
	}
	return created, refused
}

// statusWriter keeps the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// startIAMSpy starts a signed iam emulator behind a createUserSpy.
func startIAMSpy(t *testing.T, e awsEnv, latency time.Duration) (*httptest.Server, *createUserSpy, *openConns) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Dialect: "iam", Credentials: map[string]string{e.akid: e.secret}, Latency: latency})
	require.NoError(t, err)
	spy := &createUserSpy{srv: srv}
	ts := httptest.NewUnstartedServer(spy)
	conns := &openConns{}
	ts.Config.ConnState = conns.track
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, spy, conns
}

// TestIAMRunUsersUnderThePath: a full signed iam run (set-up, generated
// valid CreateUser requests, the sequences' fresh users, invalid input)
// creates users only under /keycontract/. The only CreateUser requests
// that name another path are the invalid-input cases that break Path, and
// the endpoint refuses them, as IAM does.
func TestIAMRunUsersUnderThePath(t *testing.T) {
	e := setAWSEnv(t)
	ts, spy, _ := startIAMSpy(t, e, 0)
	r := runNightly(t, "-endpoint", ts.URL, "-dialect", "iam", "-sign", "-seed", "3")
	assertAllPass(t, r)
	assertNoSecretIn(t, r.outputs, spy.srv, e.secret)

	created, refused := spy.split()
	require.GreaterOrEqual(t, len(created), 4, "the run's users a and b, generated valid ones and the sequences' fresh ones")
	for _, form := range created {
		assert.Equal(t, iamUserPath, form.Get("Path"), "user %q was created outside %s", form.Get("UserName"), iamUserPath)
	}
	outside := 0
	for _, form := range refused {
		if form.Get("Path") != iamUserPath {
			outside++
		}
	}
	assert.Positive(t, outside, "no invalid-input case broke Path: the run no longer checks it")
	assert.Empty(t, spy.srv.Snapshot(), "the run left users behind")
}

// TestIAMKilledThenSweep: an iam run killed outright leaves users under
// /keycontract/; sweep -dialect iam lists them by their name prefix, and
// with -yes deletes them and their keys, leaving the account's own user and
// its key alone.
func TestIAMKilledThenSweep(t *testing.T) {
	e := setAWSEnv(t)
	ts, spy, conns := startIAMSpy(t, e, 20*time.Millisecond)
	require.NoError(t, spy.srv.AddBucket("users-own-user"))
	userKey, _, err := spy.srv.AddKey("users-own-user")
	require.NoError(t, err)

	p := startBinary(t, "run", "-endpoint", ts.URL, "-dialect", "iam", "-sign")
	p.waitFor(t, "running [key-lifecycle]")
	require.NoError(t, p.cmd.Process.Kill())
	assert.NotEqual(t, 0, p.exit(t))
	waitUntil(t, func() bool { return conns.open() == 0 }, "the killed run's connections stay open")
	left := spy.srv.Snapshot()
	delete(left, "users-own-user")
	require.NotEmpty(t, left, "the killed run left nothing: the sweep proves nothing")
	created, _ := spy.split()
	paths := map[string]string{}
	for _, form := range created {
		paths[form.Get("UserName")] = form.Get("Path")
	}
	for user := range left {
		assert.Equal(t, iamUserPath, paths[user], "the killed run's user %s", user)
	}

	r := sweepCLI(t, "-endpoint", ts.URL, "-dialect", "iam", "-sign")
	require.Equal(t, 0, r.code, r.stderr)
	for user := range left {
		assert.Contains(t, r.stdout, user+"\t")
	}
	assert.NotContains(t, r.stdout, "users-own-user")

	r = sweepCLI(t, "-endpoint", ts.URL, "-dialect", "iam", "-sign", "-yes")
	require.Equal(t, 0, r.code, r.stderr)
	snap := spy.srv.Snapshot()
	require.Len(t, snap, 1, "sweep -yes left users behind")
	require.Len(t, snap["users-own-user"], 1)
	assert.Equal(t, userKey, snap["users-own-user"][0].ID, "sweep deleted the account's own key")
	outputs := map[string][]byte{"run stdout": []byte(p.stdout.String()), "run stderr": []byte(p.stderr.String()), "sweep stdout": []byte(r.stdout), "sweep stderr": []byte(r.stderr)}
	assertNoSecretIn(t, outputs, spy.srv, e.secret)
	assert.False(t, strings.Contains(r.stdout, e.akid), "sweep wrote the signing key id")
}
