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
	ts, srv := emulator.NewTestServer(t, emulator.Options{Faults: faults, RaceHold: raceHold})
	sess, err := contract.Open(context.Background(), contract.Target{Endpoint: ts.URL, Seed: seed, VizFile: viz})
	require.NoError(t, err)
	h, err := raceHistory(context.Background(), sess)
	require.NoError(t, err)
	msg, bad := h.check(sess, viz)
	require.NoError(t, sess.Close())
	assert.Empty(t, srv.Snapshot(), "the concurrent check left keys or buckets behind")
	return msg, bad
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
		rep, err := contract.Check(context.Background(), contract.Target{Endpoint: ts.URL, Seed: seed, Checks: []string{"concurrent-limit"}})
		require.NoError(t, err)
		res, ok := rep.Check("concurrent-limit")
		require.True(t, ok)
		require.Equal(t, contract.Fail, res.Status, "seed %d: %s", seed, res.Reason)
		assert.NotEmpty(t, res.Failures[0].Exchanges)
	}
}
