package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// record runs every check of package contract against a fresh emulator of
// dialect and records the run.
func record(t *testing.T, dialect string, faults ...emulator.Fault) (string, contract.Report) {
	t.Helper()
	tgt, _ := target(t, dialect, faults...)
	tgt.Record = filepath.Join(t.TempDir(), "recording")
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	return tgt.Record, rep
}

// replay runs the recording in dir, offline.
func replay(t *testing.T, dir string, tweak ...func(*contract.Target)) (contract.Report, error) {
	t.Helper()
	tgt := contract.Target{Replay: dir}
	for _, f := range tweak {
		f(&tgt)
	}
	return contract.Check(context.Background(), tgt)
}

func verdicts(rep contract.Report) map[contract.ID]string {
	out := map[contract.ID]string{}
	for _, c := range rep.Checks {
		out[c.ID] = c.Status
	}
	return out
}

// readSteps and writeSteps edit a recording's exchanges.
func readSteps(t *testing.T, dir string) []contract.RecordedStep {
	t.Helper()
	rec, err := contract.LoadRecording(dir)
	require.NoError(t, err)
	require.NotEmpty(t, rec.Steps)
	return rec.Steps
}

func writeSteps(t *testing.T, dir string, steps []contract.RecordedStep) {
	t.Helper()
	var b bytes.Buffer
	for _, st := range steps {
		out, err := json.MarshalIndent(st, "", "  ")
		require.NoError(t, err)
		b.Write(append(out, '\n'))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exchanges.json"), b.Bytes(), 0o644))
}

func opOf(st contract.RecordedStep) string {
	for k, v := range st.Request.Headers {
		if strings.EqualFold(k, "X-Amz-Target") {
			_, op, _ := strings.Cut(v, ".")
			return op
		}
	}
	return ""
}

// TestReplayReachesTheRecordedVerdicts: a recorded run of each dialect's
// emulator, correct and faulty, replayed offline, gives the same verdict
// for every check; a failure is reproduced from the recording alone.
func TestReplayReachesTheRecordedVerdicts(t *testing.T) {
	for _, dialect := range spec.Dialects {
		for _, fault := range []emulator.Fault{"", emulator.FaultSecretInList, emulator.FaultNoKeyLimit} {
			name := string(fault)
			if fault == "" {
				name = "correct"
			}
			t.Run(dialect+"/"+name, func(t *testing.T) {
				dir, rep := record(t, dialect, testutil.Faults(fault)...)
				got, err := replay(t, dir)
				require.NoError(t, err)
				assert.Equal(t, verdicts(rep), verdicts(got))
				if fault != "" {
					assert.True(t, got.Failed(), "the recorded failure is reproduced")
				}
			})
		}
	}
}

// TestReplayOfAStaleResponse: a secret added to one recorded list response
// makes the replay fail secret-only-once, and nothing else changes.
func TestReplayOfAStaleResponse(t *testing.T) {
	dir, rep := record(t, "aws")
	steps := readSteps(t, dir)
	secretOf := map[string]string{} // key id -> its secret's placeholder
	edited := false
	for i, st := range steps {
		var body map[string]any
		if json.Unmarshal([]byte(st.Response.Body), &body) != nil {
			continue
		}
		switch opOf(st) {
		case "CreateBucketAccessKey":
			if k, ok := body["accessKey"].(map[string]any); ok {
				secretOf[k["accessKeyId"].(string)] = k["secretAccessKey"].(string)
			}
		case "GetBucketAccessKeys":
			keys, _ := body["accessKeys"].([]any)
			for _, k := range keys {
				key := k.(map[string]any)
				if secret, ok := secretOf[key["accessKeyId"].(string)]; ok && !edited {
					require.True(t, strings.HasPrefix(secret, "<secret-"), "recorded secrets are placeholders")
					key["secretAccessKey"] = secret
					b, err := json.Marshal(body)
					require.NoError(t, err)
					steps[i].Response.Body, edited = string(b), true
				}
			}
		}
	}
	require.True(t, edited, "no list response showed a created key")
	writeSteps(t, dir, steps)

	got, err := replay(t, dir)
	require.NoError(t, err)
	want := verdicts(rep)
	want["secret-only-once"] = contract.Fail
	assert.Equal(t, want, verdicts(got))
	c, _ := got.Check("secret-only-once")
	require.NotEmpty(t, c.Failures)
	assert.Contains(t, c.Failures[0].Message, "GetBucketAccessKeys")
}

// TestReplayMismatch: when what the harness sends is not what the recording
// holds, the replay stops with ErrReplayMismatch naming the request, never
// a silent pass.
func TestReplayMismatch(t *testing.T) {
	t.Run("a recorded request changed", func(t *testing.T) {
		dir, _ := record(t, "aws")
		steps := readSteps(t, dir)
		i := 0
		for opOf(steps[i]) != "CreateBucketAccessKey" {
			i++
		}
		steps[i].Request.Body = strings.Replace(steps[i].Request.Body, "keycontract-", "keycontract-changed-", 1)
		writeSteps(t, dir, steps)
		_, err := replay(t, dir)
		require.ErrorIs(t, err, contract.ErrReplayMismatch)
		assert.Contains(t, err.Error(), "Lightsail_20161128.CreateBucketAccessKey")
		assert.Contains(t, err.Error(), "body differs")
	})
	t.Run("the harness sends other requests", func(t *testing.T) {
		dir, _ := record(t, "envelope")
		_, err := replay(t, dir, func(tgt *contract.Target) { tgt.Checks = []contract.ID{"unknown-bucket"} })
		require.ErrorIs(t, err, contract.ErrReplayMismatch)
		assert.Contains(t, err.Error(), "request POST Lightsail_20161128.")
	})
	t.Run("the harness sends fewer requests", func(t *testing.T) {
		dir, _ := record(t, "aws")
		steps := readSteps(t, dir)
		writeSteps(t, dir, append(steps, steps[len(steps)-1]))
		_, err := replay(t, dir)
		require.ErrorIs(t, err, contract.ErrReplayMismatch)
		assert.Contains(t, err.Error(), "never sent")
	})
	t.Run("not a recording", func(t *testing.T) {
		_, err := replay(t, t.TempDir())
		var se *contract.SetupError
		require.True(t, errors.As(err, &se), "%v", err)
		assert.Contains(t, err.Error(), "is not a recording")
	})
}
