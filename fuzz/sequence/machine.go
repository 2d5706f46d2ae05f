package sequence

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// missingKey is a well-formed key id no endpoint issued.
const missingKey = "KEYCONTRACTFUZZ00000"

// finding is the property a sequence broke, by check ID.
type finding struct {
	check check.ID
	msg   string
}

// machine is one sequence of operations against the endpoint, checked step
// by step against the Model. rapid draws its actions (t.Repeat) and shrinks
// a failing sequence to a minimal one; every step's exchange is kept so
// that the report can show the shrunk sequence.
type machine struct {
	ctx  context.Context
	sess *engine.Session
	doc  *spec.Document
	b    spec.Binding

	buckets []string        // the sequence's buckets: [A, B], or the run's
	made    map[string]bool // fresh buckets created so far (nil: shared buckets)
	model   *Model
	trail   []*exchange.Exchange // this sequence's steps, in order
	secrets []engine.PriorSecret // the secrets created so far, and where
	keys    []spec.Key           // the keys created so far that showed a secret, oldest first (useKey)
	steps   int
	broken  error // the endpoint could not be talked to
	invalid map[string][]spec.Invalid

	// found is the shortest failing sequence seen, with its steps. A fault
	// that corrupts the endpoint's state (keys that cannot be deleted) can
	// make rapid's final replay pass; the shortest failure seen while
	// shrinking is still the one to report.
	found      *finding
	foundTrail []*exchange.Exchange
	foundSteps int

	shrink  shrinkBudget
	checker *engine.Checker // judges each step's response while the next is sent

	// phase counts the sequences run (the search's, then shrinking's) on
	// the run's Meter; nil in a lane of a parallel search, whose pool
	// counts them.
	phase  *engine.Phase
	inLane bool
}

func newMachine(ctx context.Context, sess *engine.Session) *machine {
	return &machine{ctx: ctx, sess: sess, doc: sess.Doc(), b: sess.Doc().Binding, invalid: map[string][]spec.Invalid{},
		shrink: newShrinkBudget(sess), checker: sess.NewChecker()}
}

// begin starts a sequence. By default it runs in two fresh buckets, so
// that every sequence (and every replay while shrinking) starts from the
// same empty state whatever an earlier one left. With shared buckets it
// starts from what they hold now: keys left by earlier sequences count as
// pre-existing.
func (m *machine) begin(t *rapid.T) {
	m.checker.Findings() // an aborted sequence's: not this one's
	m.trail, m.secrets, m.steps = nil, nil, 0
	m.keys = nil
	m.buckets = nil
	clear(m.invalid) // cached per bucket name, and fresh buckets are new names
	if m.fresh() {
		m.buckets, m.made = m.sess.FreshBucketNames(), map[string]bool{}
		m.model = NewModel(m.b.Limit, nil)
		return
	}
	m.buckets = m.sess.Buckets()
	pre := map[string][]string{}
	for _, bucket := range m.buckets {
		exs, keys, ok, err := m.sess.ReadKeys(m.ctx, bucket, 0)
		if err != nil {
			m.abort(t, err)
		}
		if !ok {
			m.abort(t, fmt.Errorf("cannot list bucket %s to start a sequence: %s", bucket, m.sess.Outcome(exs[len(exs)-1])))
		}
		for _, k := range keys {
			pre[bucket] = append(pre[bucket], k.ID)
		}
	}
	m.model = NewModel(m.b.Limit, pre)
}

func (m *machine) fresh() bool {
	tgt := m.sess.Target()
	return !tgt.SharedBuckets && len(tgt.Buckets) == 0
}

// end deletes what the sequence created: its fresh buckets, or in shared
// buckets every key it created, so that the next sequence starts from the
// same state. A fresh bucket the endpoint refuses to delete while it holds
// keys (IAM's DeleteConflict) has the keys the model knows deleted, and is
// listed only if that was not enough (engine.Session.DropBuckets): the
// requests depend on this sequence's exchanges alone, so the sequence sends
// the same requests whenever it runs.
func (m *machine) end() {
	if m.model == nil || m.broken != nil {
		return
	}
	ctx := context.WithoutCancel(m.ctx)
	if m.fresh() {
		var made []string
		for _, b := range m.buckets {
			if m.made[b] {
				made = append(made, b)
			}
		}
		m.sess.DropBuckets(ctx, made, m.model.Live)
		return
	}
	for _, bucket := range m.buckets {
		for _, id := range m.model.Live(bucket) {
			m.sess.SendJSON(ctx, spec.DeleteKey, m.sess.Request(spec.DeleteKey, spec.Resources{Bucket: bucket, KeyID: id}))
		}
	}
}

func (m *machine) abort(t *rapid.T, err error) {
	m.broken = err
	t.Fatalf("endpoint: %v", m.sess.Redact(err.Error()))
}

// fail stops the sequence with a violation of check, unless check was not
// selected. rapid compares failures by their text to know that a shorter
// sequence shows the same one, so the text it gets is stable (the check and
// the operation); the full message, with ids, is kept for the report.
func (m *machine) fail(t *rapid.T, id check.ID, msg string) { m.failAt(t, id, msg, m.steps) }

// failAt is fail for a violation shown by the sequence's first steps steps.
func (m *machine) failAt(t *rapid.T, id check.ID, msg string, steps int) {
	if !m.sess.Selected(id) {
		return
	}
	msg = m.sess.Redact(msg)
	if m.found == nil || steps < m.foundSteps {
		if m.found == nil && !m.inLane {
			m.phase.End()
			m.phase = m.sess.Begin("shrinking a failure", 0)
		}
		m.shrink.shorter(m.found == nil)
		m.found, m.foundTrail, m.foundSteps = &finding{id, msg}, slices.Clone(m.trail[:steps]), steps
	}
	op, _, _ := strings.Cut(msg, "(")
	t.Fatalf("[%s] %s", id, op)
}

// send performs one step and has the checks every response gets applied
// to it: its shape, and that no secret returned earlier appears in it.
func (m *machine) send(t *rapid.T, role spec.Role, req spec.Request) *exchange.Exchange {
	ex, err := m.sess.Send(m.ctx, role, req)
	return m.judge(t, ex, err)
}

// judge hands a step's exchange to the checker, which applies the checks
// every response gets while the sequence goes on, and first reports what
// the checker found in the earlier steps: a violation fails the sequence
// one step after the step that showed it, or at its end.
func (m *machine) judge(t *rapid.T, ex *exchange.Exchange, err error) *exchange.Exchange {
	if err != nil {
		m.abort(t, err)
	}
	m.steps++
	m.trail = append(m.trail, ex)
	m.collect(t)
	// The checker keeps this slice's length: later appends do not reach it.
	m.checker.Check(ex, m.steps-1, m.secrets)
	return ex
}

// collect fails the sequence with the first violation the checker found in
// the steps judged so far (waiting for them).
func (m *machine) collect(t *rapid.T) {
	for _, f := range m.checker.Findings() {
		m.failAt(t, f.Check, f.Message, f.Tag+1)
	}
}

func (m *machine) sendJSON(t *rapid.T, role spec.Role, body map[string]any) *exchange.Exchange {
	ex, err := m.sess.SendJSON(m.ctx, role, body)
	return m.judge(t, ex, err)
}

// actions are the state machine's moves, for t.Repeat. The "" entry is the
// invariant, checked after every action.
func (m *machine) actions() map[string]func(*rapid.T) {
	actions := map[string]func(*rapid.T){
		"createKey":           m.createKey,
		"createGenerated":     m.createGenerated,
		"createInvalid":       m.createInvalid,
		"createUnknownBucket": m.createUnknownBucket,
		"listKeys":            m.listKeys,
		"deleteLive":          m.deleteLive,
		"deleteDeleted":       m.deleteDeleted,
		"deleteUnknownKey":    m.deleteUnknownKey,
		"deleteThroughOther":  m.deleteThroughOther,
		"useLive":             m.useLive,
		"useDeleted":          m.useDeleted,
		"":                    m.invariant,
	}
	if useSkipped(m.sess) != "" {
		delete(actions, "useLive")
		delete(actions, "useDeleted")
	}
	return actions
}

// invariant: the keys the sequence created and still holds never exceed
// the limit in the model (a self-check: a create past the limit is a
// violation reported when it happens).
func (m *machine) invariant(t *rapid.T) {
	for _, b := range m.buckets {
		if n := len(m.model.Live(b)); n > m.b.Limit {
			t.Fatalf("model: bucket %s holds %d created keys, over the limit %d", b, n, m.b.Limit)
		}
	}
}

// invalidCreates are the create requests breaking one constraint each,
// for bucket b, derived once.
func (m *machine) invalidCreates(b string) []spec.Invalid {
	if cases, ok := m.invalid[b]; ok {
		return cases
	}
	var cases []spec.Invalid
	for _, c := range m.sess.Invalid(spec.CreateKey, spec.Resources{Bucket: b}) {
		if !c.OtherOperation {
			cases = append(cases, c)
		}
	}
	m.invalid[b] = cases
	return cases
}

func (m *machine) drawBucket(t *rapid.T) string {
	return m.use(t, rapid.SampledFrom(m.buckets).Draw(t, "bucket"))
}

// use creates a fresh bucket the first time a step needs it: most shrunk
// sequences need one bucket, and every replay while shrinking pays for
// what it creates.
func (m *machine) use(t *rapid.T, b string) string {
	if m.made == nil || m.made[b] {
		return b
	}
	if err := m.sess.CreateBucket(m.ctx, b); err != nil {
		m.abort(t, err)
	}
	m.made[b] = true
	return b
}
