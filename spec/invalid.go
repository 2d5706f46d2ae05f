package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Invalid is a request that breaks exactly one constraint of the description.
type Invalid struct {
	// Name says which constraint is broken, without quoting values that
	// could be secrets: "bucketName: too long (55 > 54)".
	Name string
	// Request is the request, as the document's wire encodes it.
	Request Request
	// OtherOperation: the request no longer addresses the operation it was
	// derived from (an unknown or missing target, an unknown route).
	OtherOperation bool
	// Wire: the wire itself is broken (the body, the target, the route),
	// not a member; Request.Input is then the valid input the request was
	// derived from, so that what an endpoint does with it is still known
	// to concern that input's bucket and key; or, where the one reading
	// under which an endpoint acts on it gives other values (a form
	// member's undecodable escape read literally), that reading's input.
	Wire bool
	// Expect lists the situations a correct endpoint may answer with.
	Expect []Situation
}

// Invalid derives requests from a valid input for op, each breaking one
// constraint: a missing required member or parameter; a wrong JSON type
// (null, array, object, number, boolean or string, whichever the schema
// forbids); a length, pattern or enum violation; a number outside its
// range (minimum, maximum, exclusive or not; ranges.go); and what the wire
// itself can break (Wire.Broken: a malformed, empty or non-object body, an
// unknown operation). Only top-level members are mutated: nested ones are
// reached through the same rules when they are required, a known false
// negative for optional nested members. multipleOf is not broken, nor a
// range bound of 2^53 or more: known false negatives.
//
// Every case is invalid under every reading a correct endpoint may give it
// (docs/DESIGN.md, "What a check may demand"), and Expect lists what each
// reading may answer:
//
//   - missing required member: absent under every reading. Invalid input,
//     or not-found where an endpoint looks up the absent name as empty. A
//     path parameter is never left out or sent empty (inPath).
//   - wrong JSON type: JSON has one reading (RFC 8259), and the value is
//     not of the declared type. A null counts only for a required member:
//     JSON readers (Smithy's JSON codecs, Go's encoding/json) read null as
//     absent. A lenient
//     binder's coercion (12345 read as "12345") accepts an invalid value;
//     it is no other reading of the bytes.
//   - wrong type sent as text (a parameter, a form member): only a scalar
//     whose text no reader takes for the declared type ("12345" for a
//     boolean, "keycontract" for an integer); null, lists and objects have
//     no text of their own (sentAsText).
//   - below the minimum, above the maximum: the nearest integer outside
//     the range (an exclusive bound itself; for a number, the exclusive
//     bound, or one past an inclusive one), a JSON number on JSON wires and
//     its text ("0", "1001") on text wires. A number outside the range is
//     invalid however it is read: as an integer, a float64 or a decimal
//     (every value is below 2^53, so exact in each), from JSON or from
//     text.
//   - too short, too long, not in the enum, not matching the pattern: the
//     value read as sent breaks its schema. Empty text is special: a form
//     reader or a query or header parameter reader may take an empty value
//     for no value at all (Python's and Go's Get do), so "" is sent only
//     for a required member, expecting what its absence expects.
func (d *Document) Invalid(op *Operation, valid map[string]any) []Invalid {
	var out []Invalid
	member := []Situation{InvalidInput, NotFound}
	add := func(name string, input map[string]any, expect []Situation) {
		out = append(out, Invalid{Name: name, Request: d.wire.Encode(op, input), Expect: expect})
	}
	if s := op.Input; s != nil {
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range s.Required {
			if inPath(op, name) {
				continue
			}
			add(fmt.Sprintf("%s: missing required member", name), without(valid, name), member)
		}
		for _, name := range names {
			p := s.Properties[name]
			if p == nil || p.Value == nil {
				continue
			}
			required := slices.Contains(s.Required, name)
			// Parameters, and every member of a form, reach the wire as
			// text: only violations whose text still breaks the schema.
			textual := d.wire.Textual(op, name)
			for _, c := range violations(p.Value, required) {
				if textual && !sentAsText(p.Value, c.value) {
					continue
				}
				// Empty text may be read as no value at all (a form
				// reader's Get): invalid under that reading only where
				// the member is required, and never sent in a path.
				if textual && c.value == "" && (!required || inPath(op, name)) {
					continue
				}
				add(name+": "+c.name, with(valid, name, c.value), member)
			}
		}
	}
	for _, inv := range d.wire.Broken(d, op, valid) {
		inv.Wire = true
		if inv.Request.Input == nil {
			inv.Request.Input = valid
		}
		out = append(out, inv)
	}
	return out
}

// inPath reports whether name is one of op's path parameters. Its absence
// or an empty value is never sent: the request then has an empty segment
// ("/v1/buckets//access-keys"), and what that addresses is the endpoint's
// path normalisation, not the operation. Go's http.ServeMux answers it
// with a redirect to the cleaned path, nginx merges the slashes and routes
// elsewhere; neither reading is the operation with a missing parameter.
// Known false negative: an endpoint that takes an empty segment as an
// empty name.
func inPath(op *Operation, name string) bool {
	p, ok := op.param(name)
	return ok && p.In == openapi3.ParameterInPath
}

// sentAsText reports whether a value of the wrong type still breaks a
// schema once sent as text (a parameter, a form member): null, arrays and
// objects have no text of their own (a form sends an empty list as its bare
// name, an object as nothing: an empty or absent value, not a wrong type);
// a structured member given a scalar is ignored by a form reader; any text
// is a string. So only a scalar for a non-string scalar is kept ("12345"
// for a boolean, "keycontract" for an integer).
func sentAsText(s *openapi3.Schema, v any) bool {
	switch v.(type) {
	case nil, []any, map[string]any:
		return false
	}
	if s.Type.Is(openapi3.TypeArray) || s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0 {
		return false
	}
	if _, isString := v.(string); isString {
		return true // a length, pattern or enum violation, or text for a number
	}
	return !s.Type.Is(openapi3.TypeString)
}

type violation struct {
	name  string
	value any
}

// violations lists values that break schema s one way each. A null stands
// for an absent member on JSON wires (JSON readers treat it so), so it is
// a violation only for a required member.
func violations(s *openapi3.Schema, required bool) []violation {
	var out []violation
	for _, v := range []struct {
		name  string
		value any
		typ   string
	}{
		{"null", nil, "null"},
		{"array", []any{}, openapi3.TypeArray},
		{"object", map[string]any{}, openapi3.TypeObject},
		{"number", 12345, openapi3.TypeNumber},
		{"boolean", true, openapi3.TypeBoolean},
		{"string", "keycontract", openapi3.TypeString},
	} {
		if !admits(s, v.typ) && (v.typ != "null" || required) {
			out = append(out, violation{"wrong type " + v.name, v.value})
		}
	}
	out = append(out, rangeViolations(s)...)
	if !s.Type.Is(openapi3.TypeString) {
		return out
	}
	if len(s.Enum) > 0 {
		out = append(out, violation{"not in enum", "KeycontractNotAnEnumValue"})
	}
	filler := "a"
	var re *Pattern
	if s.Pattern != "" {
		re, _ = CompilePattern(s.Pattern)
		filler = fillerFor(re)
	}
	if s.MinLength > 0 {
		short := strings.Repeat(filler, int(s.MinLength)-1)
		out = append(out, violation{fmt.Sprintf("too short (%d < %d)", len(short), s.MinLength), short})
	}
	if s.MaxLength != nil {
		long := strings.Repeat(filler, int(*s.MaxLength)+1)
		out = append(out, violation{fmt.Sprintf("too long (%d > %d)", len(long), *s.MaxLength), long})
	}
	if re != nil {
		if bad, ok := patternBreaker(re, s); ok {
			out = append(out, violation{"does not match pattern " + s.Pattern, bad})
		}
	}
	return out
}

// admits reports whether a JSON value of type typ may stand where s is.
func admits(s *openapi3.Schema, typ string) bool {
	if typ == "null" {
		return s.Nullable || s.Type.Includes("null")
	}
	if s.Type == nil || len(*s.Type) == 0 {
		return true
	}
	if typ == openapi3.TypeNumber && s.Type.Is(openapi3.TypeInteger) {
		return true
	}
	return s.Type.Includes(typ)
}

// fillerFor finds a one-character string the pattern's body accepts, so that
// length violations break only the length. re may be nil.
func fillerFor(re *Pattern) string {
	if re == nil {
		return "a"
	}
	for _, c := range []string{"a", "0", "A", "x"} {
		if re.Matches(strings.Repeat(c, 10)) {
			return c
		}
	}
	return "a"
}

// patternBreaker finds a string of allowed length that the pattern
// definitely rejects (an undecided match is no break).
func patternBreaker(re *Pattern, s *openapi3.Schema) (string, bool) {
	lo, hi := int(s.MinLength), 64
	if s.MaxLength != nil {
		hi = int(*s.MaxLength)
	}
	for _, c := range []string{"Invalid_Name!", "UPPER", "-abc-", "a..b", "   ", "\t \t", "~!@#", "abc"} {
		if n := len([]rune(c)); n >= lo && n <= hi && re.Rejects(c) {
			return c, true
		}
		padded := c + strings.Repeat("!", max(0, lo-len(c)))
		if n := len([]rune(padded)); n >= lo && n <= hi && re.Rejects(padded) {
			return padded, true
		}
	}
	return "", false
}

func without(m map[string]any, name string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != name {
			out[k] = v
		}
	}
	return out
}

func with(m map[string]any, name string, v any) map[string]any {
	out := without(m, name)
	out[name] = v
	return out
}
