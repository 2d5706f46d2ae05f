// Package contract checks that an endpoint implements the Lightsail bucket
// access key contract: the success and error envelopes, the two-keys-per-bucket
// limit, and a secret access key returned once, at creation, and never again.
//
// Check runs every named check against a Target and returns a Report; Run does
// the same from a Go test, one subtest per check, in the manner of
// testing/fstest.TestFS. Each violation wraps the sentinel error of its check
// (ErrTwoKeyLimit, ...) so that callers can use errors.Is.
//
// Every check is part of Check: the fixed scenarios of this package, and
// the property-based sequences and concurrent-limit, whose drivers live
// under fuzz/ (fuzz/sequence and fuzz/concurrent) and are imported here.
// Package fuzz adds rapid's go test integration (fail files) to a Go test.
package contract

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/fuzz/concurrent"
	"github.com/keycontract/keycontract/fuzz/sequence"
)

// driver drives the endpoint for the checks of a step of the plan.
type driver func(ctx context.Context, s *engine.Session) error

// step is a step of the plan: a driver and the checks it judges. It runs
// when any of them is selected.
type step struct {
	ids []check.ID
	run driver
	// judgesOthers: the driver judges checks that other steps drive (the
	// property-based sequences judge the scenarios' checks again, on
	// random sequences), so it neither marks them as run nor owns a panic
	// of its own (a panic in it ends the run).
	judgesOthers bool
	// apart: the step needs only a bucket of its own and leaves it as it
	// found it, so a parallel run gives it one and runs it beside the
	// other scenarios (runOverlapped).
	apart bool
	// first: a parallel run runs the step before anything beside it
	// starts: it makes what the steps beside could meet (runOverlapped).
	first bool
}

// plan is every check of the contract, in the order the run drives them.
// Each scenario has its check (or checks); the passive checks (envelopes,
// no-server-errors) share the tour and also judge every other step's
// exchanges.
var plan = []step{
	{ids: []check.ID{check.SuccessEnvelope, check.ErrorEnvelope, check.NoServerErrors}, run: tour},
	{ids: []check.ID{check.ValidInputAccepted}, run: validInput},
	{ids: []check.ID{check.InvalidInputRejected}, run: invalidKeyInput, apart: true},
	{ids: []check.ID{check.InvalidInputRejected}, run: invalidBucketInput, first: true},
	{ids: []check.ID{check.InvalidInputRejected}, run: invalidBucketOtherInput},
	{ids: []check.ID{check.UnknownBucket}, run: unknownBucket},
	{ids: []check.ID{check.TwoKeyLimit}, run: twoKeyLimit},
	{ids: []check.ID{check.SecretOnlyOnce}, run: secretOnlyOnce},
	{ids: []check.ID{check.KeyLifecycle}, run: keyLifecycle},
	{ids: []check.ID{check.BucketIsolation}, run: bucketIsolation},
	{ids: []check.ID{check.AuthRequired}, run: authRequired},
	{ids: check.DataPlane, run: dataPlane},
	{ids: sequence.Checks, run: sequence.Run, judgesOthers: true},
	{ids: []check.ID{check.ConcurrentLimit}, run: concurrent.Run},
}

// Check runs every selected check against t and returns the report. The
// error is non-nil when the run could not be made (bad target, unusable
// buckets, an endpoint that does not answer): a *SetupError or an
// *EndpointError, with a report of what was seen until then. Whatever
// happens, everything the run created is deleted before Check returns.
func Check(ctx context.Context, t Target) (Report, error) {
	started := time.Now()
	s, err := engine.Start(t)
	if err != nil {
		return Report{}, err
	}
	s.JudgeEveryExchange()
	tgt := s.Target()
	if tgt.Replay != "" {
		s.Progress("replaying %s (%d exchanges recorded against %s) with %s (seed %d)", tgt.Replay, s.ReplayedExchanges(), tgt.Endpoint, s.Doc().Name, s.Seed())
	} else {
		s.Progress("checking %s with %s (seed %d)", tgt.Endpoint, s.Doc().Name, s.Seed())
	}
	runErr := s.Setup(ctx)
	if runErr == nil {
		runErr = runPlan(ctx, s)
	}
	return s.Finish(started, runErr)
}

// runPlan runs the steps of the plan whose checks are selected. A panic
// inside a check is recovered and reported as that check's failure; an
// endpoint that stops answering ends the run.
func runPlan(ctx context.Context, s *engine.Session) error {
	if s.Parallel() > 1 {
		return runOverlapped(ctx, s)
	}
	var prev step
	for _, st := range plan {
		if !anySelected(s, st.ids) {
			continue
		}
		owner := st.ids[0]
		if st.judgesOthers {
			owner = ""
			s.Progress("running property-based sequences")
		} else {
			if !slices.Equal(st.ids, prev.ids) {
				s.Progress("running %v", st.ids)
			}
			s.Drive(st.ids...)
		}
		prev = st
		if err := s.Guard(ctx, owner, st.run); err != nil {
			return err
		}
	}
	return nil
}

func anySelected(s *engine.Session, ids []check.ID) bool {
	for _, id := range ids {
		if s.Selected(id) {
			return true
		}
	}
	return false
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
