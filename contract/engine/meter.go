package engine

import "sync"

// Meter follows the long phases of a run (the property-based sequences,
// the shrinking of a failure), so that a person can see a slow endpoint
// advance and tell it from a hung run (Target.Meter; the CLI draws a
// progress bar on a terminal, a plain line every few seconds elsewhere).
// Its methods are called from one goroutine at a time, in order: Begin,
// Advance any number of times, End.
type Meter interface {
	// Begin starts a phase of total steps (0: not known in advance);
	// requests counts the requests the run has sent so far.
	Begin(phase string, total int, requests func() int64)
	// Advance says how many steps of the phase are done.
	Advance(done int)
	// End ends the phase.
	End()
}

// meter is the target's Meter, or one that shows nothing.
func (s *Session) meter() Meter {
	if s.t.Meter != nil {
		return s.t.Meter
	}
	return silent{}
}

type silent struct{}

func (silent) Begin(string, int, func() int64) {}
func (silent) Advance(int)                     {}
func (silent) End()                            {}

// Phase is a long phase of the run, as its Meter sees it; Step and End are
// safe from any goroutine.
type Phase struct {
	mu    sync.Mutex
	m     Meter
	done  int
	total int
	ended bool
}

// Begin starts a phase of total steps on the run's Meter.
func (s *Session) Begin(phase string, total int) *Phase {
	m := s.meter()
	m.Begin(phase, total, s.c.Requests)
	return &Phase{m: m, total: total}
}

// Step counts one step of the phase done (nil: no phase).
func (p *Phase) Step() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ended {
		p.done++
		p.m.Advance(min(p.done, max(p.total, p.done)))
	}
}

// End ends the phase; once is enough, more are ignored.
func (p *Phase) End() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ended {
		p.ended = true
		p.m.End()
	}
}
