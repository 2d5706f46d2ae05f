package spec_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// invalidNamed is the case of Invalid(op, valid) called name, if any.
func invalidNamed(d *spec.Document, op *spec.Operation, valid map[string]any, name string) (spec.Invalid, bool) {
	for _, c := range d.Invalid(op, valid) {
		if c.Name == name {
			return c, true
		}
	}
	return spec.Invalid{}, false
}

// The malformed-form break puts "%zz" inside a required member's value,
// expects what every reading answers, and names the input a literal
// reader acts on; operations with no required member get none, and no
// stray undecodable pair is sent anywhere.
func TestFormBreakInsideARequiredMember(t *testing.T) {
	d := bundled(t, "iam")
	res := spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"}
	for role, member := range map[spec.Role]string{spec.DeleteBucket: "UserName", spec.CreateBucket: "UserName", spec.DeleteKey: "AccessKeyId"} {
		op := d.Op(role)
		valid := d.Minimal(op, res)
		c, ok := invalidNamed(d, op, valid, "body: malformed form encoding (an undecodable escape in "+member+")")
		require.True(t, ok, "%s has no malformed-form break", op.ID)
		body := string(c.Request.Body)
		assert.Contains(t, body, member+"="+valid[member].(string)+"%zz", op.ID)
		assert.True(t, strings.HasPrefix(body, "Action="+op.ID+"&"), body)
		assert.Contains(t, body, "Version=2010-05-08")
		assert.Equal(t, 1, strings.Count(body, "%zz"), body)
		assert.ElementsMatch(t, []spec.Situation{spec.InvalidInput, spec.NotFound, spec.UnknownOperation}, c.Expect)
		assert.True(t, c.Wire)
		assert.Equal(t, valid[member].(string)+"%zz", c.Request.Input[member], "the literal reading's input")
	}
	for _, role := range spec.Roles {
		op := d.Op(role)
		for _, c := range d.Invalid(op, d.Minimal(op, res)) {
			assert.NotContains(t, string(c.Request.Body), "&%zz=%", "%s %q", op.ID, c.Name)
			if role == spec.CreateKey || role == spec.ListKeys || role == spec.ListBuckets {
				assert.False(t, strings.HasPrefix(c.Name, "body: malformed form encoding"), "%s has only optional members: %q", op.ID, c.Name)
			}
		}
	}
}

// Empty text is sent for a text member only where it is required: a
// reader may take it for no value.
func TestEmptyTextOnlyForRequiredMembers(t *testing.T) {
	d := bundled(t, "iam")
	res := spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"}
	for _, role := range spec.Roles {
		op := d.Op(role)
		for _, c := range d.Invalid(op, d.Minimal(op, res)) {
			for name, v := range c.Request.Input {
				if v == "" {
					assert.Contains(t, op.Input.Required, name, "%s %q sends %s empty", op.ID, c.Name, name)
					assert.Contains(t, c.Expect, spec.NotFound, "an empty %s may be read as absent", name)
				}
			}
		}
	}
	_, ok := invalidNamed(d, d.Op(spec.CreateKey), d.Minimal(d.Op(spec.CreateKey), res), "UserName: too short (0 < 1)")
	assert.False(t, ok, "CreateAccessKey's UserName is optional: empty may read as the caller's own keys")
	_, ok = invalidNamed(d, d.Op(spec.DeleteBucket), d.Minimal(d.Op(spec.DeleteBucket), res), "UserName: too short (0 < 1)")
	assert.True(t, ok, "DeleteUser's UserName is required")
}

// An empty or null JSON body may be read as {}: it is sent only where the
// input has a required member, expecting what that member's absence does.
func TestJSONEmptyBodiesOnlyWithARequiredMember(t *testing.T) {
	for _, dialect := range []string{"aws", "envelope"} {
		d := bundled(t, dialect)
		for _, role := range spec.Roles {
			op := d.Op(role)
			valid := d.Minimal(op, spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"})
			required := len(op.Input.Required) > 0
			for _, name := range []string{"body: empty", "body: JSON null"} {
				c, ok := invalidNamed(d, op, valid, name)
				assert.Equal(t, required, ok, "%s %s: %q", dialect, op.ID, name)
				if ok {
					assert.ElementsMatch(t, []spec.Situation{spec.InvalidInput, spec.NotFound}, c.Expect)
				}
			}
			_, ok := invalidNamed(d, op, valid, "body: malformed JSON")
			assert.True(t, ok, "%s %s", dialect, op.ID)
		}
		_, ok := invalidNamed(d, d.Op(spec.ListBuckets), map[string]any{}, "body: empty")
		assert.False(t, ok, "%s GetBuckets has no required member", dialect)
	}
}

// The REST route breaks avoid every template of the document: the
// unknown path matches none (here "/{anything}" matches one segment, so
// the path goes deeper), and the method is one no matching template
// declares (here "/v1/{collection}/{name}" declares PATCH on the
// DeleteBucket path).
func TestRESTRouteBreaksAvoidEveryTemplate(t *testing.T) {
	doc := strings.Replace(pathDoc, "x-keycontract:", `  /{anything}:
    get:
      operationId: Anything
      parameters: [{name: anything, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /v1/{collection}/{name}:
    patch:
      operationId: Patch
      parameters:
        - {name: collection, in: path, required: true, schema: {type: string}}
        - {name: name, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
x-keycontract:`, 1)
	d, err := spec.Load(context.Background(), "catch-all", []byte(doc), nil)
	require.NoError(t, err)
	op := d.Op(spec.DeleteBucket)
	valid := d.Minimal(op, spec.Resources{Bucket: "bucket-under-test"})
	route, ok := invalidNamed(d, op, valid, "route: unknown path")
	require.True(t, ok)
	assert.Equal(t, "/keycontract-no-such-route/keycontract-no-such-route", route.Request.Path)
	_, ok = invalidNamed(d, op, valid, "route: method PATCH not allowed")
	assert.False(t, ok, "PATCH is declared on a template matching the path")
	_, ok = invalidNamed(d, op, valid, "route: method PUT not allowed")
	assert.True(t, ok)

	plain := bundled(t, "rest")
	route, ok = invalidNamed(plain, plain.Op(spec.ListBuckets), map[string]any{}, "route: unknown path")
	require.True(t, ok)
	assert.Equal(t, "/keycontract-no-such-route", route.Request.Path)
}
