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
//     (invalid-input's CreateBucket cases: on a faulty endpoint a case
//     makes a bucket of a name the other steps' invalid requests name too,
//     deleted right after) run before anything starts beside the track,
//     as in a serial run they run before the sequences and apart from the
//     key cases;
//   - each step marked apart (invalid-input's cases of the key
//     operations, the longest scenario) in a bucket of its own, beside the
//     track, in a slot of its own when one is free at the start (otherwise
//     in the track, at its place);
//   - the property-based sequences, each in buckets of its own, each
//     holding a slot while it runs: N-2 at first, every slot once the
//     scenarios are done.
//
// Each step runs in a lane (engine.Session.Lane) that holds its verdicts.
// The lanes are handed to the run in the plan's order (handover), each as
// soon as it and every step before it are done, by whichever finishes
// last; each step's "running" line is written once every step before it
// is handed over. So the report, the "[check] FAIL" and "running" lines read
// as in a serial run, whatever finished first. An error (an endpoint that
// stops answering) stops the steps after it in the plan, whose verdicts
// are dropped, and is returned: the run ends as a serial run ending at
// that step would.
func runOverlapped(ctx context.Context, s *engine.Session) error {
	h := &handover{s: s}
	for _, st := range plan {
		if anySelected(s, st.ids) {
			ctx, cancel := context.WithCancel(ctx)
			h.jobs = append(h.jobs, &job{step: st, ctx: ctx, cancel: cancel, done: make(chan struct{}), lane: s.Lane(nil)})
		}
	}
	defer func() {
		for _, j := range h.jobs {
			j.cancel()
		}
	}()
	h.flush()                   // the first step's "running" line
	release, err := s.Slot(ctx) // the track's
	if err != nil {
		return &engine.SetupError{Reason: "interrupted: " + err.Error()}
	}
	for i, j := range h.jobs {
		if j.step.first {
			h.run(i)
		}
	}
	var wg sync.WaitGroup
	for i, j := range h.jobs {
		var free func()
		switch {
		case j.step.judgesOthers:
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
			h.run(i)
		}()
	}
	for i, j := range h.jobs {
		if !j.beside && !j.step.first {
			h.run(i)
		}
	}
	release()
	wg.Wait()
	return h.finish()
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
}

// handover hands the jobs' verdicts to the run in the plan's order.
type handover struct {
	s    *engine.Session
	jobs []*job

	mu        sync.Mutex
	announced int // the jobs whose "running" line is written
	flushed   int // the jobs whose verdicts are handed over
}

// run runs the i-th job's step in its lane (in a bucket of its own for a
// step apart), marks it done, and hands over what is ready; an error stops
// the steps after it.
func (h *handover) run(i int) {
	j := h.jobs[i]
	func() {
		defer close(j.done)
		owner := j.step.ids[0]
		if j.step.judgesOthers {
			owner = ""
		} else {
			j.lane.Drive(j.step.ids...)
		}
		switch {
		case j.ctx.Err() != nil:
			j.err = &engine.SetupError{Reason: "interrupted: " + j.ctx.Err().Error()}
		case j.step.apart && j.beside:
			j.err = j.lane.Guard(j.ctx, owner, apartIn(j.lane, j.step.run))
		default:
			j.err = j.lane.Guard(j.ctx, owner, j.step.run)
		}
	}()
	if j.err != nil {
		for _, later := range h.jobs[i+1:] {
			later.cancel()
		}
	}
	h.flush()
}

// flush hands over what is ready (flushReady).
func (h *handover) flush() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushReady()
}

// flushReady hands over, in order, the verdicts of every job done whose
// predecessors are all handed over, up to the first that ended in an
// error (whose verdicts are handed over too). Each job's "running" line is
// written once every job before it is handed over, so that it follows
// their verdicts as in a serial run. The caller holds h.mu.
func (h *handover) flushReady() {
	for ; h.flushed < len(h.jobs); h.flushed++ {
		k, j := h.flushed, h.jobs[h.flushed]
		if k > 0 && h.jobs[k-1].err != nil {
			return
		}
		if h.announced == k {
			h.announced++
			switch {
			case j.step.judgesOthers:
				h.s.Progress("running property-based sequences")
			case k == 0 || !slices.Equal(j.step.ids, h.jobs[k-1].step.ids):
				h.s.Progress("running %v", j.step.ids)
			}
		}
		select {
		case <-j.done:
		default:
			return
		}
		j.lane.Flush()
	}
}

// finish, once every job is done, hands over what is left, drops the
// verdicts of the jobs after the first error, and returns that error.
func (h *handover) finish() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.flushReady()
	for _, j := range h.jobs {
		if j.err != nil {
			for _, later := range h.jobs[h.flushed:] {
				later.lane.Discard()
			}
			return j.err
		}
	}
	return nil
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
