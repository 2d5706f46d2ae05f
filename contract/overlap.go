package contract

import (
	"context"
	"slices"
	"sync"

	"github.com/keycontract/keycontract/contract/engine"
)

// runOverlapped is runPlan for a run of -parallel N (N > 1) whose
// sequences have buckets of their own. The plan runs as three kinds of
// work, holding at most N of the run's slots (engine.Session.Slot) at once:
//
//   - the track: the fixed scenarios on the run's buckets, one after the
//     other as in a serial run (they share those buckets, each starting
//     and ending with them empty), then the steps after the sequences
//     (concurrent-limit, on bucket A); one slot. The steps marked first
//     (invalid-input's CreateBucket cases, which on a faulty endpoint make
//     buckets of names the other steps' invalid requests name too) run
//     before anything starts beside the track, as they run before the
//     sequences and apart from the key cases in a serial run;
//   - each step marked apart (invalid-input's cases of the key operations,
//     the longest scenario) in a bucket of its own, beside the track, in a slot of its own when one
//     is free at the start (otherwise in the track, at its place);
//   - the property-based sequences, each in buckets of its own, each
//     holding a slot while it runs: N-2 at first, every slot once the
//     scenarios are done.
//
// Each step runs in a lane (engine.Session.Lane) that holds its verdicts,
// and the lanes are handed to the run in the plan's order, each as soon as
// it and every step before it are done: the report, the "[check] FAIL"
// lines and the "running" lines read as in a serial run, whatever
// finished first. An error (an endpoint that stops answering) stops the
// steps after it in the plan, whose verdicts are dropped, and is returned:
// the run ends as a serial run ending at that step would.
func runOverlapped(ctx context.Context, s *engine.Session) error {
	var jobs []*job
	for _, st := range plan {
		if anySelected(s, st.ids) {
			ctx, cancel := context.WithCancel(ctx)
			jobs = append(jobs, &job{step: st, ctx: ctx, cancel: cancel, done: make(chan struct{})})
		}
	}
	defer func() {
		for _, j := range jobs {
			j.cancel()
		}
	}()
	stopAfter := func(i int) {
		for _, j := range jobs[i+1:] {
			j.cancel()
		}
	}
	release, err := s.Slot(ctx) // the track's
	if err != nil {
		return &engine.SetupError{Reason: "interrupted: " + err.Error()}
	}
	for i, j := range jobs {
		if j.step.first {
			j.lane = s.Lane(nil)
			j.run(stopAfter, i)
		}
	}
	var wg sync.WaitGroup
	for i, j := range jobs {
		var free func()
		switch {
		case j.step.judgesOthers:
			j.lane = s.Lane(nil)
		case j.step.apart:
			var ok bool
			if free, ok = s.TrySlot(); !ok {
				continue // no slot to spare: in the track, at its place
			}
			j.lane = s.Lane(s.FreshBucketNames())
		default:
			continue
		}
		j.beside = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			if free != nil {
				defer free()
			}
			j.run(stopAfter, i)
		}()
	}
	for i, j := range jobs {
		switch {
		case j.step.judgesOthers:
			s.Progress("running property-based sequences")
		case i == 0 || !slices.Equal(j.step.ids, jobs[i-1].step.ids):
			s.Progress("running %v", j.step.ids)
		}
		if !j.beside && !j.step.first {
			j.lane = s.Lane(nil)
			j.run(stopAfter, i)
		}
		flushReady(jobs, false)
	}
	release()
	wg.Wait()
	return flushReady(jobs, true)
}

// job is a step of the plan in a run of -parallel N.
type job struct {
	step   step
	ctx    context.Context
	cancel context.CancelFunc
	lane   *engine.Session
	beside bool // runs beside the track, in a goroutine of its own
	err    error
	done   chan struct{}

	flushed bool
}

// run runs the job's step in its lane (in a bucket of its own for a step
// apart), then marks it done; an error stops the steps after it (the i-th
// of the plan's selected steps).
func (j *job) run(stopAfter func(int), i int) {
	defer close(j.done)
	l := j.lane
	owner := j.step.ids[0]
	if j.step.judgesOthers {
		owner = ""
	} else {
		l.Drive(j.step.ids...)
	}
	if err := j.ctx.Err(); err != nil {
		j.err = &engine.SetupError{Reason: "interrupted: " + err.Error()}
	} else if j.step.apart && j.beside {
		j.err = l.Guard(j.ctx, owner, apartIn(l, j.step.run))
	} else {
		j.err = l.Guard(j.ctx, owner, j.step.run)
	}
	if j.err != nil {
		stopAfter(i)
	}
}

// apartIn runs d in a lane's own bucket A: made first, deleted after.
func apartIn(l *engine.Session, d driver) driver {
	return func(ctx context.Context, s *engine.Session) error {
		a := l.Buckets()[:1]
		if err := s.CreateBucket(ctx, a[0]); err != nil {
			return err
		}
		defer s.DropBuckets(context.WithoutCancel(ctx), a, nil)
		return d(ctx, s)
	}
}

// flushReady hands the run the verdicts of every job done whose
// predecessors are all done, in the plan's order, up to the first that
// ended in an error: that job's verdicts are handed over too. With final
// (every job done), those after it are dropped and its error returned.
func flushReady(jobs []*job, final bool) error {
	for i, j := range jobs {
		select {
		case <-j.done:
		default:
			return nil
		}
		if !j.flushed {
			j.lane.Flush()
			j.flushed = true
		}
		if j.err != nil {
			if !final {
				return nil
			}
			for _, later := range jobs[i+1:] {
				<-later.done
				if !later.flushed {
					later.lane.Discard()
					later.flushed = true
				}
			}
			return j.err
		}
	}
	return nil
}
