package contract_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// target returns a Target for a fresh in-process emulator of dialect, with
// credentials configured (SigV4 for aws and iam, a bearer token for
// envelope and rest) so that auth-required runs too.
func target(t *testing.T, dialect string, faults ...emulator.Fault) (contract.Target, *emulator.Server) {
	t.Helper()
	return testutil.Target(t, dialect, faults...)
}

// assertClean fails unless the emulator holds nothing the run created.
func assertClean(t *testing.T, srv *emulator.Server) {
	t.Helper()
	assert.Empty(t, srv.Snapshot(), "the run left buckets or keys behind")
}

func TestCorrectEmulatorPassesEveryCheck(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			tgt, srv := target(t, dialect)
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			for _, c := range rep.Checks {
				if c.ID == "concurrent-limit" {
					continue
				}
				assert.Equal(t, contract.Pass, c.Status, "%s: %s %v", c.ID, c.Reason, c.Failures)
			}
			assert.NoError(t, rep.Err())
			assert.Len(t, rep.Checks, len(contract.IDs()))
			assertClean(t, srv)
		})
	}
}

// TestEachCheckFires runs every check against an emulator fault that
// breaks its property: the check must fail, under its own ID, with the
// exchanges that show it, and the run must still clean up.
func TestEachCheckFires(t *testing.T) {
	cases := []struct {
		fault emulator.Fault
		check contract.ID
		want  error
	}{
		{emulator.FaultSuccessContentType, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultTimestampWrongType, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultErrorsWith200, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultErrorStatusMismatch, "error-envelope", contract.ErrErrorEnvelope},
		{emulator.FaultRejectValidInput, "valid-input-accepted", contract.ErrValidInputAccepted},
		{emulator.FaultAcceptInvalidInput, "invalid-input-rejected", contract.ErrInvalidInput},
		{emulator.FaultMalformedJSON500, "invalid-input-rejected", contract.ErrInvalidInput},
		{emulator.FaultUnknownBucketCreates, "unknown-bucket", contract.ErrUnknownBucket},
		{emulator.FaultNoKeyLimit, "two-key-limit", contract.ErrTwoKeyLimit},
		{emulator.FaultRejectedCreateStored, "two-key-limit", contract.ErrTwoKeyLimit},
		{emulator.FaultSecretInList, "secret-only-once", contract.ErrSecretOnlyOnce},
		{emulator.FaultSecretRepeated, "secret-only-once", contract.ErrSecretOnlyOnce},
		{emulator.FaultDoubleDeleteSucceeds, "key-lifecycle", contract.ErrKeyLifecycle},
		{emulator.FaultDeleteKeepsKey, "key-lifecycle", contract.ErrKeyLifecycle},
		{emulator.FaultListDropsNewest, "key-lifecycle", contract.ErrKeyLifecycle},
		{emulator.FaultDeletedStillCounts, "key-lifecycle", contract.ErrKeyLifecycle},
		{emulator.FaultCrossBucketDelete, "bucket-isolation", contract.ErrBucketIsolation},
		{emulator.FaultGetBuckets500, "no-server-errors", contract.ErrNoServerErrors},
		{emulator.FaultAuthBypass, "auth-required", contract.ErrAuthRequired},
		{emulator.FaultCreateIDNumber, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultCreateIDObject, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultCreateIDNull, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultCreateIDMissing, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultSecretRenamed, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultCreateWrongContentType, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultCreateTruncated, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultCreateNotJSON, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultSecretInHeader, "secret-only-once", contract.ErrSecretOnlyOnce},
		{emulator.FaultLimitWrongError, "two-key-limit", contract.ErrTwoKeyLimit},
		{emulator.FaultLimitPhantomOK, "two-key-limit", contract.ErrTwoKeyLimit},
		{emulator.FaultListIgnoresPageSize, "success-envelope", contract.ErrSuccessEnvelope},
		{emulator.FaultAcceptOutOfRange, "invalid-input-rejected", contract.ErrInvalidInput},
		{emulator.FaultRedirectNoOperation, "invalid-input-rejected", contract.ErrInvalidInput},
		// The data plane: the emulator's FaultDelay (2s) is past the
		// run's windows (0), so key-late and revoke-late fire.
		{emulator.FaultKeyDead, "key-works", contract.ErrKeyWorks},
		{emulator.FaultKeyLate, "key-works", contract.ErrKeyWorks},
		{emulator.FaultKeyOutlivesDelete, "key-revoked", contract.ErrKeyRevoked},
		{emulator.FaultRevokeLate, "key-revoked", contract.ErrKeyRevoked},
		{emulator.FaultKeyAnyBucket, "key-scoped", contract.ErrKeyScoped},
		{emulator.FaultDataOpen, "key-scoped", contract.ErrKeyScoped},
		{emulator.FaultKeyWrongUser, "key-scoped", contract.ErrKeyScoped},
	}
	t.Run("every fault has a row", func(t *testing.T) {
		rows := map[emulator.Fault]bool{}
		for _, tc := range cases {
			rows[tc.fault] = true
		}
		for _, f := range emulator.Faults() {
			_, elsewhere := testedElsewhere[f]
			if f.Breaks() != "" {
				assert.Contains(t, contract.IDs(), contract.ID(f.Breaks()), "fault %s breaks an unknown check", f)
			}
			switch {
			case f.Breaks() == "":
				assert.Contains(t, legalVariations, f, "%s breaks no check: list it in legalVariations", f)
			case elsewhere:
				assert.False(t, rows[f], "%s has a row and is also listed in testedElsewhere", f)
			default:
				assert.True(t, rows[f], "fault %s (breaks %s) has no row in TestEachCheckFires", f, f.Breaks())
			}
		}
		for f := range testedElsewhere {
			assert.NotEmpty(t, f.Description(), "testedElsewhere names unknown fault %s", f)
		}
	})
	for _, dialect := range spec.Dialects {
		for _, tc := range cases {
			if !tc.fault.In(dialect) {
				continue // no effect there (only iam's lists take a page size)
			}
			t.Run(dialect+"/"+string(tc.fault), func(t *testing.T) {
				require.Equal(t, tc.check, contract.ID(tc.fault.Breaks()), "the emulator documents the check %s breaks", tc.fault)
				tgt, srv := target(t, dialect, tc.fault)
				rep, err := contract.Check(context.Background(), tgt)
				if err != nil {
					t.Fatalf("Check() error = %v, want a report", err)
				}
				res, ok := rep.Check(tc.check)
				require.True(t, ok)
				require.Equal(t, contract.Fail, res.Status, "%s did not fire on fault %s", tc.check, tc.fault)
				require.NotEmpty(t, res.Failures)
				assert.NotEmpty(t, res.Failures[0].Exchanges, "a failure must show its exchanges")
				assert.True(t, errors.Is(rep.Err(), tc.want), "errors.Is(rep.Err(), %v) = false", tc.want)
				if undeletable(dialect, tc.fault) {
					assert.Contains(t, rep.Cleanup, "cleanup incomplete", "the run must say what it could not delete")
					return
				}
				assertClean(t, srv)
			})
		}
	}
}

// testedElsewhere names the faults TestEachCheckFires has no row for, and
// the test that proves their check fires instead.
var testedElsewhere = map[emulator.Fault]string{
	// concurrent-limit is registered by package fuzz, not contract, and
	// catching a timing race takes many runs: TestConcurrentLimitCatchesRace
	// runs it over 20 seeds.
	emulator.FaultLimitRace: "fuzz/concurrent_test.go TestConcurrentLimitCatchesRace",
	// It changes only iam (a user name may hold "%"), where one break
	// alone shows it.
	emulator.FaultFormNamePercent: "contract/readings_test.go TestLenientFormNameFails",
	// Only a property-based sequence reveals it, by design (the fixed
	// scenario of key-revoked deletes each key alone in its bucket), and
	// finding it takes a full search: the sequences' "use a key" step finds
	// it and shrinks it to its four steps.
	emulator.FaultRevokeNeedsEmpty: "fuzz/sequence/use_test.go TestSequencesFindRevokeNeedsEmpty",
}

// legalVariations are the faults whose responses the contract allows
// (Breaks() is empty): every check must pass against them.
var legalVariations = []emulator.Fault{
	// Extra members are allowed, and the secret is in the create response
	// only: a second copy under an undeclared name is no violation.
	emulator.FaultSecretDuplicated,
	// How a form's undecodable escapes are read is the endpoint's choice
	// (iam; no effect elsewhere): skipped, or kept as text.
	emulator.FaultFormSkipsUndecodable,
	emulator.FaultFormKeepsEscapes,
	// text/xml is application/xml; application/json is awsJson's type and
	// any +json one.
	emulator.FaultMediaTypeSynonym,
}

// TestLegalVariationsPassEveryCheck: a response the contract allows raises
// no false alarm.
func TestLegalVariationsPassEveryCheck(t *testing.T) {
	for _, dialect := range spec.Dialects {
		for _, f := range legalVariations {
			t.Run(dialect+"/"+string(f), func(t *testing.T) {
				require.Empty(t, f.Breaks())
				tgt, srv := target(t, dialect, f)
				rep, err := contract.Check(context.Background(), tgt)
				require.NoError(t, err)
				for _, c := range rep.Checks {
					if c.ID == "concurrent-limit" {
						continue
					}
					assert.Equal(t, contract.Pass, c.Status, "%s: %s %v", c.ID, c.Reason, c.Failures)
				}
				assertClean(t, srv)
			})
		}
	}
}

// TestValidBucketsWhateverTheSeed: valid-input-accepted creates buckets
// from several generated requests, so a fault that rejects optional
// CreateBucket members is found whichever seed the run has (bucket A's
// one request may have none), and no bucket is left.
func TestValidBucketsWhateverTheSeed(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		tgt, srv := target(t, "aws", emulator.FaultRejectValidInput)
		tgt.Seed, tgt.Checks = seed, []contract.ID{"valid-input-accepted"}
		rep, err := contract.Check(context.Background(), tgt)
		require.NoError(t, err)
		c, _ := rep.Check("valid-input-accepted")
		assert.Equal(t, contract.Fail, c.Status, "seed %d", seed)
		assertClean(t, srv)
	}
}

// undeletable reports a fault that leaves the run unable to clean up: keys
// that cannot be deleted, in a dialect whose buckets (IAM users) cannot be
// deleted while they hold keys. The run must then say so (Report.Cleanup).
func undeletable(dialect string, f emulator.Fault) bool {
	return dialect == "iam" && f == emulator.FaultDeleteKeepsKey
}
