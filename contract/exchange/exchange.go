// Package exchange holds what the harness sent and got: an Exchange (kept
// raw, in memory, for the checks) and its Recorded view, with every secret
// replaced, which is all that ever leaves the process (reports,
// recordings, messages).
package exchange

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keycontract/keycontract/contract/redact"
	"github.com/keycontract/keycontract/spec"
)

// Exchange is one request the harness sent and the reply it got, kept raw in
// memory for the checks. Only Record, which redacts, ever leaves the process.
type Exchange struct {
	Seq      int
	Op       *spec.Operation // nil when the request named no known operation
	Target   string          // the target header sent ("" when none)
	Method   string
	URL      string
	Header   http.Header
	Body     []byte
	Reply    *spec.Reply // nil when no reply was received
	Retries  int         // throttled or transient attempts before this one
	Start    time.Time
	Duration time.Duration
	// Worker names the concurrent worker that sent it (WithWorker), "" for
	// the run's sequential requests.
	Worker string
	// Data: a use of a key on the data plane (a probe), not a request of
	// the description's contract; its reply is the data plane's.
	Data bool
	// replayed: Start and Duration are the recorded ones (SetRecordedTime).
	replayed bool
	// reqValue is the request body decoded (or as the caller built it),
	// read through RequestValue.
	reqValue any
	reqOnce  sync.Once
}

// SetRequestValue keeps the request's input as the caller built it, so
// that RequestValue returns it without decoding the body.
func (e *Exchange) SetRequestValue(v any) { e.reqValue = v }

// RequestValue is the request body as a JSON value (nil when it is not
// JSON), decoded at most once.
func (e *Exchange) RequestValue() any {
	e.reqOnce.Do(func() {
		if e.reqValue == nil {
			e.reqValue = spec.NewReply(0, nil, e.Body).Value()
		}
	})
	return e.reqValue
}

// SetRecordedTime gives the exchange the start and duration a recording
// holds for it: a replay's exchanges keep the recorded run's times, which
// the concurrent history is judged by.
func (e *Exchange) SetRecordedTime(start time.Time, d time.Duration) {
	e.Start, e.Duration, e.replayed = start, d, true
}

// Answered sets the exchange's duration from its start, unless it holds a
// recorded one.
func (e *Exchange) Answered() {
	if !e.replayed {
		e.Duration = time.Since(e.Start)
	}
}

// End is when the reply was received: its start and duration (a
// replay's, the recorded ones).
func (e *Exchange) End() time.Time { return e.Start.Add(e.Duration) }

// sendingKey carries the exchange being sent to the transport, so that a
// replay can give it the recorded timing and match its worker.
type sendingKey struct{}

// Sending returns a context carrying ex, the exchange being sent with it.
func Sending(ctx context.Context, ex *Exchange) context.Context {
	return context.WithValue(ctx, sendingKey{}, ex)
}

// BeingSent returns the exchange a request's context carries (Sending), or
// nil.
func BeingSent(ctx context.Context) *Exchange {
	ex, _ := ctx.Value(sendingKey{}).(*Exchange)
	return ex
}

type workerKey struct{}

// WithWorker marks the requests sent with ctx as those of one concurrent
// worker. Recordings keep the name, and a replay serves each worker its own
// recorded exchanges in order, whatever the interleaving.
func WithWorker(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, workerKey{}, name)
}

// Worker is the name WithWorker gave ctx ("" for none).
func Worker(ctx context.Context) string {
	name, _ := ctx.Value(workerKey{}).(string)
	return name
}

// Describe names the exchange in messages: "CreateBucketAccessKey#12".
func (e *Exchange) Describe() string {
	name := e.Target
	if e.Op != nil {
		name = e.Op.ID
	}
	if name == "" {
		// A request addressing no bound operation: its route, unless that
		// is an RPC endpoint's "/".
		if u, err := url.Parse(e.URL); err == nil && u.EscapedPath() != "/" && u.EscapedPath() != "" {
			return e.Method + " " + u.EscapedPath()
		}
	}
	if name == "" {
		name = "(no target)"
	}
	return name
}

// Request and Response are the report's view of an exchange, with every
// secret replaced.
type Request struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// Response is a redacted response.
type Response struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// RequestID is the id the endpoint gave the request (x-amzn-RequestId
	// and the like), which a vendor's support desk asks for.
	RequestID string `json:"request_id,omitempty"`
}

// Recorded is a redacted exchange, as reports and recordings carry it.
type Recorded struct {
	Request  Request  `json:"request"`
	Response Response `json:"response"`
}

// Record redacts the exchange for a report: credential headers are replaced,
// and every secret the redactor knows is replaced by value.
func (e *Exchange) Record(r *redact.Redactor) Recorded {
	rec := Recorded{Request: Request{
		Method:  e.Method,
		URL:     r.String(e.URL),
		Headers: recordHeaders(e.Header, r),
		Body:    string(r.Bytes(e.Body)),
	}}
	if e.Reply != nil {
		rec.Response = Response{
			Status:  e.Reply.Status,
			Headers: recordHeaders(e.Reply.Header, r),
			Body:    string(r.Bytes(e.Reply.Body)),
		}
		if e.Withheld() {
			rec.Response.Body = fmt.Sprintf(withheldFormat, len(e.Reply.Body))
		} else {
			rec.Response.Body = redact.XMLSafe(e.Reply.Body, rec.Response.Body)
			rec.Response.RequestID = r.String(e.RequestID())
		}
	}
	return rec
}

// withheldFormat is what reports and recordings show instead of a body
// that is withheld.
const withheldFormat = "<undecodable body, %d bytes, withheld>"

// Withheld reports whether the reply's body is kept out of every output:
// a create reply whose body does not decode at all (truncated, not JSON,
// another encoding). Its secret cannot be found to be redacted by value, so
// no part of it is written anywhere.
func (e *Exchange) Withheld() bool {
	r := e.Reply
	return r != nil && e.Op != nil && e.Op.Role == spec.CreateKey &&
		len(bytes.TrimSpace(r.Body)) > 0 && r.DecodeErr() != nil
}

// requestIDHeaders are where endpoints put the id their support desk asks
// for, in the order looked at.
var requestIDHeaders = []string{"X-Amzn-Requestid", "X-Amz-Request-Id", "X-Request-Id", "Request-Id", "X-Correlation-Id"}

// RequestID is the id the endpoint gave the request: a request id header,
// else AWS query's RequestId in the body (ResponseMetadata/RequestId, or
// RequestId beside an Error); "" when there is none.
func (e *Exchange) RequestID() string {
	if e.Reply == nil {
		return ""
	}
	if id := RequestID(e.Reply.Header); id != "" {
		return id
	}
	for _, p := range []string{"/ResponseMetadata/RequestId", "/RequestId"} {
		if v, ok := spec.Pointer(e.Reply.Value(), p); ok {
			if id, ok := v.(string); ok {
				return id
			}
		}
	}
	return ""
}

// RequestID returns the request id a response carries in a header, or "".
func RequestID(h http.Header) string {
	for _, name := range requestIDHeaders {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

func recordHeaders(h http.Header, r *redact.Redactor) map[string]string {
	out := make(map[string]string, len(h))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if redact.CredentialHeader(k) {
			out[k] = "<redacted>"
			continue
		}
		out[k] = r.String(strings.Join(h[k], ", "))
	}
	return out
}

// Curl renders the exchange's request as a curl command, with credentials
// left as placeholders and secrets redacted.
func (e *Exchange) Curl(r *redact.Redactor) string {
	rec := e.Record(r)
	cmd := fmt.Sprintf("curl -sS -X %s '%s'", rec.Request.Method, rec.Request.URL)
	for _, k := range sortedKeys(rec.Request.Headers) {
		switch k {
		case "Content-Length", "Accept-Encoding", "User-Agent", "X-Amz-Date", "X-Amz-Content-Sha256":
			continue
		}
		cmd += fmt.Sprintf(" -H '%s: %s'", k, rec.Request.Headers[k])
	}
	return cmd + fmt.Sprintf(" --data-raw '%s'", rec.Request.Body)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
