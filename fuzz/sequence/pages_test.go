package sequence

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// TestSequencesFollowPages: the sequences read every page of a list (an
// endpoint answering one key a page raises nothing), ask for page sizes
// themselves, and find a list that holds more keys than the size asked,
// under success-envelope.
func TestSequencesFollowPages(t *testing.T) {
	t.Run("one key a page", func(t *testing.T) {
		for seed := int64(1); seed <= 3; seed++ {
			sess, srv := openWith(t, seed, testutil.OnePerPage())
			m, tb, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
			require.NoError(t, err)
			if m.found != nil {
				t.Fatalf("seed %d: %s: %s", seed, m.found.check, m.found.msg)
			}
			assert.False(t, tb.failed, tb.msg)
			require.NoError(t, sess.Close())
			assert.Empty(t, srv.Snapshot())
		}
	})
	t.Run(string(emulator.FaultListIgnoresPageSize), func(t *testing.T) {
		for seed := int64(1); seed <= 3; seed++ {
			sess, _ := openWith(t, seed, emulator.Options{Dialect: "iam", Faults: []emulator.Fault{emulator.FaultListIgnoresPageSize}})
			m, _, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
			require.NoError(t, err)
			require.NotNil(t, m.found, "seed %d: not found", seed)
			assert.Equal(t, check.SuccessEnvelope, m.found.check, "seed %d: %s", seed, m.found.msg)
			assert.Regexp(t, `ListAccessKeys\(#\d+, MaxItems=\d\) = \d items, want at most \d`, m.found.msg)
			// Minimal: create, create, a list asking for one key a page.
			// Shrinking is bounded in time, so the length is logged only.
			t.Logf("seed %d: shrunk to %d steps", seed, m.foundSteps)
		}
	})
}
