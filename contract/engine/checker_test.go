package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// TestChecker: a Checker reports, tagged with their exchanges' tags, the
// shape violations and earlier secrets of the exchanges submitted, and
// nothing for a correct endpoint.
func TestChecker(t *testing.T) {
	open := func(t *testing.T, faults ...emulator.Fault) *engine.Session {
		tgt, _ := testutil.Target(t, "aws", faults...)
		return testutil.Open(t, tgt)
	}
	ctx := context.Background()
	t.Run("correct", func(t *testing.T) {
		sess := open(t)
		c := sess.NewChecker()
		defer c.Close()
		a := sess.Buckets()[0]
		for i, role := range []spec.Role{spec.CreateKey, spec.ListKeys} {
			ex, err := sess.SendJSON(ctx, role, sess.Request(role, spec.Resources{Bucket: a}))
			require.NoError(t, err)
			c.Check(ex, i, nil)
		}
		assert.Empty(t, c.Findings())
	})
	t.Run("faulty", func(t *testing.T) {
		sess := open(t, emulator.FaultSuccessContentType, emulator.FaultSecretInList)
		c := sess.NewChecker()
		defer c.Close()
		a := sess.Buckets()[0]
		create, err := sess.SendJSON(ctx, spec.CreateKey, sess.Request(spec.CreateKey, spec.Resources{Bucket: a}))
		require.NoError(t, err)
		c.Check(create, 0, nil)
		k, ok := sess.Doc().Binding.CreatedKey(create.Reply)
		require.True(t, ok)
		list, err := sess.SendJSON(ctx, spec.ListKeys, sess.Request(spec.ListKeys, spec.Resources{Bucket: a}))
		require.NoError(t, err)
		c.Check(list, 1, []engine.PriorSecret{{Value: k.Secret, Origin: "step 1"}})
		found := map[check.ID][]int{}
		for _, f := range c.Findings() {
			found[f.Check] = append(found[f.Check], f.Tag)
			assert.NotContains(t, f.Message, k.Secret, "findings are redacted")
		}
		assert.Equal(t, []int{0, 1}, found[check.SuccessEnvelope], "text/plain successes, both steps")
		assert.Equal(t, []int{1}, found[check.SecretOnlyOnce], "the list shows step 1's secret")
		assert.Empty(t, c.Findings(), "findings are returned once")
	})
	// The limit in every list is judged on each exchange, not only in the
	// two-key-limit scenario (which would mask its loss in TestEachCheckFires).
	t.Run("a list beyond the limit", func(t *testing.T) {
		sess := open(t, emulator.FaultNoKeyLimit)
		c := sess.NewChecker()
		defer c.Close()
		a := sess.Buckets()[0]
		for i := range 3 {
			ex, err := sess.SendJSON(ctx, spec.CreateKey, sess.Request(spec.CreateKey, spec.Resources{Bucket: a}))
			require.NoError(t, err)
			require.True(t, ex.Reply.OK())
			c.Check(ex, i, nil)
		}
		list, err := sess.SendJSON(ctx, spec.ListKeys, sess.Request(spec.ListKeys, spec.Resources{Bucket: a}))
		require.NoError(t, err)
		c.Check(list, 3, nil)
		var limit []int
		for _, f := range c.Findings() {
			if f.Check == check.TwoKeyLimit {
				limit = append(limit, f.Tag)
			}
		}
		assert.Equal(t, []int{3}, limit, "the list of 3 keys, and only it")
	})
}
