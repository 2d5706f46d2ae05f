package sequence

import (
	"context"
	"regexp"
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
			// Shrunk to its minimal steps: two creates in one bucket, the
			// delete of one of them, and the use of the deleted key.
			steps := m.foundTrail
			require.Len(t, steps, 4, "the shrunk sequence")
			for i, role := range []spec.Role{spec.CreateKey, spec.CreateKey, spec.DeleteKey} {
				require.NotNil(t, steps[i].Op, "step %d", i+1)
				assert.Equal(t, role, steps[i].Op.Role, "step %d", i+1)
				assert.True(t, steps[i].Reply.OK(), "step %d", i+1)
			}
			assert.True(t, steps[3].Data, "the last step uses the key on the data plane")
			used := regexp.MustCompile(`deleted key (\S+) of `).FindStringSubmatch(m.found.msg)
			require.NotNil(t, used, m.found.msg)
			assert.Contains(t, steps[2].URL+string(steps[2].Body), used[1], "the key used is the key deleted")
		})
	}
}
