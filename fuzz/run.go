package fuzz

import (
	"context"
	"flag"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/contract/check"
)

// Defaults of the property-based search: sized so that a local run takes
// well under a second and still finds every sequence fault of the emulator.
const (
	DefaultSequences = 150
	DefaultSteps     = 8
)

// sequenceChecks are the checks the sequences judge.
var sequenceChecks = []check.ID{
	check.TwoKeyLimit, check.SecretOnlyOnce, check.KeyLifecycle, check.BucketIsolation,
	check.UnknownBucket, check.ValidInputAccepted, check.InvalidInputRejected,
	check.SuccessEnvelope, check.ErrorEnvelope, check.NoServerErrors,
}

func init() { contract.RegisterExtension(extend) }

// extend adds the sequences and concurrent-limit to a contract.Check run.
func extend(ctx context.Context, sess *contract.Session) error {
	if anySelected(sess, sequenceChecks) {
		sess.Progress("running property-based sequences")
		if err := sequences(ctx, sess); err != nil {
			return err
		}
	}
	if sess.Selected(check.ConcurrentLimit) {
		sess.Progress("running [concurrent-limit]")
		sess.Drove(check.ConcurrentLimit)
		return concurrentLimit(ctx, sess)
	}
	return nil
}

func anySelected(sess *contract.Session, ids []check.ID) bool {
	for _, id := range ids {
		if sess.Selected(id) {
			return true
		}
	}
	return false
}

// rapidFlags guards rapid's process-wide settings.
var rapidFlags sync.Mutex

// sequences runs the state machine under rapid outside a Go test, with the
// run's seed, and reports the shrunk failure under its check ID.
func sequences(ctx context.Context, sess *contract.Session) error {
	tgt := sess.Target()
	n, steps := orDefault(tgt.Sequences, DefaultSequences), orDefault(tgt.Steps, DefaultSteps)
	m, tb, err := search(ctx, sess, n, steps)
	switch {
	case err != nil:
		return err
	case m.found != nil:
		sess.Fail(m.found.check, m.report(n, steps), m.foundTrail...)
	case tb.failed:
		// A panic or a harness fault, not a finding: the run cannot vouch
		// for the sequences' checks.
		return fmt.Errorf("property-based sequences stopped without a finding: %s", firstLine(sess.Redact(tb.msg)))
	}
	return nil
}

// search runs n sequences of about steps actions with the session's seed.
// After it, m.found and m.trail describe the shrunk failure, if any.
func search(ctx context.Context, sess *contract.Session, n, steps int) (*machine, *quietTB, error) {
	rapidFlags.Lock()
	defer rapidFlags.Unlock()
	// rapid reads testing's flags (testing.Short), which outside a test
	// binary exist only once registered and parsed.
	testing.Init()
	if !flag.Parsed() {
		flag.CommandLine.Parse(nil)
	}
	for name, v := range map[string]string{
		"rapid.seed": fmt.Sprint(sess.Seed()), "rapid.checks": fmt.Sprint(n),
		"rapid.steps": fmt.Sprint(steps), "rapid.nofailfile": "true",
		"rapid.shrinktime": rapidShrinkTime(sess).String(),
	} {
		if f := flag.Lookup(name); f != nil {
			defer flag.Set(name, f.Value.String()) // a go test's own rapid flags stay its own
		}
		if err := flag.Set(name, v); err != nil {
			return nil, nil, fmt.Errorf("configuring rapid: %w", err)
		}
	}
	m := newMachine(ctx, sess)
	tb := &quietTB{}
	tb.run(func() { rapid.Check(tb, m.prop) })
	m.checker.Close()
	m.shrink.note(sess)
	return m, tb, m.broken
}

// prop is one sequence: it starts from the buckets' current state and
// deletes what it created at its end.
func (m *machine) prop(t *rapid.T) {
	if m.broken != nil || m.found != nil && m.shrink.spent() {
		return
	}
	defer func() {
		// rapid ends a failing sequence with a panic of its own; any other
		// (a transport's, say) is the harness failing, not the endpoint,
		// and ends the run as an error.
		if p := recover(); p != nil {
			if fromRapid(p) {
				panic(p)
			}
			m.broken = fmt.Errorf("panic in a property-based sequence: %v", p)
		}
	}()
	m.begin(t)
	defer m.end()
	t.Repeat(m.actions())
	m.collect(t) // the last steps' checks
}

// fromRapid reports whether a panic is rapid's own control flow.
func fromRapid(p any) bool {
	t := reflect.TypeOf(p)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == "pgregory.net/rapid"
}

// report describes a shrunk failure: the finding, the sequence's length,
// and how to replay it.
func (m *machine) report(n, steps int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nshrunk to a sequence of %d steps (seed %d)\nreplay: %s", m.found.msg, m.foundSteps, m.sess.Seed(), m.replayLine(n, steps))
	for _, ex := range m.foundTrail {
		fmt.Fprintf(&b, "\n  %s", m.sess.Curl(ex))
	}
	return b.String()
}

func (m *machine) replayLine(n, steps int) string {
	return m.sess.ReplayCommand("-sequences", fmt.Sprint(n), "-steps", fmt.Sprint(steps), "-checks", string(m.found.check))
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// Run checks target from a Go test with the property-based sequences (one
// subtest, shrunk by rapid, with rapid's fail files for regressions) and
// concurrent-limit (another). The run's buckets are set up first and
// everything it created is deleted when the test ends. Messages are
// redacted.
func Run(t *testing.T, target contract.Target) {
	t.Helper()
	sess, err := contract.Open(t.Context(), target)
	if err != nil {
		t.Fatalf("keycontract: %v", err)
	}
	t.Cleanup(func() {
		if err := sess.Close(); err != nil {
			t.Errorf("keycontract: cleanup: %v", sess.Redact(err.Error()))
		}
	})
	t.Run("sequences", func(t *testing.T) {
		if tgt := sess.Target(); tgt.Record != "" || tgt.Replay != "" {
			evidenceSequences(t, sess)
			return
		}
		m := newMachine(t.Context(), sess)
		rapid.Check(t, m.prop)
		m.checker.Close()
		m.shrink.note(sess)
		if m.broken != nil {
			t.Fatalf("keycontract: %v", sess.Redact(m.broken.Error()))
		}
	})
	t.Run(string(check.ConcurrentLimit), func(t *testing.T) {
		h, err := raceHistory(t.Context(), sess)
		if err != nil {
			t.Fatalf("keycontract: %v", sess.Redact(err.Error()))
		}
		if msg, bad := h.check(sess, ""); bad {
			t.Errorf("%s", msg)
		}
	})
}

// evidenceSequences runs the sequences of a recorded or replayed go test
// as the CLI does: rapid pinned to the session's seed and sizes, and no
// fail files, so that the recording and its replay send the same requests.
func evidenceSequences(t *testing.T, sess *contract.Session) {
	tgt := sess.Target()
	n, steps := orDefault(tgt.Sequences, DefaultSequences), orDefault(tgt.Steps, DefaultSteps)
	m, tb, err := search(t.Context(), sess, n, steps)
	switch {
	case err != nil:
		t.Fatalf("keycontract: %v", sess.Redact(err.Error()))
	case m.found != nil:
		t.Errorf("[%s] %s", m.found.check, m.report(n, steps))
	case tb.failed:
		t.Errorf("keycontract: property-based sequences stopped without a finding: %s", sess.Redact(tb.msg))
	}
}

// quietTB runs rapid outside a Go test: it records the failure instead of
// ending a test.
type quietTB struct {
	failed bool
	msg    string
}

type failNow struct{}

func (q *quietTB) run(f func()) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(failNow); !ok {
				panic(p)
			}
		}
	}()
	f()
}

func (*quietTB) Helper()                     {}
func (*quietTB) Name() string                { return "keycontract" }
func (*quietTB) Logf(string, ...any)         {}
func (*quietTB) Log(...any)                  {}
func (*quietTB) Skipf(string, ...any)        { panic(failNow{}) }
func (*quietTB) Skip(...any)                 { panic(failNow{}) }
func (*quietTB) SkipNow()                    { panic(failNow{}) }
func (q *quietTB) Errorf(f string, a ...any) { q.Error(fmt.Sprintf(f, a...)) }
func (q *quietTB) Error(a ...any) {
	q.failed = true
	if q.msg == "" {
		q.msg = fmt.Sprint(a...)
	}
}
func (q *quietTB) Fatalf(f string, a ...any) { q.Errorf(f, a...); q.FailNow() }
func (q *quietTB) Fatal(a ...any)            { q.Error(a...); q.FailNow() }
func (*quietTB) FailNow()                    { panic(failNow{}) }
func (q *quietTB) Fail()                     { q.failed = true }
func (q *quietTB) Failed() bool              { return q.failed }
