package contract

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/keycontract/keycontract/contract/check"
)

// scenarios maps each actively driven check to the scenario that drives it,
// in the order they run. The passive checks (envelopes, no-server-errors)
// share the tour and also judge every other scenario's exchanges.
var scenarios = []struct {
	ids []check.ID
	run scenario
}{
	{[]check.ID{check.SuccessEnvelope, check.ErrorEnvelope, check.NoServerErrors}, tour},
	{[]check.ID{check.ValidInputAccepted}, validInput},
	{[]check.ID{check.InvalidInputRejected}, invalidInput},
	{[]check.ID{check.UnknownBucket}, unknownBucket},
	{[]check.ID{check.TwoKeyLimit}, twoKeyLimit},
	{[]check.ID{check.SecretOnlyOnce}, secretOnlyOnce},
	{[]check.ID{check.KeyLifecycle}, keyLifecycle},
	{[]check.ID{check.BucketIsolation}, bucketIsolation},
	{[]check.ID{check.AuthRequired}, authRequired},
}

// Extension adds checks that live outside this package (the property-based
// sequences and concurrent-limit of package fuzz) to a run. It gets the
// run's Session and reports through it.
type Extension func(ctx context.Context, s *Session) error

var extensions []Extension

// notYet holds the skip reasons of checks no scenario or extension drives.
var notYet = map[check.ID]string{
	check.ConcurrentLimit: "driven by package fuzz: import it (the CLI does) or call fuzz.Run",
}

// Check runs every selected check against t and returns the report. The
// error is non-nil when the run could not be made (bad target, unusable
// buckets, an endpoint that does not answer): a *SetupError or an
// *EndpointError, with a report of what was seen until then. Whatever
// happens, everything the run created is deleted before Check returns.
func Check(ctx context.Context, t Target) (rep Report, err error) {
	started := time.Now()
	replay, err := openReplay(&t)
	if err != nil {
		return Report{}, err
	}
	if err := t.validate(); err != nil {
		return Report{}, &SetupError{err.Error()}
	}
	doc, err := t.document()
	if err != nil {
		return Report{}, &SetupError{err.Error()}
	}
	seed := t.Seed
	if seed == 0 {
		seed = mrand.Int64N(1<<31) + 1
	}
	s, err := newSession(&t, doc, seed)
	if err != nil {
		return Report{}, err
	}
	if err := s.startEvidence(replay); err != nil {
		return Report{}, err
	}
	judge := newPassive(s)
	s.c.onJudge = judge.judge
	if replay != nil {
		s.progress("replaying %s (%d exchanges recorded against %s) with %s (seed %d)", t.Replay, len(replay.Steps), t.Endpoint, doc.Name, seed)
	} else {
		s.progress("checking %s with %s (seed %d)", t.Endpoint, doc.Name, seed)
	}
	runErr := recovered("set-up", func() error { return s.setup(ctx) })
	if runErr == nil {
		runErr = s.runAll(ctx)
	}
	s.progress("cleaning up")
	cleanupErr := s.safeCleanup()
	judge.finish()
	rep = s.report(started)
	if err := s.finishEvidence(&rep, runErr); err != nil && runErr == nil {
		runErr = err
	}
	if cleanupErr != nil {
		rep.Cleanup = s.red.String(fmt.Sprintf("cleanup incomplete (run keycontract sweep): %v", cleanupErr))
	}
	return rep, runErr
}

// panicError is a panic recovered outside a check: during set-up or
// cleanup.
type panicError struct {
	what string
	p    any
}

func (e *panicError) Error() string { return fmt.Sprintf("panic during %s: %v", e.what, e.p) }

// recovered runs fn and turns a panic into a *panicError, so that a panic
// in set-up still ends in cleanup.
func recovered(what string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{what, p}
		}
	}()
	return fn()
}

// safeCleanup runs cleanup; a panic in it (which loses at most the request
// it happened in) is recovered and cleanup runs once more from its ledger,
// which holds whatever is still undeleted. The panic is reported either way.
func (s *session) safeCleanup() error {
	err := recovered("cleanup", s.cleanup)
	var pe *panicError
	if !errors.As(err, &pe) {
		return err
	}
	if again := recovered("cleanup", s.cleanup); again != nil {
		return errors.Join(err, again)
	}
	return fmt.Errorf("%w (recovered; cleanup retried and completed)", err)
}

// runAll runs the selected scenarios, then the extensions. A panic inside a
// check is recovered and reported as that check's failure; an endpoint that
// stops answering ends the run.
func (s *session) runAll(ctx context.Context) error {
	for _, sc := range scenarios {
		if !s.anySelected(sc.ids) {
			continue
		}
		s.progress("running %v", sc.ids)
		s.mu.Lock()
		for _, id := range sc.ids {
			s.ran[id] = true
		}
		s.mu.Unlock()
		if err := s.guard(ctx, sc.ids[0], sc.run); err != nil {
			return err
		}
	}
	for _, ext := range extensions {
		if err := s.guard(ctx, "", func(ctx context.Context, s *session) error { return ext(ctx, &Session{s}) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) anySelected(ids []check.ID) bool {
	for _, id := range ids {
		if s.t.selected(id) {
			return true
		}
	}
	return false
}

func (s *session) guard(ctx context.Context, id check.ID, sc scenario) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if id == "" {
				err = fmt.Errorf("panic inside a check: %v", p)
				return
			}
			s.fail(id, fmt.Sprintf("panic inside the check: %v", p))
			err = nil
		}
	}()
	if err := ctx.Err(); err != nil {
		return &SetupError{"interrupted: " + err.Error()}
	}
	return sc(ctx, s)
}

func (s *session) report(started time.Time) Report {
	rep := Report{
		Tool: "keycontract", Version: Version(), Seed: s.seed, Started: started.UTC(),
		Target:     ReportTarget{Endpoint: s.t.Endpoint, Dialect: s.b.Dialect, Spec: s.doc.Name},
		DurationMS: time.Since(started).Milliseconds(),
		Requests:   s.c.requests.Load(), Retries: s.c.retries.Load(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rep.Visualization = s.viz
	rep.Replay = s.replayLine()
	for _, info := range check.All() {
		res := CheckResult{ID: info.ID, Status: Pass, Failures: []Failure{}}
		switch {
		case !s.t.selected(info.ID):
			res.Status, res.Reason = Skip, "not selected by -checks"
		case len(s.violations[info.ID]) > 0:
			res.Status = Fail
			for _, v := range s.violations[info.ID] {
				// Redacted again: a concurrent response may have shown a
				// secret before its create was observed.
				f := Failure{Message: s.red.String(v.Message), Exchanges: []RecordedExchange{}}
				for _, ex := range v.Exchanges {
					f.Exchanges = append(f.Exchanges, ex.Record(s.red))
				}
				res.Failures = append(res.Failures, f)
			}
		case !s.ran[info.ID] && !s.extended[info.ID] && notYet[info.ID] == "":
			res.Status, res.Reason = Skip, "not run: the run ended before this check"
		case s.skips[info.ID] != "":
			res.Status, res.Reason = Skip, s.skips[info.ID]
		case notYet[info.ID] != "" && !s.extended[info.ID]:
			res.Status, res.Reason = Skip, notYet[info.ID]
		}
		switch res.Status {
		case Pass:
			rep.Summary.Passed++
		case Fail:
			rep.Summary.Failed++
		default:
			rep.Summary.Skipped++
		}
		rep.Checks = append(rep.Checks, res)
	}
	return rep
}

// joinIDs joins check IDs with commas, as -checks takes them.
func joinIDs(ids []check.ID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = string(id)
	}
	return strings.Join(names, ",")
}

// replayLine is the command that runs the same checks against the same
// target with the same seed (and, for a recorded run, its offline replay).
func (s *session) replayLine() string {
	var extra []string
	if len(s.t.Checks) > 0 {
		extra = []string{"-checks", joinIDs(s.t.Checks)}
	}
	line := s.replayCommand(extra...)
	if s.t.Record != "" && s.t.Replay == "" {
		line += "\nkeycontract run -replay " + s.t.Record + "   # offline, from this run's recording"
	}
	return line
}

// replayCommand is `keycontract run` with the flags that reach the same
// target (Target.ReplayArgs, or -endpoint), the run's seed, and extra; for
// a replayed run, its -replay line, which fixes all of those.
func (s *session) replayCommand(extra ...string) string {
	if s.t.Replay != "" {
		return "keycontract run -replay " + s.t.Replay
	}
	args := []string{"keycontract", "run"}
	if len(s.t.ReplayArgs) > 0 {
		args = append(args, s.t.ReplayArgs...)
	} else {
		args = append(args, "-endpoint", s.t.Endpoint)
	}
	args = append(append(args, "-seed", fmt.Sprint(s.seed)), extra...)
	return strings.Join(args, " ")
}

// Run checks t from a Go test, one subtest per check ID, in the manner of
// testing/fstest.TestFS: each violation is reported with t.Errorf, redacted.
// A run that cannot be made fails the test at once.
func Run(t *testing.T, target Target) {
	t.Helper()
	rep, err := Check(t.Context(), target)
	if err != nil {
		t.Fatalf("keycontract: %v", err)
	}
	if rep.Cleanup != "" {
		t.Errorf("keycontract: %s", rep.Cleanup)
	}
	for _, c := range rep.Checks {
		t.Run(string(c.ID), func(t *testing.T) {
			switch c.Status {
			case Skip:
				t.Skip(c.Reason)
			case Fail:
				for _, f := range c.Failures {
					t.Errorf("%s", f.Message)
				}
			}
		})
	}
}
