package spec

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// The query wire's replies are XML: they are decoded into the JSON-like
// value their schema describes, so that validation, the binding's pointers and
// the checks read them as they read JSON: an element's children become an
// object's members (by local name: namespaces are ignored), a list's items
// (<member> or any other name) become an array, and text becomes a string,
// a number or a boolean as the schema says. Elements the schema does not
// declare are kept (leaves as strings, repeated names as arrays): unknown
// elements are allowed, as unknown JSON members are.

func init() {
	for _, mt := range []string{"text/xml", "application/xml"} {
		openapi3filter.RegisterBodyDecoder(mt, xmlBodyDecoder)
	}
	// Other XML types (+xml) get it when a reply first needs it
	// (ensureDecoder, media.go).
	familyDecoders[familyXML] = xmlBodyDecoder
}

// Decode: an XML body (its first character, spaces aside, is "<", whatever
// its content type says) is decoded as op's documented response for status
// describes it, from the <{Op}Result> element with wire.xmlResult. Any
// other body is read as JSON, as AWS query services answer when a client
// asks for it.
func (w queryWire) Decode(op *Operation, status int, body []byte) (any, error) {
	if bytes.TrimSpace(body)[0] != '<' {
		return decodeJSON(body)
	}
	var s *openapi3.Schema
	if op != nil {
		s = op.responseSchema(status, "xml")
	}
	return DecodeXML(body, s, w.d.Binding.Wire.XMLResult)
}

// responseSchema is the schema op documents for status (or its default
// response) under a media type containing kind.
func (op *Operation) responseSchema(status int, kind string) *openapi3.Schema {
	resp := op.Route.Operation.Responses.Status(status)
	if resp == nil {
		resp = op.Route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return nil
	}
	for mt, c := range resp.Value.Content {
		if strings.Contains(mt, kind) && c.Schema != nil {
			return c.Schema.Value
		}
	}
	return nil
}

// xmlBodyDecoder lets openapi3filter validate XML bodies on the value
// DecodeXML gives.
func xmlBodyDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	var s *openapi3.Schema
	if schema != nil {
		s = schema.Value
	}
	return DecodeXML(data, s, false)
}

// DecodeXML decodes an XML document into the value schema s describes for
// its root element's content. With result set, the value is that of the
// root's child whose name ends in "Result" (<CreateAccessKeyResult>), for
// descriptions whose schemas describe only the result, as third-party
// conversions of AWS query models do; a root without one (an error) is
// decoded whole.
func DecodeXML(body []byte, s *openapi3.Schema, result bool) (any, error) {
	root, err := parseXML(body)
	if err != nil {
		return nil, err
	}
	if result {
		for _, c := range root.children {
			if strings.HasSuffix(c.name, "Result") {
				return decodeElement(c, s), nil
			}
		}
		return decodeElement(root, nil), nil
	}
	return decodeElement(root, s), nil
}

// effective is the schema that says what s's values are: s itself, or the
// first allOf, anyOf or oneOf member that has a type or members (as in
// "allOf: [$ref, {description}]").
func effective(s *openapi3.Schema) *openapi3.Schema {
	for depth := 0; s != nil && depth < 8; depth++ {
		if s.Type != nil && len(s.Type.Slice()) > 0 || len(s.Properties) > 0 || s.Items != nil {
			return s
		}
		var next *openapi3.Schema
		for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, ref := range group {
				if ref != nil && ref.Value != nil && (ref.Value.Type != nil || len(ref.Value.Properties) > 0 || len(ref.Value.AllOf) > 0) {
					next = ref.Value
					break
				}
			}
			if next != nil {
				break
			}
		}
		if next == nil {
			return s
		}
		s = next
	}
	return s
}

func decodeElement(el *element, s *openapi3.Schema) any {
	s = effective(s)
	switch {
	case s == nil:
		if len(el.children) == 0 {
			return strings.TrimSpace(el.text)
		}
		return decodeObject(el, nil)
	case s.Type.Is(openapi3.TypeArray):
		items := make([]any, 0, len(el.children))
		var item *openapi3.Schema
		if s.Items != nil {
			item = s.Items.Value
		}
		for _, c := range el.children {
			items = append(items, decodeElement(c, item))
		}
		return items
	case s.Type.Is(openapi3.TypeObject) || len(s.Properties) > 0:
		return decodeObject(el, s)
	}
	text := strings.TrimSpace(el.text)
	switch {
	case s.Type.Is(openapi3.TypeBoolean):
		switch text {
		case "true":
			return true
		case "false":
			return false
		}
	case s.Type.Is(openapi3.TypeInteger) || s.Type.Is(openapi3.TypeNumber):
		var n json.Number
		if json.Unmarshal([]byte(text), &n) == nil {
			return n
		}
	}
	return text // a string, or a value the schema will reject as it is
}

// decodeObject decodes el's children as members: by the schema's
// properties where it declares them; undeclared ones as they come, a name
// repeated becoming an array.
func decodeObject(el *element, s *openapi3.Schema) map[string]any {
	m := make(map[string]any, len(el.children))
	for _, c := range el.children {
		var ps *openapi3.Schema
		if s != nil {
			if ref := s.Properties[c.name]; ref != nil {
				ps = ref.Value
			}
		}
		v := decodeElement(c, ps)
		if prev, seen := m[c.name]; seen && ps == nil {
			if list, ok := prev.([]any); ok {
				m[c.name] = append(list, v)
			} else {
				m[c.name] = []any{prev, v}
			}
			continue
		}
		m[c.name] = v
	}
	return m
}
