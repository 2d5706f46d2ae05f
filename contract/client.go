package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

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

// client sends requests as the document and binding say, signs them, retries
// throttling and transient network errors, and keeps every exchange.
type client struct {
	doc      *spec.Document
	base     string
	http     *http.Client
	signer   Signer
	headers  http.Header
	red      *Redactor
	timeout  time.Duration
	limiter  *limiter
	onReply  func(*Exchange) // every kept exchange
	onJudge  func(*Exchange) // every kept exchange its caller does not judge
	rec      *recorder       // streams every exchange to -record DIR
	replay   *replayTransport
	requests atomic.Int64
	retries  atomic.Int64
	inflight atomic.Int64 // calls in send: the recorder writes only when none is

	mu  sync.Mutex
	seq int
}

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

// call is a request: the wire request to send, the operation it addresses
// (nil when it addresses none the binding names), and how to authenticate
// it.
type call struct {
	op  *spec.Operation
	req spec.Request
	// auth: "" as configured; "none" strips signing and -header headers;
	// "wrong" signs with a wrong secret.
	auth string
	// own: the caller judges the exchange itself (the property-based
	// sequences do, step by step), so the run's passive checks skip it.
	own bool
}

// do sends role's operation with input, encoded by the document's wire.
func (c *client) do(ctx context.Context, role spec.Role, input map[string]any) (*Exchange, error) {
	op := c.doc.Op(role)
	return c.send(ctx, call{op: op, req: c.doc.Encode(op, input)})
}

const (
	maxThrottleRetries  = 6
	maxTransientRetries = 2
)

// send performs one call, retrying throttling (never a failure) and
// transient network errors with jittered exponential backoff, bounded.
func (c *client) send(ctx context.Context, cl call) (*Exchange, error) {
	c.inflight.Add(1)
	defer func() {
		if c.inflight.Add(-1) == 0 && c.rec != nil {
			c.rec.release()
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
		case err == nil && c.isThrottled(ex.Reply) && throttled < maxThrottleRetries:
			throttled++
			c.keepRetried(ex)
		case err == nil && c.isThrottled(ex.Reply):
			c.keep(ex, cl.own)
			return ex, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("still throttled after %d retries", throttled)}
		default:
			if err == nil {
				c.keep(ex, cl.own)
			}
			return ex, err
		}
		c.retries.Add(1)
		backoff := time.Duration(50<<min(throttled+transient, 6)) * time.Millisecond
		backoff = backoff/2 + rand.N(backoff/2+1)
		if c.replay != nil {
			backoff = 0 // a replay has nothing to wait for
		}
		select {
		case <-ctx.Done():
			return nil, &EndpointError{Op: describeCall(cl), Err: ctx.Err()}
		case <-time.After(backoff):
		}
	}
}

func (c *client) isThrottled(r *spec.Reply) bool {
	if r == nil || r.OK() {
		return false
	}
	code, _ := c.doc.Binding.ErrorCode(r)
	return r.Status == http.StatusTooManyRequests || c.doc.Binding.Accepts(spec.Throttled, code)
}

func describeCall(cl call) string {
	switch {
	case cl.op != nil:
		return cl.op.ID
	case cl.req.Target != "":
		return cl.req.Target
	}
	return cl.req.Method + " " + cl.req.Path
}

// once sends one attempt. Cancelling ctx (an interrupted run) stops a
// request from being sent, but never one already sent: that one runs to its
// answer or the timeout, so that what it created (a bucket, a key) is
// observed and cleaned up rather than left behind unseen.
func (c *client) once(ctx context.Context, cl call) (*Exchange, error) {
	if err := c.limiter.wait(ctx); err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, cl.req.Method, c.base+cl.req.URL(), bytes.NewReader(cl.req.Body))
	if err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	for k, vs := range cl.req.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if len(cl.req.Body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	if cl.auth != "none" {
		for k, vs := range c.headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		signer := c.signer
		if ws, ok := signer.(WrongSigner); ok && cl.auth == "wrong" {
			signer = ws.Wrong()
		}
		if signer != nil {
			if err := signer.Sign(ctx, req, cl.req.Body); err != nil {
				return nil, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("signing: %w", err)}
			}
		}
	}
	// The request's own header: nothing changes it once it is sent.
	ex := &Exchange{Op: cl.op, Target: cl.req.Target, Method: req.Method, URL: req.URL.String(),
		Header: req.Header, Body: cl.req.Body, Start: time.Now()}
	if cl.req.Input != nil {
		ex.reqValue = cl.req.Input
	}
	ex.Worker, _ = ctx.Value(workerKey{}).(string)
	if c.replay != nil {
		req = req.WithContext(context.WithValue(ctx, exchangeKey{}, ex))
	}
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: c.explain(unwrapURLError(err))}
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("reading the response body: %w", c.explain(unwrapURLError(err)))}
	}
	if len(body) > MaxResponseBody {
		return nil, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("response body exceeds %d bytes", MaxResponseBody)}
	}
	if !ex.replayed {
		ex.Duration = time.Since(ex.Start)
	}
	ex.Reply = c.doc.NewReply(cl.op, resp.StatusCode, resp.Header, body)
	return ex, nil
}

// readBody reads at most MaxResponseBody+1 bytes, into a buffer sized by
// the Content-Length when there is one.
func readBody(resp *http.Response) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= MaxResponseBody {
		buf.Grow(int(n) + 1) // +1: ReadFrom needs room to see the end
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxResponseBody+1))
	return buf.Bytes(), err
}

// keep numbers an exchange, lets the run observe it, records it, and
// hands it to the passive checks unless its caller judges it.
func (c *client) keep(ex *Exchange, own bool) {
	c.mu.Lock()
	c.seq++
	ex.Seq = c.seq
	c.mu.Unlock()
	if c.onReply != nil {
		c.onReply(ex)
	}
	if c.rec != nil {
		c.rec.write(ex) // after onReply: its secrets are registered
	}
	if !own && c.onJudge != nil {
		c.onJudge(ex)
	}
}

// keepRetried numbers a throttled attempt that is retried and records it:
// a replay then meets the same throttling. It is not judged.
func (c *client) keepRetried(ex *Exchange) {
	c.mu.Lock()
	c.seq++
	ex.Seq = c.seq
	c.mu.Unlock()
	if c.rec != nil {
		c.rec.write(ex)
	}
}

// explain names a timeout as such.
func (c *client) explain(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("no response within the %v timeout: %w", c.timeout, err)
	}
	return err
}

func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && strings.HasPrefix(err.Error(), "Post ") {
		return ue.Unwrap()
	}
	return err
}

// isTransient reports network errors worth one more try: a reset or refused
// connection, or a connection closed before any response. Timeouts are not
// retried, so that a silent endpoint ends the run within the timeout.
func isTransient(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF)
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
