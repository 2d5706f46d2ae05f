package sequence

import (
	"strconv"
	"time"

	"github.com/keycontract/keycontract/contract/engine"
)

// Defaults of shrinking (Target.ShrinkTime, Target.StallRuns): how long a
// failing sequence is shrunk, from the first failure on, and how many
// sequences in a row, run while shrinking, may find no shorter failure.
// Each run while shrinking costs a full HTTP sequence; past StallRuns
// rapid's minimisation only confirms what it has.
const (
	DefaultShrinkTime = 5 * time.Second
	DefaultStallRuns  = 100
)

// shrinkNote is the recording note that holds how many sequences shrinking
// ran, so that a replay stops at the same point whatever its speed.
const shrinkNote = "sequences.shrink-runs"

// shrinkBudget decides when shrinking stops. Once it is spent, the
// sequences rapid still asks for are not run (they pass at once), so rapid
// keeps the shortest failure found so far and ends quickly.
//
// A recorded run that found a failure notes how many sequences it ran
// while shrinking, zero included (a first failure whose own cleanup
// outlasted ShrinkTime runs none); its replay stops after exactly as many,
// so that both send the same requests. Only a recording without the note
// (no failure, or one made before the note existed) leaves a replay to
// time and stall.
type shrinkBudget struct {
	runs     int  // sequences run since the first failure
	better   int  // runs at the last shorter failure
	failed   bool // a failure was seen: shrinking started
	start    time.Time
	limit    int  // from a recording: stop after this many runs
	limited  bool // limit holds (the recording noted it), else time and stall
	done     bool
	duration time.Duration // Target.ShrinkTime
	stall    int           // Target.StallRuns
}

func newShrinkBudget(sess *engine.Session) shrinkBudget {
	tgt := sess.Target()
	b := shrinkBudget{duration: shrinkTime(tgt), stall: orDefault(tgt.StallRuns, DefaultStallRuns)}
	if v, ok := sess.Recorded(shrinkNote); ok {
		if n, err := strconv.Atoi(v); err == nil {
			b.limit, b.limited = n, true
		}
	}
	return b
}

// shrinkTime is the target's ShrinkTime, or the default.
func shrinkTime(tgt engine.Target) time.Duration {
	if tgt.ShrinkTime > 0 {
		return tgt.ShrinkTime
	}
	return DefaultShrinkTime
}

// shorter marks a shorter failure (first: the first failure).
func (b *shrinkBudget) shorter(first bool) {
	if first {
		b.start, b.failed = time.Now(), true
	}
	b.better = b.runs
}

// spent says whether a sequence asked for while shrinking is not run. It
// counts the ones that are.
func (b *shrinkBudget) spent() bool {
	if !b.done {
		if b.limited {
			b.done = b.runs >= b.limit
		} else {
			b.done = time.Since(b.start) > b.duration || b.runs-b.better >= b.stall
		}
	}
	if !b.done {
		b.runs++
	}
	return b.done
}

// note keeps the number of sequences run while shrinking for a replay,
// whenever a failure started shrinking, even when none ran.
func (b *shrinkBudget) note(sess *engine.Session) {
	if b.failed {
		sess.Note(shrinkNote, strconv.Itoa(b.runs))
	}
}

// rapidShrinkTime is rapid's own bound, beyond ours: shrinkBudget stops
// first, and a replay must never stop on time.
func rapidShrinkTime(sess *engine.Session) time.Duration {
	if sess.Replaying() {
		return time.Hour
	}
	return shrinkTime(sess.Target()) + time.Minute
}
