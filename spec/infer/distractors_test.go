package infer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// ops is a role mapping, in spec.Roles order.
func ops(ck, lk, dk, cb, db, lb string) map[spec.Role]string {
	return map[spec.Role]string{spec.CreateKey: ck, spec.ListKeys: lk, spec.DeleteKey: dk, spec.CreateBucket: cb, spec.DeleteBucket: db, spec.ListBuckets: lb}
}

// distractorCases are vendor-style descriptions with the real operations
// and distractors beside them (objects, policies, SSH keys, API tokens,
// webhooks, users, metrics, a second kind of key): each role must be right,
// or the role must stop as ambiguous naming the candidates. A wrong role
// is never chosen silently.
var distractorCases = []struct {
	file string
	edit func(string) string // nil: the file as it is
	want map[spec.Role]string
	// ambiguous names a role whose candidates must both be named, or
	// missing a role the document cannot express.
	ambiguous, missing spec.Role
	candidates         []string
}{
	{file: "rest-envelope.yaml", want: ops("createAccessKey", "listAccessKeys", "revokeAccessKey", "createBucket", "deleteBucket", "listBuckets")},
	{file: "rest-plain.yaml", want: ops("keys.create", "keys.list", "keys.revoke", "stores.create", "stores.close", "stores.list")},
	{file: "rpc-target.yaml", want: ops("CreateBucketKey", "DescribeBucketKeys", "DeleteBucketKey", "CreateBucket", "DeleteBucket", "DescribeBuckets")},
	{file: "query-action.yaml", want: ops("CreateAccessKey", "ListAccessKeys", "DeleteAccessKey", "CreateMember", "DeleteMember", "ListMembers")},
	// The same description without its key delete: the role cannot be
	// played by SSH keys, webhooks or blobs.
	{file: "rest-plain.yaml", edit: func(s string) string {
		return strings.Replace(s, "    delete:\n      operationId: keys.revoke", "    get:\n      operationId: keys.get", 1)
	}, missing: spec.DeleteKey},
	// A second kind of key under the same bucket that also comes with a
	// secret (encryption keys returning their material): two candidates,
	// both named.
	{file: "rest-envelope.yaml", edit: func(s string) string {
		return strings.Replace(s, "        algorithm: {type: string}\n", "        algorithm: {type: string}\n        secret: {type: string}\n", 1)
	}, ambiguous: spec.CreateKey, candidates: []string{"createAccessKey", "createEncryptionKey"}},
}

func TestDistractors(t *testing.T) {
	var table []string
	for i, c := range distractorCases {
		name := fmt.Sprintf("%d-%s", i, c.file)
		t.Run(name, func(t *testing.T) {
			src := string(readFile(t, "../../fixtures/bind/"+c.file))
			if c.edit != nil {
				edited := c.edit(src)
				require.NotEqual(t, src, edited, "the edit changed nothing")
				src = edited
			}
			res := inferred(t, c.file, []byte(src))
			for _, role := range spec.Roles {
				verdict := "right"
				switch got := res.Binding.Operations[role]; {
				case role == c.ambiguous || role == c.missing:
					verdict = "ambiguous (expected)"
					if role == c.missing {
						verdict = "cannot be expressed (expected)"
					}
				case c.ambiguous != "" || c.missing != "":
					continue
				case got == "":
					verdict = "ambiguous"
				case got != c.want[role]:
					verdict = "WRONG: " + got
				}
				table = append(table, fmt.Sprintf("%-28s %-12s %s", name, role, verdict))
			}
			if c.want != nil {
				require.NoError(t, res.Err())
				assert.Equal(t, c.want, res.Binding.Operations)
				return
			}
			err := res.Err()
			require.Error(t, err)
			field := "operations." + string(c.ambiguous)
			if c.missing != "" {
				field = "operations." + string(c.missing)
				assert.ErrorIs(t, err, infer.ErrMissing)
			} else {
				assert.ErrorIs(t, err, infer.ErrAmbiguous)
			}
			assert.Contains(t, err.Error(), field)
			for _, id := range c.candidates {
				assert.Contains(t, err.Error(), id)
			}
			_, chosen := res.Binding.Operations[spec.Role(strings.TrimPrefix(field, "operations."))]
			assert.False(t, chosen, "an ambiguous or missing role must not be bound")
		})
	}
	t.Logf("role mapping per description:\n%s", strings.Join(table, "\n"))
}

// TestReasonsNameEvidence: each choice's reason names what decided it: the
// path segment, the member, the status.
func TestReasonsNameEvidence(t *testing.T) {
	cases := []struct {
		file  string
		field string
		want  []string
	}{
		{"rest-envelope.yaml", "operations.createKey", []string{"access-keys", "name parameter", "201", "secret"}},
		{"rest-envelope.yaml", "operations.listKeys", []string{"key_id", "GET"}},
		{"rest-envelope.yaml", "operations.deleteKey", []string{"{key_id}"}},
		{"rest-envelope.yaml", "operations.createBucket", []string{"POST /buckets"}},
		{"rest-envelope.yaml", "response.keySecret", []string{"secret", "absent from listAccessKeys"}},
		{"rest-plain.yaml", "operations.createKey", []string{"keys under a store_id parameter", "secret_key", "format: password"}},
		{"rest-plain.yaml", "operations.deleteBucket", []string{"DELETE /stores/{store_id}"}},
		{"rpc-target.yaml", "operations.createKey", []string{"SecretKey", "BucketName"}},
		{"rpc-target.yaml", "operations.deleteKey", []string{"KeyId"}},
		{"rpc-target.yaml", "protocol", []string{"X-Crate-Action"}},
		{"rpc-target.yaml", "errors.code", []string{"string Type"}},
		{"query-action.yaml", "operations.createKey", []string{"SecretAccessKey"}},
		{"query-action.yaml", "protocol", []string{"Action"}},
	}
	for _, c := range cases {
		res := inferred(t, c.file, readFile(t, "../../fixtures/bind/"+c.file))
		n, ok := res.Note(c.field)
		require.True(t, ok, "%s: no note for %s", c.file, c.field)
		assert.NotContains(t, n.Reason, "\n")
		for _, w := range c.want {
			assert.Contains(t, n.Reason, w, "%s %s", c.file, c.field)
		}
	}
	// The per-role lines of run.
	res := inferred(t, "rest-envelope.yaml", readFile(t, "../../fixtures/bind/rest-envelope.yaml"))
	lines := res.Lines()
	require.Len(t, lines, len(spec.Roles))
	assert.True(t, strings.HasPrefix(lines[0], "createKey = POST /buckets/{name}/access-keys (path has access-keys under a name parameter; 201 body has secret"), lines[0])
}

// TestPartialOverlay: fields a partial overlay names are kept, the rest is
// inferred, and a role it names settles an ambiguity.
func TestPartialOverlay(t *testing.T) {
	src := strings.Replace(string(readFile(t, "../../fixtures/bind/rest-envelope.yaml")), "        algorithm: {type: string}\n", "        algorithm: {type: string}\n        secret: {type: string}\n", 1)
	overlay := []byte("operations: {createKey: createAccessKey}\nlimit: 3\nresponse: {keyStatus: /status}\n")
	res, err := infer.Infer(parse(t, "edited", []byte(src)), overlay)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, ops("createAccessKey", "listAccessKeys", "revokeAccessKey", "createBucket", "deleteBucket", "listBuckets"), res.Binding.Operations)
	assert.Equal(t, 3, res.Binding.Limit)
	assert.Equal(t, "/status", res.Binding.Response.KeyStatus, "the overlay's field is kept")
	assert.Equal(t, "/key_id", res.Binding.Response.KeyID, "the others are inferred")

	// Through Load, as run does: the bundled envelope description with a
	// partial overlay loads, and the overlay wins.
	data, err := spec.BundledSource("envelope")
	require.NoError(t, err)
	doc, res, err := infer.Load(t.Context(), "envelope", data, []byte("x-keycontract: {limit: 2, auth: none}\n"))
	require.NoError(t, err)
	require.NotNil(t, res)
	assert.Equal(t, "none", doc.Binding.Auth)
	assert.Equal(t, "CreateBucketAccessKey", doc.Binding.Operations[spec.CreateKey])

	// A malformed overlay is an error, not a panic.
	_, err = infer.Infer(parse(t, "edited", []byte(src)), []byte("operations: [1, 2]"))
	assert.Error(t, err)
}
