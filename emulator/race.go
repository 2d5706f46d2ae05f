package emulator

import (
	"context"
	"time"
)

// DefaultRaceHold is Options.RaceHold when it is zero.
const DefaultRaceHold = 500 * time.Millisecond

// The barrier of FaultLimitRace. Its contract:
//
//   - A create that passes the limit check (stored < KeyLimit) and would
//     take the bucket's last free slot, counting the creates already held
//     on it (stored + held + 1 >= KeyLimit), is held in the bucket's
//     current round, with the server lock released. A create that takes
//     an earlier slot is inserted at once.
//   - The round releases all its holders at once when stored + held
//     reaches KeyLimit+1: every holder then inserts its key, so the bucket
//     ends with KeyLimit+1 keys. On a fresh bucket, KeyLimit+1 creates in
//     flight together always leave exactly KeyLimit+1 keys: the first is
//     stored, the next two are held and released together. The race is
//     decided by this count, never by timing.
//   - After a round released by that count (the race happened), the
//     bucket holds no more creates: they are checked and inserted
//     atomically, so a client that goes on with the bucket waits for
//     nothing.
//   - Liveness: a round also releases Options.RaceHold after its first
//     holder arrived, so a sequential client is never stuck; it pays
//     RaceHold for each create that fills a bucket. Such a timed-out round
//     does not stop the bucket from holding: the race stays reachable on
//     it (a full run fills the run's bucket sequentially before its
//     concurrent check).
//   - A holder whose request context ends (the client is gone) leaves the
//     round without inserting, unless the round was released already. No
//     goroutine outlives its request: a holder waits for its round's
//     release, the round's timer or its context.

// raceState is a bucket's barrier; guarded by Server.mu.
type raceState struct {
	raced bool       // a round was released by its count: hold no more
	round *raceRound // the round collecting holders, or nil
}

// raceRound is one group of held creates on a bucket.
type raceRound struct {
	held    int
	release chan struct{} // closed when the round releases
	timer   *time.Timer
}

// holdForRace is called with s.mu held by a create on b that passed the
// limit check, and returns with s.mu held. It reports whether the create
// is to insert its key: false only when ctx ended while it was held.
func (s *Server) holdForRace(ctx context.Context, b *bucket) bool {
	rs := &b.race
	if rs.raced {
		return true
	}
	held := 0
	if rs.round != nil {
		held = rs.round.held
	}
	if b.count()+held+1 < KeyLimit {
		return true // not the last slot: nothing to race for
	}
	r := rs.round
	if r == nil {
		r = &raceRound{release: make(chan struct{})}
		r.timer = time.AfterFunc(s.opts.RaceHold, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if rs.round == r {
				rs.round = nil
				close(r.release)
			}
		})
		rs.round = r
	}
	r.held++
	if b.count()+r.held >= KeyLimit+1 {
		r.timer.Stop()
		rs.round = nil
		rs.raced = true
		close(r.release)
		return true
	}
	s.mu.Unlock()
	select {
	case <-r.release:
		s.mu.Lock()
		return true
	case <-ctx.Done():
	}
	s.mu.Lock()
	select {
	case <-r.release:
		return true // released meanwhile: the releaser counted this create
	default:
	}
	r.held--
	if r.held == 0 {
		r.timer.Stop()
		rs.round = nil
	}
	return false
}
