package main

import (
	"os"
	"testing"
	"time"

	"github.com/keycontract/keycontract/fuzz"
)

// TestMain keeps the CLI tests quick: every run includes the property-based
// sequences, and a run against a faulty emulator would otherwise spend the
// full shrink budget on each failure. fuzz's own tests measure shrinking.
func TestMain(m *testing.M) {
	fuzz.ShrinkTime = 300 * time.Millisecond
	os.Exit(m.Run())
}
