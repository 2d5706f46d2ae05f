// Package emulator is keycontract's reference server for the Lightsail
// bucket access key API, in every dialect of docs/DESIGN.md: the real
// Lightsail wire (awsJson1_1), the seed's {"success", "data"|"error"}
// envelope over the same RPC wire or over resource paths and methods, and
// IAM user access keys over the AWS query wire (form-encoded requests,
// XML responses; a user is a bucket). Options.Dialect chooses one by name.
//
// One store, one set of faults and one order of checks serve every
// dialect. A dialect (dialect.go) is a value that knows its wire, names,
// signing service, request-id header, error mapping and where its
// behaviour differs; each lives in its own files (dialect_*.go) and the
// rest of the package only asks it. A dialect's wire decodes a request
// into an operation and its input, and writes results and errors. A
// request is checked in this order, and the first failure answers it:
//
//  1. authentication (SigV4 when Options.Credentials is set; bearer token
//     when Options.Token is set);
//  2. throttling (Options.ThrottlePercent);
//  3. the operation is known: the wire reads one it knows (an RPC target
//     header and POST; a form's Action, which must be there, then be
//     known; a known path, else not found, and a method it allows, else
//     method not allowed);
//  4. the body is at most MaxBodyBytes and decodes as the wire's (one JSON
//     object; a form with the right Version; a path's segments, each
//     decoded once, and its query parameters);
//  5. members: required, types, lengths and patterns per the dialect's
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
	d      *dialect // the dialect of opts.Dialect
	wire   wire     // its HTTP form, built for opts

	mu sync.Mutex // guards st
	st *state

	served atomic.Int64
	logMu  sync.Mutex // serializes writes to opts.Log
}

// New returns a server for opts, or an error for an unknown dialect or
// fault or inconsistent options.
func New(opts Options) (*Server, error) {
	o, d, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, faults: map[Fault]bool{}, d: d, wire: d.wire(o), st: newState()}
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

// Dialect is the name of the server's dialect (Options.Dialect, or the
// default's name when that was empty).
func (s *Server) Dialect() string { return s.opts.Dialect }

// Snapshot returns the keys of every bucket (bucket name -> keys in
// creation order), including secrets. For tests proving cleanup.
func (s *Server) Snapshot() map[string][]KeyInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.snapshot()
}

// AddBucket pre-seeds a bucket (where buckets are IAM users: a user with
// path /) with bundle small_1_0. It errors if the name is not a valid
// bucket (user) name in the dialect or is taken.
func (s *Server) AddBucket(name string) error {
	if !s.d.validName(name) {
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
	id     string // the request id of the response
}

// ServeHTTP answers one request; see the package doc for the order of
// checks. A panic is recovered into the dialect's internal error (500).
// Every response, whatever path made it, carries a request id
// (requestid.go).
// The log line is written before the response, so a client that has the
// response can already read the line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.served.Add(1)
	rep := &reply{op: "-", bucket: "-", id: newUUID()}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				e := newErr(errInternal, "")
				e.requestID = rep.id
				rep.status, rep.header, rep.body = s.failure(e)
			}
		}()
		s.handle(r, rep)
	}()
	s.forgetUnknownName(rep)
	s.debugSecret(rep) // fault secret-in-header only
	s.respell(rep)     // fault media-type-synonym only
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.header.Set(s.d.requestIDHeader, rep.id)
	s.logRequest(r.Method, rep, time.Since(start))
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// handle fills rep.status, rep.header and rep.body for r.
func (s *Server) handle(r *http.Request, rep *reply) {
	fail := func(e *apiError) {
		e.requestID = rep.id
		rep.status, rep.header, rep.body = s.failure(e)
	}
	s.wait(r.Context())
	body := readBody(r)
	if e := s.authenticate(r, body.data, body.complete()); e != nil {
		fail(e)
		return
	}
	if s.opts.ThrottlePercent > 0 && rand.IntN(100) < s.opts.ThrottlePercent {
		fail(newErr(errThrottled, ""))
		return
	}
	op, in, e := s.wire.decode(r, body)
	if op != "" {
		rep.op = op
	}
	if e != nil {
		if e.badBody && s.has(FaultMalformedJSON500) {
			e = newErr(errInternal, "")
		}
		if s.has(FaultRedirectNoOperation) && e.noOperation {
			s.redirect(rep)
			return
		}
		fail(e)
		return
	}
	if name, ok := in["bucketName"].(string); ok && s.d.validName(name) {
		rep.bucket = name
	}
	in, e = s.validateInput(op, in)
	if e != nil {
		fail(e)
		return
	}
	res, e := s.dispatch(r.Context(), op, in)
	if e != nil {
		fail(e)
		return
	}
	res.requestID = rep.id
	rep.status, rep.header, rep.body = s.success(res)
}

// forgetUnknownName keeps, where a well-formed name may be any word
// (dialect.opaqueNames: a secret sent as a name, even), only the name of a
// bucket that exists (or was just deleted) for the log line: the log never
// carries request text that is not a known name.
func (s *Server) forgetUnknownName(rep *reply) {
	if !s.d.opaqueNames || rep.bucket == "-" {
		return
	}
	if rep.op == opDeleteBucket && rep.status/100 == 2 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.buckets[rep.bucket] == nil {
		rep.bucket = "-"
	}
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
		time.Now().UTC().Format(time.RFC3339), method, s.d.action(rep.op), rep.status,
		d.Round(time.Microsecond), rep.bucket)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = io.WriteString(s.opts.Log, line)
}
