package engine

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/contract/report"
)

// A run's life: Start (the target checked, a replay loaded, a recording
// opened), Setup (the buckets), the drivers of the checks (each under
// Guard), then Finish (cleanup, whatever happened, and the report). Open
// and Close do the same for a driver that reports through a Go test.

// Start prepares a run against t: it validates t, loads its description
// (and its recording, for a replay), picks the seed when t has none, and
// opens its recording. Nothing is sent yet.
func Start(t Target) (*Session, error) {
	replay, err := openReplay(&t)
	if err != nil {
		return nil, err
	}
	if err := t.validate(); err != nil {
		return nil, &SetupError{err.Error()}
	}
	doc, err := t.document()
	if err != nil {
		return nil, &SetupError{err.Error()}
	}
	seed := t.Seed
	if seed == 0 {
		seed = mrand.Int64N(1<<31) + 1
	}
	s, err := newSession(&t, doc, seed)
	if err != nil {
		return nil, err
	}
	if err := s.startEvidence(replay); err != nil {
		return nil, err
	}
	return s, nil
}

// Setup makes the run's buckets ready (see setup). A panic in it is
// recovered as an error, so that cleanup still runs.
func (s *Session) Setup(ctx context.Context) error {
	return recovered("set-up", func() error { return s.setup(ctx) })
}

// Open starts a run against t and sets up its buckets, for a driver that
// reports through a Go test (fuzz.Run); Close deletes everything it
// created.
func Open(ctx context.Context, t Target) (*Session, error) {
	s, err := Start(t)
	if err != nil {
		return nil, err
	}
	if err := s.Setup(ctx); err != nil {
		s.safeCleanup()
		return nil, err
	}
	return s, nil
}

// Close deletes everything the session created, then finishes its
// recording (without verdicts: a Go test has them) or checks that its
// replay asked for every recorded exchange.
func (s *Session) Close() error {
	err := s.safeCleanup()
	rep := report.Report{Started: time.Now().UTC(), Target: report.Target{Endpoint: s.t.Endpoint, Dialect: s.b.Dialect, Spec: s.doc.Name}}
	return errors.Join(err, s.finishEvidence(&rep, err))
}

// JudgeEveryExchange makes the checks that hold for every exchange (the
// envelopes, no-server-errors, the limit in every list, secret-only-once
// across all later responses) judge each exchange the run sends from now
// on, except those a driver judges itself (Send, SendJSON, ReadKeys).
func (s *Session) JudgeEveryExchange() {
	s.passive = newPassive(s)
	s.c.OnJudge = s.passive.judge
}

// Drive marks checks as driven in this run: a check selected but never
// driven is reported as not run (the run ended before it).
func (s *Session) Drive(ids ...check.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.ran[id] = true
	}
}

// Guard runs a check's driver. A panic inside it is recovered: reported as
// check id's failure, or, with no id (a driver of several checks), as an
// error that ends the run. An interrupted run (ctx done) does not start it.
func (s *Session) Guard(ctx context.Context, id check.ID, driver func(context.Context, *Session) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if id == "" {
				err = fmt.Errorf("panic inside a check: %v", p)
				return
			}
			s.Fail(id, fmt.Sprintf("panic inside the check: %v", p))
			err = nil
		}
	}()
	if err := ctx.Err(); err != nil {
		return &SetupError{"interrupted: " + err.Error()}
	}
	return driver(ctx, s)
}

// Finish ends the run: it cleans up everything the run created (whatever
// happened before), builds the report, and finishes the recording. runErr
// is what ended the run early, if anything; the error returned is runErr,
// or the recording's or replay's own when there is none.
func (s *Session) Finish(started time.Time, runErr error) (report.Report, error) {
	s.Progress("cleaning up")
	cleanupErr := s.safeCleanup()
	if s.passive != nil {
		s.passive.finish()
	}
	rep := s.report(started)
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
func (s *Session) safeCleanup() error {
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

// report builds the run's report: every check, with its verdict.
func (s *Session) report(started time.Time) report.Report {
	rep := report.Report{
		Tool: "keycontract", Version: report.Version(), Seed: s.seed, Started: started.UTC(),
		Target:     report.Target{Endpoint: s.t.Endpoint, Dialect: s.b.Dialect, Spec: s.doc.Name},
		DurationMS: time.Since(started).Milliseconds(),
		Requests:   s.c.Requests(), Retries: s.c.Retries(),
		Measured: s.measured(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rep.Visualization = s.viz
	rep.Replay = s.replayLine()
	for _, info := range check.All() {
		res := report.CheckResult{ID: info.ID, Status: report.Pass, Failures: []report.Failure{}}
		switch {
		case !s.t.selected(info.ID):
			res.Status, res.Reason = report.Skip, "not selected by -checks"
		case len(s.violations[info.ID]) > 0:
			res.Status = report.Fail
			for _, v := range s.violations[info.ID] {
				// Redacted again: a concurrent response may have shown a
				// secret before its create was observed.
				f := report.Failure{Message: s.red.String(v.Message), Exchanges: []exchange.Recorded{}}
				for _, ex := range v.Exchanges {
					f.Exchanges = append(f.Exchanges, ex.Record(s.red))
				}
				res.Failures = append(res.Failures, f)
			}
		case !s.ran[info.ID]:
			res.Status, res.Reason = report.Skip, "not run: the run ended before this check"
		case s.skips[info.ID] != "":
			res.Status, res.Reason = report.Skip, s.skips[info.ID]
		default:
			res.Reason = s.red.String(strings.Join(s.remarks[info.ID], "; "))
		}
		switch res.Status {
		case report.Pass:
			rep.Summary.Passed++
		case report.Fail:
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
func (s *Session) replayLine() string {
	var extra []string
	if len(s.t.Checks) > 0 {
		extra = []string{"-checks", joinIDs(s.t.Checks)}
	}
	line := s.ReplayCommand(extra...)
	if s.t.Record != "" && s.t.Replay == "" {
		line += "\nkeycontract run -replay " + s.t.Record + "   # offline, from this run's recording"
	}
	return line
}

// ReplayCommand is `keycontract run` with the flags that reach the same
// target (Target.ReplayArgs, or -endpoint), the run's seed, and extra; for
// a replayed run, its -replay line, which fixes all of those.
func (s *Session) ReplayCommand(extra ...string) string {
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
