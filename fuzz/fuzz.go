// Package fuzz runs the property-based sequences from a Go test under
// rapid's own go test integration, and holds the native go test -fuzz
// targets and the benchmarks of make bench.
//
// The sequences (fuzz/sequence: the model of keys per bucket and the rapid
// state machine) and concurrent-limit (fuzz/concurrent: porcupine) are
// part of every contract.Check and contract.Run already. Run adds what only
// a Go test has: rapid's -rapid.* flags and its fail files, which keep a
// failing sequence as a regression test.
package fuzz

import (
	"testing"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/fuzz/sequence"
)

// Run checks target from a Go test with the property-based sequences, in
// one subtest ("sequences") under rapid's go test integration: rapid's
// flags, and its fail files under testdata/rapid/, replayed before any
// random sequence (commit one to keep a failing sequence as a regression
// test). The run's buckets are set up first and everything it created is
// deleted before Run returns. Messages are redacted. concurrent-limit is
// contract.Run's, and is not run again here. A recorded or replayed target
// (Target.Record, Target.Replay) runs the sequences as contract.Check does,
// pinned to its seed, without fail files.
func Run(t *testing.T, target contract.Target) {
	t.Helper()
	sess, err := engine.Open(t.Context(), target)
	if err != nil {
		t.Fatalf("keycontract: %v", err)
	}
	// Closed before Run returns, not at the test's end: a test's deferred
	// srv.Close() (as the README's example has it) runs before its
	// t.Cleanup functions, and the endpoint must still answer the cleanup.
	defer func() {
		if err := sess.Close(); err != nil {
			t.Errorf("keycontract: cleanup: %v", sess.Redact(err.Error()))
		}
	}()
	t.Run("sequences", func(t *testing.T) { sequence.Test(t, sess) })
}
