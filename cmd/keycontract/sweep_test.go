package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// Tests of "keycontract sweep": flags and exit statuses, and that after a
// run killed outright (SIGKILL, or a second SIGINT) it lists what the run
// left behind and with -yes deletes it, leaving the user's buckets alone.

// sweepCLI is cli("sweep", args...).
func sweepCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	return cli(t, append([]string{"sweep"}, args...)...)
}

func TestSweepExitTwo(t *testing.T) {
	const headerSecret = "hdr-secret-value-77d1e0"
	ts, _ := emulator.NewTestServer(t, emulator.Options{})
	cases := []struct {
		name  string
		args  []string
		early bool
		want  string
	}{
		{"no endpoint", nil, true, "sweep needs -endpoint"},
		{"empty prefix", []string{"-endpoint", ts.URL, "-prefix", ""}, true, "-prefix must not be empty"},
		{"unknown flag", []string{"-endpoint", ts.URL, "-checks", "two-key-limit"}, true, "-checks"},
		{"stray argument", []string{"-endpoint", ts.URL, "extra"}, true, `"extra"`},
		{"bad dialect", []string{"-endpoint", ts.URL, "-dialect", "soap"}, true, "soap"},
		{"endpoint not a URL", []string{"-endpoint", "ftp://example.com"}, true, "-endpoint"},
		{"malformed header", []string{"-endpoint", ts.URL, "-header", "NoColon" + headerSecret}, true, "-header"},
		{"unreachable endpoint", []string{"-endpoint", closedPortURL(t), "-timeout", "2s"}, true, "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sweepCLI(t, c.args...)
			requireExit2(t, r, c.early, c.want)
			assert.NotContains(t, r.stdout+r.stderr, headerSecret, "a -header value was printed")
		})
	}
	t.Run("sign without credentials", func(t *testing.T) {
		noAWSCredentials(t)
		requireExit2(t, sweepCLI(t, "-endpoint", ts.URL, "-sign"), true, "credentials")
	})
	t.Run("credentials refused", func(t *testing.T) {
		e := setAWSEnv(t)
		signed, _ := emulator.NewTestServer(t, emulator.Options{Credentials: map[string]string{e.akid: "kc/Other+" + e.secret}})
		r := sweepCLI(t, "-endpoint", signed.URL, "-sign")
		requireExit2(t, r, true, "GetBuckets answered 400 InvalidSignatureException")
		assert.NotContains(t, r.stdout+r.stderr, e.secret)
	})
}

func TestSweepHelp(t *testing.T) {
	r := sweepCLI(t, "-h")
	assert.Equal(t, 0, r.code)
	assert.Empty(t, r.stderr)
	assert.Contains(t, r.stdout, "Usage: keycontract sweep")
	for _, f := range []string{"-endpoint", "-dialect", "-spec", "-binding", "-region", "-sign", "-profile", "-header", "-prefix", "-yes", "-timeout", contract.BucketPrefix} {
		assert.Contains(t, r.stdout, f)
	}
}

// TestSweepWithAuth: sweep authenticates as run does: SigV4 from the
// environment for aws, a -header token for envelope; and an empty
// endpoint is a success.
func TestSweepWithAuth(t *testing.T) {
	t.Run("aws -sign", func(t *testing.T) {
		e := setAWSEnv(t)
		ts, srv := emulator.NewTestServer(t, emulator.Options{Credentials: map[string]string{e.akid: e.secret}})
		r := sweepCLI(t, "-endpoint", ts.URL, "-sign")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "nothing left behind (no bucket named keycontract-*)\n", r.stdout)
		require.NoError(t, srv.AddBucket("keycontract-0badf00d-a"))
		_, _, err := srv.AddKey("keycontract-0badf00d-a")
		require.NoError(t, err)
		r = sweepCLI(t, "-endpoint", ts.URL, "-sign", "-yes")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, "keycontract-0badf00d-a\t1 keys\tdeleted\n")
		assert.Contains(t, r.stdout, "1 buckets deleted")
		assert.Empty(t, srv.Snapshot())
		assertNoSecretIn(t, map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}, srv, e.secret)
	})
	t.Run("envelope -header", func(t *testing.T) {
		token := "tok-" + randomHex(t, 16)
		ts, srv := emulator.NewTestServer(t, emulator.Options{Dialect: "envelope", Token: token})
		require.NoError(t, srv.AddBucket("kc-nightly-1"))
		r := sweepCLI(t, "-endpoint", ts.URL, "-dialect", "envelope", "-header", "Authorization: Bearer "+token, "-prefix", "kc-nightly-")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "kc-nightly-1\t0 keys\n1 buckets left behind; keycontract sweep -yes deletes them\n", r.stdout)
		assert.Len(t, srv.Snapshot(), 1)
	})
}

// TestNightlyKilledThenSweep: a run killed with SIGKILL, or interrupted
// twice (the second signal exits at once, without cleanup), mid-run leaves
// its buckets behind; sweep lists them without touching anything, and
// sweep -yes then leaves nothing but the user's own bucket and key.
func TestNightlyKilledThenSweep(t *testing.T) {
	kills := map[string]func(p *process) error{
		"SIGKILL": func(p *process) error { return p.cmd.Process.Kill() },
		"SIGINT twice": func(p *process) error {
			if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
				return err
			}
			return p.cmd.Process.Signal(syscall.SIGINT)
		},
	}
	for name, kill := range kills {
		t.Run(name, func(t *testing.T) {
			e := setAWSEnv(t)
			srv, err := emulator.New(emulator.Options{Credentials: map[string]string{e.akid: e.secret}, Latency: 20 * time.Millisecond})
			require.NoError(t, err)
			ts := httptest.NewUnstartedServer(srv)
			var conns openConns
			ts.Config.ConnState = conns.track
			ts.Start()
			t.Cleanup(ts.Close)
			require.NoError(t, srv.AddBucket("users-bucket"))
			userKey, _, err := srv.AddKey("users-bucket")
			require.NoError(t, err)

			p := startBinary(t, "run", "-endpoint", ts.URL, "-sign")
			p.waitFor(t, "running [key-lifecycle]")
			require.NoError(t, kill(p))
			code := p.exit(t)
			assert.NotEqual(t, 0, code)
			// The killed run's last request lands: the server closes a
			// connection only after its handler returned.
			waitUntil(t, func() bool { return conns.open() == 0 }, "the killed run's connections stay open")
			left := srv.Snapshot()
			delete(left, "users-bucket")
			if name == "SIGKILL" {
				require.NotEmpty(t, left, "the killed run left nothing: the sweep proves nothing")
			}

			r := sweepCLI(t, "-endpoint", ts.URL, "-sign")
			require.Equal(t, 0, r.code, r.stderr)
			for bucket, keys := range left {
				assert.Contains(t, r.stdout, bucket+"\t"+strconv.Itoa(len(keys))+" keys\n")
			}
			assert.NotContains(t, r.stdout, "users-bucket")
			assert.Len(t, srv.Snapshot(), len(left)+1, "sweep without -yes deleted something")

			r = sweepCLI(t, "-endpoint", ts.URL, "-sign", "-yes")
			require.Equal(t, 0, r.code, r.stderr)
			snap := srv.Snapshot()
			require.Len(t, snap, 1, "sweep -yes left buckets behind")
			require.Len(t, snap["users-bucket"], 1)
			assert.Equal(t, userKey, snap["users-bucket"][0].ID, "sweep deleted the user's key")
			outputs := map[string][]byte{"run stdout": []byte(p.stdout.String()), "run stderr": []byte(p.stderr.String()), "sweep stdout": []byte(r.stdout), "sweep stderr": []byte(r.stderr)}
			assertNoSecretIn(t, outputs, srv, e.secret)

			r = sweepCLI(t, "-endpoint", ts.URL, "-sign", "-yes")
			require.Equal(t, 0, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, "nothing left behind"), r.stdout)
		})
	}
}

// openConns counts a server's open connections (http.Server.ConnState).
type openConns struct {
	mu sync.Mutex
	n  int
}

func (c *openConns) track(_ net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch st {
	case http.StateNew:
		c.n++
	case http.StateClosed, http.StateHijacked:
		c.n--
	}
}

func (c *openConns) open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
