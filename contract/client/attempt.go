package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/keycontract/keycontract/contract/exchange"
)

// once sends one attempt. Cancelling ctx (an interrupted run) stops a
// request from being sent, but never one already sent: that one runs to its
// answer or the timeout, so that what it created (a bucket, a key) is
// observed and cleaned up rather than left behind unseen.
func (c *Client) once(ctx context.Context, cl Call) (*exchange.Exchange, error) {
	if err := c.limiter.wait(ctx); err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	base := c.base
	var connected atomic.Bool
	if cl.Data != nil {
		base = cl.Data.Base
		// Whether a connection was made tells an absent data plane from
		// one that does not answer (DataError).
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }})
	}
	req, err := http.NewRequestWithContext(ctx, cl.Req.Method, base+cl.Req.URL(), bytes.NewReader(cl.Req.Body))
	if err != nil {
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	for k, vs := range cl.Req.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if len(cl.Req.Body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	if cl.Data != nil {
		if cl.Data.Signer != nil && cl.Auth != NoCredentials {
			if err := cl.Data.Signer.Sign(ctx, req, cl.Req.Body); err != nil {
				return nil, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("signing: %w", err)}
			}
		}
	} else if cl.Auth != NoCredentials {
		for k, vs := range c.headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		signer := c.signer
		if ws, ok := signer.(WrongSigner); ok && cl.Auth == WrongSecret {
			signer = ws.Wrong()
		}
		if signer != nil {
			if err := signer.Sign(ctx, req, cl.Req.Body); err != nil {
				return nil, &EndpointError{Op: describeCall(cl), Err: fmt.Errorf("signing: %w", err)}
			}
		}
	}
	// The request's own header: nothing changes it once it is sent.
	ex := &exchange.Exchange{Op: cl.Op, Target: cl.Req.Target, Method: req.Method, URL: req.URL.String(),
		Header: req.Header, Body: cl.Req.Body, Start: time.Now(), Data: cl.Data != nil}
	if cl.Req.Input != nil {
		ex.SetRequestValue(cl.Req.Input)
	}
	ex.Worker = exchange.Worker(ctx)
	if c.Replaying {
		req = req.WithContext(exchange.Sending(ctx, ex))
	}
	c.requests.Add(1)
	fail := func(err error) (*exchange.Exchange, error) {
		if cl.Data != nil {
			return ex, &DataError{EndpointError: EndpointError{Op: describeCall(cl), Err: err}, Connected: connected.Load() || c.Replaying}
		}
		return nil, &EndpointError{Op: describeCall(cl), Err: err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fail(c.explain(unwrapURLError(err)))
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return fail(fmt.Errorf("reading the response body: %w", c.explain(unwrapURLError(err))))
	}
	if len(body) > MaxResponseBody {
		return fail(fmt.Errorf("response body exceeds %d bytes", MaxResponseBody))
	}
	ex.Answered()
	if cl.Data != nil {
		ex.Reply = cl.Data.Reply(resp.StatusCode, resp.Header, body)
	} else {
		ex.Reply = c.doc.NewReply(cl.Op, resp.StatusCode, resp.Header, body)
	}
	return ex, nil
}

// DataError says a use of a key on the data plane got no answer: no
// connection at all (Connected false: the data plane is not there, and
// the data-plane checks are skipped), or a connection that gave no answer
// within the timeout, or an answer that could not be read (Connected:
// a finding). Its Exchange holds the request that was sent. It never ends
// a run.
type DataError struct {
	EndpointError
	Connected bool
}

func (e *DataError) Unwrap() error { return &e.EndpointError }

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

// explain names a timeout as such.
func (c *Client) explain(err error) error {
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
