package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/spec"
)

// stripped writes a bundled description without its x-keycontract.
func stripped(t *testing.T, dialect string) string {
	t.Helper()
	src, err := spec.BundledSource(dialect)
	require.NoError(t, err)
	text, _, found := strings.Cut(string(src), "\nx-keycontract:")
	require.True(t, found)
	file := filepath.Join(t.TempDir(), dialect+".yaml")
	require.NoError(t, os.WriteFile(file, []byte(text+"\n"), 0o600))
	return file
}

func TestBindPrintsCommentedOverlay(t *testing.T) {
	r := cli(t, "bind", "-spec", "../../fixtures/bind/rest-plain.yaml")
	require.Equal(t, 0, r.code, r.stderr)
	assertNoPanic(t, r)
	assert.Contains(t, r.stdout, "createKey: keys.create")
	assert.Contains(t, r.stdout, "# path has keys under a store_id parameter; 201 body has secret_key")
	assert.Contains(t, r.stdout, "runner-up: webhooks.create")
	// The overlay loads as it is.
	file := filepath.Join(t.TempDir(), "overlay.yaml")
	require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o600))
	_, err := spec.LoadFile(t.Context(), "../../fixtures/bind/rest-plain.yaml", file)
	require.NoError(t, err)
}

func TestBindJSON(t *testing.T) {
	r := cli(t, "bind", "-spec", "../../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml", "-json")
	require.Equal(t, 0, r.code, r.stderr)
	var out map[string]spec.Binding
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	b := out[spec.ExtensionName]
	assert.Equal(t, "CreateBucketAccessKey", b.Operations[spec.CreateKey])
	assert.Equal(t, "GetBuckets", b.Operations[spec.ListBuckets])
	assert.True(t, b.Wire.IgnoreErrorResponses)

	// The query dialect's shapes, which the loader cannot run yet.
	r = cli(t, "bind", "-spec", "../../fixtures/bind/query-action.yaml", "-json")
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, "query", out[spec.ExtensionName].Protocol)
	q, err := spec.QueryTargetOf(out[spec.ExtensionName])
	require.NoError(t, err)
	assert.Equal(t, "Action", q.Member)
}

func TestBindAmbiguousExitTwo(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/bind/rest-envelope.yaml")
	require.NoError(t, err)
	edited := strings.Replace(string(src), "        algorithm: {type: string}\n", "        algorithm: {type: string}\n        secret: {type: string}\n", 1)
	file := filepath.Join(t.TempDir(), "ambiguous.yaml")
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o600))

	r := cli(t, "bind", "-spec", file)
	assert.Equal(t, 2, r.code)
	assertNoPanic(t, r)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "ambiguous binding: operations.createKey")
	assert.Contains(t, r.stderr, "createAccessKey = POST /buckets/{name}/access-keys")
	assert.Contains(t, r.stderr, "createEncryptionKey = POST /buckets/{name}/encryption-keys")

	// run stops the same way, naming the candidates in one line.
	r = runCLI(t, "-spec", file, "-endpoint", "http://127.0.0.1:1")
	assert.Equal(t, 2, r.code)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	assert.Len(t, lines, 1, r.stderr)
	assert.Contains(t, r.stderr, "createEncryptionKey")

	// A partial overlay picks one; the rest is inferred.
	overlay := filepath.Join(t.TempDir(), "pick.yaml")
	require.NoError(t, os.WriteFile(overlay, []byte("operations: {createKey: createAccessKey}\n"), 0o600))
	r = cli(t, "bind", "-spec", file, "-binding", overlay)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "named by -binding")
	assert.Contains(t, r.stdout, "listKeys: listAccessKeys")
}

func TestBindCannotExpressExitTwo(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/bind/rest-plain.yaml")
	require.NoError(t, err)
	edited := strings.Replace(string(src), "    delete:\n      operationId: keys.revoke", "    get:\n      operationId: keys.get", 1)
	file := filepath.Join(t.TempDir(), "nodelete.yaml")
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o600))
	r := cli(t, "bind", "-spec", file)
	assert.Equal(t, 2, r.code)
	assertNoPanic(t, r)
	assert.Contains(t, r.stderr, "operations.deleteKey: no operation of the description can play deleteKey")
}

func TestBindBadInput(t *testing.T) {
	for name, args := range map[string][]string{
		"no spec":      {"bind"},
		"missing file": {"bind", "-spec", "nope.yaml"},
		"not openapi":  {"bind", "-spec", "bind_test.go"},
		"bad overlay":  {"bind", "-spec", "../../fixtures/bind/rest-plain.yaml", "-binding", "../../fixtures/bind/README.md"},
	} {
		r := cli(t, args...)
		assert.Equal(t, 2, r.code, name)
		assertNoPanic(t, r)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line: %q", name, r.stderr)
	}
	r := cli(t, "bind", "-h")
	assert.Equal(t, 0, r.code)
	for _, s := range []string{"-spec", "-json", "-binding", "ambiguous", "exits 2", "createKey"} {
		assert.Contains(t, r.stdout, s)
	}
}

// TestRunInfersBinding: run -spec with no binding infers one, prints a line
// per role, and runs every check against the embedded emulator.
func TestRunInfersBinding(t *testing.T) {
	file := stripped(t, "envelope")
	report := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(t, "-spec", file, "-json", report)
	require.Equal(t, 0, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assertNoPanic(t, r)
	assert.Contains(t, r.stderr, "has no binding: inferred one")
	for _, role := range spec.Roles {
		assert.Contains(t, r.stderr, "keycontract: "+string(role)+" = ")
	}
	assert.Contains(t, r.stderr, "createKey = POST / X-Amz-Target: Lightsail_20161128.CreateBucketAccessKey (200 body has secret_access_key")
	rep := readReport(t, report)
	assert.Equal(t, "envelope", rep.Target.Dialect)
	for _, c := range rep.Checks {
		assert.NotEqual(t, contract.Fail, c.Status, "%s: %s", c.ID, c.Reason)
	}
}

// TestBindTwoKeyFamiliesExitTwo: a description with two key families as
// good as each other (read keys and write keys) exits 2 naming both, and
// run stops the same way; a partial overlay naming one settles it.
func TestBindTwoKeyFamiliesExitTwo(t *testing.T) {
	const file = "../../fixtures/bind/two-key-families.yaml"
	r := cli(t, "bind", "-spec", file)
	assert.Equal(t, 2, r.code)
	assertNoPanic(t, r)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "ambiguous binding: operations.createKey: two key families fit createKey about equally well")
	assert.Contains(t, r.stderr, "createReadKey = POST /buckets/{name}/read-keys")
	assert.Contains(t, r.stderr, "createWriteKey = POST /buckets/{name}/write-keys")

	r = runCLI(t, "-spec", file, "-endpoint", "http://127.0.0.1:1")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "createReadKey")
	assert.Contains(t, r.stderr, "createWriteKey")

	overlay := filepath.Join(t.TempDir(), "pick.yaml")
	require.NoError(t, os.WriteFile(overlay, []byte("operations: {createKey: createReadKey}\n"), 0o600))
	r = cli(t, "bind", "-spec", file, "-binding", overlay)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "listKeys: listReadKeys")
	assert.Contains(t, r.stdout, "deleteKey: revokeReadKey")
}
