package spec_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/fixtures"
	"github.com/keycontract/keycontract/spec"
)

// botocore is the part of a botocore service model the cross-check reads.
type botocore struct {
	Operations map[string]struct {
		Input  *shapeRef `json:"input"`
		Output *shapeRef `json:"output"`
	} `json:"operations"`
	Shapes map[string]botoShape `json:"shapes"`
}

type shapeRef struct {
	Shape string `json:"shape"`
}

type botoShape struct {
	Type     string              `json:"type"`
	Members  map[string]shapeRef `json:"members"`
	Member   *shapeRef           `json:"member"`
	Required []string            `json:"required"`
	Pattern  string              `json:"pattern"`
	Min      *float64            `json:"min"`
	Max      *float64            `json:"max"`
	Enum     []string            `json:"enum"`
}

func referenceModel(t *testing.T) *botocore {
	t.Helper()
	var m botocore
	require.NoError(t, json.Unmarshal(fixtures.ReferenceModel(), &m))
	return &m
}

// schemaType is the JSON Schema type each botocore type must become on the
// wire. Timestamps are epoch seconds.
var schemaType = map[string]string{
	"structure": openapi3.TypeObject,
	"list":      openapi3.TypeArray,
	"string":    openapi3.TypeString,
	"boolean":   openapi3.TypeBoolean,
	"integer":   openapi3.TypeInteger,
	"long":      openapi3.TypeInteger,
	"timestamp": openapi3.TypeNumber,
}

// crossCheck compares the request schema of every bound operation of d with
// the model's input shape, and, when responses is set, the 200 response
// schema with the output shape. It walks the model's members recursively
// and returns one error per difference: member names, types, required
// members, patterns, lengths, list sizes and enums. Response schemas may
// require more members than the model (which requires none); request
// schemas must require exactly the model's.
func crossCheck(m *botocore, d *spec.Document, responses bool) []error {
	c := &checker{m: m, responses: false}
	for _, r := range spec.Roles {
		op := d.Op(r)
		mo, ok := m.Operations[op.ID]
		if !ok {
			c.errorf(op.ID, "not in the model")
			continue
		}
		if mo.Input == nil {
			c.errorf(op.ID, "the model has no input shape")
		} else if op.Request == nil {
			c.errorf(op.ID, "no request schema")
		} else {
			c.responses = false
			c.compare(mo.Input.Shape, mo.Input.Shape, op.Request)
		}
		if !responses {
			continue
		}
		schema := successSchema(op)
		switch {
		case mo.Output == nil:
			c.errorf(op.ID, "the model has no output shape")
		case schema == nil:
			c.errorf(op.ID, "no 200 response schema")
		default:
			c.responses = true
			c.compare(mo.Output.Shape, mo.Output.Shape, schema)
		}
	}
	return c.errs
}

func successSchema(op *spec.Operation) *openapi3.Schema {
	resp := op.Route.Operation.Responses.Status(200)
	if resp == nil || resp.Value == nil {
		return nil
	}
	for _, mt := range resp.Value.Content {
		if mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

type checker struct {
	m         *botocore
	responses bool
	errs      []error

	// types maps botocore types to the wire's JSON Schema types (nil:
	// schemaType), and pattern a model pattern to the one the document
	// must give (nil: the same).
	types   map[string]string
	pattern func(string) string
}

func (c *checker) errorf(path, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
}

func (c *checker) compare(path, shapeName string, s *openapi3.Schema) {
	shape, ok := c.m.Shapes[shapeName]
	if !ok {
		c.errorf(path, "shape %s is not in the model", shapeName)
		return
	}
	if s == nil {
		c.errorf(path, "no schema")
		return
	}
	types := c.types
	if types == nil {
		types = schemaType
	}
	want, known := types[shape.Type]
	if !known {
		c.errorf(path, "model type %q has no JSON Schema type", shape.Type)
		return
	}
	if s.Type == nil || !s.Type.Is(want) {
		c.errorf(path, "type %v, model %s (%s)", s.Type, want, shape.Type)
		return
	}
	switch shape.Type {
	case "structure":
		c.structure(path, shape, s)
	case "list":
		c.sizes(path, "Items", shape, s.MinItems, s.MaxItems)
		if s.Items == nil {
			c.errorf(path, "array without items")
		} else {
			c.compare(path+"[]", shape.Member.Shape, s.Items.Value)
		}
	case "integer", "long":
		c.bound(path, "minimum", shape.Min, s.Min)
		c.bound(path, "maximum", shape.Max, s.Max)
	case "timestamp":
		if want == openapi3.TypeString && s.Format != "date-time" {
			c.errorf(path, "format %q, want date-time", s.Format)
		}
	case "string":
		wantPattern := shape.Pattern
		if c.pattern != nil && wantPattern != "" {
			wantPattern = c.pattern(wantPattern)
		}
		if s.Pattern != wantPattern {
			c.errorf(path, "pattern %q, model %q", s.Pattern, wantPattern)
		}
		c.sizes(path, "Length", shape, s.MinLength, s.MaxLength)
		var enum []string
		for _, e := range s.Enum {
			enum = append(enum, fmt.Sprint(e))
		}
		if !sameSet(enum, shape.Enum) {
			c.errorf(path, "enum %v, model %v", enum, shape.Enum)
		}
	}
}

func (c *checker) structure(path string, shape botoShape, s *openapi3.Schema) {
	var members, props []string
	for name := range shape.Members {
		members = append(members, name)
	}
	for name := range s.Properties {
		props = append(props, name)
	}
	if !sameSet(props, members) {
		c.errorf(path, "properties %v, model members %v", sorted(props), sorted(members))
	}
	if c.responses {
		for _, r := range shape.Required {
			if !slices.Contains(s.Required, r) {
				c.errorf(path, "required %v lacks the model's %q", s.Required, r)
			}
		}
	} else if !sameSet(s.Required, shape.Required) {
		c.errorf(path, "required %v, model %v", sorted(s.Required), sorted(shape.Required))
	}
	for _, name := range sorted(members) {
		if p := s.Properties[name]; p != nil {
			c.compare(path+"."+name, shape.Members[name].Shape, p.Value)
		}
	}
}

// sizes compares the model's min and max with minLength/maxLength (what =
// "Length") or minItems/maxItems ("Items").
func (c *checker) sizes(path, what string, shape botoShape, min uint64, max *uint64) {
	var wantMin uint64
	if shape.Min != nil {
		wantMin = uint64(*shape.Min)
	}
	if min != wantMin {
		c.errorf(path, "min%s %d, model %d", what, min, wantMin)
	}
	switch {
	case shape.Max == nil && max != nil:
		c.errorf(path, "max%s %d, model none", what, *max)
	case shape.Max != nil && max == nil:
		c.errorf(path, "no max%s, model %v", what, *shape.Max)
	case shape.Max != nil && *max != uint64(*shape.Max):
		c.errorf(path, "max%s %d, model %v", what, *max, *shape.Max)
	}
}

// bound compares a model's integer min or max with minimum or maximum.
func (c *checker) bound(path, what string, model, got *float64) {
	switch {
	case model == nil && got != nil:
		c.errorf(path, "%s %v, model none", what, *got)
	case model != nil && got == nil:
		c.errorf(path, "no %s, model %v", what, *model)
	case model != nil && *got != *model:
		c.errorf(path, "%s %v, model %v", what, *got, *model)
	}
}

func sameSet(a, b []string) bool { return slices.Equal(sorted(a), sorted(b)) }

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func TestLightsailMatchesTheModel(t *testing.T) {
	d, err := spec.Bundled("aws")
	require.NoError(t, err)
	for _, e := range crossCheck(referenceModel(t), d, true) {
		t.Error(e)
	}
}

func TestEnvelopeRequestsMatchTheModel(t *testing.T) {
	d, err := spec.Bundled("envelope")
	require.NoError(t, err)
	for _, e := range crossCheck(referenceModel(t), d, false) {
		t.Error(e)
	}
}

// The cross-check is only worth something if it fails: each mutation of
// spec/lightsail.yaml must be caught, by an error naming the member.
func TestCrossCheckCatchesMutations(t *testing.T) {
	src, err := spec.BundledSource("aws")
	require.NoError(t, err)
	model := referenceModel(t)

	cases := []struct {
		name     string
		old, new []string // replaced pairwise, each old exactly once
		want     []string // substrings of some error
	}{
		{
			name: "bucket name pattern and length",
			old:  []string{"{1,52}", "maxLength: 54"},
			new:  []string{"{1,51}", "maxLength: 55"},
			want: []string{"CreateBucketAccessKeyRequest.bucketName: pattern", "DeleteBucketAccessKeyRequest.bucketName: maxLength 55, model 54"},
		},
		{name: "bucket name min length", old: []string{"minLength: 3"}, new: []string{"minLength: 1"}, want: []string{"GetBucketsRequest.bucketName: minLength 1, model 3"}},
		{name: "non-empty string pattern", old: []string{`'.*\S.*'`}, new: []string{`'.+'`}, want: []string{"DeleteBucketAccessKeyRequest.accessKeyId: pattern", "CreateBucketRequest.bundleId: pattern"}},
		{name: "required member dropped", old: []string{"required: [bucketName, accessKeyId]"}, new: []string{"required: [bucketName]"}, want: []string{"DeleteBucketAccessKeyRequest: required [bucketName], model [accessKeyId bucketName]"}},
		{name: "required member added", old: []string{"required: [bucketName, bundleId]"}, new: []string{"required: [bucketName, bundleId, tags]"}, want: []string{"CreateBucketRequest: required"}},
		{name: "member renamed", old: []string{"forceDelete: {type: boolean}"}, new: []string{"force: {type: boolean}"}, want: []string{"DeleteBucketRequest: properties [bucketName force]"}},
		{name: "member type", old: []string{"enableObjectVersioning: {type: boolean}"}, new: []string{"enableObjectVersioning: {type: string}"}, want: []string{"CreateBucketRequest.enableObjectVersioning: type"}},
		{name: "tag member", old: []string{"key: {type: string}"}, new: []string{"name: {type: string}"}, want: []string{"CreateBucketRequest.tags[]: properties"}},
		{name: "access key id pattern", old: []string{"'^[A-Z0-9]{20}$'"}, new: []string{"'^[A-Z0-9]{16,128}$'"}, want: []string{"CreateBucketAccessKeyResult.accessKey.accessKeyId: pattern", "GetBucketAccessKeysResult.accessKeys[].accessKeyId: pattern"}},
		{name: "key status enum", old: []string{"enum: [Active, Inactive]"}, new: []string{"enum: [Active, Inactive, Expired]"}, want: []string{"GetBucketAccessKeysResult.accessKeys[].status: enum"}},
		{name: "timestamps", old: []string{"Epoch seconds, possibly with a fraction.\n      type: number"}, new: []string{"Epoch seconds, possibly with a fraction.\n      type: string"}, want: []string{"CreateBucketAccessKeyResult.accessKey.createdAt: type"}},
		{name: "operation type enum", old: []string{", SetupInstanceHttps]"}, new: []string{"]"}, want: []string{"DeleteBucketResult.operations[].operationType: enum"}},
		{name: "list size", old: []string{"maxItems: 20"}, new: []string{"maxItems: 25"}, want: []string{"CreateBucketResult.bucket.cors.rules: maxItems 25, model 20"}},
		{name: "nested required", old: []string{"required: [enabled]"}, new: []string{"required: []"}, want: []string{`GetBucketsResult.buckets[].accessLogConfig: required [] lacks the model's "enabled"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mutated := string(src)
			for i := range c.old {
				require.Equal(t, 1, strings.Count(mutated, c.old[i]), "%q must occur once", c.old[i])
				mutated = strings.Replace(mutated, c.old[i], c.new[i], 1)
			}
			d, err := spec.Load(context.Background(), "mutated", []byte(mutated), nil)
			require.NoError(t, err)
			errs := crossCheck(model, d, true)
			require.NotEmpty(t, errs)
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			all := strings.Join(msgs, "\n")
			for _, w := range c.want {
				assert.Contains(t, all, w)
			}
		})
	}
}
