// Package rapidsettings is the one place that touches rapid's settings,
// and the guard of rapid's process-wide state.
//
// rapid (v1.3.0) has no settings API: rapid.Check reads its seed, number of
// checks, steps, shrink time and fail-file switch from package-level flags
// it registers on flag.CommandLine at init (-rapid.seed, ...), whose
// defaults come from RAPID_* variables read at init too; rapid.Check also
// calls testing.Short, which needs testing's flags registered and parsed.
// Driving rapid's public API another way (rapid.Custom, Example) would keep
// determinism but lose shrinking. So a search outside go test's own rapid
// integration (contract.Check's runs, the CLI, recorded go tests) sets
// those flags through Search, with typed Settings, and restores them after.
//
// Those flags are process-wide, and every generator of rapid reads them
// (Generator.Example reads the seed flag even when it is given a seed). So
// in one process, runs that search (Search, Hold) take turns, and code that
// generates values outside a search (spec's Minimal, Valid, Invalid and a
// description's loading) does it under Use, so that it never races a
// search's change of the flags.
package rapidsettings

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Settings are the rapid settings a search runs with.
type Settings struct {
	Seed       uint64
	Checks     int // sequences
	Steps      int // the average length of a sequence
	ShrinkTime time.Duration
	NoFailFile bool // write no fail file (rapid writes one on a failure)
}

var (
	// searching lets one search at a time read rapid's flags.
	searching sync.Mutex
	// flags orders each change of rapid's flags before or after every
	// generation outside a search (Use).
	flags sync.RWMutex
)

// Search runs f, a search that calls rapid.Check, as the process's one
// search, with rapid configured by s; rapid's previous settings (a go
// test's own -rapid.* flags) are restored after.
func Search(s Settings, f func()) error {
	searching.Lock()
	defer searching.Unlock()
	restore, err := apply(s)
	defer restore()
	if err != nil {
		return err
	}
	f()
	return nil
}

// Hold runs f, a search under go test's own rapid integration (its
// -rapid.* flags as they are), as the process's one search.
func Hold(f func()) {
	searching.Lock()
	defer searching.Unlock()
	f()
}

// Use runs f, which generates values with rapid (Generator.Example,
// lazily built generators) outside a search, so that it never races a
// search's change of rapid's flags.
func Use(f func()) {
	flags.RLock()
	defer flags.RUnlock()
	f()
}

// apply sets rapid's flags to s and returns the function that restores
// them.
func apply(s Settings) (restore func(), err error) {
	flags.Lock()
	defer flags.Unlock()
	// rapid reads testing's flags (testing.Short), which outside a test
	// binary exist only once registered and parsed.
	testing.Init()
	if !flag.Parsed() {
		flag.CommandLine.Parse(nil)
	}
	values := map[string]string{
		"rapid.seed": fmt.Sprint(s.Seed), "rapid.checks": fmt.Sprint(s.Checks),
		"rapid.steps": fmt.Sprint(s.Steps), "rapid.nofailfile": fmt.Sprint(s.NoFailFile),
		"rapid.shrinktime": s.ShrinkTime.String(),
	}
	saved := map[string]string{}
	restore = func() {
		flags.Lock()
		defer flags.Unlock()
		for name, v := range saved {
			flag.Set(name, v) // a go test's own rapid flags stay its own
		}
	}
	for name, v := range values {
		fl := flag.Lookup(name)
		if fl == nil {
			return restore, fmt.Errorf("configuring rapid: it registers no -%s", name)
		}
		saved[name] = fl.Value.String()
		if err := flag.Set(name, v); err != nil {
			return restore, fmt.Errorf("configuring rapid: %w", err)
		}
	}
	return restore, nil
}
