package engine

import (
	"context"
	"slices"
	"time"

	"github.com/keycontract/keycontract/contract/report"
	"github.com/keycontract/keycontract/spec"
)

// Windows (docs/DESIGN.md, "The key works: the data plane"): a new key
// may take Target.Propagation to work, and a deleted one Target.Revocation
// to stop working. Await repeats a use until it shows what is awaited or
// the window has passed, and the run measures, for every key it probes,
// how long that took (Measure; the report's measured).

// Backoff between the uses of one Await: the first wait, its growth, and
// its cap. A wait never runs past the window's end, so that the last use
// is made when the window closes.
const (
	firstWait = 50 * time.Millisecond
	waitGrows = 1.5
	maxWait   = 2 * time.Second
)

// Await uses u until want holds of what a use shows, or window has
// passed since from (the reply to the key's create, or delete), waiting
// with backoff between uses; with a window of 0 the first use decides. It
// returns the last use, how long after from it was answered, and whether
// want held of it. A use that is Neither ends it at once: that answer is
// a finding whatever the window.
//
// Every decision is taken on the exchanges' own times (when a use was
// answered, since from), never on the clock alone: a replay, whose
// exchanges keep their recorded times, sends the same uses and waits for
// nothing. Known false negative: a data plane that flaps (works, then
// not, then works) is judged by the first use that shows what is awaited.
func (s *Session) Await(ctx context.Context, u KeyUse, from time.Time, window time.Duration, want func(spec.Use) bool) (Probed, time.Duration, bool, error) {
	wait := firstWait
	for {
		p, err := s.Probe(ctx, u)
		if err != nil {
			return p, 0, false, err
		}
		if p.Ex == nil || p.Ex.Reply == nil {
			return p, 0, false, nil // no answer: Neither
		}
		elapsed := max(p.Ex.End().Sub(from), 0)
		switch {
		case want(p.Use):
			return p, elapsed, true, nil
		case p.Outcome == spec.Neither, elapsed >= window:
			return p, elapsed, false, nil
		}
		if !s.Replaying() {
			select {
			case <-ctx.Done():
				return p, elapsed, false, ctx.Err()
			case <-time.After(min(wait, window-elapsed)):
			}
		}
		wait = min(time.Duration(float64(wait)*waitGrows), maxWait)
	}
}

// Window names a measured window.
type Window int

const (
	// Propagation: from a key's create to its first use that worked.
	Propagation Window = iota
	// Revocation: from a key's delete to its first use that was refused.
	Revocation
)

// Measure keeps one key's window: how long after its create it first
// worked, or after its delete it was first refused.
func (s *Session) Measure(w Window, d time.Duration) {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	if w == Propagation {
		s.data.propagation = append(s.data.propagation, d)
	} else {
		s.data.revocation = append(s.data.revocation, d)
	}
}

// measured is the report's measured: present once a use was answered.
func (s *Session) measured() *report.Measured {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	if !s.data.probed {
		return nil
	}
	return &report.Measured{Propagation: stat(s.data.propagation), Revocation: stat(s.data.revocation)}
}

// stat is the count, median and max of ds in whole milliseconds (the
// median of an even count is the mean of the middle two, rounded).
func stat(ds []time.Duration) report.Stat {
	if len(ds) == 0 {
		return report.Stat{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	median := s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return report.Stat{N: n, Median: median.Round(time.Millisecond).Milliseconds(), Max: s[n-1].Round(time.Millisecond).Milliseconds()}
}
