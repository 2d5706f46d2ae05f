package sequence

import (
	"context"
	"reflect"
	"sync"

	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/internal/rapidsettings"
)

// The search in parallel (-parallel N, where each sequence has buckets of
// its own). rapid runs a search's sequences one after the other, the k-th
// (from 0) from the seed base+k(k+1)/2 (rapid v1.3.0's findBug adds the
// iteration's number to the seed before each). Every sequence starts from
// two empty buckets of its own, so sequence k sends the same requests
// whenever it runs: here up to N run at once, each drawn by rapid from its
// own seed (Generator.Example, the same stream of random bits). The first
// failing sequence in index order is the one a serial search finds; it is
// then handed to rapid as a search of one sequence from its seed, which
// runs it, fails, and shrinks it exactly as the serial search would have.
// So the same -seed gives the same sequences, the same shrunk failure and
// the same replay line at any -parallel. Each sequence runs in a lane of
// the run (engine.Session.Lane), whose verdicts are handed to the run in
// index order, up to the failing sequence; those after it (which a serial
// search never runs) are dropped.

// invalidChecksMult is rapid's bound on sequences it discards (a sequence
// whose draws rapid rejects) per sequence asked for.
const invalidChecksMult = 10

// outcome is how one sequence ended.
type outcome int

const (
	passed  outcome = iota
	failed          // a property broke: a finding
	invalid         // rapid rejected the sequence's draws: it does not count
	broken          // the endpoint could not be talked to
)

// seedOf is the seed rapid gives the k-th sequence of a search from base.
func seedOf(base uint64, k int) uint64 { return base + uint64(k)*uint64(k+1)/2 }

// searchParallel is search with up to workers sequences at once, each
// holding one of the run's slots (engine.Session.Slot) while it runs: the
// slots the fixed scenarios hold are the sequences' once they are done.
func searchParallel(ctx context.Context, sess *engine.Session, n, steps, workers int) (*machine, *quietTB, error) {
	base := uint64(sess.Seed())
	var (
		mu      sync.Mutex
		next    int  // the next sequence to start
		limit   = n  // sequences to run: n valid ones
		first   = -1 // the first failing or broken sequence
		ends    = map[int]outcome{}
		lanes   = map[int]*engine.Session{}
		handed  int // the sequences whose verdicts are handed to sess
		brokeBy error
		wg      sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= limit || first >= 0 && next > first || ctx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	phase := sess.Begin("sequences", n)
	err := rapidsettings.Search(rapidsettings.Settings{Seed: base, Checks: n, Steps: steps, NoFailFile: true}, func() {
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := newMachine(ctx, sess)
				m.inLane = true
				defer m.checker.Close()
				for {
					release, err := sess.Slot(ctx)
					if err != nil {
						return
					}
					k, ok := take()
					if !ok {
						release()
						return
					}
					lane := sess.Lane(nil)
					end := m.runOne(lane, seedOf(base, k))
					release()
					mu.Lock()
					ends[k], lanes[k] = end, lane
					handed = handOver(lanes, ends, handed)
					phase.Step()
					switch end {
					case invalid:
						limit = min(limit+1, n*(1+invalidChecksMult))
					case failed, broken:
						if first < 0 || k < first {
							first = k
							if end == broken {
								brokeBy = m.broken
							}
						}
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	})
	phase.End()
	// Verdicts in index order, up to the first failure: what a serial
	// search would have seen.
	for k := handed; k < next; k++ {
		if first < 0 || k <= first {
			lanes[k].Flush()
		} else {
			lanes[k].Discard()
		}
	}
	switch {
	case err != nil:
		return &machine{}, &quietTB{}, err
	case first < 0:
		if ctx.Err() != nil {
			return &machine{}, &quietTB{}, &engine.SetupError{Reason: "interrupted: " + ctx.Err().Error()}
		}
		return &machine{}, &quietTB{}, nil
	case ends[first] == broken:
		return &machine{}, &quietTB{}, brokeBy
	}
	// The failing sequence, found and shrunk by rapid from its own seed,
	// in a slot of its own.
	release, err := sess.Slot(ctx)
	if err != nil {
		return &machine{}, &quietTB{}, &engine.SetupError{Reason: "interrupted: " + err.Error()}
	}
	defer release()
	return serialSearch(ctx, sess, seedOf(base, first), 1, steps, nil)
}

// handOver hands sess the verdicts of the sequences from handed on that
// are done and follow only passing (or discarded) ones, in index order,
// and forgets them, so that a long search holds only the sequences still
// running and those after them; it returns the new count handed over. A
// failed or broken sequence is left for the end of the search, which
// knows the first one.
func handOver(lanes map[int]*engine.Session, ends map[int]outcome, handed int) int {
	for {
		end, done := ends[handed]
		if !done || end == failed || end == broken {
			return handed
		}
		lanes[handed].Flush()
		delete(lanes, handed)
		delete(ends, handed)
		handed++
	}
}

// runOne runs one sequence from seed in lane, as rapid's search would run
// it (the same random bits, drawn through Generator.Example), and says how
// it ended. The machine is reset first: each sequence is judged on its own.
func (m *machine) runOne(lane *engine.Session, seed uint64) (end outcome) {
	m.sess, m.found, m.foundTrail, m.foundSteps, m.broken = lane, nil, nil, 0, nil
	gen := rapid.Custom(func(t *rapid.T) outcome {
		defer func() {
			if p := recover(); p != nil {
				switch {
				case rejected(p):
					end = invalid
				case m.broken != nil:
					end = broken
				default:
					end = failed // rapid's own failure panic: t.Fatalf
				}
			}
		}()
		m.prop(t)
		if m.broken != nil {
			return broken
		}
		return passed
	})
	if v := gen.Example(int(seed)); end == passed {
		end = v
	}
	return end
}

// rejected reports whether a panic is rapid rejecting a sequence's draws
// (its invalidData), which a search discards rather than fails.
func rejected(p any) bool {
	t := reflect.TypeOf(p)
	return t != nil && t.PkgPath() == "pgregory.net/rapid" && t.Name() == "invalidData"
}
