// Package emulator is keycontract's reference server for the Lightsail
// bucket access key API, in both dialects of DESIGN.md: "aws" (awsJson1_1,
// the real Lightsail wire) and "envelope" ({"success", "data"|"error"}).
//
// Every request is POST / with X-Amz-Target: Lightsail_20161128.<Op> and a
// JSON object body. A request is checked in this order, and the first
// failure answers it:
//
//  1. authentication (SigV4 when Options.Credentials is set; bearer token
//     when Options.Token is set);
//  2. throttling (Options.ThrottlePercent);
//  3. method POST and a known target, else unknown operation;
//  4. the body is at most MaxBodyBytes and one JSON object;
//  5. members: required, JSON types, lengths and patterns per the Lightsail
//     model (unknown members are ignored);
//  6. existence of the bucket, and of the key on it;
//  7. the two-key limit.
//
// Without faults the server is correct; each Fault breaks one behaviour so
// the harness can prove its checks fire. The server is safe for concurrent
// use, never panics out of ServeHTTP and never answers 5xx except for
// injected faults.
package emulator

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is the emulator; it implements http.Handler.
type Server struct {
	opts   Options
	faults map[Fault]bool

	mu sync.Mutex // guards st
	st *state

	served atomic.Int64
	logMu  sync.Mutex // serializes writes to opts.Log
}

// New returns a server for opts, or an error for an unknown dialect or
// fault or inconsistent options.
func New(opts Options) (*Server, error) {
	o, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, faults: map[Fault]bool{}, st: newState()}
	for _, f := range o.Faults {
		s.faults[f] = true
	}
	return s, nil
}

// NewTestServer starts s on a loopback httptest server; t.Cleanup closes
// it. Bad options are a t.Fatal.
func NewTestServer(t testing.TB, opts Options) (*httptest.Server, *Server) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, s
}

// has reports whether fault f is injected.
func (s *Server) has(f Fault) bool { return s.faults[f] }

// Dialect is the server's dialect ("aws" or "envelope").
func (s *Server) Dialect() string { return s.opts.Dialect }

// Snapshot returns the keys of every bucket (bucket name -> keys in
// creation order), including secrets. For tests proving cleanup.
func (s *Server) Snapshot() map[string][]KeyInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.snapshot()
}

// AddBucket pre-seeds a bucket with bundle small_1_0. It errors if the name
// is not a valid bucket name or is taken.
func (s *Server) AddBucket(name string) error {
	if !validBucketName(name) {
		return fmt.Errorf("emulator: invalid bucket name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.addBucket(name, "small_1_0", nil, false); !ok {
		return fmt.Errorf("emulator: bucket %q exists", name)
	}
	return nil
}

// AddKey pre-seeds a key on an existing bucket (a "foreign" key that a
// harness run did not create) and returns its id and secret. It ignores
// the key limit, so tests can build any state.
func (s *Server) AddKey(bucketName string) (id, secret string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.buckets[bucketName]
	if b == nil {
		return "", "", fmt.Errorf("emulator: no bucket %q", bucketName)
	}
	k := s.st.newKey()
	b.keys = append(b.keys, k)
	return k.ID, k.Secret, nil
}

// IssuedSecrets returns every secret the server ever issued (including
// AddKey's), for secret-leak scans.
func (s *Server) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.st.secrets...)
}

// Requests is the number of requests served so far.
func (s *Server) Requests() int64 { return s.served.Load() }

// reply is one response about to be written, with what the log line needs.
type reply struct {
	status int
	header http.Header
	body   []byte
	op     string // known operation, or "-"
	bucket string // well-formed bucket name from the body, or "-"
}

// ServeHTTP answers one request; see the package doc for the order of
// checks. A panic is recovered into the dialect's internal error (500).
// The log line is written before the response, so a client that has the
// response can already read the line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.served.Add(1)
	rep := &reply{op: "-", bucket: "-"}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				rep.status, rep.header, rep.body = s.errorResponse(newErr(errInternal, ""))
			}
		}()
		s.handle(r, rep)
	}()
	s.logRequest(r.Method, rep, time.Since(start))
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// handle fills rep.status, rep.header and rep.body for r.
func (s *Server) handle(r *http.Request, rep *reply) {
	fail := func(e *apiError) { rep.status, rep.header, rep.body = s.errorResponse(e) }
	s.wait(r.Context())
	body, tooLarge, readErr := readBody(r)
	if e := s.authenticate(r, body, !tooLarge && readErr == nil); e != nil {
		fail(e)
		return
	}
	if s.opts.ThrottlePercent > 0 && rand.IntN(100) < s.opts.ThrottlePercent {
		fail(newErr(errThrottled, ""))
		return
	}
	op, known := knownOperation(r.Header.Get("X-Amz-Target"))
	if !known || r.Method != http.MethodPost {
		fail(newErr(errUnknownOperation, "Unknown operation: send POST / with X-Amz-Target: "+TargetPrefix+"<Operation>"))
		return
	}
	rep.op = op
	var in map[string]any
	var e *apiError
	switch {
	case tooLarge:
		e = newErr(errInvalidInput, fmt.Sprintf("The request body exceeds %d bytes", MaxBodyBytes))
	case readErr != nil:
		e = newErr(errInvalidInput, "The request body could not be read")
	default:
		in, e = parseBody(body)
		if e != nil && s.has(FaultMalformedJSON500) {
			e = newErr(errInternal, "")
		}
	}
	if e != nil {
		fail(e)
		return
	}
	if name, ok := in["bucketName"].(string); ok && validBucketName(name) {
		rep.bucket = name
	}
	if e := s.validateInput(op, in); e != nil {
		fail(e)
		return
	}
	res, e := s.dispatch(r.Context(), op, in)
	if e != nil {
		fail(e)
		return
	}
	h, b, err := s.successResponse(res)
	if err != nil {
		fail(newErr(errInternal, ""))
		return
	}
	rep.status, rep.header, rep.body = http.StatusOK, h, b
}

// wait sleeps for Options.Latency, or until ctx ends.
func (s *Server) wait(ctx context.Context) {
	if s.opts.Latency <= 0 {
		return
	}
	t := time.NewTimer(s.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// readBody reads at most MaxBodyBytes. On a longer body it discards a
// bounded remainder (so the client can read the answer) and reports
// tooLarge.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.Body == nil {
		return nil, false, nil
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, false, err
	}
	if len(body) > MaxBodyBytes {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 16*MaxBodyBytes))
		return nil, true, nil
	}
	return body, false, nil
}

// logRequest writes one line: time, method, operation, status, duration and
// bucket. Only known methods and operations and well-formed bucket names
// appear, so no request text (a secret or token) can reach the log.
func (s *Server) logRequest(method string, rep *reply, d time.Duration) {
	if s.opts.Log == nil {
		return
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
	default:
		method = "-"
	}
	line := fmt.Sprintf("%s %s %s %d %s bucket=%s\n",
		time.Now().UTC().Format(time.RFC3339), method, rep.op, rep.status,
		d.Round(time.Microsecond), rep.bucket)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = io.WriteString(s.opts.Log, line)
}
