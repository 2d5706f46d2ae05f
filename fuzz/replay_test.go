package fuzz

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/fuzz/sequence"
	"github.com/keycontract/keycontract/internal/testutil"
)

// TestRunRecordsAndReplays: go test users record with Target.Record and
// replay offline with Target.Replay, through fuzz.Run as through the CLI.
func TestRunRecordsAndReplays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "recording")
	ts, _ := emulator.NewTestServer(t, emulator.Options{})
	t.Run("record", func(t *testing.T) { Run(t, contract.Target{Endpoint: ts.URL, Seed: 5, Record: dir}) })
	rec, err := contract.LoadRecording(dir)
	require.NoError(t, err)
	require.NotEmpty(t, rec.Steps)
	t.Run("replay", func(t *testing.T) { Run(t, contract.Target{Replay: dir}) })
}

// TestReplayReproducesShrinking: a recorded run against a sequence fault
// replays offline to the same shrunk failure, although shrinking is
// bounded in time: the replay stops where the recorded run stopped.
func TestReplayReproducesShrinking(t *testing.T) {
	for _, fault := range []emulator.Fault{emulator.FaultListDropsNewest, emulator.FaultRejectedCreateStored} {
		t.Run(string(fault), func(t *testing.T) {
			ts, _ := emulator.NewTestServer(t, emulator.Options{Faults: []emulator.Fault{fault}})
			dir := filepath.Join(t.TempDir(), "recording")
			tgt := contract.Target{Endpoint: ts.URL, Seed: 3, Record: dir, Checks: sequence.Checks}
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			require.True(t, rep.Failed())
			got, err := contract.Check(context.Background(), contract.Target{Replay: dir})
			require.NoError(t, err)
			for i, c := range rep.Checks {
				assert.Equal(t, c.Status, got.Checks[i].Status, c.ID)
				if c.Status == contract.Fail {
					assert.Equal(t, len(c.Failures[0].Exchanges), len(got.Checks[i].Failures[0].Exchanges), "%s: the shrunk sequence", c.ID)
				}
			}
		})
	}
}

// TestReplayOfAFailureShrunkNoFurther: a recorded run whose shrinking
// budget was spent before it ran a single shorter sequence (its first
// failure's own cleanup outlasted ShrinkTime, as on a loaded machine)
// replays without shrinking either: the recording notes the zero, so the
// replay sends the next step's requests, never another sequence's.
func TestReplayOfAFailureShrunkNoFurther(t *testing.T) {
	for _, dialect := range []string{"aws", "iam"} {
		t.Run(dialect, func(t *testing.T) {
			tgt, _ := testutil.Target(t, dialect, emulator.FaultSecretInList)
			tgt.Seed, tgt.ShrinkTime, tgt.Record = 3, time.Nanosecond, filepath.Join(t.TempDir(), "recording")
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			require.True(t, rep.Failed())
			rec, err := contract.LoadRecording(tgt.Record)
			require.NoError(t, err)
			require.Equal(t, "0", rec.Meta.Notes["sequences.shrink-runs"], "the sequences found the fault and shrinking ran nothing")
			got, err := contract.Check(context.Background(), contract.Target{Replay: tgt.Record})
			require.NoError(t, err)
			for i, c := range rep.Checks {
				assert.Equal(t, c.Status, got.Checks[i].Status, c.ID)
			}
		})
	}
}
