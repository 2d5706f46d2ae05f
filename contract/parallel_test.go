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
	"github.com/keycontract/keycontract/spec"
)

// runSpecific are the parts of a report that name one run rather than
// what it found: bucket names (the run's id), key ids, exchange numbers,
// timestamps, the endpoint.
//
// A parallel run also sends the requests that make and delete the bucket
// of its step apart, which the checks every exchange gets judge too: the
// count of a check's further violations ("... and N more violations like
// these") is masked.
var runSpecific = regexp.MustCompile(`and \d+ more violations like these|keycontract-[0-9a-f]+-[a-z0-9-]+|[A-Z0-9]{20}|#\d+|\d{4}-\d\d-\d\dT[0-9:.]+Z?|"createdAt":[0-9.e+]+|https?://127\.0\.0\.1:\d+`)

// TestParallelSameReport: a whole run with the same seed gives the same
// verdict for every check, the same failures (messages, exchanges), and
// the same shrunk sequence for the check a sequence fault breaks (its
// message, its steps, its replay line), at -parallel 1 and at the default,
// in every dialect: for faults only a sequence shows (the fixed scenarios
// of their check pass on them), for a data-plane fault whose shrunk
// sequence uses a key, and for faults the fixed scenarios find, in the
// step that runs apart (invalid-input) and in the checks every exchange
// gets. Shrinking is bounded by StallRuns alone, so that both runs shrink
// alike. The run leaves nothing behind either way.
func TestParallelSameReport(t *testing.T) {
	for _, tc := range []struct {
		fault  emulator.Fault
		check  contract.ID
		seed   int64
		shrunk bool // the check's failure is a shrunk sequence
	}{
		{emulator.FaultDeletedStillCounts, "key-lifecycle", 3, true},
		{emulator.FaultRejectedCreateStored, "two-key-limit", 5, true},
		{emulator.FaultRevokeNeedsEmpty, "key-revoked", 1, true},
		{emulator.FaultAcceptInvalidInput, "invalid-input-rejected", 1, false},
		{emulator.FaultErrorsWith200, "success-envelope", 1, false},
	} {
		for _, dialect := range spec.Dialects {
			if !tc.fault.In(dialect) {
				continue
			}
			t.Run(dialect+"/"+string(tc.fault), func(t *testing.T) {
				reports := map[int]contract.Report{}
				for _, parallel := range []int{1, contract.DefaultParallel} {
					tgt, srv := target(t, dialect, tc.fault)
					tgt.Seed, tgt.Parallel, tgt.ShrinkTime, tgt.Sequences = tc.seed, parallel, time.Hour, 0
					rep, err := contract.Check(context.Background(), tgt)
					require.NoError(t, err)
					reports[parallel] = rep
					assertClean(t, srv)
				}
				assertSameReport(t, reports[1], reports[contract.DefaultParallel], tc.check, tc.shrunk)
			})
		}
	}
}

// assertSameReport fails unless every check but concurrent-limit has the
// same verdict in par as in serial, check the same failures too (but for
// what names one run: runSpecific), and unless check fails; shrunk: one of
// its failures is a shrunk sequence. The failures of the other checks may
// differ where they judge a list of buckets: in a parallel run it also
// holds the buckets of the sequences running beside, so a bad bucket a
// faulty endpoint made sits at another position of it.
func assertSameReport(t *testing.T, serial, par contract.Report, check contract.ID, shrunk bool) {
	t.Helper()
	require.Len(t, par.Checks, len(serial.Checks))
	for i, c := range serial.Checks {
		p := par.Checks[i]
		if c.ID == "concurrent-limit" {
			continue // racing requests: its history differs from run to run anyway
		}
		assert.Equal(t, c.Status, p.Status, "%s", c.ID)
		if c.ID != check {
			continue // see assertSameReport
		}
		require.Equal(t, len(c.Failures), len(p.Failures), "%s", c.ID)
		for j, f := range c.Failures {
			want, got := runSpecific.ReplaceAllString(f.Message, "_"), runSpecific.ReplaceAllString(p.Failures[j].Message, "_")
			assert.Equal(t, want, got, "%s: failure %d", c.ID, j)
			assert.Equal(t, len(f.Exchanges), len(p.Failures[j].Exchanges), "%s: failure %d", c.ID, j)
		}
	}
	s, _ := serial.Check(check)
	require.Equal(t, contract.Fail, s.Status, "%s", check)
	sequence := false
	for _, f := range s.Failures {
		sequence = sequence || strings.Contains(f.Message, "shrunk to a sequence of")
	}
	assert.Equal(t, shrunk, sequence, "%s: is one of its failures a shrunk sequence?", check)
}

// TestParallelSameProgressLines: the "running" lines and the "[check]
// FAIL" lines a run writes read the same, in the same order, at
// -parallel 1 and at the default, in every dialect, on an endpoint where
// several checks fail (one in the key cases run apart, one found first by
// the CreateBucket cases run first, the checks every exchange gets).
func TestParallelSameProgressLines(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			lines := map[int][]string{}
			for _, parallel := range []int{1, contract.DefaultParallel} {
				tgt, _ := target(t, dialect, emulator.FaultAcceptInvalidInput, emulator.FaultErrorsWith200)
				var out strings.Builder
				tgt.Seed, tgt.Parallel, tgt.Progress = 1, parallel, &out
				_, err := contract.Check(context.Background(), tgt)
				require.NoError(t, err)
				for _, l := range strings.Split(out.String(), "\n") {
					if strings.HasPrefix(l, "keycontract: [concurrent-limit] FAIL") {
						continue // its racing history differs from run to run
					}
					if strings.HasPrefix(l, "keycontract: running") || strings.Contains(l, "] FAIL") {
						lines[parallel] = append(lines[parallel], runSpecific.ReplaceAllString(l, "_"))
					}
				}
			}
			require.NotEmpty(t, lines[1])
			assert.Equal(t, lines[1], lines[contract.DefaultParallel])
		})
	}
}
