// Package record writes a run's exchanges to a recording directory, as the
// run goes, redacted, and serves a recording back in place of the network
// (Transport), so that a run replays offline.
package record

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/contract/redact"
	"github.com/keycontract/keycontract/contract/report"
)

// A recording is a directory holding two files:
//
//   - run.json: what the run was (Meta): the tool and its version,
//     the target, seed, run id, flags, and the verdict of every check;
//   - exchanges.json: every exchange of the run in the order the harness
//     kept them, one indented JSON object each (Step), so that a
//     diff between two recordings reads exchange by exchange (jq reads the
//     stream as it is).
//
// Both are redacted as reports are: secret access keys become <secret-N>
// (numbered in the order the run saw them, so a secret that leaks later
// still shows as the same placeholder), credential and -header values
// become <redacted>, Authorization and X-Amz-Security-Token are removed,
// and the headers that change on every run (VolatileHeaders) are cleared.
const (
	Format        = "keycontract-recording/1"
	metaFile      = "run.json"
	exchangesFile = "exchanges.json"
)

// Meta is run.json.
type Meta struct {
	Format        string              `json:"format"`
	Tool          string              `json:"tool"`
	Version       string              `json:"version"`
	Recorded      time.Time           `json:"recorded"`
	Target        report.Target       `json:"target"`
	Args          []string            `json:"args,omitempty"`
	Seed          int64               `json:"seed"`
	RunID         string              `json:"run_id"`
	Checks        []check.ID          `json:"checks,omitempty"`
	Sequences     int                 `json:"sequences,omitempty"`
	Steps         int                 `json:"steps,omitempty"`
	Buckets       []string            `json:"buckets,omitempty"`
	SharedBuckets bool                `json:"shared_buckets,omitempty"`
	SettleMS      int64               `json:"settle_ms,omitempty"`
	DataEndpoint  string              `json:"data_endpoint,omitempty"`
	PropagationMS int64               `json:"propagation_ms,omitempty"`
	RevocationMS  int64               `json:"revocation_ms,omitempty"`
	Signed        bool                `json:"signed"`
	WrongSigned   bool                `json:"wrong_signed"`
	Headers       []string            `json:"headers,omitempty"` // -header names; values are never kept
	Notes         map[string]string   `json:"notes,omitempty"`   // state drivers need to replay alike (Session.Note)
	Exchanges     int                 `json:"exchanges"`
	Error         string              `json:"error,omitempty"` // why the run ended early, if it did
	Verdicts      map[check.ID]string `json:"verdicts"`        // check id -> pass|fail|skip
}

// Step is one exchange of a recording.
type Step struct {
	Seq int `json:"seq"`
	// Worker names the concurrent worker that sent it ("" for the run's
	// sequential requests): replay serves each worker its own exchanges in
	// order, whatever the interleaving.
	Worker     string  `json:"worker,omitempty"`
	Started    string  `json:"started"` // RFC 3339 with nanoseconds
	DurationMS float64 `json:"duration_ms"`
	exchange.Recorded
}

// VolatileHeaders change on every run whatever the endpoint does; a
// recording keeps their names with empty values.
var VolatileHeaders = []string{"X-Amz-Date", "User-Agent", "X-Amzn-Requestid", "X-Amz-Request-Id", "X-Request-Id", "Date", "Content-Length"}

// Recorder streams a run's exchanges to a recording directory as they are
// kept, redacting and writing them on a goroutine of its own, off the
// run's path. Secrets are registered before an exchange is held (the
// client observes each reply first), so a secret never reaches the file.
// It is a client.Recorder.
type Recorder struct {
	dir   string
	red   *redact.Redactor
	queue chan *exchange.Exchange
	done  chan struct{}

	mu      sync.Mutex
	pending []*exchange.Exchange // kept, not yet released
	closed  bool
	f       *os.File
	w       *bufio.Writer
	n       int
	err     error
}

// NewRecorder creates dir (when needed) and starts a recording in it,
// redacting with red. Finish ends it.
func NewRecorder(dir string, red *redact.Redactor) (*Recorder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, exchangesFile))
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	r := &Recorder{dir: dir, red: red, f: f, w: bufio.NewWriterSize(f, 64<<10),
		queue: make(chan *exchange.Exchange, 256), done: make(chan struct{})}
	go r.run()
	return r, nil
}

// Hold keeps one exchange until Release; exchanges are written in the
// order held.
func (r *Recorder) Hold(ex *exchange.Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.pending = append(r.pending, ex)
	}
}

// Release queues the held exchanges for writing. The client calls it when
// no request is in flight: a concurrent response may show a secret whose
// create was answered first but not yet observed, and only once every
// request in flight has been observed are all such secrets registered.
// (A request sent later cannot be answered with a secret created after
// the exchanges held.)
func (r *Recorder) Release() {
	r.mu.Lock() // held while sending, so that finish never closes the queue under it
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	for _, ex := range r.pending {
		r.queue <- ex
	}
	clear(r.pending)
	r.pending = r.pending[:0]
}

func (r *Recorder) run() {
	defer close(r.done)
	for ex := range r.queue {
		step := Step{Seq: ex.Seq, Worker: ex.Worker, Started: ex.Start.UTC().Format(time.RFC3339Nano),
			DurationMS: float64(ex.Duration.Microseconds()) / 1000, Recorded: ex.Record(r.red)}
		scrub(step.Request.Headers)
		scrub(step.Response.Headers)
		step.Response.RequestID = "" // volatile, as its header is
		b, err := json.MarshalIndent(step, "", "  ")
		if r.err != nil {
			continue
		}
		if err == nil {
			b = append(b, '\n')
			_, err = r.w.Write(b)
		}
		r.err = err
		r.n++
	}
}

// scrub removes credential headers and clears volatile ones.
func scrub(h map[string]string) {
	for k := range h {
		if redact.CredentialHeader(k) {
			delete(h, k)
		}
	}
	for _, k := range VolatileHeaders {
		for name := range h {
			if http.CanonicalHeaderKey(name) == k {
				h[name] = ""
			}
		}
	}
}

// Finish flushes the exchanges and writes run.json.
func (r *Recorder) Finish(meta Meta) error {
	r.Release()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	close(r.queue)
	<-r.done
	err := r.err
	if ferr := r.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	meta.Format, meta.Exchanges = Format, r.n
	b, merr := json.MarshalIndent(meta, "", "  ")
	if err = errors.Join(err, merr); err == nil {
		err = os.WriteFile(filepath.Join(r.dir, metaFile), append(b, '\n'), 0o644)
	}
	if err != nil {
		return fmt.Errorf("recording to %s: %w", r.dir, err)
	}
	return nil
}
