package sequence

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// searchAt runs the default search against a fresh emulator with fault,
// with seed, at parallel. Shrinking is bounded by StallRuns alone (no
// clock), so that two searches can be compared.
func searchAt(t *testing.T, fault emulator.Fault, seed int64, parallel int) *machine {
	t.Helper()
	tgt, _ := testutil.Emulator(t, emulator.Options{Dialect: "aws", Faults: []emulator.Fault{fault}})
	tgt.Seed, tgt.Parallel, tgt.ShrinkTime = seed, parallel, time.Hour
	sess := testutil.Open(t, tgt)
	require.Equal(t, parallel, sess.Parallel())
	m, tb, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
	require.NoError(t, err)
	require.False(t, tb.failed && m.found == nil, "search stopped without a finding: %s", tb.msg)
	return m
}

// runSpecific are the parts of a report that name one run rather than what
// it found: bucket names (the run's id), key ids and secrets, exchange
// numbers, timestamps.
var runSpecific = regexp.MustCompile(`keycontract-[0-9a-f]+-[a-z0-9-]+|[A-Z0-9]{20}|#\d+|\d{4}-\d\d-\d\dT[0-9:.]+Z?|"createdAt":[0-9.e+]+|-endpoint \S+`)

func normalised(s string) string { return runSpecific.ReplaceAllString(s, "_") }

// TestParallelSameFinding: the same seed gives the same verdict, the same
// shrunk sequence (its steps, requests and message) and the same replay
// line at -parallel 1 and at the default, for sequence faults the fixed
// scenarios do not show.
func TestParallelSameFinding(t *testing.T) {
	for _, tc := range []struct {
		fault emulator.Fault
		seed  int64
	}{{emulator.FaultDeletedStillCounts, 3}, {emulator.FaultRejectedCreateStored, 5}, {emulator.FaultCrossBucketDelete, 2}} {
		t.Run(string(tc.fault), func(t *testing.T) {
			serial := searchAt(t, tc.fault, tc.seed, 1)
			par := searchAt(t, tc.fault, tc.seed, 8)
			require.NotNil(t, serial.found, "parallel 1 found nothing")
			require.NotNil(t, par.found, "parallel 8 found nothing")
			assert.Equal(t, serial.found.check, par.found.check)
			assert.Equal(t, serial.foundSteps, par.foundSteps)
			assert.Equal(t, normalised(serial.found.msg), normalised(par.found.msg))
			assert.Equal(t, normalised(serial.replayLine(DefaultSequences, DefaultSteps)), normalised(par.replayLine(DefaultSequences, DefaultSteps)))
			require.Equal(t, len(serial.foundTrail), len(par.foundTrail))
			for i := range serial.foundTrail {
				assert.Equal(t, normalised(serial.foundTrail[i].Describe()), normalised(par.foundTrail[i].Describe()), "step %d", i+1)
				assert.Equal(t, normalised(string(serial.foundTrail[i].Body)), normalised(string(par.foundTrail[i].Body)), "step %d", i+1)
			}
		})
	}
}

// TestSeedOf: the k-th sequence's seed is rapid's (v1.3.0 findBug adds the
// iteration's number before each).
func TestSeedOf(t *testing.T) {
	assert.Equal(t, []uint64{10, 11, 13, 16, 20}, []uint64{seedOf(10, 0), seedOf(10, 1), seedOf(10, 2), seedOf(10, 3), seedOf(10, 4)})
}
