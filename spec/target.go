package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// TargetRule is the binding's "target" object: how its protocol names an
// operation on the wire. Its members belong to that protocol's wire, which
// alone reads and validates them (each wire file documents its own, and
// Binding.Validate asks it); this type only keeps them, as the JSON object
// they were given in.
//
// An overlay's target lays over the base's member by member, a nested
// object key by key (MergeBinding), as the binding's other objects do. It
// is written with its scalar members first, then its objects, each group
// by name, so that the same members always print alike.
type TargetRule struct {
	members map[string]any // nil when empty, so empty rules are equal
}

// targetRuleOf is the rule holding v's JSON members: a wire's own target
// structure, as the wire writes it into a binding.
func targetRuleOf(v any) TargetRule {
	var r TargetRule
	data, err := json.Marshal(v)
	if err == nil {
		err = r.UnmarshalJSON(data)
	}
	if err != nil {
		panic(fmt.Sprintf("spec: a wire's target structure does not round-trip through JSON: %v", err))
	}
	return r
}

// Has reports whether the rule has the member name.
func (r TargetRule) Has(name string) bool {
	_, ok := r.members[name]
	return ok
}

// Names lists the rule's members, sorted.
func (r TargetRule) Names() []string { return slices.Sorted(maps.Keys(r.members)) }

// decode reads the rule into a wire's target structure, refusing members
// the structure does not declare (as the binding's own fields refuse
// unknown names).
func (r TargetRule) decode(into any) error {
	data, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

// MarshalJSON writes the members, scalars first, then objects and arrays,
// each group sorted by name.
func (r TargetRule) MarshalJSON() ([]byte, error) {
	names := r.Names()
	slices.SortStableFunc(names, func(a, b string) int {
		return compareBool(composite(r.members[a]), composite(r.members[b]))
	})
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(r.members[name])
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON lays a JSON object over the rule: each member replaces the
// rule's, except that an object member laid over an object is merged key
// by key. null changes nothing.
func (r *TargetRule) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var in map[string]any
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	for name, v := range in {
		if r.members == nil {
			r.members = map[string]any{}
		}
		r.members[name] = merged(r.members[name], v)
	}
	return nil
}

// merged is over laid on base: objects key by key, anything else whole.
func merged(base, over any) any {
	b, bok := base.(map[string]any)
	o, ook := over.(map[string]any)
	if !bok || !ook {
		return over
	}
	out := maps.Clone(b)
	for k, v := range o {
		out[k] = merged(out[k], v)
	}
	return out
}

func composite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
