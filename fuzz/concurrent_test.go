package fuzz

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// raceOnce records one concurrent history against a fresh emulator and
// reports whether porcupine found it non-linearizable.
func raceOnce(t *testing.T, seed int64, viz string, faults ...emulator.Fault) (string, bool) {
	t.Helper()
	ts, srv := emulator.NewTestServer(t, emulator.Options{Faults: faults})
	sess, err := contract.Open(context.Background(), contract.Target{Endpoint: ts.URL, Seed: seed, VizFile: viz})
	require.NoError(t, err)
	h, err := raceHistory(context.Background(), sess)
	require.NoError(t, err)
	msg, bad := h.check(sess, viz)
	require.NoError(t, sess.Close())
	assert.Empty(t, srv.Snapshot(), "the concurrent check left keys or buckets behind")
	return msg, bad
}

// TestConcurrentLimitCatchesRace: a check-then-insert race (the emulator
// sleeps between counting keys and inserting one) is caught in at least 19
// of 20 runs.
func TestConcurrentLimitCatchesRace(t *testing.T) {
	caught := 0
	for seed := int64(1); seed <= 20; seed++ {
		msg, bad := raceOnce(t, seed, "", emulator.FaultLimitRace)
		if bad {
			caught++
			assert.Contains(t, msg, "not linearizable")
		}
	}
	t.Logf("limit-race caught in %d/20 runs", caught)
	assert.GreaterOrEqual(t, caught, 19)
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
// under concurrent-limit with the exchanges that could not be ordered.
func TestConcurrentLimitInReport(t *testing.T) {
	ts, _ := emulator.NewTestServer(t, emulator.Options{Faults: []emulator.Fault{emulator.FaultLimitRace}})
	rep, err := contract.Check(context.Background(), contract.Target{Endpoint: ts.URL, Seed: 5, Checks: []string{"concurrent-limit"}})
	require.NoError(t, err)
	res, ok := rep.Check("concurrent-limit")
	require.True(t, ok)
	require.Equal(t, contract.Fail, res.Status)
	assert.NotEmpty(t, res.Failures[0].Exchanges)
}
