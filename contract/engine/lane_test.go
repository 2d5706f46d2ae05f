package engine_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/emulator"
)

// TestParallelIsOneWhenRecordedOrReplayed: a recording holds the run's
// exchanges in the one order its replay follows, so a recorded run and its
// replay drive one lane at a time whatever Target.Parallel asks, and their
// lanes share that one slot; an unrecorded run and a run in buckets of its
// own take Target.Parallel, shared buckets 1.
func TestParallelIsOneWhenRecordedOrReplayed(t *testing.T) {
	ts, _ := emulator.NewTestServer(t, emulator.Options{})
	base := engine.Target{Endpoint: ts.URL, Dialect: "aws", Parallel: 6}
	start := func(tgt engine.Target) *engine.Session {
		t.Helper()
		s, err := engine.Start(tgt)
		require.NoError(t, err)
		return s
	}

	plain := start(base)
	assert.Equal(t, 6, plain.Parallel(), "an unrecorded run")
	assert.Equal(t, 6, freeSlots(plain.Lane(nil)), "slots of an unrecorded run, taken from a lane")
	require.NoError(t, plain.Close())

	shared := base
	shared.Buckets = []string{"keycontract-shared-a", "keycontract-shared-b"}
	assert.Equal(t, 1, start(shared).Parallel(), "sequences in the run's own buckets cannot overlap")

	dir := filepath.Join(t.TempDir(), "recording")
	recorded := base
	recorded.Record = dir
	rec := start(recorded)
	assert.Equal(t, 1, rec.Parallel(), "a recorded run")
	assert.Equal(t, 1, freeSlots(rec.Lane(nil)), "slots of a recorded run")
	require.NoError(t, rec.Setup(context.Background()))
	require.NoError(t, rec.Close())

	// The recording fixes what it holds (seed, sizes, buckets) and nothing
	// it holds clears Replay: the replay stays serial too.
	rep := start(engine.Target{Replay: dir, Parallel: 6})
	assert.NotEmpty(t, rep.Target().Replay)
	assert.Equal(t, 1, rep.Parallel(), "a replay")
	assert.Equal(t, 1, freeSlots(rep.Lane(nil).Lane(nil)), "slots of a replay, taken from a lane of a lane")
}

// freeSlots takes every slot of s's run that is free, counts them, and
// gives them back; one more is then free again.
func freeSlots(s *engine.Session) int {
	var releases []func()
	for {
		release, ok := s.TrySlot()
		if !ok {
			break
		}
		releases = append(releases, release)
	}
	for _, r := range releases {
		r()
	}
	if release, ok := s.Run().TrySlot(); ok {
		release()
	} else {
		return -1
	}
	return len(releases)
}
