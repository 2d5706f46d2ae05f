package sequence

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/internal/rapidsettings"
)

// Defaults of the property-based search: sized so that a local run takes
// well under a second and still finds every sequence fault of the emulator.
const (
	DefaultSequences = 150
	DefaultSteps     = 8
)

// Checks are the checks the sequences judge (a finding is reported under
// its check's ID, as the fixed scenarios report theirs).
var Checks = []check.ID{
	check.TwoKeyLimit, check.SecretOnlyOnce, check.KeyLifecycle, check.BucketIsolation,
	check.UnknownBucket, check.ValidInputAccepted, check.InvalidInputRejected,
	check.SuccessEnvelope, check.ErrorEnvelope, check.NoServerErrors,
	check.KeyWorks, check.KeyScoped, check.KeyRevoked, // useKey
}

// Run runs the property-based sequences against the session's endpoint,
// with the run's seed and sizes (Target.Sequences, Steps, ShrinkTime,
// StallRuns), and reports the shrunk failure, if any, under its check ID.
// It is a step of every contract.Check run.
func Run(ctx context.Context, sess *engine.Session) error {
	n, steps := sizes(sess)
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

// Test runs the sequences from a Go test under rapid's own go test
// integration: its -rapid.* flags, and its fail files under
// testdata/rapid/, replayed before any random sequence (commit one to keep
// a failing sequence as a regression test). A recorded or replayed session
// runs them as Run does instead (the session's seed and sizes, no fail
// files), so that the recording and its replay send the same requests.
func Test(t *testing.T, sess *engine.Session) {
	t.Helper()
	if tgt := sess.Target(); tgt.Record != "" || tgt.Replay != "" {
		n, steps := sizes(sess)
		m, tb, err := search(t.Context(), sess, n, steps)
		switch {
		case err != nil:
			t.Fatalf("keycontract: %v", sess.Redact(err.Error()))
		case m.found != nil:
			t.Errorf("[%s] %s", m.found.check, m.report(n, steps))
		case tb.failed:
			t.Errorf("keycontract: property-based sequences stopped without a finding: %s", sess.Redact(tb.msg))
		}
		return
	}
	m := newMachine(t.Context(), sess)
	rapidsettings.Hold(func() { rapid.Check(t, m.prop) })
	m.checker.Close()
	m.shrink.note(sess)
	if m.broken != nil {
		t.Fatalf("keycontract: %v", sess.Redact(m.broken.Error()))
	}
}

// sizes are the run's number of sequences and their average length.
func sizes(sess *engine.Session) (n, steps int) {
	tgt := sess.Target()
	return orDefault(tgt.Sequences, DefaultSequences), orDefault(tgt.Steps, DefaultSteps)
}

// search runs n sequences of about steps actions with the session's seed,
// up to sess.Parallel() at once (see searchParallel). After it, m.found and
// m.trail describe the shrunk failure, if any.
func search(ctx context.Context, sess *engine.Session, n, steps int) (*machine, *quietTB, error) {
	if p := sess.Parallel(); p > 1 {
		return searchParallel(ctx, sess, n, steps, p)
	}
	return serialSearch(ctx, sess, uint64(sess.Seed()), n, steps, sess.Begin("sequences", n))
}

// serialSearch is rapid's own search of n sequences from seed, one after
// the other, shrinking the first that fails; phase (nil: none) counts the
// sequences run.
func serialSearch(ctx context.Context, sess *engine.Session, seed uint64, n, steps int, phase *engine.Phase) (*machine, *quietTB, error) {
	m := newMachine(ctx, sess)
	m.phase = phase
	tb := &quietTB{}
	err := rapidsettings.Search(rapidsettings.Settings{Seed: seed, Checks: n, Steps: steps,
		ShrinkTime: rapidShrinkTime(sess), NoFailFile: true}, func() {
		tb.run(func() { rapid.Check(tb, m.prop) })
	})
	m.phase.End()
	m.checker.Close()
	m.shrink.note(sess)
	if err != nil {
		return m, tb, err
	}
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
	defer m.phase.Step()
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
