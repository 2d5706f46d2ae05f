package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// copyRecording copies the committed recording of dialect to a temporary
// directory that a test may edit.
func copyRecording(t *testing.T, dialect string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "recording")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, name := range []string{"run.json", "exchanges.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "recorded", dialect, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

// TestReplayCLI: -replay runs offline to the recorded verdicts; flags the
// recording fixes, a missing recording and a changed one end the run with
// exit 2 and one line saying why.
func TestReplayCLI(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			r := runCLI(t, "-replay", copyRecording(t, dialect))
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, "15 passed, 0 failed, 0 skipped")
			assert.Contains(t, r.stdout, "data plane: key propagation", "the measured windows, replayed")
			assert.Contains(t, r.stderr, "replay reached the recorded verdict of every check")
		})
	}
	t.Run("bad flags", func(t *testing.T) {
		dir := copyRecording(t, "aws")
		requireExit2(t, runCLI(t, "-replay", dir, "-seed", "3"), true, "-seed cannot be combined with -replay: the recording fixes it")
		requireExit2(t, runCLI(t, "-replay", dir, "-endpoint", "http://127.0.0.1:1"), true, "-endpoint cannot be combined with -replay")
		requireExit2(t, runCLI(t, "-replay", dir, "-record", t.TempDir()), true, "-record cannot be combined with -replay")
		requireExit2(t, runCLI(t, "-replay", dir, "-propagation", "5s"), true, "-propagation cannot be combined with -replay: the recording fixes it")
		requireExit2(t, runCLI(t, "-replay", filepath.Join(t.TempDir(), "none")), true, "is not a recording")
	})
	t.Run("changed request", func(t *testing.T) {
		dir := copyRecording(t, "envelope")
		path := filepath.Join(dir, "exchanges.json")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		// The first CreateBucketAccessKey request names another bucket.
		s := string(b)
		i := strings.Index(s, `"X-Amz-Target": "Lightsail_20161128.CreateBucketAccessKey"`)
		require.Positive(t, i)
		j := i + strings.Index(s[i:], `keycontract-`)
		s = s[:j] + "keycontract-changed-" + s[j+len("keycontract-"):]
		require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
		r := runCLI(t, "-replay", dir)
		requireExit2(t, r, false, "replay: request does not match the recording: request POST Lightsail_20161128.CreateBucketAccessKey")
		assert.Contains(t, r.stderr, "body differs")
	})
}
