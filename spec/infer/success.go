package infer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// Success read from the body (spec's response.success): a description
// declares that a 2xx reply may still be an error in one of two ways,
// and inference takes either:
//
//   - the 2xx schema is a oneOf or anyOf of a success and an error
//     envelope, told apart by a boolean member that is true (enum [true]
//     or const) in one and false in the other ({"success": true, "data"}
//     or {"success": false, "error"}): the member is where success is
//     read, and the false branch is an error response, whose code member
//     and codes are read as those of the 4xx responses are (errors.go);
//   - the 2xx schema has a required boolean member named success that may
//     be false: the schema is then an error response too.
//
// A required boolean that is always true (the seed's envelope: success
// enum [true]) declares nothing: a 2xx with false breaks the schema, and
// success-envelope says so. Known false negative: an envelope whose
// boolean is named otherwise (ok) and is not a oneOf's discriminator is
// not taken; an overlay's response.success names it.

// successIn reports where schema s, a 2xx reply's, declares that the
// reply may be an error: the boolean member, and the success and error
// branches (nil when s itself holds both).
func successIn(s *openapi3.Schema) (member string, okBranch, errBranch *openapi3.SchemaRef, found bool) {
	if s == nil {
		return "", nil, nil, false
	}
	for _, group := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		truthy, falsy := map[string]*openapi3.SchemaRef{}, map[string]*openapi3.SchemaRef{}
		for _, ref := range group {
			for name, p := range properties(schemaOf(ref)) {
				switch v, fixed := fixedBool(p); {
				case fixed && v && truthy[name] == nil:
					truthy[name] = ref
				case fixed && !v && falsy[name] == nil:
					falsy[name] = ref
				}
			}
		}
		for _, name := range sortedKeys(falsy) {
			if truthy[name] != nil {
				return name, truthy[name], falsy[name], true
			}
		}
	}
	p := properties(s)["success"]
	if v, fixed := fixedBool(p); isType(p, openapi3.TypeBoolean) && slices.Contains(allRequired(s), "success") && !(fixed && v) {
		return "success", nil, nil, true
	}
	return "", nil, nil, false
}

// fixedBool is the one value a boolean schema allows (its const, or an
// enum of one), when it allows only one.
func fixedBool(s *openapi3.Schema) (value, fixed bool) {
	if s == nil || !isType(s, openapi3.TypeBoolean) {
		return false, false
	}
	if v, ok := s.Const.(bool); ok {
		return v, true
	}
	if len(s.Enum) == 1 {
		v, ok := s.Enum[0].(bool)
		return v, ok
	}
	return false, false
}

// success infers response.success from the chosen operations' 2xx
// replies, the first in role order that declares it.
func (x *inference) success() {
	for _, role := range spec.Roles {
		c := x.chosen[role]
		if c == nil || c.op.o.Responses == nil {
			continue
		}
		for _, code := range sortedKeys(c.op.o.Responses.Map()) {
			s, ok := twoHundred(c.op.o, code)
			if !ok {
				continue
			}
			member, _, branch, ok := successIn(s)
			if !ok {
				continue
			}
			x.r.Binding.Response.Success = pointer(member)
			how := fmt.Sprintf("a required boolean %s that may be false", member)
			if branch != nil {
				how = fmt.Sprintf("a success or an error envelope, %s true in one and false in the other", member)
			}
			x.r.note("response.success", pointer(member), fmt.Sprintf("%s's %s reply is %s: a 2xx may be an error", c.op.id, code, how))
			return
		}
	}
}

// twoHundred is the schema of o's response code, when code is a 2xx.
func twoHundred(o *openapi3.Operation, code string) (*openapi3.Schema, bool) {
	if len(code) != 3 || code[0] != '2' {
		return nil, false
	}
	resp := o.Responses.Value(code)
	if resp == nil || resp.Value == nil {
		return nil, false
	}
	for _, mt := range sortedKeys(resp.Value.Content) {
		if s := schemaOf(resp.Value.Content[mt].Schema); s != nil {
			return s, true
		}
	}
	return nil, false
}

// serverCodes infers errors.server where the description answers errors
// in the body: the codes named for the endpoint's own failure (internal,
// server, service, unavailable) that it documents with no 5xx status.
func (x *inference) serverCodes() {
	b := &x.r.Binding
	if b.Response.Success == "" {
		return
	}
	for _, code := range sortedKeys(b.Errors.Statuses) {
		n := norm(code)
		failure := strings.Contains(n, "internal") || strings.Contains(n, "server") || strings.Contains(n, "service") || strings.Contains(n, "unavailable")
		if failure && !slices.ContainsFunc(b.Errors.Statuses[code], func(s int) bool { return s >= 500 }) {
			b.Errors.Server = append(b.Errors.Server, code)
		}
	}
	if len(b.Errors.Server) > 0 {
		x.r.note("errors.server", strings.Join(b.Errors.Server, ", "), "codes named for the endpoint's own failure, documented with no 5xx: only the code says so")
	}
}
