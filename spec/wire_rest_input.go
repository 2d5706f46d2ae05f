package spec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The rest wire's input: an operation's body members and its path, query
// and header parameters, in one object (see Wire).

// collectParams gathers the path, query and header parameters op declares
// (its path item's and its own, its own first), all but cookies and the
// headers the signer sets (signingHeader).
func collectParams(op *Operation) error {
	params := append(openapi3.Parameters{}, op.Route.PathItem.Parameters...)
	params = append(params, op.Route.Operation.Parameters...)
	for _, ref := range params {
		if ref == nil || ref.Value == nil {
			continue
		}
		p := ref.Value
		if p.In == openapi3.ParameterInCookie || p.In == openapi3.ParameterInHeader && signingHeader(p.Name) {
			continue
		}
		var s *openapi3.Schema
		if p.Schema != nil {
			s = p.Schema.Value
		}
		if s == nil {
			s = openapi3.NewStringSchema()
		}
		param := Param{Name: p.Name, In: p.In, Required: p.Required || p.In == openapi3.ParameterInPath, Schema: s}
		if i := slices.IndexFunc(op.Params, func(q Param) bool { return q.Name == p.Name }); i >= 0 {
			op.Params[i] = param // an operation's own declaration overrides its path's
			continue
		}
		op.Params = append(op.Params, param)
	}
	for _, p := range op.Params {
		if p.In == openapi3.ParameterInPath && !strings.Contains(op.Template, "{"+p.Name+"}") {
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
