package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/contract/record"
	"github.com/keycontract/keycontract/contract/redact"
	"github.com/keycontract/keycontract/spec"
)

// Session is one run against a target: its buckets, what it created, and
// the violations found. The named checks (package contract's scenarios, the
// property-based sequences, concurrent-limit) drive it through its methods;
// its client observes every reply into it, so that cleanup knows everything
// the run created and every secret a reply showed is redacted everywhere.
//
// A Session is the run itself, or a lane of it (Lane: work that runs
// beside other work, with buckets of its own and its verdicts held until
// Flush); every lane shares the run's state.
type Session struct {
	*state
	lane *lane // nil: the run itself
}

// state is what every lane of a run shares.
type state struct {
	t     *Target
	doc   *spec.Document
	b     spec.Binding
	c     *client.Client
	red   *redact.Redactor
	seed  int64
	runID string

	buckets []string            // the buckets checks use: [A] or [A, B]
	owned   map[string]bool     // buckets this run created
	foreign map[string][]string // keys that were there before the run

	mu         sync.Mutex
	created    map[string]string   // live key id -> bucket, for keys this run created
	unread     map[string]int      // bucket -> creates that succeeded without a readable key
	ever       map[string]string   // every key id this run created -> bucket, until the bucket is deleted
	everIn     map[string][]string // bucket -> the ids of ever created in it
	violations map[check.ID][]*Violation
	skips      map[check.ID]string
	remarks    map[check.ID][]string // what a passing check could not judge
	ran        map[check.ID]bool     // checks whose driver started (Drive)
	fresh      int                   // FreshBucketNames calls so far
	viz        []byte                // porcupine's page of the concurrent history
	notes      map[string]string
	replaying  *record.Recording
	replay     *record.Transport
	rec        *record.Recorder
	passive    *passive // the checks every exchange gets (JudgeEveryExchange)
	data       dataState

	slotsOnce sync.Once
	slotCh    chan struct{} // the run's Parallel() slots (Slot)
}

func newSession(t *Target, doc *spec.Document, seed int64) (*Session, error) {
	red := redact.New()
	for _, vs := range t.Headers {
		for _, v := range vs {
			red.AddCredential(v)
		}
	}
	if sh, ok := t.Signer.(client.SecretHolder); ok {
		for _, v := range sh.Secrets(context.Background()) {
			red.AddCredential(v)
		}
	}
	if sv, ok := t.Signer.(*client.SigV4); ok && sv.Service == "" && doc.Binding.Service != "" {
		signer := *sv // the caller's signer stays as it was
		signer.Service = doc.Binding.Service
		t.Signer = &signer
	}
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	s := &Session{state: &state{
		t: t, doc: doc, b: doc.Binding, red: red, seed: seed,
		runID: hex.EncodeToString(id[:]),
		owned: map[string]bool{}, foreign: map[string][]string{},
		created: map[string]string{}, unread: map[string]int{}, ever: map[string]string{}, everIn: map[string][]string{},
		violations: map[check.ID][]*Violation{}, skips: map[check.ID]string{}, ran: map[check.ID]bool{},
	}}
	s.c = client.New(client.Config{Doc: doc, Endpoint: t.Endpoint, HTTP: t.Client, Signer: t.Signer,
		Headers: t.Headers, Timeout: t.timeout(), Rate: t.Rate})
	s.c.OnReply = s.observe
	return s, nil
}

// Doc is the description and binding the session runs with.
func (s *Session) Doc() *spec.Document { return s.doc }

// Binding is the description's binding.
func (s *Session) Binding() spec.Binding { return s.b }

// Target is the target the session runs against (a replay's as its
// recording set it).
func (s *Session) Target() Target { return *s.t }

// Seed is the run's seed.
func (s *Session) Seed() int64 { return s.seed }

// RunID names the run's buckets (keycontract-<run>-a).
func (s *Session) RunID() string { return s.runID }

// Buckets are the run's buckets: [A] or [A, B] (a lane's own, when it has
// them).
func (s *Session) Buckets() []string {
	if s.lane != nil {
		return append([]string(nil), s.lane.buckets...)
	}
	return append([]string(nil), s.buckets...)
}

// Selected reports whether check id is to run.
func (s *Session) Selected(id check.ID) bool { return s.t.selected(id) }

// Redact replaces every secret and credential the run has seen.
func (s *Session) Redact(text string) string { return s.red.String(text) }

// Curl renders an exchange's request as a curl command with credentials
// left as placeholders and secrets redacted.
func (s *Session) Curl(ex *exchange.Exchange) string { return ex.Curl(s.red) }

// Requests and Retries count the requests sent and the attempts retried.
func (s *Session) Requests() int64 { return s.c.Requests() }

// Retries counts the throttled and transient attempts that were retried.
func (s *Session) Retries() int64 { return s.c.Retries() }

// SetVisualization keeps porcupine's HTML page of the concurrent history
// for the report (Report.Visualization).
func (s *Session) SetVisualization(page []byte) {
	s.mu.Lock()
	s.viz = page
	s.mu.Unlock()
}

// observe keeps the ledger of what the run created, and registers every
// secret a reply shows so that it is redacted everywhere, by value.
//
// A create reply's secrets are registered whatever is wrong with it (its
// status, content type, id or shape: see redact.CreateReply),
// before anything else sees the exchange, so that no output ever shows them.
func (s *Session) observe(ex *exchange.Exchange) {
	r := ex.Reply
	if ex.Op == nil || r == nil {
		return
	}
	req := ex.RequestValue()
	bucket, _ := stringAt(req, s.b.Request.Bucket)
	if ex.Op.Role == spec.CreateKey && r.OK() {
		h := redact.CreateReply(s.doc, r, func(v string) bool { return v == bucket || s.isBucket(v) })
		for _, v := range h.Secrets {
			s.red.AddSecret(v)
		}
		for _, v := range h.Others {
			s.red.AddCredential(v)
		}
	}
	if !r.OK() {
		return
	}
	switch ex.Op.Role {
	case spec.CreateKey:
		k, ok := s.b.CreatedKey(r)
		if !ok {
			s.mu.Lock()
			s.unread[bucket]++
			s.mu.Unlock()
		}
		if ok {
			s.mu.Lock()
			s.created[k.ID] = bucket
			s.ever[k.ID] = bucket
			s.everIn[bucket] = append(s.everIn[bucket], k.ID)
			s.mu.Unlock()
		}
	case spec.ListKeys:
		for _, v := range redact.ListedSecrets(s.b, r) {
			s.red.AddSecret(v)
		}
	case spec.DeleteKey:
		if id, ok := stringAt(req, s.b.Request.KeyID); ok {
			s.mu.Lock()
			if s.created[id] == bucket {
				delete(s.created, id)
			}
			s.mu.Unlock()
		}
	case spec.CreateBucket:
		if bucket != "" {
			s.mu.Lock()
			s.owned[bucket] = true
			s.mu.Unlock()
		}
		s.noteURLs(spec.CreateBucket, bucket, r)
	case spec.ListBuckets:
		s.noteURLs(spec.ListBuckets, "", r)
	case spec.DeleteBucket:
		// A deleted bucket's keys are gone with it: forgetting them keeps
		// a long run's memory flat (the sequences drop a bucket pair each).
		// Known false negative: one of them reappearing in another bucket.
		s.mu.Lock()
		delete(s.owned, bucket)
		for _, id := range s.everIn[bucket] {
			delete(s.ever, id)
		}
		delete(s.everIn, bucket)
		for id, b := range s.created {
			if b == bucket {
				delete(s.created, id)
			}
		}
		s.mu.Unlock()
		s.forgetURL(bucket)
	}
}

// stringAt reads a string member of a decoded JSON value by pointer.
func stringAt(v any, pointer string) (string, bool) {
	m, ok := spec.Pointer(v, pointer)
	str, isString := m.(string)
	return str, ok && isString
}

// Fail records a violation of check, shown by exs.
// The first violation of a check is also a progress line, so that a long
// run shows a failure when it is found.
func (s *Session) Fail(id check.ID, msg string, exs ...*exchange.Exchange) {
	if s.held(func(run *Session) { run.Fail(id, msg, exs...) }) {
		return
	}
	msg = s.red.String(msg)
	s.mu.Lock()
	first := len(s.violations[id]) == 0
	s.violations[id] = append(s.violations[id], &Violation{Check: id, Message: msg, Exchanges: exs})
	s.mu.Unlock()
	if first {
		line, _, _ := strings.Cut(msg, "\n")
		s.Progress("[%s] FAIL: %s", id, line)
	}
}

// failCapped is fail for violations that may repeat once per sequence:
// beyond maxPerCheck of a check it only counts them.
func (s *Session) failCapped(id check.ID, msg string, exs ...*exchange.Exchange) {
	if s.held(func(run *Session) { run.failCapped(id, msg, exs...) }) {
		return
	}
	s.mu.Lock()
	n := len(s.violations[id])
	s.mu.Unlock()
	if n < maxPerCheck {
		s.Fail(id, msg, exs...)
	}
}

// Skip marks check id as skipped, with the reason the report gives.
func (s *Session) Skip(id check.ID, reason string) {
	if s.held(func(run *Session) { run.Skip(id, reason) }) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skips[id] = reason
}

// Remark notes what a check that may still pass could not judge (a part
// it skipped, and why): a passing check's report gives its remarks as its
// reason.
func (s *Session) Remark(id check.ID, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.remarks == nil {
		s.remarks = map[check.ID][]string{}
	}
	if !slices.Contains(s.remarks[id], text) {
		s.remarks[id] = append(s.remarks[id], text)
	}
}

// Progress writes one progress line ("keycontract: ..."), when the target
// asked for them (Target.Progress).
func (s *Session) Progress(format string, args ...any) {
	if s.t.Progress != nil {
		fmt.Fprintf(s.t.Progress, "keycontract: "+format+"\n", args...)
	}
}
