package fuzz

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
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
	ts, srv := emulator.NewTestServer(t, opts)
	sess, err := contract.Open(context.Background(), contract.Target{Endpoint: ts.URL, Dialect: opts.Dialect, Seed: seed, VizFile: viz})
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

// TestConcurrentLimitInReport: through contract.Check, the race is reported
// under concurrent-limit with the exchanges that could not be ordered, for
// every seed.
func TestConcurrentLimitInReport(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		ts, _ := emulator.NewTestServer(t, emulator.Options{Faults: []emulator.Fault{emulator.FaultLimitRace}, RaceHold: raceHold})
		rep, err := contract.Check(context.Background(), contract.Target{Endpoint: ts.URL, Seed: seed, Checks: []contract.ID{"concurrent-limit"}})
		require.NoError(t, err)
		res, ok := rep.Check("concurrent-limit")
		require.True(t, ok)
		require.Equal(t, contract.Fail, res.Status, "seed %d: %s", seed, res.Reason)
		assert.NotEmpty(t, res.Failures[0].Exchanges)
	}
}

// onePerPage is a correct iam endpoint that answers one key a page,
// whatever MaxItems asks: IAM allows a page fewer items than asked even
// when more follow.
var onePerPage = emulator.Options{Dialect: "iam", PageSize: 1}

// TestConcurrentLimitQuietWhenPaged: an endpoint that pages one key at a
// time passes concurrent-limit in 50 runs, and its histories do read lists
// over several pages (so each page was judged as a lower bound, not as the
// bucket's content).
func TestConcurrentLimitQuietWhenPaged(t *testing.T) {
	var paged, pages int
	for seed := int64(1); seed <= 50; seed++ {
		msg, bad, h := raceWith(t, seed, "", onePerPage)
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
		opts := onePerPage
		opts.Faults = []emulator.Fault{emulator.FaultLimitRace}
		msg, bad, _ := raceWith(t, seed, "", opts)
		if assert.True(t, bad, "seed %d: limit-race not caught", seed) {
			assert.Contains(t, msg, "not linearizable", "seed %d", seed)
		}
	}
}

// TestPagedEndpointPassesEveryCheck: the whole run (scenarios, sequences
// and concurrent-limit) passes every check against an endpoint that pages
// one key at a time.
func TestPagedEndpointPassesEveryCheck(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		ts, srv := emulator.NewTestServer(t, onePerPage)
		rep, err := contract.Check(context.Background(), contract.Target{Endpoint: ts.URL, Dialect: "iam", Seed: seed, Sequences: 50})
		require.NoError(t, err)
		assert.NoError(t, rep.Err(), "seed %d", seed)
		for _, c := range rep.Checks {
			if c.ID != "auth-required" { // no credentials configured: skipped
				assert.Equal(t, contract.Pass, c.Status, "seed %d: %s: %s", seed, c.ID, c.Reason)
			}
		}
		assert.Empty(t, srv.Snapshot())
	}
}
