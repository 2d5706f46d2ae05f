package spec

import (
	"encoding/json"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Where a key's secret is, by the binding. Nothing here depends on the
// reply being valid: a nightly run against a broken release is exactly when
// a create answers with a mistyped id, a wrong content type, extra members
// or a truncated body, and its secret must still be found (package
// contract/redact decides what else of a reply is hidden).

// CreatedSecret returns the value at the binding's secret location in a
// createKey reply (Response.Key, then Response.KeySecret), whatever else is
// wrong with the reply: its status, content type, id or other members are
// not looked at. ok is false when the body does not decode or holds no
// string there. A number there is returned as its JSON spelling.
func (b Binding) CreatedSecret(r *Reply) (string, bool) {
	obj, ok := Pointer(r.Value(), b.Response.Key)
	if !ok {
		return "", false
	}
	return b.KeySecret(obj)
}

// KeySecret is the value at the binding's secret location in a key object,
// as text: a string, or a number's digits.
func (b Binding) KeySecret(obj any) (string, bool) {
	v, ok := Pointer(obj, b.Response.KeySecret)
	if !ok {
		return "", false
	}
	switch s := v.(type) {
	case string:
		return s, s != ""
	case json.Number:
		return s.String(), true
	}
	return "", false
}

// SuccessSchemaAt returns the schema of the operation's first 2xx JSON or
// XML response, walked down pointer through object properties (nil when
// the description does not say).
func (op *Operation) SuccessSchemaAt(pointer string) *openapi3.Schema {
	if op.Route == nil || op.Route.Operation == nil || op.Route.Operation.Responses == nil {
		return nil
	}
	for code, ref := range op.Route.Operation.Responses.Map() {
		if !strings.HasPrefix(code, "2") || ref.Value == nil {
			continue
		}
		for mt, c := range ref.Value.Content {
			if !strings.Contains(mt, "json") && !strings.Contains(mt, "xml") || c.Schema == nil {
				continue
			}
			s := c.Schema.Value
			if pointer != "" {
				for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
					if s == nil {
						break
					}
					p := s.Properties[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
					if p == nil {
						s = nil
						break
					}
					s = p.Value
				}
			}
			if s != nil {
				return s
			}
		}
	}
	return nil
}
