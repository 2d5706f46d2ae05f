package sequence

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// open starts a fresh emulator of dialect with faults and opens a session
// on it with seed.
func open(t *testing.T, dialect string, seed int64, faults ...emulator.Fault) (*engine.Session, *emulator.Server) {
	t.Helper()
	return openWith(t, seed, emulator.Options{Dialect: dialect, Faults: faults})
}

// openWith starts an emulator with opts and opens a session on it.
func openWith(t *testing.T, seed int64, opts emulator.Options) (*engine.Session, *emulator.Server) {
	t.Helper()
	tgt, srv := testutil.Emulator(t, opts)
	tgt.Seed = seed
	return testutil.Open(t, tgt), srv
}

// sequenceFaults only a sequence of steps reveals, with the check each must
// be reported under and the length of the shortest sequence that shows it.
var sequenceFaults = []struct {
	fault   emulator.Fault
	check   check.ID
	minimal int
}{
	{emulator.FaultDeletedStillCounts, check.KeyLifecycle, 4},
	{emulator.FaultRejectedCreateStored, check.TwoKeyLimit, 4}, // create, create, create (refused), list
	{emulator.FaultListDropsNewest, check.KeyLifecycle, 3},
	{emulator.FaultDeleteKeepsKey, check.KeyLifecycle, 3},
	{emulator.FaultCrossBucketDelete, check.BucketIsolation, 2},
	{emulator.FaultSecretRepeated, check.SecretOnlyOnce, 2},
	{emulator.FaultRevokeNeedsEmpty, check.KeyRevoked, 4}, // create, create, delete, use the deleted key
}

// alsoBreaks is another check a sequence fault breaks, which a sequence
// may show first: a delete that keeps the key also leaves it working on
// the data plane, so the use of the deleted key may show it before a list.
var alsoBreaks = map[emulator.Fault]check.ID{emulator.FaultDeleteKeepsKey: check.KeyRevoked}

// TestSequencesFindFaults: with the default budget, each sequence fault is
// found under its check ID for at least 19 of 20 seeds, shrunk to at most
// one step more than the minimal sequence.
func TestSequencesFindFaults(t *testing.T) {
	// The full measurement (20 seeds, at least 19 found) takes about ten
	// minutes: KEYCONTRACT_FAULT_SEEDS=20 go test ./fuzz -run SequencesFind.
	// make test runs 3 seeds, all of which must find the fault.
	//
	// Shrinking is bounded in time (Target.ShrinkTime), so how far it gets depends
	// on the machine's speed: under make test (-race, packages in parallel)
	// the shrunk lengths are logged; the measurement, run on its own without
	// -race, also asserts at most one step more than the minimum.
	seeds, measuring := 3, false
	if n, err := strconv.Atoi(os.Getenv("KEYCONTRACT_FAULT_SEEDS")); err == nil && n > 0 {
		seeds, measuring = n, true
	}
	for _, tc := range sequenceFaults {
		t.Run(string(tc.fault), func(t *testing.T) {
			found, lengths := 0, map[int]int{}
			for seed := 1; seed <= seeds; seed++ {
				sess, _ := open(t, "aws", int64(seed), tc.fault)
				m, _, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
				require.NoError(t, err)
				if m.found == nil {
					continue
				}
				if also, ok := alsoBreaks[tc.fault]; ok && m.found.check == also {
					m.found.check = tc.check
				}
				assert.Equal(t, tc.check, m.found.check, "seed %d: %s", seed, m.found.msg)
				if m.found.check == tc.check {
					found++
					lengths[m.foundSteps]++
					if measuring {
						assert.LessOrEqual(t, m.foundSteps, tc.minimal+1, "seed %d: shrunk to %d steps, minimal %d", seed, m.foundSteps, tc.minimal)
					}
				}
			}
			t.Logf("%s: found in %d/%d seeds; shrunk lengths %v (minimal %d)", tc.fault, found, seeds, lengths, tc.minimal)
			assert.GreaterOrEqual(t, found, seeds-seeds/20, "found in %d of %d seeds", found, seeds)
		})
	}
}

// TestSequencesQuietOnCorrectEmulator: no finding on a correct endpoint, in
// both dialects, and nothing left behind.
func TestSequencesQuietOnCorrectEmulator(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			sess, srv := open(t, dialect, 11)
			m, tb, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
			require.NoError(t, err)
			assert.Nil(t, m.found)
			assert.False(t, tb.failed, tb.msg)
			require.NoError(t, sess.Close())
			assert.Empty(t, srv.Snapshot())
		})
	}
}
