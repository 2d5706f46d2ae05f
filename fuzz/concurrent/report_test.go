package concurrent_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// Through contract.Check: concurrent-limit is a step of every run.

// raceHold is the emulator's RaceHold: far beyond any scheduling delay (see
// concurrent_test.go).
const raceHold = time.Minute

// TestConcurrentLimitInReport: through contract.Check, the race is reported
// under concurrent-limit with the exchanges that could not be ordered, for
// every seed.
func TestConcurrentLimitInReport(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		ts, _ := emulator.NewTestServer(t, emulator.Options{Faults: []emulator.Fault{emulator.FaultLimitRace}, RaceHold: raceHold})
		rep, err := contract.Check(context.Background(), contract.Target{Endpoint: ts.URL, Seed: seed, Checks: []contract.ID{check.ConcurrentLimit}})
		require.NoError(t, err)
		res, ok := rep.Check(check.ConcurrentLimit)
		require.True(t, ok)
		require.Equal(t, contract.Fail, res.Status, "seed %d: %s", seed, res.Reason)
		assert.NotEmpty(t, res.Failures[0].Exchanges)
	}
}

// TestPagedEndpointPassesEveryCheck: the whole run (scenarios, sequences
// and concurrent-limit) passes every check against an endpoint that pages
// one key at a time.
func TestPagedEndpointPassesEveryCheck(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		tgt, srv := testutil.Emulator(t, testutil.OnePerPage())
		tgt.Seed, tgt.Sequences = seed, 50
		rep, err := contract.Check(context.Background(), tgt)
		require.NoError(t, err)
		assert.NoError(t, rep.Err(), "seed %d", seed)
		for _, c := range rep.Checks {
			if c.ID != check.AuthRequired { // no credentials configured: skipped
				assert.Equal(t, contract.Pass, c.Status, "seed %d: %s: %s", seed, c.ID, c.Reason)
			}
		}
		assert.Empty(t, srv.Snapshot())
	}
}
