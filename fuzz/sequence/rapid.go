package sequence

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"
)

// The one place that touches rapid's settings.
//
// rapid (v1.3.0) has no settings API: rapid.Check reads its seed, number
// of checks, steps, shrink time and fail-file switch from package-level
// flags it registers on flag.CommandLine at init (-rapid.seed, ...), whose
// defaults come from RAPID_* variables read at init too; rapid.Check also
// calls testing.Short, which needs testing's flags registered and parsed.
// Driving rapid's public API another way (rapid.Custom, Example) would keep
// determinism but lose shrinking. So a search outside go test's own rapid
// integration (package contract's runs, the CLI, recorded go tests) sets
// those flags through withRapid, with typed settings, under a lock, and
// restores them after: a go test's own -rapid.* flags are back as they
// were, and no other code sets them.

// settings are the rapid settings a search runs with.
type settings struct {
	seed       uint64
	checks     int // sequences
	steps      int // the average length of a sequence
	shrinkTime time.Duration
	noFailFile bool // write no fail file (rapid writes one on a failure)
}

// rapidFlags guards rapid's process-wide settings.
var rapidFlags sync.Mutex

// withRapid runs f with rapid configured by s, then restores rapid's
// previous settings.
func withRapid(s settings, f func()) error {
	rapidFlags.Lock()
	defer rapidFlags.Unlock()
	// rapid reads testing's flags (testing.Short), which outside a test
	// binary exist only once registered and parsed.
	testing.Init()
	if !flag.Parsed() {
		flag.CommandLine.Parse(nil)
	}
	values := map[string]string{
		"rapid.seed": fmt.Sprint(s.seed), "rapid.checks": fmt.Sprint(s.checks),
		"rapid.steps": fmt.Sprint(s.steps), "rapid.nofailfile": fmt.Sprint(s.noFailFile),
		"rapid.shrinktime": s.shrinkTime.String(),
	}
	for name, v := range values {
		fl := flag.Lookup(name)
		if fl == nil {
			return fmt.Errorf("configuring rapid: it registers no -%s", name)
		}
		defer flag.Set(name, fl.Value.String()) // a go test's own rapid flags stay its own
		if err := flag.Set(name, v); err != nil {
			return fmt.Errorf("configuring rapid: %w", err)
		}
	}
	f()
	return nil
}
