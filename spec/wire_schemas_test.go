package spec_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/fixtures"
	"github.com/keycontract/keycontract/spec"
)

// pathFix is the IAM overlay's one wire.schemas entry.
const pathFix = "    pathType: {pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)'}\n"

// TestThirdPartyIAMPathFix: the IAM overlay's wire.schemas fix gives
// pathType the service model's own pattern, verbatim, in place (every
// reference sees it), so generated valid Paths no longer hold DEL (U+007F),
// which the APIs.guru description admits. The patterns are unanchored, as
// everywhere in that description, so validation matches them anywhere in a
// value: the fix changes what is generated, not what a reply may hold.
func TestThirdPartyIAMPathFix(t *testing.T) {
	model := referenceIAMModel(t)
	want := model.boto.Shapes["pathType"].Pattern
	require.NotEmpty(t, want)

	doc, overlay := fixtures.ThirdPartyIAM()
	fixed, err := spec.Load(context.Background(), "iam-thirdparty", doc, overlay)
	require.NoError(t, err)
	pathType := fixed.T.Components.Schemas["pathType"].Value
	assert.Equal(t, want, pathType.Pattern)
	path := fixed.T.Components.Schemas["CreateUserRequest"].Value.Properties["Path"].Value
	require.NotEmpty(t, path.AllOf)
	assert.Same(t, pathType, path.AllOf[0].Value, "CreateUserRequest.Path is allOf[pathType]")

	require.Contains(t, string(overlay), "  schemas:\n"+pathFix)
	unfixedOverlay := strings.Replace(string(overlay), "  schemas:\n"+pathFix, "", 1)
	unfixed, err := spec.Load(context.Background(), "iam-thirdparty", doc, []byte(unfixedOverlay))
	require.NoError(t, err)
	assert.NotEqual(t, want, unfixed.T.Components.Schemas["pathType"].Value.Pattern, "the description's own pattern is the stale one")

	// dels counts the first n generated CreateUser bodies whose Path holds
	// DEL; Example(i) is deterministic.
	dels := func(d *spec.Document, n int) int {
		gen := d.Valid(d.Op(spec.CreateBucket), spec.Resources{})
		count := 0
		for i := range n {
			if p, _ := gen.Example(i)["Path"].(string); strings.Contains(p, "\x7f") {
				count++
			}
		}
		return count
	}
	assert.Positive(t, dels(unfixed, 200), "the stale pattern generates DEL")
	assert.Zero(t, dels(fixed, 200), "CreateUser(Path holding DEL) generated with the fix, want none")
}

func TestSchemaFixRejectsBadFixes(t *testing.T) {
	doc, overlay := fixtures.ThirdPartyIAM()
	require.Contains(t, string(overlay), pathFix)
	cases := []struct {
		name, with string
		isBinding  bool
		want       string
	}{
		{"no such schema", "    pathTyp: {pattern: '/'}\n", true, "wire.schemas.pathTyp: no such component schema"},
		{"pattern that does not compile", "    pathType: {pattern: '(/'}\n", true, "wire.schemas.pathType:"},
		{"minLength above maxLength", "    pathType: {minLength: 600}\n", true, "wire.schemas.pathType: minLength 600 is above maxLength 512"},
		{"keyword a fix cannot set", "    pathType: {type: integer}\n", false, `unknown field "type"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := spec.Load(context.Background(), "doc.yaml", doc, []byte(strings.Replace(string(overlay), pathFix, c.with, 1)))
			require.Error(t, err)
			assert.Nil(t, d)
			assert.Equal(t, c.isBinding, errors.Is(err, spec.ErrBinding), "errors.Is(err, ErrBinding): %v", err)
			assert.ErrorContains(t, err, c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "doc.yaml: "), "the error names the document: %v", err)
		})
	}
}
