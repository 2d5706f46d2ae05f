package spec

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

// Resources binds the request members that name resources. The binding says
// where they go; the values are real resources of the run, or deliberately
// unknown ones.
type Resources struct {
	Bucket string // "" leaves the member to the generator (or out, if optional)
	KeyID  string
}

// Valid returns a generator of request bodies for op that satisfy its
// schema: required members always, optional members sometimes, every type,
// length, pattern and enum respected. Members named by the binding are then
// bound to res, and the binding's fixed members are set.
func (d *Document) Valid(op *Operation, res Resources) *rapid.Generator[map[string]any] {
	obj := op.Input
	// Members the binding sets are not drawn: drawing them would only cost
	// time and make shrinking slower.
	skip := map[string]bool{}
	top := func(p string) string { name, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/"); return name }
	for _, p := range d.Binding.Request.Omit[op.Role] {
		skip[top(p)] = true
	}
	for p := range d.Binding.Request.Fixed[op.Role] {
		skip[top(p)] = true
	}
	if res.Bucket != "" {
		skip[top(d.Binding.Request.Bucket)] = true
	}
	if res.KeyID != "" {
		skip[top(d.Binding.Request.KeyID)] = true
	}
	var gen *rapid.Generator[any]
	if obj != nil {
		gen = genObject(obj, 0, false, skip)
	}
	return rapid.Custom(func(t *rapid.T) map[string]any {
		body := map[string]any{}
		if gen != nil {
			if m, ok := gen.Draw(t, "body").(map[string]any); ok {
				body = m
			}
		}
		d.bind(op, body, res)
		return body
	})
}

// Minimal is the smallest valid body for op: required members only,
// resources bound and fixed members set. It is what set-up and teardown send.
//
// The required members are generated once per operation (regex-driven
// generation is costly and set-up and teardown send this on every step);
// each call gets its own copy.
func (d *Document) Minimal(op *Operation, res Resources) map[string]any {
	op.minimalOnce.Do(func() {
		op.minimal = map[string]any{}
		if op.Input != nil {
			for _, name := range op.Input.Required {
				// A member the binding fixes is set by bind; one that cannot
				// be generated is the bucket or key id (checkGenerable).
				if p := op.Input.Properties[name]; p != nil && p.Value != nil && !d.fixes(op, name) && generable(p.Value, 1) == nil {
					op.minimal[name] = genValue(p.Value, 1, true).Example(1)
				}
			}
		}
	})
	body := deepCopy(op.minimal).(map[string]any)
	d.bind(op, body, res)
	return body
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// bind sets resource members (only where the schema has them) and fixed
// members.
func (d *Document) bind(op *Operation, body map[string]any, res Resources) {
	b := d.Binding.Request
	if res.Bucket != "" && op.hasMember(b.Bucket) {
		SetPointer(body, b.Bucket, res.Bucket)
	}
	if res.KeyID != "" && op.hasMember(b.KeyID) {
		SetPointer(body, b.KeyID, res.KeyID)
	}
	fixed := b.Fixed[op.Role]
	names := make([]string, 0, len(fixed))
	for p := range fixed {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		SetPointer(body, p, fixed[p])
	}
}

// hasMember reports whether the request schema declares the top-level
// member a pointer names.
func (op *Operation) hasMember(pointer string) bool {
	if op.Input == nil || pointer == "" {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(pointer, "/"), "/")
	_, ok := op.Input.Properties[name]
	return ok
}

// SetPointer sets a member of a JSON object by pointer, creating
// intermediate objects.
func SetPointer(body map[string]any, pointer string, v any) {
	toks := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	m := body
	for i, tok := range toks {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if i == len(toks)-1 {
			m[tok] = v
			return
		}
		next, ok := m[tok].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[tok] = next
		}
		m = next
	}
}

const maxDepth = 4

// genObject generates objects of schema s, leaving out the members in skip.
func genObject(s *openapi3.Schema, depth int, minimal bool, skip map[string]bool) *rapid.Generator[any] {
	names := make([]string, 0, len(s.Properties))
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	for name, p := range s.Properties {
		if skip[name] || p == nil || !required[name] && generable(p.Value, depth+1) != nil {
			continue // an optional member no valid value exists for is left out
		}
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		// Nothing to draw; rapid wants every generator to draw something.
		return rapid.Map(rapid.Just(0), func(int) any { return map[string]any{} })
	}
	return rapid.Custom(func(t *rapid.T) any {
		m := map[string]any{}
		for _, name := range names {
			p := s.Properties[name]
			if p == nil || p.Value == nil {
				continue
			}
			if !required[name] && (minimal || depth >= maxDepth || !rapid.Bool().Draw(t, "with "+name)) {
				continue
			}
			m[name] = genValue(p.Value, depth+1, minimal).Draw(t, name)
		}
		return m
	})
}

func genValue(s *openapi3.Schema, depth int, minimal bool) *rapid.Generator[any] {
	if len(s.Enum) > 0 {
		return rapid.SampledFrom(s.Enum)
	}
	if len(s.AllOf) > 0 && s.Type == nil {
		for _, sub := range s.AllOf {
			if sub.Value != nil && sub.Value.Type != nil {
				return genValue(sub.Value, depth, minimal)
			}
		}
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		return genString(s).AsAny()
	case s.Type.Is(openapi3.TypeBoolean):
		return rapid.Bool().AsAny()
	case s.Type.Is(openapi3.TypeInteger):
		lo, hi := bounds(s, -1000, 1000)
		return rapid.Int64Range(int64(lo), int64(hi)).AsAny()
	case s.Type.Is(openapi3.TypeNumber):
		lo, hi := bounds(s, -1e6, 1e6)
		return rapid.Float64Range(lo, hi).AsAny()
	case s.Type.Is(openapi3.TypeArray):
		if s.Items == nil || s.Items.Value == nil || depth >= maxDepth {
			return rapid.Just[any]([]any{})
		}
		hi := 3
		if s.MaxItems != nil && int(*s.MaxItems) < hi {
			hi = int(*s.MaxItems)
		}
		lo := min(int(s.MinItems), hi)
		if minimal || generable(s.Items.Value, depth+1) != nil {
			hi = lo // no valid item: as few as the schema allows (checkGenerable)
		}
		item := genValue(s.Items.Value, depth+1, minimal)
		return rapid.Custom(func(t *rapid.T) any {
			return rapid.SliceOfN(item, lo, hi).Draw(t, "items")
		})
	default: // object, or untyped: an object is the safest JSON value
		return genObject(s, depth, minimal, nil)
	}
}

func bounds(s *openapi3.Schema, lo, hi float64) (float64, float64) {
	if s.Min != nil {
		lo = *s.Min
	}
	if s.Max != nil {
		hi = *s.Max
	}
	if hi < lo {
		hi = lo
	}
	return lo, math.Max(lo, hi)
}

func genString(s *openapi3.Schema) *rapid.Generator[string] {
	lo := int(s.MinLength)
	hi := -1
	if s.MaxLength != nil {
		hi = int(*s.MaxLength)
	}
	switch {
	case s.Pattern != "":
		gen, err := patternStrings(s)
		if err != nil {
			// Callers leave out what cannot be generated (see generable),
			// so this is never drawn; if it were, it says why.
			return rapid.Custom(func(t *rapid.T) string { t.Fatalf("%v", err); return "" })
		}
		return gen
	case s.Format == "date-time":
		return rapid.Custom(func(t *rapid.T) string {
			sec := rapid.Int64Range(0, 4102444800).Draw(t, "epoch")
			return time.Unix(sec, 0).UTC().Format(time.RFC3339)
		})
	default:
		maxRunes := hi
		if maxRunes < 0 {
			maxRunes = lo + 16
		}
		return rapid.StringOfN(rapid.RuneFrom(nil, unicode.Letter, unicode.Digit, unicode.Punct), lo, maxRunes, -1)
	}
}

// patternStrings is the generator of strings schema s admits by its
// pattern and lengths (Pattern.Strings).
func patternStrings(s *openapi3.Schema) (*rapid.Generator[string], error) {
	p, err := CompilePattern(s.Pattern)
	if err != nil {
		return nil, err
	}
	hi := -1
	if s.MaxLength != nil {
		hi = int(*s.MaxLength)
	}
	return p.Strings(int(s.MinLength), hi)
}

// generable says why no value of schema s can be generated, or nil: a
// string whose pattern yields no valid string, or an object, array or allOf
// that needs one. Optional members and empty-able arrays are left out
// instead (genObject, genValue), so they never make s ungenerable.
func generable(s *openapi3.Schema, depth int) error {
	if s == nil || len(s.Enum) > 0 || depth > maxDepth {
		return nil
	}
	if len(s.AllOf) > 0 && s.Type == nil {
		for _, sub := range s.AllOf {
			if sub.Value != nil && sub.Value.Type != nil {
				return generable(sub.Value, depth)
			}
		}
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		if s.Pattern != "" && s.Format != "date-time" {
			_, err := patternStrings(s)
			return err
		}
	case s.Type.Is(openapi3.TypeArray):
		if s.Items != nil && s.Items.Value != nil && s.MinItems > 0 && depth < maxDepth {
			if err := generable(s.Items.Value, depth+1); err != nil {
				return fmt.Errorf("items: %w", err)
			}
		}
	case s.Type.Is(openapi3.TypeBoolean), s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
	default:
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil && p.Value != nil {
				if err := generable(p.Value, depth+1); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
		}
	}
	return nil
}

// checkGenerable reports, for every bound operation, a required member the
// harness must generate (the binding neither fixes it nor fills it with a
// bucket or key id) for which no valid value can be generated: the run
// could not send that operation, so the binding must fix the member
// (request.fixed) or the schema (wire.schemas).
func (d *Document) checkGenerable() error {
	var errs []error
	for _, r := range Roles {
		op := d.byRole[r]
		if op == nil || op.Input == nil {
			continue
		}
		for _, name := range op.Input.Required {
			p := op.Input.Properties[name]
			if p == nil || p.Value == nil || d.setByBinding(op, name) {
				continue
			}
			if err := generable(p.Value, 1); err != nil {
				errs = append(errs, fmt.Errorf("%w: %s (%s): required member %s: %v; give it a value with request.fixed.%s or fix its schema with wire.schemas", ErrBinding, op.ID, r, name, err, r))
			}
		}
	}
	return errors.Join(errs...)
}

// fixes reports whether the binding fixes op's top-level member name.
func (d *Document) fixes(op *Operation, name string) bool {
	for p := range d.Binding.Request.Fixed[op.Role] {
		if n, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/"); n == name {
			return true
		}
	}
	return false
}

// setByBinding reports whether the binding gives op's top-level member
// name its value: a fixed member, the bucket or the key id.
func (d *Document) setByBinding(op *Operation, name string) bool {
	top := func(p string) string { n, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/"); return n }
	b := d.Binding.Request
	return d.fixes(op, name) || top(b.Bucket) == name || top(b.KeyID) == name
}
