package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/exchange"
)

// ErrReplayMismatch is wrapped by the error a replay stops with when the
// harness sends a request the recording does not hold at that point: the
// harness or the recording changed since it was made.
var ErrReplayMismatch = errors.New("replay: request does not match the recording")

// Recording is a recorded run, loaded for replay (see Meta for the
// format).
type Recording struct {
	Dir   string
	Meta  Meta
	Steps []Step
}

// Load reads a recording directory.
func Load(dir string) (*Recording, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a recording: %w", dir, err)
	}
	rec := &Recording{Dir: dir}
	if err := json.Unmarshal(b, &rec.Meta); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, metaFile), err)
	}
	if rec.Meta.Format != Format {
		return nil, fmt.Errorf("%s: format %q, want %q", filepath.Join(dir, metaFile), rec.Meta.Format, Format)
	}
	f, err := os.Open(filepath.Join(dir, exchangesFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a recording: %w", dir, err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for {
		var st Step
		if err := dec.Decode(&st); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: exchange %d: %w", filepath.Join(dir, exchangesFile), len(rec.Steps)+1, err)
		}
		rec.Steps = append(rec.Steps, st)
	}
	return rec, nil
}

// Signer stands for the recorded run's signer (nil when it signed
// nothing): recordings keep no signature, and replay matches requests
// without one. It can sign wrongly when the recorded signer could, so that
// auth-required sends what it sent.
func (m Meta) Signer() client.Signer {
	switch {
	case m.WrongSigned:
		return wrongPlaceholderSigner{}
	case m.Signed:
		return placeholderSigner{}
	}
	return nil
}

type placeholderSigner struct{}

func (placeholderSigner) Sign(context.Context, *http.Request, []byte) error { return nil }

type wrongPlaceholderSigner struct{ placeholderSigner }

func (wrongPlaceholderSigner) Wrong() client.Signer { return placeholderSigner{} }

// Transport answers each request with the recorded response of the next
// recorded exchange: in the run's order for its sequential requests, and in
// each worker's order for concurrent ones. Requests match on method, path,
// target header and body; anything else is ErrReplayMismatch. The client
// must carry each exchange in its request's context (exchange.Sending).
type Transport struct {
	// TargetHeader is the binding's target header, matched as part of the
	// request.
	TargetHeader string
	rec          *Recording
	mu           sync.Mutex
	queues       map[string][]int // worker -> indexes into rec.Steps not yet served
	served       int
}

// NewTransport serves rec.
func NewTransport(rec *Recording) *Transport {
	rt := &Transport{rec: rec, queues: map[string][]int{}}
	for i, st := range rec.Steps {
		rt.queues[st.Worker] = append(rt.queues[st.Worker], i)
	}
	return rt
}

// RoundTrip serves the next recorded response for req.
func (rt *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	ex := exchange.BeingSent(req.Context())
	worker := ""
	if ex != nil {
		worker = ex.Worker
	}
	rt.mu.Lock()
	q := rt.queues[worker]
	if len(q) == 0 {
		rt.mu.Unlock()
		return nil, fmt.Errorf("%w: %s was sent after the recording's last exchange%s; the harness changed since it was recorded",
			ErrReplayMismatch, rt.describe(req, body), workerNote(worker))
	}
	st := &rt.rec.Steps[q[0]]
	if diff := rt.match(st, req, body); diff != "" {
		rt.mu.Unlock()
		return nil, fmt.Errorf("%w: %s, but the recording's exchange %d at this point is %s (%s)%s; the harness or the recording changed",
			ErrReplayMismatch, rt.describe(req, body), st.Seq, rt.describeRecorded(st), diff, workerNote(worker))
	}
	rt.queues[worker] = q[1:]
	rt.served++
	rt.mu.Unlock()
	if ex != nil {
		if at, err := time.Parse(time.RFC3339Nano, st.Started); err == nil {
			ex.SetRecordedTime(at, time.Duration(st.DurationMS*float64(time.Millisecond)))
		}
	}
	resp := &http.Response{
		StatusCode: st.Response.Status, Status: fmt.Sprintf("%d %s", st.Response.Status, http.StatusText(st.Response.Status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{},
		Body: io.NopCloser(strings.NewReader(st.Response.Body)), ContentLength: int64(len(st.Response.Body)), Request: req,
	}
	for k, v := range st.Response.Headers {
		if v != "" {
			resp.Header.Set(k, v)
		}
	}
	return resp, nil
}

// Unserved describes the recorded exchanges the replay never asked for
// (nil when it asked for every one).
func (rt *Transport) Unserved() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	left := len(rt.rec.Steps) - rt.served
	if left == 0 {
		return nil
	}
	first := -1
	for _, q := range rt.queues {
		if len(q) > 0 && (first < 0 || q[0] < first) {
			first = q[0]
		}
	}
	st := &rt.rec.Steps[first]
	return fmt.Errorf("%w: the harness sent %d of the %d recorded requests; it never sent exchange %d, %s: the harness changed since it was recorded",
		ErrReplayMismatch, rt.served, len(rt.rec.Steps), st.Seq, rt.describeRecorded(st))
}

// match says how req differs from the recorded request, or "".
func (rt *Transport) match(st *Step, req *http.Request, body []byte) string {
	rr := st.Request
	u, err := url.Parse(rr.URL)
	if err != nil {
		return "the recorded URL does not parse"
	}
	switch {
	case rr.Method != req.Method:
		return "method differs"
	case u.Path != req.URL.Path || u.RawQuery != req.URL.RawQuery:
		return "path differs"
	case headerValue(rr.Headers, rt.TargetHeader) != req.Header.Get(rt.TargetHeader):
		return "target differs"
	case !bytes.Equal([]byte(rr.Body), body):
		return "body differs"
	}
	return ""
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func (rt *Transport) describe(req *http.Request, body []byte) string {
	return fmt.Sprintf("request %s %s %s", req.Method, orNone(req.Header.Get(rt.TargetHeader)), clip(string(body), 200))
}

func (rt *Transport) describeRecorded(st *Step) string {
	return fmt.Sprintf("%s %s %s", st.Request.Method, orNone(headerValue(st.Request.Headers, rt.TargetHeader)), clip(st.Request.Body, 200))
}

func workerNote(w string) string {
	if w == "" {
		return ""
	}
	return " (concurrent worker " + w + ")"
}

func orNone(s string) string {
	if s == "" {
		return "(no target)"
	}
	return s
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
