package contract

import (
	"context"
	"sync"

	"github.com/keycontract/keycontract/contract/engine"
)

// runOverlapped is runPlan for a run of -parallel N (N > 1) whose
// sequences have buckets of their own: the property-based sequences never
// touch the run's buckets, so they run beside the fixed scenarios, with
// N-1 sequences at once, while the scenarios run one after the other on
// the run's buckets as before. Whatever finishes first, the verdicts reach
// the report, and the progress lines reach stderr, in the plan's order:
// the steps after the sequences run in a lane each, flushed after the
// sequences' own. An error (an endpoint that stops answering) ends the run
// as the first error in the plan's order does in runPlan; the steps the
// serial run would not have reached are dropped.
func runOverlapped(ctx context.Context, s *engine.Session) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		seqs    = -1 // the plan's index of the sequences' step
		seqLane *engine.Session
		seqErr  error
		wg      sync.WaitGroup
	)
	for i, st := range plan {
		if st.judgesOthers && anySelected(s, st.ids) {
			seqs, seqLane = i, s.Beside(s.Parallel()-1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				seqErr = seqLane.Guard(ctx, "", st.run)
			}()
		}
	}
	var after []*engine.Session // the lanes of the steps after the sequences
	var err error
	for i, st := range plan {
		if !anySelected(s, st.ids) {
			continue
		}
		if i == seqs {
			s.Progress("running property-based sequences")
			continue
		}
		run := s
		if seqs >= 0 && i > seqs {
			run = s.Lane(nil)
			after = append(after, run)
		}
		s.Progress("running %v", st.ids)
		run.Drive(st.ids...)
		if err = run.Guard(ctx, st.ids[0], st.run); err != nil {
			if seqs < 0 || i < seqs {
				cancel() // the sequences come after this step: a serial run never starts them
			}
			break
		}
	}
	wg.Wait()
	switch {
	case seqs >= 0 && err != nil && len(after) == 0:
		// The run ended before the sequences' place in the plan.
		seqLane.Discard()
		return err
	case seqErr != nil:
		seqLane.Flush()
		return seqErr
	}
	if seqLane != nil {
		seqLane.Flush()
	}
	for _, l := range after {
		l.Flush()
	}
	return err
}
