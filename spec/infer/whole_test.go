package infer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// wholeCases are the whole published descriptions (fixtures/thirdparty,
// verbatim): every operation of the API, with the distractors a real API
// has (key pairs with a private key, service passwords, MFA seeds, SSH
// keys; every IAM action as GET_ and POST_), the role mapping bind must
// find, and the partial overlay holding only what a description cannot
// state.
var wholeCases = []struct {
	file, overlay, dialect, label string
	want                          map[spec.Role]string
}{
	{"apis-guru-lightsail-full.yaml", "lightsail-full-overlay.yaml", "aws", "Lightsail",
		ops("CreateBucketAccessKey", "GetBucketAccessKeys", "DeleteBucketAccessKey", "CreateBucket", "DeleteBucket", "GetBuckets")},
	{"apis-guru-iam-full.yaml", "iam-full-overlay.yaml", "iam", "IAM",
		ops("POST_CreateAccessKey", "POST_ListAccessKeys", "POST_DeleteAccessKey", "POST_CreateUser", "POST_DeleteUser", "POST_ListUsers")},
}

// TestWholeDescriptions: each whole description binds with no overlay,
// every role to the right operation, each by at least Margin over its
// nearest rival; the table of margins is logged.
func TestWholeDescriptions(t *testing.T) {
	for _, c := range wholeCases {
		t.Run(c.file, func(t *testing.T) {
			src := readFile(t, "../../fixtures/thirdparty/"+c.file)
			start := time.Now()
			res := inferred(t, c.file, src)
			t.Logf("parse and infer: %v", time.Since(start))
			require.NoError(t, res.Err())
			assert.Equal(t, c.want, res.Binding.Operations)
			assert.Equal(t, c.dialect, res.Binding.Dialect)
			margins := res.Margins()
			require.Len(t, margins, len(spec.Roles), "every role is scored")
			for _, m := range margins {
				assert.Equal(t, c.want[m.Role], m.Winner)
				require.NotEmpty(t, m.Rival, "%s: a whole API has a rival for every role", m.Role)
				assert.NotEqual(t, m.Winner, m.Rival)
				assert.GreaterOrEqual(t, m.Score-m.RivalScore, infer.Margin, "%s: %s %.2f vs %s %.2f", m.Role, m.Winner, m.Score, m.Rival, m.RivalScore)
			}
			t.Logf("margins, %s:\n%s", c.file, res.MarginTable())
			// The README's table of margins is this one.
			readme := string(readFile(t, "../../README.md"))
			for _, m := range margins {
				row := fmt.Sprintf("| %s | %s | %s | %.2f | %s", c.label, m.Role, m.Winner, m.Score, m.Rival)
				i := strings.Index(readme, row)
				if assert.GreaterOrEqual(t, i, 0, "README lacks %q", row) {
					line, _, _ := strings.Cut(readme[i:], "\n")
					assert.True(t, strings.HasSuffix(line, fmt.Sprintf(" | %.2f |", m.RivalScore)), "README row %q: rival score %.2f", line, m.RivalScore)
				}
			}
			// The rivals the issue names lose, and the reason says why.
			n, _ := res.Note("operations.createKey")
			switch c.dialect {
			case "aws":
				assert.Equal(t, "CreateKeyPair", margins[0].Rival)
				assert.Contains(t, n.RunnerUp, "no delete that takes its id")
			case "iam":
				assert.Equal(t, "POST_CreateServiceSpecificCredential", margins[0].Rival)
			}
			for _, want := range []string{"lists 100% of its members", "deletes it by its id", "makes the"} {
				assert.Contains(t, n.Reason, want)
			}
		})
	}
}

// TestWholeDescriptionsRun: each whole description, with its partial
// overlay of what no description states (Lightsail's bundle id, IAM's
// pathType as the service enforces it, the key limit), loads as run loads
// it, keeps the overlay's fields, and passes every check against the
// emulator of its wire.
func TestWholeDescriptionsRun(t *testing.T) {
	for _, c := range wholeCases {
		t.Run(c.file, func(t *testing.T) {
			src := readFile(t, "../../fixtures/thirdparty/"+c.file)
			overlay := readFile(t, "../../fixtures/thirdparty/"+c.overlay)
			doc, res, err := infer.Load(context.Background(), c.file, src, overlay)
			require.NoError(t, err)
			require.NotNil(t, res, "the overlay is partial: the rest is inferred")
			assert.Equal(t, c.want, doc.Binding.Operations)
			assert.Equal(t, 2, doc.Binding.Limit)
			switch c.dialect {
			case "aws":
				assert.Equal(t, "small_1_0", doc.Binding.Request.Fixed[spec.CreateBucket]["/bundleId"])
				assert.Equal(t, true, doc.Binding.Request.Fixed[spec.DeleteBucket]["/forceDelete"], "inferred fields stay")
			case "iam":
				require.Contains(t, doc.Binding.Wire.Schemas, "pathType")
				assert.True(t, doc.Binding.Wire.XMLResult, "inferred fields stay")
			}
			passes(t, c.dialect, doc)
		})
	}
}

// TestTwoKeyFamiliesAmbiguous: two key families as good as each other
// (read keys and write keys under the same bucket, the same shapes) stop
// as ambiguous, naming both; none is chosen.
func TestTwoKeyFamiliesAmbiguous(t *testing.T) {
	res := inferred(t, "two-key-families.yaml", readFile(t, "../../fixtures/bind/two-key-families.yaml"))
	err := res.Err()
	require.ErrorIs(t, err, infer.ErrAmbiguous)
	assert.Contains(t, err.Error(), "operations.createKey: two key families fit createKey about equally well")
	for _, id := range []string{"createReadKey", "createWriteKey"} {
		assert.Contains(t, err.Error(), id)
	}
	assert.Empty(t, res.Binding.Operations[spec.CreateKey])
	require.Len(t, res.Problems, 1)
	cs := res.Problems[0].Candidates
	require.Len(t, cs, 2)
	assert.InDelta(t, cs[0].Score, cs[1].Score, infer.Margin)
	assert.True(t, strings.Contains(cs[0].Reason, "lists 100%") && strings.Contains(cs[1].Reason, "lists 100%"), "each candidate's family is shown")

	// Naming one settles it, and the rest of its family follows.
	res, err = infer.Infer(parse(t, "two", readFile(t, "../../fixtures/bind/two-key-families.yaml")), []byte("operations: {createKey: createWriteKey}\n"))
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, ops("createWriteKey", "listWriteKeys", "revokeWriteKey", "createBucket", "deleteBucket", "listBuckets"), res.Binding.Operations)
}
