package engine

import (
	"context"
	"sync"
)

// Lanes: work that runs beside other work (-parallel). A lane is a view of
// the run (Session.Lane) that shares everything the run knows (the ledger
// of what it created, the redactor, the client, the seed) but holds its own
// buckets, and holds its verdicts (failures, skips, the passive checks'
// findings on its exchanges) until Flush hands them to the run in the
// order they were made. A driver that runs lanes side by side flushes them
// in a fixed order (a sequence's index, a step of the plan), so that the
// report and the progress lines read the same whatever finished first.
type lane struct {
	parent  *Session // whom Flush hands the verdicts to: the run, or a lane
	buckets []string // nil: the parent's
	mu      sync.Mutex
	held    []func(run *Session)
}

// laneKey carries a lane in the context of the requests it sends, so that
// the passive checks, which judge them inside the client, hold their
// findings in it too.
type laneKey struct{}

// Lane is a new lane of s (the run or a lane of it), with buckets of its
// own (nil: s's); its Flush hands its verdicts to s.
func (s *Session) Lane(buckets []string) *Session {
	if buckets == nil {
		buckets = s.Buckets()
	}
	return &Session{state: s.state, lane: &lane{parent: s, buckets: buckets}}
}

// Slot waits for one of the run's Parallel() slots and takes it: work
// that sends requests beside other work (a track of scenarios, one
// sequence) holds a slot while it runs, so that no more than Parallel()
// of them send at once. release gives it back; err is ctx's when it ended
// first.
func (s *Session) Slot(ctx context.Context) (release func(), err error) {
	slots := s.slots()
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TrySlot takes one of the run's slots if one is free now.
func (s *Session) TrySlot() (release func(), ok bool) {
	slots := s.slots()
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, true
	default:
		return nil, false
	}
}

func (s *Session) slots() chan struct{} {
	s.slotsOnce.Do(func() { s.slotCh = make(chan struct{}, s.Run().Parallel()) })
	return s.slotCh
}

// Run is the run a lane belongs to (the run itself for the run).
func (s *Session) Run() *Session { return &Session{state: s.state} }

// Flush hands the lane's verdicts to its parent, in the order they were
// made, and empties the lane. On the run itself it does nothing.
func (s *Session) Flush() {
	if s.lane == nil {
		return
	}
	s.lane.mu.Lock()
	held := s.lane.held
	s.lane.held = nil
	s.lane.mu.Unlock()
	for _, f := range held {
		f(s.lane.parent)
	}
}

// Discard drops the lane's verdicts: work a serial run would never have
// done (a sequence past the first failing one).
func (s *Session) Discard() {
	if s.lane != nil {
		s.lane.mu.Lock()
		s.lane.held = nil
		s.lane.mu.Unlock()
	}
}

// held keeps verdict f for Flush when s is a lane, and says whether it did.
func (s *Session) held(f func(run *Session)) bool {
	if s.lane == nil {
		return false
	}
	s.lane.mu.Lock()
	s.lane.held = append(s.lane.held, f)
	s.lane.mu.Unlock()
	return true
}

// within marks ctx as the lane's, for the requests the lane sends.
func (s *Session) within(ctx context.Context) context.Context {
	if s.lane == nil {
		return ctx
	}
	return context.WithValue(ctx, laneKey{}, s)
}

// laneOf is the lane whose request carries ctx, or the run.
func (s *Session) laneOf(ctx context.Context) *Session {
	if l, ok := ctx.Value(laneKey{}).(*Session); ok && l.state == s.state {
		return l
	}
	return s.Run()
}

// DefaultParallel is how many independent sequences a run drives at once
// unless Target.Parallel says otherwise: the work waits on the endpoint,
// not on the machine's cores.
const DefaultParallel = 8

// Parallel is how many lanes the run may drive at once: Target.Parallel
// (default DefaultParallel), and 1 where lanes could not be independent or
// ordered: sequences that share the run's buckets (SharedBuckets, -bucket)
// cannot overlap, and a recording (or its replay) holds the run's
// exchanges in the one order a replay can follow.
func (s *Session) Parallel() int {
	switch {
	case s.t.Record != "" || s.t.Replay != "":
		return 1
	case s.t.SharedBuckets || len(s.t.Buckets) > 0:
		return 1
	case s.t.Parallel > 0:
		return s.t.Parallel
	}
	return DefaultParallel
}
