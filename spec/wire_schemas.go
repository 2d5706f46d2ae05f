package spec

import (
	"context"
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// SchemaFix is what an endpoint enforces where a component schema of its
// description says otherwise: a description generated from an older model
// (APIs.guru's IAM pathType admits DEL, U+007F; the service's current model
// stops at ~, U+007E) or one its author cannot edit. Each field set replaces
// the schema keyword of the same name; unset fields leave the description's
// keyword alone. A pattern is matched as the description's others are
// (ECMA-262: anywhere in the value, unless anchored), so an unanchored fix
// changes what valid requests are generated more than what validates. A fix
// narrows what generated requests send and what replies
// are validated against, so it states a fact about the endpoint, never a
// tolerance: a binding that loosens a schema to silence a check hides a real
// failure.
type SchemaFix struct {
	Pattern   *string  `json:"pattern,omitempty"`
	MinLength *uint64  `json:"minLength,omitempty"`
	MaxLength *uint64  `json:"maxLength,omitempty"`
	Minimum   *float64 `json:"minimum,omitempty"`
	Maximum   *float64 `json:"maximum,omitempty"`
	Enum      []any    `json:"enum,omitempty"`
}

// fixSchemas applies the binding's wire.schemas to t's component schemas,
// in place, so every reference to a fixed schema sees the fix. A name that
// is not a component schema, or a fix that leaves the schema invalid (a
// pattern that does not compile, minLength above maxLength), is an error
// wrapping ErrBinding.
func fixSchemas(ctx context.Context, t *openapi3.T, fixes map[string]SchemaFix) error {
	names := make([]string, 0, len(fixes))
	for name := range fixes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var ref *openapi3.SchemaRef
		if t.Components != nil {
			ref = t.Components.Schemas[name]
		}
		if ref == nil || ref.Value == nil {
			return fmt.Errorf("%w: wire.schemas.%s: no such component schema", ErrBinding, name)
		}
		s, f := ref.Value, fixes[name]
		if f.Pattern != nil {
			s.Pattern = *f.Pattern
		}
		if f.MinLength != nil {
			s.MinLength = *f.MinLength
		}
		if f.MaxLength != nil {
			s.MaxLength = f.MaxLength
		}
		if f.Minimum != nil {
			s.Min = f.Minimum
		}
		if f.Maximum != nil {
			s.Max = f.Maximum
		}
		if f.Enum != nil {
			s.Enum = f.Enum
		}
		if err := s.Validate(ctx, patternOption); err != nil {
			return fmt.Errorf("%w: wire.schemas.%s: %v", ErrBinding, name, err)
		}
		if s.MaxLength != nil && s.MinLength > *s.MaxLength {
			return fmt.Errorf("%w: wire.schemas.%s: minLength %d is above maxLength %d", ErrBinding, name, s.MinLength, *s.MaxLength)
		}
	}
	return nil
}
