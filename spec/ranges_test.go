package spec_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// rangeCases are Invalid's range breaks of op, by name.
func rangeCases(d *spec.Document, op *spec.Operation, valid map[string]any) map[string]spec.Invalid {
	out := map[string]spec.Invalid{}
	for _, c := range d.Invalid(op, valid) {
		if strings.Contains(c.Name, "minimum") || strings.Contains(c.Name, "maximum") {
			out[c.Name] = c
		}
	}
	return out
}

// On AWS query, MaxItems (1 to 1000, IAM's maxItemsType) is broken just
// outside its range, as form text, on both lists, expecting invalid input
// (or not-found, as every member break does); nothing else of the iam
// description has a range.
func TestRangeBreaksOnAForm(t *testing.T) {
	d := bundled(t, "iam")
	res := spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"}
	for _, role := range spec.Roles {
		op := d.Op(role)
		cases := rangeCases(d, op, d.Minimal(op, res))
		if role != spec.ListKeys && role != spec.ListBuckets {
			assert.Empty(t, cases, op.ID)
			continue
		}
		require.Len(t, cases, 2, op.ID)
		for name, text := range map[string]string{"MaxItems: below minimum (0 < 1)": "0", "MaxItems: above maximum (1001 > 1000)": "1001"} {
			c, ok := cases[name]
			require.True(t, ok, "%s lacks %q: %v", op.ID, name, cases)
			assert.Contains(t, "&"+string(c.Request.Body)+"&", "&MaxItems="+text+"&", op.ID)
			assert.ElementsMatch(t, []spec.Situation{spec.InvalidInput, spec.NotFound}, c.Expect)
			assert.False(t, c.Wire)
		}
	}
}

// On a JSON wire a range break is a JSON number, never a string; in a
// REST query parameter, its text. Both are invalid as read (the readings
// test reads every bundled break every known way).
func TestRangeBreaksOnJSONAndParameters(t *testing.T) {
	ctx := context.Background()
	src, err := spec.BundledSource("aws")
	require.NoError(t, err)
	edited := strings.Replace(string(src), "        pageToken: {type: string}\n",
		"        pageToken: {type: string}\n        maxResults: {type: integer, minimum: 1, maximum: 100}\n        ratio: {type: number, minimum: 0.5, exclusiveMaximum: true, maximum: 2.5}\n", 1)
	require.NotEqual(t, string(src), edited)
	d, err := spec.Load(ctx, "aws-with-ranges", []byte(edited), nil)
	require.NoError(t, err)
	op := d.Op(spec.ListBuckets)
	cases := rangeCases(d, op, d.Minimal(op, spec.Resources{}))
	want := map[string]string{
		"maxResults: below minimum (0 < 1)":               "0",
		"maxResults: above maximum (101 > 100)":           "101",
		"ratio: below minimum (-0.5 < 0.5)":               "-0.5",
		"ratio: not below exclusive maximum (2.5 >= 2.5)": "2.5",
	}
	require.Len(t, cases, len(want), "%v", cases)
	for name, number := range want {
		c, ok := cases[name]
		require.True(t, ok, "lacks %q", name)
		var body map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(c.Request.Body, &body))
		member, _, _ := strings.Cut(name, ":")
		assert.Equal(t, number, string(body[member]), "%s: a JSON number", name)
		var in map[string]any
		require.NoError(t, json.Unmarshal(c.Request.Body, &in))
		assert.Error(t, op.Input.VisitJSON(in), name)
	}

	src, err = spec.BundledSource("rest")
	require.NoError(t, err)
	edited = strings.Replace(string(src), "          description: Only this bucket; an unknown one is NOT_FOUND.\n          schema: {$ref: '#/components/schemas/BucketName'}\n",
		"          description: Only this bucket; an unknown one is NOT_FOUND.\n          schema: {$ref: '#/components/schemas/BucketName'}\n        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50}}\n", 1)
	require.NotEqual(t, string(src), edited)
	d, err = spec.Load(ctx, "rest-with-ranges", []byte(edited), nil)
	require.NoError(t, err)
	op = d.Op(spec.ListBuckets)
	cases = rangeCases(d, op, d.Minimal(op, spec.Resources{}))
	require.Len(t, cases, 2, "%v", cases)
	assert.Equal(t, "limit=0", cases["limit: below minimum (0 < 1)"].Request.Query)
	assert.Equal(t, "limit=51", cases["limit: above maximum (51 > 50)"].Request.Query)
}
