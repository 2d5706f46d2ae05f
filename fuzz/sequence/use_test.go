package sequence

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// TestSequencesFindRevokeNeedsEmpty: a deleted key that keeps working while
// its bucket holds another key is a fault no fixed scenario sees (each
// deletes a key alone in its bucket). The sequences' "use a key" step
// finds it under key-revoked, and shrinks it to its four steps: create,
// create, delete one of the two, use the deleted one on its own bucket.
// Shrinking gets a generous budget here, so that a loaded machine still
// reaches the minimum.
func TestSequencesFindRevokeNeedsEmpty(t *testing.T) {
	for _, dialect := range []string{"aws", "iam"} {
		t.Run(dialect, func(t *testing.T) {
			tgt, _ := testutil.Emulator(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{emulator.FaultRevokeNeedsEmpty}})
			tgt.Seed, tgt.ShrinkTime, tgt.StallRuns = 1, time.Minute, 200
			sess := testutil.Open(t, tgt)
			m, _, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
			require.NoError(t, err)
			require.NotNil(t, m.found, "the sequences did not find %s", emulator.FaultRevokeNeedsEmpty)
			assert.Equal(t, check.KeyRevoked, m.found.check, m.found.msg)
			assert.Contains(t, m.found.msg, "(deleted key ")
			// Shrinking is bounded: the shape is asserted, the length
			// logged (seed 1 reaches 7 steps, aws; 4 is the minimum).
			t.Logf("shrunk to %d steps (minimal 4)", m.foundSteps)
			steps := m.foundTrail
			require.GreaterOrEqual(t, len(steps), 4)
			last := steps[len(steps)-1]
			assert.True(t, last.Data, "the last step uses the key on the data plane")
			used := regexp.MustCompile(`deleted key (\S+) of `).FindStringSubmatch(m.found.msg)
			require.NotNil(t, used, m.found.msg)
			creates, deletedAt := 0, -1
			for i, ex := range steps[:len(steps)-1] {
				if ex.Op != nil && ex.Op.Role == spec.CreateKey && ex.Reply.OK() {
					creates++
				}
				if ex.Op != nil && ex.Op.Role == spec.DeleteKey && strings.Contains(ex.URL+string(ex.Body), used[1]) {
					deletedAt = i
				}
			}
			assert.GreaterOrEqual(t, creates, 2, "two keys were created")
			assert.GreaterOrEqual(t, deletedAt, 0, "the key used was deleted before its use")
			if len(steps) == 4 {
				for i, role := range []spec.Role{spec.CreateKey, spec.CreateKey, spec.DeleteKey} {
					require.NotNil(t, steps[i].Op, "step %d", i+1)
					assert.Equal(t, role, steps[i].Op.Role, "step %d", i+1)
				}
			}
		})
	}
}
