// Package testutil holds the set-up the harness's tests share: an
// in-process emulator with a Target pointed at it, with credentials on
// both sides where a test wants auth-required to run, and a session opened
// on it.
package testutil

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/report"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/spec"
)

// The credentials WithCredentials configures.
const (
	KeyID  = "AKIDKEYCONTRACTTEST1"
	Secret = "keycontractTestSigningSecret0123456789ab"
	Token  = "keycontract-test-bearer-token-0123456789"
)

// Emulator starts an in-process emulator with opts for the test's
// duration and returns a Target for it (opts.Dialect, no seed, no
// credentials unless WithCredentials set them on opts and tgt first).
func Emulator(t testing.TB, opts emulator.Options) (engine.Target, *emulator.Server) {
	t.Helper()
	ts, srv := emulator.NewTestServer(t, opts)
	return engine.Target{Endpoint: ts.URL, Dialect: opts.Dialect}, srv
}

// WithCredentials configures credentials on both sides, so that
// auth-required runs: SigV4 for aws and iam (the emulator verifies it), a
// bearer token for envelope and rest.
func WithCredentials(dialect string, opts *emulator.Options, tgt *engine.Target) {
	switch dialect {
	case "aws", "iam":
		opts.Credentials = map[string]string{KeyID: Secret}
		tgt.Signer = client.NewSigV4(credentials.NewStaticCredentialsProvider(KeyID, Secret, ""), emulator.DefaultRegion)
	default:
		opts.Token = Token
		tgt.Headers = map[string][]string{"Authorization": {"Bearer " + Token}}
	}
}

// Target is a signed (or token-carrying) Target with seed 7 for a fresh
// in-process emulator of dialect with faults. Its property-based search is
// sized for tests of the rest of a run (SmallSearch): fuzz/sequence's tests
// size their own.
func Target(t testing.TB, dialect string, faults ...emulator.Fault) (engine.Target, *emulator.Server) {
	t.Helper()
	return TargetWith(t, emulator.Options{Dialect: dialect, Faults: faults})
}

// TargetWith is Target for an emulator with opts.
func TargetWith(t testing.TB, opts emulator.Options) (engine.Target, *emulator.Server) {
	t.Helper()
	var tgt engine.Target
	WithCredentials(opts.Dialect, &opts, &tgt)
	plain, srv := Emulator(t, opts)
	tgt.Endpoint, tgt.Dialect, tgt.Seed = plain.Endpoint, plain.Dialect, 7
	SmallSearch(&tgt)
	return tgt, srv
}

// SmallSearch sizes tgt's property-based search for tests of the rest of
// a run: 20 sequences, a failure shrunk for at most 300ms.
func SmallSearch(tgt *engine.Target) {
	tgt.Sequences, tgt.ShrinkTime = 20, 300*time.Millisecond
}

// Open opens a session on tgt (its buckets set up) that is closed, and
// everything it created deleted, when the test ends.
func Open(t testing.TB, tgt engine.Target) *engine.Session {
	t.Helper()
	sess, err := engine.Open(context.Background(), tgt)
	require.NoError(t, err)
	t.Cleanup(func() { sess.Close() })
	return sess
}

// Faults is the fault list of one fault, or none for "".
func Faults(f emulator.Fault) []emulator.Fault {
	if f == "" {
		return nil
	}
	return []emulator.Fault{f}
}

// OnePerPage is a correct iam endpoint's options that answer one key (and
// one user) a page, so that every list spans pages.
func OnePerPage() emulator.Options { return emulator.Options{Dialect: "iam", PageSize: 1} }

// Median is the median of v (0 for none).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// AssertPassed asserts that check c of a run with binding b passed; but a
// data-plane check of a binding without a data section (an inferred one,
// until bind infers that section) is skipped instead, and must say why.
func AssertPassed(t testing.TB, b spec.Binding, c report.CheckResult) {
	t.Helper()
	if !b.HasData() && slices.Contains(check.DataPlane, c.ID) {
		assert.Equal(t, report.Skip, c.Status, "%s: %s %v", c.ID, c.Reason, c.Failures)
		assert.Contains(t, c.Reason, "the binding names none (its data section)")
		return
	}
	assert.Equal(t, report.Pass, c.Status, "%s: %s %v", c.ID, c.Reason, c.Failures)
}
