package sequence

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/rapidsettings"
	"github.com/keycontract/keycontract/spec"
)

// regressionName names the committed fail file's test: rapid replays
// testdata/rapid/<name>/<name>-*.fail before any random sequence.
const regressionName = "regression-list-drops-newest"

// namedTB is a quietTB with the name rapid files its fail files under.
type namedTB struct {
	quietTB
	name string
}

func (n *namedTB) Name() string { return n.name }

// checkWithFailFiles runs one random sequence after the committed fail
// files, against a fresh emulator with faults, and reports what failed.
func checkWithFailFiles(t *testing.T, write bool, seed int, faults ...emulator.Fault) (*machine, *namedTB) {
	sess, _ := open(t, "aws", 1, faults...)
	m := newMachine(context.Background(), sess)
	tb := &namedTB{name: regressionName}
	err := rapidsettings.Search(rapidsettings.Settings{Seed: uint64(seed), Checks: 1, Steps: 12, ShrinkTime: DefaultShrinkTime, NoFailFile: !write}, func() {
		tb.run(func() { rapid.Check(tb, m.prop) })
	})
	require.NoError(t, err)
	return m, tb
}

// TestRegressionFailFile: a failing sequence committed as a rapid fail file
// fails the suite while the fault is there, and passes once it is gone.
// KEYCONTRACT_WRITE_FAILFILE=1 records a new one (then commit it).
func TestRegressionFailFile(t *testing.T) {
	if os.Getenv("KEYCONTRACT_WRITE_FAILFILE") != "" {
		for seed := 0; seed < 50; seed++ {
			if _, tb := checkWithFailFiles(t, true, seed+1, emulator.FaultListDropsNewest); tb.failed {
				return
			}
		}
		t.Fatal("no failing sequence found to record")
	}
	m, tb := checkWithFailFiles(t, false, 1, emulator.FaultListDropsNewest)
	require.True(t, tb.failed, "the committed fail file must fail against the faulty emulator")
	require.NotNil(t, m.found)
	assert.Equal(t, check.KeyLifecycle, m.found.check)
	assert.Contains(t, tb.msg, "failfile", "the failure must come from the committed fail file")

	_, tb = checkWithFailFiles(t, false, 1)
	assert.False(t, tb.failed, "the fail file must pass once the fault is gone: %s", tb.msg)
}

// TestSameSeedSameShrunkSequence: the same seed reproduces the same failure
// with the same shrunk sequence (operations and buckets, ids aside).
func TestSameSeedSameShrunkSequence(t *testing.T) {
	shape := func() (check.ID, []string) {
		sess, _ := open(t, "aws", 7, emulator.FaultCrossBucketDelete)
		m, _, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
		require.NoError(t, err)
		require.NotNil(t, m.found)
		var ops []string
		for _, ex := range m.foundTrail {
			// The operation and which of the sequence's buckets it named;
			// ids and run names differ between runs.
			bucket, _ := spec.Pointer(ex.RequestValue(), sess.Doc().Binding.Request.Bucket)
			name, _ := bucket.(string)
			ops = append(ops, ex.Describe()+" "+name[len(name)-1:])
		}
		return m.found.check, ops
	}
	check1, ops1 := shape()
	check2, ops2 := shape()
	assert.Equal(t, check1, check2)
	assert.Equal(t, ops1, ops2)
}
