package contract_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// runSpecific are the parts of a report that name one run rather than
// what it found: bucket names (the run's id), key ids, exchange numbers,
// timestamps, the endpoint.
var runSpecific = regexp.MustCompile(`keycontract-[0-9a-f]+-[a-z0-9-]+|[A-Z0-9]{20}|#\d+|\d{4}-\d\d-\d\dT[0-9:.]+Z?|"createdAt":[0-9.e+]+|https?://127\.0\.0\.1:\d+`)

// TestParallelSameReport: a whole run with the same seed gives the same
// verdict for every check, and the same shrunk sequence for the check a
// sequence fault breaks (its message, its steps, its replay line), at
// -parallel 1 and at the default, for faults only a sequence shows (the
// fixed scenarios of their check pass on them). Shrinking is bounded by
// StallRuns alone, so that both runs shrink alike.
func TestParallelSameReport(t *testing.T) {
	for _, tc := range []struct {
		fault emulator.Fault
		check contract.ID
		seed  int64
	}{
		{emulator.FaultDeletedStillCounts, "key-lifecycle", 3},
		{emulator.FaultRejectedCreateStored, "two-key-limit", 5},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			reports := map[int]contract.Report{}
			for _, parallel := range []int{1, contract.DefaultParallel} {
				tgt, _ := target(t, "aws", tc.fault)
				tgt.Seed, tgt.Parallel, tgt.ShrinkTime, tgt.Sequences = tc.seed, parallel, time.Hour, 0
				rep, err := contract.Check(context.Background(), tgt)
				require.NoError(t, err)
				reports[parallel] = rep
			}
			serial, par := reports[1], reports[contract.DefaultParallel]
			require.Len(t, par.Checks, len(serial.Checks))
			shrunk := false
			for i, c := range serial.Checks {
				p := par.Checks[i]
				assert.Equal(t, c.Status, p.Status, "%s", c.ID)
				if c.ID == "concurrent-limit" {
					continue // racing requests: its history differs from run to run anyway
				}
				require.Equal(t, len(c.Failures), len(p.Failures), "%s", c.ID)
				for j, f := range c.Failures {
					want, got := runSpecific.ReplaceAllString(f.Message, "_"), runSpecific.ReplaceAllString(p.Failures[j].Message, "_")
					assert.Equal(t, want, got, "%s: failure %d", c.ID, j)
					assert.Equal(t, len(f.Exchanges), len(p.Failures[j].Exchanges), "%s: failure %d", c.ID, j)
					shrunk = shrunk || strings.Contains(f.Message, "shrunk to a sequence of")
				}
			}
			s, _ := serial.Check(tc.check)
			assert.Equal(t, contract.Fail, s.Status)
			assert.True(t, shrunk, "no sequence finding: the test no longer compares shrunk sequences")
		})
	}
}
