// Package client sends the harness's requests: encoded by the document's
// wire, signed (SigV4) or with the caller's headers, retried on throttling
// and transient network errors with jittered backoff, paced by a rate
// limit, never following a redirect, and kept as exchange.Exchanges that
// the run observes, records and judges through the Client's hooks.
package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// MaxResponseBody bounds how much of a response body the client reads.
const MaxResponseBody = 1 << 20

// EndpointError says the endpoint could not be talked to at all: no
// connection, no answer within the timeout, a malformed or oversized
// response. It ends a run (exit 2): no check can be judged without answers.
type EndpointError struct {
	Op  string
	Err error
}

func (e *EndpointError) Error() string { return fmt.Sprintf("%s: %v", e.Op, e.Err) }
func (e *EndpointError) Unwrap() error { return e.Err }

// Config says where and how a Client sends.
type Config struct {
	Doc      *spec.Document
	Endpoint string       // the base URL; a trailing slash is ignored
	HTTP     *http.Client // nil: a client of its own, with keep-alive
	Signer   Signer       // nil: unsigned
	Headers  http.Header  // added to every request (a vendor's token, say)
	Timeout  time.Duration
	Rate     float64 // requests per second at most (0: no cap)
}

// Recorder receives every exchange a Client keeps, retried attempts
// included: Hold as each is kept, Release whenever no call is in flight
// (only then are all the secrets the held exchanges may show registered).
type Recorder interface {
	Hold(*exchange.Exchange)
	Release()
}

// Client sends requests as the document and binding say, signs them,
// retries throttling and transient network errors, and keeps every
// exchange: numbered, observed (OnReply), recorded (Recorder) and handed to
// the run's passive checks (OnJudge) unless its caller judges it.
type Client struct {
	// OnReply sees every kept exchange first: the run's ledger, and the
	// registration of the secrets it shows.
	OnReply func(*exchange.Exchange)
	// OnJudge sees every kept exchange whose caller does not judge it.
	OnJudge func(*exchange.Exchange)
	// Recorder, when set, streams every exchange to a recording.
	Recorder Recorder
	// Replaying says the transport answers from a recording: a retry then
	// waits for nothing.
	Replaying bool

	doc      *spec.Document
	base     string
	http     *http.Client
	signer   Signer
	headers  http.Header
	timeout  time.Duration
	limiter  *limiter
	requests atomic.Int64
	retries  atomic.Int64
	inflight atomic.Int64 // calls in send: the recorder writes only when none is

	mu  sync.Mutex
	seq int
}

// New returns a Client for cfg. A nil cfg.HTTP gets a client of its own,
// with keep-alive; either way redirects are never followed (the Client
// uses a copy of cfg.HTTP, which stays as it was).
func New(cfg Config) *Client {
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			// Each request's context carries the timeout.
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16,
			IdleConnTimeout: 30 * time.Second,
		}}
	}
	return &Client{doc: cfg.Doc, base: strings.TrimRight(cfg.Endpoint, "/"), http: noRedirects(hc),
		signer: cfg.Signer, headers: cfg.Headers, timeout: cfg.Timeout, limiter: newLimiter(cfg.Rate)}
}

// Requests counts the requests sent, retried attempts included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Retries counts the throttled and transient attempts that were retried.
func (c *Client) Retries() int64 { return c.retries.Load() }

// Timeout is the per-request timeout.
func (c *Client) Timeout() time.Duration { return c.timeout }

// noRedirects returns a client like hc that never follows a redirect: a
// 3xx is the endpoint's answer, judged like any other (an invalid request
// answered with a redirect fails invalid-input-rejected, and error-envelope
// judges it), and no request, nor any header (Go forwards custom ones, a
// -header token included), ever goes to a host the user did not name. hc
// itself is never changed: the copy is shallow, and shares its transport,
// jar and timeout.
func noRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Auth says how a call authenticates.
type Auth int

const (
	// AsConfigured signs with the Signer and adds the configured headers.
	AsConfigured Auth = iota
	// NoCredentials strips signing and the configured headers.
	NoCredentials
	// WrongSecret signs with a wrong secret, when the Signer can
	// (WrongSigner).
	WrongSecret
)

// Call is a request: the wire request to send, the operation it addresses
// (nil when it addresses none the binding names), and how to authenticate
// it.
type Call struct {
	Op   *spec.Operation
	Req  spec.Request
	Auth Auth
	// Own: the caller judges the exchange itself (the property-based
	// sequences do, step by step), so the run's passive checks skip it.
	Own bool
	// Data, when set, makes the call a use of a key on the data plane
	// (DataCall); Op is then nil, or the description's operation the
	// probe sends.
	Data *DataCall
}

// DataCall is what a use of a key on the data plane adds to a call: where
// it goes, with which signature, and how its reply is read. It is sent as
// every call is (paced, retried on transient network errors, recorded,
// redacted, replayed, no redirect followed), but with its own
// credentials only: the run's signer and its configured headers (-header
// values) are never added to it, whatever its Auth.
type DataCall struct {
	// Base is the URL the request's path and query are appended to, as
	// it stands (a bucket's url keeps its trailing slash, or none).
	Base string
	// Signer signs the call (a created key, or its id with a wrong
	// secret); nil sends it unsigned.
	Signer Signer
	// Reply keeps the reply, decoded by the data plane's protocol.
	Reply func(status int, header http.Header, body []byte) *spec.Reply
}

// Do sends role's operation with input, encoded by the document's wire;
// the run's passive checks judge it.
func (c *Client) Do(ctx context.Context, role spec.Role, input map[string]any) (*exchange.Exchange, error) {
	op := c.doc.Op(role)
	return c.Send(ctx, Call{Op: op, Req: c.doc.Encode(op, input)})
}

const (
	maxThrottleRetries  = 6
	maxTransientRetries = 2
)

// Send performs one call, retrying throttling (never a failure) and
// transient network errors with jittered exponential backoff, bounded. The
// error is an *EndpointError when the endpoint could not be talked to.
func (c *Client) Send(ctx context.Context, cl Call) (*exchange.Exchange, error) {
	c.inflight.Add(1)
	defer func() {
		if c.inflight.Add(-1) == 0 && c.Recorder != nil {
			c.Recorder.Release()
		}
	}()
	var throttled, transient int
	for {
		ex, err := c.once(ctx, cl)
		retries := throttled + transient
		if ex != nil {
			ex.Retries = retries
		}
		switch {
		case err != nil && isTransient(err) && transient < maxTransientRetries && ctx.Err() == nil:
			transient++
		case err == nil && cl.Data == nil && c.isThrottled(ex.Reply) && throttled < maxThrottleRetries:
			throttled++
			c.keepRetried(ex)
		case err == nil && cl.Data == nil && c.isThrottled(ex.Reply):
			c.keep(ex, cl.Own)
			return ex, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("still throttled after %d retries", throttled)}
		default:
			if err == nil {
				c.keep(ex, cl.Own)
			}
			return ex, err
		}
		c.retries.Add(1)
		backoff := time.Duration(50<<min(throttled+transient, 6)) * time.Millisecond
		backoff = backoff/2 + rand.N(backoff/2+1)
		if c.Replaying {
			backoff = 0 // a replay has nothing to wait for
		}
		select {
		case <-ctx.Done():
			return nil, &EndpointError{Op: describeCall(cl), Err: ctx.Err()}
		case <-time.After(backoff):
		}
	}
}

func (c *Client) isThrottled(r *spec.Reply) bool {
	if r == nil || r.OK() {
		return false
	}
	code, _ := c.doc.Binding.ErrorCode(r)
	return r.Status == http.StatusTooManyRequests || c.doc.Binding.Accepts(spec.Throttled, code)
}

func describeCall(cl Call) string {
	switch {
	case cl.Op != nil:
		return cl.Op.ID
	case cl.Req.Target != "":
		return cl.Req.Target
	}
	return cl.Req.Method + " " + cl.Req.Path
}

// keep numbers an exchange, lets the run observe it, records it, and
// hands it to the passive checks unless its caller judges it.
func (c *Client) keep(ex *exchange.Exchange, own bool) {
	c.mu.Lock()
	c.seq++
	ex.Seq = c.seq
	c.mu.Unlock()
	if c.OnReply != nil {
		c.OnReply(ex)
	}
	if c.Recorder != nil {
		c.Recorder.Hold(ex) // after OnReply: its secrets are registered
	}
	if !own && c.OnJudge != nil {
		c.OnJudge(ex)
	}
}

// keepRetried numbers a throttled attempt that is retried and records it:
// a replay then meets the same throttling. It is not judged.
func (c *Client) keepRetried(ex *exchange.Exchange) {
	c.mu.Lock()
	c.seq++
	ex.Seq = c.seq
	c.mu.Unlock()
	if c.Recorder != nil {
		c.Recorder.Hold(ex)
	}
}

// limiter spaces requests to at most rate per second.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return nil
	}
	return &limiter{interval: time.Duration(float64(time.Second) / rate)}
}

func (l *limiter) wait(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(at)):
		return nil
	}
}
