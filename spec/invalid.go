package spec

import (
	"encoding/json"
	"fmt"
	"regexp"
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
	// Target is the target header's value; NoTarget sends no header at all.
	Target   string
	NoTarget bool
	Body     []byte
	// Expect lists the situations a correct endpoint may answer with.
	Expect []Situation
}

// Invalid derives requests from a valid body for op, each breaking one
// constraint: a missing required member; a wrong JSON type (null, array,
// object, number, boolean or string, whichever the schema forbids); a
// length, pattern or enum violation; a body that is malformed JSON, empty,
// or not an object; an unknown or missing target. Only top-level members are
// mutated: nested ones are reached through the same rules when they are
// required, a known false negative for optional nested members.
func (d *Document) Invalid(op *Operation, valid map[string]any) []Invalid {
	var out []Invalid
	member := []Situation{InvalidInput, NotFound}
	add := func(name string, body map[string]any) {
		raw, err := json.Marshal(body)
		if err != nil {
			return
		}
		out = append(out, Invalid{Name: name, Target: op.Target, Body: raw, Expect: member})
	}
	if s := op.Request; s != nil {
		names := make([]string, 0, len(s.Properties))
		for name := range s.Properties {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range s.Required {
			add(fmt.Sprintf("%s: missing required member", name), without(valid, name))
		}
		for _, name := range names {
			p := s.Properties[name]
			if p == nil || p.Value == nil {
				continue
			}
			for _, c := range violations(p.Value, slices.Contains(s.Required, name)) {
				add(name+": "+c.name, with(valid, name, c.value))
			}
		}
	}
	whole := []Situation{InvalidInput}
	valid2, _ := json.Marshal(valid)
	for _, c := range []struct{ name, body string }{
		{"body: malformed JSON", strings.TrimSuffix(string(valid2), "}")},
		{"body: empty", ""},
		{"body: JSON array", "[]"},
		{"body: JSON string", `"text"`},
		{"body: JSON null", "null"},
		{"body: JSON number", "42"},
	} {
		out = append(out, Invalid{Name: c.name, Target: op.Target, Body: []byte(c.body), Expect: whole})
	}
	unknown := []Situation{UnknownOperation, InvalidInput}
	out = append(out,
		Invalid{Name: "target: unknown operation", Target: d.Binding.Target.Value("NoSuchOperation"), Body: valid2, Expect: unknown},
		Invalid{Name: "target: missing", NoTarget: true, Body: valid2, Expect: unknown},
	)
	return out
}

type violation struct {
	name  string
	value any
}

// violations lists values that break schema s one way each. A null stands
// for an absent member on JSON wires (awsJson treats it so), so it is a
// violation only for a required member.
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
	if !s.Type.Is(openapi3.TypeString) {
		return out
	}
	if len(s.Enum) > 0 {
		out = append(out, violation{"not in enum", "KeycontractNotAnEnumValue"})
	}
	filler := "a"
	var re *regexp.Regexp
	if s.Pattern != "" {
		re, _ = regexp.Compile(s.Pattern)
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
// length violations break only the length.
func fillerFor(re *regexp.Regexp) string {
	for _, c := range []string{"a", "0", "A", "x"} {
		if re.MatchString(strings.Repeat(c, 10)) {
			return c
		}
	}
	return "a"
}

// patternBreaker finds a string of allowed length that the pattern rejects.
func patternBreaker(re *regexp.Regexp, s *openapi3.Schema) (string, bool) {
	lo, hi := int(s.MinLength), 64
	if s.MaxLength != nil {
		hi = int(*s.MaxLength)
	}
	for _, c := range []string{"Invalid_Name!", "UPPER", "-abc-", "a..b", "   ", "\t \t", "~!@#", "abc"} {
		if n := len([]rune(c)); n >= lo && n <= hi && !re.MatchString(c) {
			return c, true
		}
		padded := c + strings.Repeat("!", max(0, lo-len(c)))
		if n := len([]rune(padded)); n >= lo && n <= hi && !re.MatchString(padded) {
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
