package spec

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envelopeWith is the bundled envelope description with extra members in
// CreateBucketRequest (each "name: schema", required when listed in req)
// and the binding's fixed createBucket members replaced by fixed.
func envelopeWith(t *testing.T, members, req []string, fixed string) []byte {
	t.Helper()
	src, err := BundledSource("envelope")
	require.NoError(t, err)
	s := string(src)
	old := "      required: [bucketName, bundleId]\n      properties:\n        bucketName: {$ref: '#/components/schemas/BucketName'}\n"
	require.Contains(t, s, old)
	props := ""
	for _, m := range members {
		props += "        " + m + "\n"
	}
	s = strings.Replace(s, old, "      required: ["+strings.Join(append([]string{"bucketName", "bundleId"}, req...), ", ")+"]\n      properties:\n        bucketName: {$ref: '#/components/schemas/BucketName'}\n"+props, 1)
	oldFixed := "fixed: {createBucket: {/bundleId: small_1_0}"
	require.Contains(t, s, oldFixed)
	return []byte(strings.Replace(s, oldFixed, "fixed: {createBucket: {"+fixed+"}", 1))
}

// TestUngenerablePattern: a required member whose pattern no generated
// string satisfies stops loading with the member, the pattern's reason and
// the remedy; the binding fixing the member loads; an optional one is left
// out of generated requests, the other optional members still drawn.
func TestUngenerablePattern(t *testing.T) {
	const never = "{type: string, pattern: '^(?=x)y$'}"
	_, err := Load(context.Background(), "t", envelopeWith(t, []string{"zone: " + never}, []string{"zone"}, "/bundleId: small_1_0"), nil)
	require.ErrorIs(t, err, ErrBinding)
	for _, want := range []string{"CreateBucket", "required member zone", "none of 200 strings", "request.fixed.createBucket"} {
		assert.Contains(t, err.Error(), want)
	}

	d, err := Load(context.Background(), "t", envelopeWith(t, []string{"zone: " + never}, []string{"zone"}, "/bundleId: small_1_0, /zone: y"), nil)
	require.NoError(t, err, "the binding gives the member its value")
	assert.Equal(t, "y", d.Minimal(d.Op(CreateBucket), Resources{Bucket: "abc"})["zone"])

	d, err = Load(context.Background(), "t", envelopeWith(t, []string{"label: " + never}, nil, "/bundleId: small_1_0"), nil)
	require.NoError(t, err)
	op := d.Op(CreateBucket)
	drawn := map[string]bool{}
	for seed := range 60 {
		body := d.Valid(op, Resources{Bucket: "abc"}).Example(seed)
		for name := range body {
			drawn[name] = true
		}
	}
	assert.False(t, drawn["label"], "no valid label exists: it is never sent")
	assert.True(t, drawn["tags"] && drawn["enableObjectVersioning"], "other optional members are drawn: %v", drawn)
}

// TestGeneratedLookahead: a member whose pattern has a lookahead (IAM's
// account alias) is generated as the pattern reads, never with --.
func TestGeneratedLookahead(t *testing.T) {
	alias := "alias: {type: string, minLength: 3, maxLength: 63, pattern: '^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$'}"
	d, err := Load(context.Background(), "t", envelopeWith(t, []string{alias}, []string{"alias"}, "/bundleId: small_1_0"), nil)
	require.NoError(t, err)
	p, err := CompilePattern(`^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$`)
	require.NoError(t, err)
	for seed := range 40 {
		v, _ := d.Valid(d.Op(CreateBucket), Resources{Bucket: "abc"}).Example(seed)["alias"].(string)
		require.True(t, p.Matches(v), "%q", v)
		require.NotContains(t, v, "--")
	}
	// The invalid-input break for it is rejected by the pattern, not by a
	// length.
	var breaks int
	for _, inv := range d.Invalid(d.Op(CreateBucket), d.Minimal(d.Op(CreateBucket), Resources{Bucket: "abc"})) {
		if strings.HasPrefix(inv.Name, "alias: does not match pattern") {
			breaks++
		}
	}
	assert.Equal(t, 1, breaks)
}
