package spec

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Param is a path, query or header parameter an operation declares.
type Param struct {
	Name     string
	In       string // "path", "query" or "header"
	Required bool
	Schema   *openapi3.Schema
}

// param returns op's parameter called name.
func (op *Operation) param(name string) (Param, bool) {
	for _, p := range op.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// IsParam reports whether the input member name is one of op's parameters
// (rather than a body member).
func (op *Operation) IsParam(name string) bool {
	_, ok := op.param(name)
	return ok
}

// signingHeader reports header parameters the harness sets itself (a
// description may declare the signature's headers): they are never
// generated.
func signingHeader(name string) bool {
	n := http.CanonicalHeaderKey(name)
	return n == "Authorization" || strings.HasPrefix(n, "X-Amz-")
}

// collectParams gathers the path, query and header parameters op declares
// (its path item's and its own, its own first), for wires that send
// parameters.
func collectParams(op *Operation) error {
	params := append(openapi3.Parameters{}, op.Route.PathItem.Parameters...)
	params = append(params, op.Route.Operation.Parameters...)
	for _, ref := range params {
		if ref == nil || ref.Value == nil {
			continue
		}
		p := ref.Value
		if p.In == "cookie" || p.In == "header" && signingHeader(p.Name) {
			continue
		}
		var s *openapi3.Schema
		if p.Schema != nil {
			s = p.Schema.Value
		}
		if s == nil {
			s = openapi3.NewStringSchema()
		}
		param := Param{Name: p.Name, In: p.In, Required: p.Required || p.In == "path", Schema: s}
		if i := slices.IndexFunc(op.Params, func(q Param) bool { return q.Name == p.Name }); i >= 0 {
			op.Params[i] = param // an operation's own declaration overrides its path's
			continue
		}
		op.Params = append(op.Params, param)
	}
	for _, p := range op.Params {
		if p.In == "path" && !strings.Contains(op.Template, "{"+p.Name+"}") {
			return fmt.Errorf("%s: path parameter %q is not in the path %s", op.ID, p.Name, op.Template)
		}
	}
	return nil
}

// buildInput builds op's input schema: one object holding the body's
// members and the parameters (collectParams), required where the body or
// the parameter says (a path parameter always is). A parameter named like a
// body member stands for it: the body member is then not sent.
func buildInput(op *Operation) {
	if len(op.Params) == 0 {
		op.Input = op.Request
		return
	}
	in := openapi3.NewObjectSchema()
	if op.Request != nil {
		for name, p := range op.Request.Properties {
			in.Properties[name] = p
		}
		in.Required = append(in.Required, op.Request.Required...)
		in.AdditionalProperties = op.Request.AdditionalProperties
	}
	for _, p := range op.Params {
		in.Properties[p.Name] = openapi3.NewSchemaRef("", p.Schema)
		if p.Required && !slices.Contains(in.Required, p.Name) {
			in.Required = append(in.Required, p.Name)
		}
	}
	op.Input = in
}

// formSchema takes a query operation's input schema from its request body,
// whatever media type the document gives it (form, or text/xml as
// third-party conversions of AWS query models declare it): on the wire it
// is always a form.
func (d *Document) formSchema(op *Operation) error {
	op.ContentType = d.Binding.Wire.ContentType
	if op.ContentType == "" {
		op.ContentType = formContentType
	}
	if op.Method != http.MethodPost {
		return fmt.Errorf("%s: method %s: the query protocol sends POST (bind the POST variant)", op.ID, op.Method)
	}
	body := op.Route.Operation.RequestBody
	if body == nil || body.Value == nil {
		return nil
	}
	op.BodyRequired = body.Value.Required
	mts := make([]string, 0, len(body.Value.Content))
	for mt := range body.Value.Content {
		mts = append(mts, mt)
	}
	slices.Sort(mts)
	for _, mt := range mts {
		if c := body.Value.Content[mt]; c != nil && c.Schema != nil && c.Schema.Value != nil {
			op.MediaType, op.Request = mt, c.Schema.Value
			return nil
		}
	}
	return nil
}
