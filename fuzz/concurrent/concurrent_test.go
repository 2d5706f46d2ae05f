package concurrent

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// raceHold is the emulator's RaceHold in these tests: far beyond any
// scheduling delay, so that limit-race's barrier is released by the count
// of racing creates (the concurrent check's burst), never by its timeout.
const raceHold = time.Minute

// raceOnce records one concurrent history against a fresh emulator and
// reports whether porcupine found it non-linearizable.
func raceOnce(t *testing.T, seed int64, viz string, faults ...emulator.Fault) (string, bool) {
	t.Helper()
	msg, bad, _ := raceWith(t, seed, viz, emulator.Options{Faults: faults})
	return msg, bad
}

// raceWith is raceOnce on an emulator with opts (its dialect the
// target's), returning the history too.
func raceWith(t *testing.T, seed int64, viz string, opts emulator.Options) (string, bool, *history) {
	t.Helper()
	opts.RaceHold = raceHold
	tgt, srv := testutil.Emulator(t, opts)
	tgt.Seed, tgt.VizFile = seed, viz
	sess, err := engine.Open(context.Background(), tgt)
	require.NoError(t, err)
	h, err := raceHistory(context.Background(), sess)
	require.NoError(t, err)
	msg, bad := h.check(sess, viz)
	require.NoError(t, sess.Close())
	assert.Empty(t, srv.Snapshot(), "the concurrent check left keys or buckets behind")
	return msg, bad, h
}

// TestConcurrentLimitCatchesRace: a check-then-insert race is caught in
// every run. The emulator's limit-race barrier lets the creates of the
// check's opening burst all pass the limit check, whatever the scheduling.
func TestConcurrentLimitCatchesRace(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		msg, bad := raceOnce(t, seed, "", emulator.FaultLimitRace)
		if assert.True(t, bad, "seed %d: limit-race not caught", seed) {
			assert.Contains(t, msg, "not linearizable", "seed %d", seed)
		}
	}
}

// TestConcurrentLimitQuietOnCorrectEmulator: never fires on a correct
// endpoint, in 50 runs.
func TestConcurrentLimitQuietOnCorrectEmulator(t *testing.T) {
	for seed := int64(1); seed <= 50; seed++ {
		msg, bad := raceOnce(t, seed, "")
		require.False(t, bad, "seed %d: %s", seed, msg)
	}
}

// TestConcurrentLimitWritesVisualization: porcupine's HTML is written when
// asked, for a failing history too.
func TestConcurrentLimitWritesVisualization(t *testing.T) {
	viz := filepath.Join(t.TempDir(), "history.html")
	_, bad := raceOnce(t, 3, viz, emulator.FaultLimitRace)
	require.True(t, bad)
	data, err := os.ReadFile(viz)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<html")
}

// TestConcurrentLimitQuietWhenPaged: an endpoint that pages one key at a
// time passes concurrent-limit in 50 runs, and its histories do read lists
// over several pages (so each page was judged as a lower bound, not as the
// bucket's content).
func TestConcurrentLimitQuietWhenPaged(t *testing.T) {
	var paged, pages int
	for seed := int64(1); seed <= 50; seed++ {
		msg, bad, h := raceWith(t, seed, "", testutil.OnePerPage())
		require.False(t, bad, "seed %d: %s", seed, msg)
		for _, op := range h.ops {
			in, out := op.Input.(keyOp), op.Output.(keyResult)
			if in.Kind == "list" && !whole(in, out) {
				pages++
				if in.Page > 1 {
					paged++
				}
			}
		}
	}
	assert.Positive(t, paged, "no list read a second page")
	t.Logf("%d list pages that were not the whole list, %d of them a second page or later", pages, paged)
}

// TestConcurrentLimitCatchesRaceWhenPaged: the check-then-insert race is
// still caught, in every run, on an endpoint that pages one key at a time.
func TestConcurrentLimitCatchesRaceWhenPaged(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		opts := testutil.OnePerPage()
		opts.Faults = []emulator.Fault{emulator.FaultLimitRace}
		msg, bad, _ := raceWith(t, seed, "", opts)
		if assert.True(t, bad, "seed %d: limit-race not caught", seed) {
			assert.Contains(t, msg, "not linearizable", "seed %d", seed)
		}
	}
}
