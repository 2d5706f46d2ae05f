package contract_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
)

// tcpServer answers every connection with serve, below HTTP.
func tcpServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

// neverAnswersFor is how long the bad servers hold a connection at most.
const neverAnswersFor = time.Minute

// TestBadEndpointsEndTheRun: an endpoint that cannot be talked to ends the
// run with an error naming the problem, soon after the request timeout
// (not after the server's minute of silence), never a panic or a hang.
func TestBadEndpointsEndTheRun(t *testing.T) {
	readRequest := func(c net.Conn) {
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(neverAnswersFor)) // a leak guard: Read returns with the request
		c.Read(buf)
	}
	cases := []struct {
		name     string
		endpoint func(t *testing.T) string
		want     string
	}{
		{"garbage bytes", func(t *testing.T) string {
			return tcpServer(t, func(c net.Conn) {
				defer c.Close()
				readRequest(c)
				c.Write([]byte("\x00\xffthis is not HTTP at all\r\n\r\n"))
			})
		}, "malformed HTTP"},
		{"20 MB body", func(t *testing.T) string {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				chunk := []byte(`{"bucket":"` + strings.Repeat("x", 1<<20) + `"}`)
				for range 20 {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}))
			t.Cleanup(ts.Close)
			return ts.URL
		}, "exceeds"},
		{"never answers", func(t *testing.T) string {
			return tcpServer(t, func(c net.Conn) {
				defer c.Close()
				// Hold the connection until the client gives up on it (or,
				// should it never, for longer than the bound below).
				c.SetReadDeadline(time.Now().Add(neverAnswersFor))
				io.Copy(io.Discard, c)
			})
		}, "timeout"},
		{"connection reset", func(t *testing.T) string {
			return tcpServer(t, func(c net.Conn) {
				readRequest(c)
				c.(*net.TCPConn).SetLinger(0)
				c.Close()
			})
		}, "connection reset"},
		{"truncated body", func(t *testing.T) string {
			return tcpServer(t, func(c net.Conn) {
				defer c.Close()
				readRequest(c)
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 400\r\n\r\n{\"bucket\": {\"na"))
			})
		}, "unexpected EOF"},
		{"nothing listening", func(t *testing.T) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			ln.Close()
			return "http://" + addr
		}, "connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const timeout = time.Second
			tgt := contract.Target{Endpoint: tc.endpoint(t), Timeout: timeout, Seed: 1}
			if tc.name == "20 MB body" {
				// The size bound ends this run, not the clock: reading 20
				// MB under -race on a loaded machine may take longer than
				// the 1 s the other cases wait.
				tgt.Timeout = 20 * time.Second
			}
			start := time.Now()
			rep, err := contract.Check(context.Background(), tgt)
			elapsed := time.Since(start)
			require.Error(t, err, "Check(%s) = no error, want the run to end", tc.name)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n", "the reason must fit one line")
			// Far from both the request timeout (what an ended run takes)
			// and neverAnswersFor (what a run ignoring it would take), so
			// that a loaded machine cannot decide the verdict.
			assert.Less(t, elapsed, tgt.Timeout+20*time.Second)
			assert.Equal(t, len(contract.IDs()), len(rep.Checks), "a partial report still lists every check")
		})
	}
}
