package spec_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/fixtures"
	"github.com/keycontract/keycontract/spec"
)

// iamModel is what the IAM cross-check reads of the botocore IAM model
// beyond botocore: result wrappers, error shapes and their wire codes.
type iamModel struct {
	boto       *botocore
	Operations map[string]struct {
		Output *struct {
			Shape         string `json:"shape"`
			ResultWrapper string `json:"resultWrapper"`
		} `json:"output"`
		Errors []shapeRef `json:"errors"`
	} `json:"operations"`
	Shapes map[string]struct {
		Error *struct {
			Code           string `json:"code"`
			HTTPStatusCode int    `json:"httpStatusCode"`
		} `json:"error"`
	} `json:"shapes"`
}

func referenceIAMModel(t *testing.T) *iamModel {
	t.Helper()
	var b botocore
	require.NoError(t, json.Unmarshal(fixtures.IAMReferenceModel(), &b))
	m := iamModel{boto: &b}
	require.NoError(t, json.Unmarshal(fixtures.IAMReferenceModel(), &m))
	return &m
}

// iamTypes: IAM's timestamps are ISO 8601 strings on the query wire.
var iamTypes = map[string]string{
	"structure": openapi3.TypeObject,
	"list":      openapi3.TypeArray,
	"string":    openapi3.TypeString,
	"boolean":   openapi3.TypeBoolean,
	"integer":   openapi3.TypeInteger,
	"long":      openapi3.TypeInteger,
	"timestamp": openapi3.TypeString,
}

var uEscape = regexp.MustCompile(`\\u00([0-9A-Fa-f]{2})`)

// anchored is the pattern spec/iam.yaml must give for a model pattern: IAM
// (Java) matches a pattern against the whole value, OpenAPI (ECMA-262)
// anywhere in it, so the model's is anchored, an alternation grouped
// first; and \u00XX escapes, which Go's regexp lacks, are spelled \xXX,
// which ECMA-262 and Go both read.
func anchored(p string) string {
	p = uEscape.ReplaceAllString(p, `\x$1`)
	if strings.Contains(p, "|") {
		p = "(?:" + p + ")"
	}
	return "^" + p + "$"
}

// crossCheckIAM compares spec/iam.yaml (or a mutation of it) with the IAM
// model: every request member (names, types, required, lengths, patterns
// anchored, integer ranges, list sizes, enums), every result (the content
// of <{Op}Result>, which may require more than the model), the
// ResponseMetadata every reply carries, and every error the model
// documents: its wire code has the model's status in the binding, and that
// status is a documented XML error response requiring Error/Code.
func crossCheckIAM(m *iamModel, d *spec.Document) []error {
	c := &checker{m: m.boto, types: iamTypes, pattern: anchored}
	for _, r := range spec.Roles {
		op := d.Op(r)
		mo, ok := m.boto.Operations[op.ID]
		if !ok {
			c.errorf(op.ID, "not in the model")
			continue
		}
		if op.Request == nil {
			c.errorf(op.ID, "no request schema")
		} else {
			c.responses = false
			c.compare(mo.Input.Shape, mo.Input.Shape, op.Request)
		}
		schema := successSchema(op)
		if schema == nil {
			c.errorf(op.ID, "no 200 response schema")
			continue
		}
		if !slices.Contains(schema.Required, "ResponseMetadata") || schema.Properties["ResponseMetadata"] == nil {
			c.errorf(op.ID, "200 does not require ResponseMetadata")
		}
		if out := m.Operations[op.ID].Output; out != nil {
			result := schema.Properties[out.ResultWrapper]
			if result == nil || !slices.Contains(schema.Required, out.ResultWrapper) {
				c.errorf(op.ID, "200 does not require %s", out.ResultWrapper)
			} else {
				c.responses = true
				c.compare(out.Shape, out.Shape, result.Value)
			}
		}
		for _, e := range m.Operations[op.ID].Errors {
			c.modelError(d, op, e.Shape, m.Shapes[e.Shape].Error)
		}
	}
	return c.errs
}

func (c *checker) modelError(d *spec.Document, op *spec.Operation, shape string, e *struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
}) {
	if e == nil {
		c.errorf(shape, "the model gives no wire code")
		return
	}
	if statuses := d.Binding.Errors.Statuses[e.Code]; !slices.Contains(statuses, e.HTTPStatusCode) {
		c.errorf(e.Code, "statuses %v, model %d", statuses, e.HTTPStatusCode)
	}
	resp := op.Route.Operation.Responses.Status(e.HTTPStatusCode)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("text/xml") == nil {
		c.errorf(op.ID, "no text/xml %d response for %s", e.HTTPStatusCode, e.Code)
		return
	}
	s := resp.Value.Content.Get("text/xml").Schema.Value
	if !slices.Contains(s.Required, "Error") || s.Properties["Error"] == nil ||
		!slices.Contains(s.Properties["Error"].Value.Required, "Code") {
		c.errorf(op.ID, "%d response does not require Error/Code", e.HTTPStatusCode)
	}
}

func TestIAMMatchesTheModel(t *testing.T) {
	d, err := spec.Bundled("iam")
	require.NoError(t, err)
	for _, e := range crossCheckIAM(referenceIAMModel(t), d) {
		t.Error(e)
	}
}

func TestAnchored(t *testing.T) {
	for in, want := range map[string]string{
		`[\w+=,.@-]+`: `^[\w+=,.@-]+$`,
		`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`: `^(?:(\x2F)|(\x2F[\x21-\x7E]+\x2F))$`,
		`[\u0020-\u00FF]+`:                        `^[\x20-\xFF]+$`,
	} {
		assert.Equal(t, want, anchored(in), in)
		regexp.MustCompile(anchored(in)) // Go reads it
	}
	re := regexp.MustCompile(anchored(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`))
	for s, ok := range map[string]bool{"/": true, "/a/b/": true, "/a": false, "a/": false, "/a b/": false} {
		assert.Equal(t, ok, re.MatchString(s), s)
	}
}

// The IAM cross-check fails on each mutation of spec/iam.yaml, with an
// error naming the member.
func TestIAMCrossCheckCatchesMutations(t *testing.T) {
	src, err := spec.BundledSource("iam")
	require.NoError(t, err)
	model := referenceIAMModel(t)
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"required dropped", "required: [AccessKeyId]", "required: []", []string{"DeleteAccessKeyRequest: required [], model [AccessKeyId]"}},
		{"required added", "CreateAccessKeyRequest:\n      type: object\n", "CreateAccessKeyRequest:\n      type: object\n      required: [UserName]\n", []string{"CreateAccessKeyRequest: required [UserName], model []"}},
		{"max length", "maxLength: 64", "maxLength: 128", []string{"CreateUserRequest.UserName: maxLength 128, model 64"}},
		{"min length", "minLength: 16\n      maxLength: 128\n      pattern: '^[\\w]+$'\n    Id:", "minLength: 20\n      maxLength: 128\n      pattern: '^[\\w]+$'\n    Id:", []string{"DeleteAccessKeyRequest.AccessKeyId: minLength 20, model 16"}},
		{"pattern unanchored", `'^\x2F[\x21-\x7F]*$'`, `'\x2F[\x21-\x7F]*'`, []string{"ListUsersRequest.PathPrefix: pattern"}},
		{"alternation anchored per branch", `'^(?:(\x2F)|(\x2F[\x21-\x7E]+\x2F))$'`, `'^(\x2F)|(\x2F[\x21-\x7E]+\x2F)$'`, []string{"CreateUserRequest.Path: pattern"}},
		{"pattern range", `'^[\x20-\xFF]+$'`, `'^[\x20-\x7F]+$'`, []string{"ListAccessKeysRequest.Marker: pattern", "ListUsersRequest.Marker: pattern"}},
		{"tag key pattern", `'^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$'`, `'^[\w_.:/=+\-@]+$'`, []string{"CreateUserRequest.Tags[].Key: pattern"}},
		{"integer range", "maximum: 1000", "maximum: 100", []string{"ListUsersRequest.MaxItems: maximum 100, model 1000"}},
		{"integer type", "type: integer", "type: number", []string{"ListAccessKeysRequest.MaxItems: type"}},
		{"list size", "maxItems: 50", "maxItems: 51", []string{"CreateUserRequest.Tags: maxItems 51, model 50"}},
		{"tag required", "required: [Key, Value]", "required: [Key]", []string{"CreateUserRequest.Tags[]: required [Key], model [Key Value]"}},
		{"member renamed", "PathPrefix: {$ref", "Prefix: {$ref", []string{"ListUsersRequest: properties [Marker MaxItems Prefix]"}},
		{"status enum", "enum: [Active, Inactive, Expired]", "enum: [Active, Inactive]", []string{"CreateAccessKeyResponse.AccessKey.Status: enum", "ListAccessKeysResponse.AccessKeyMetadata[].Status: enum"}},
		{"timestamps", "format: date-time", "format: date", []string{"CreateUserResponse.User.CreateDate: format"}},
		{"result required", "required: [UserName, AccessKeyId, Status, SecretAccessKey]", "required: [UserName, AccessKeyId, Status]", []string{`CreateAccessKeyResponse.AccessKey: required [UserName AccessKeyId Status] lacks the model's "SecretAccessKey"`}},
		{"result wrapper", "required: [ListUsersResult, ResponseMetadata]", "required: [ResponseMetadata]", []string{"ListUsers: 200 does not require ListUsersResult"}},
		{"response metadata", "required: [ResponseMetadata]\n      xml: {name: DeleteUserResponse", "required: []\n      xml: {name: DeleteUserResponse", []string{"DeleteUser: 200 does not require ResponseMetadata"}},
		{"error status", "NoSuchEntity: [404]", "NoSuchEntity: [400]", []string{"NoSuchEntity: statuses [400], model 404"}},
		{"error code", "required: [Code]", "required: []", []string{"CreateAccessKey: 404 response does not require Error/Code"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, 1, strings.Count(string(src), c.old), "%q must occur once", c.old)
			mutated := strings.Replace(string(src), c.old, c.new, 1)
			d, err := spec.Load(context.Background(), "mutated", []byte(mutated), nil)
			require.NoError(t, err)
			errs := crossCheckIAM(model, d)
			require.NotEmpty(t, errs)
			all := fmt.Sprint(errs)
			for _, w := range c.want {
				assert.Contains(t, all, w)
			}
		})
	}
}
