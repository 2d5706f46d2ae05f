package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
)

// ProtocolREST addresses each operation by its own method and path.
const ProtocolREST = "rest"

// restProtocol is the registry's entry (wire.go). It names no operation on
// the wire, so a binding that names no protocol and whose target names
// neither a header nor a member speaks rest; its target object is empty.
var restProtocol = protocol{
	name:   ProtocolREST,
	claims: func(TargetRule) bool { return true },
	check: func(b Binding) []error {
		var errs []error
		for _, name := range b.Target.Names() {
			errs = append(errs, fmt.Errorf("%w: target.%s: protocol rest names no operation on the wire (each has its own method and path)", ErrBinding, name))
		}
		return errs
	},
	open: func(d *Document) (Wire, error) { return restWire{d}, nil },
}

// restWire addresses each operation by its own method and path: path
// parameters are percent-encoded into the path's template, query and
// header parameters go where the document declares them, and the input's
// other members are the JSON body, sent only when the operation declares
// one. Replies are JSON.
type restWire struct{ d *Document }

// Resolve: no name on the wire; a JSON body where one is declared, and the
// path, query and header parameters, in one input.
func (w restWire) Resolve(op *Operation) error {
	err := errors.Join(w.d.jsonBody(op), collectParams(op))
	buildInput(op)
	return err
}

// OperationHeader: operations are named by method and path.
func (restWire) OperationHeader() string { return "" }

// Decode: replies are JSON.
func (restWire) Decode(_ *Operation, _ int, body []byte) (any, error) { return decodeJSON(body) }

// Succeeded: by the status and the description (success.go).
func (w restWire) Succeeded(r *Reply) bool { return w.d.Binding.succeeded(r) }

// MediaFamily: the rest wire adds no media type to the common ones.
func (restWire) MediaFamily(string) string { return "" }

// Textual: parameters are text; body members are JSON.
func (restWire) Textual(op *Operation, name string) bool { return op.IsParam(name) }

func (w restWire) Encode(op *Operation, input map[string]any) Request {
	r := Request{Method: op.Method, Header: http.Header{}, Input: input}
	r.Path = expandPath(op.Template, func(name string) string { return ParamText(input[name]) })
	q := url.Values{}
	body := map[string]any{}
	for name, v := range input {
		p, isParam := op.param(name)
		switch {
		case !isParam:
			body[name] = v
		case v == nil:
		case p.In == openapi3.ParameterInQuery:
			if items, ok := v.([]any); ok {
				for _, it := range items {
					q.Add(name, ParamText(it))
				}
				continue
			}
			q.Set(name, ParamText(v))
		case p.In == openapi3.ParameterInHeader:
			r.Header.Set(name, ParamText(v))
		}
	}
	r.Query = q.Encode()
	if accept := op.ResponseMediaType(); accept != "" {
		r.Header.Set("Accept", accept)
	}
	if op.MediaType != "" {
		r.Body, _ = json.Marshal(body) // a decoded JSON value always marshals
		r.Header.Set("Content-Type", op.ContentType)
	}
	return r
}

// Broken: a malformed or non-object body (for operations with a body), an
// empty body where the body and a member of it are required, an unknown
// route, and a method no route of the path allows. Each is invalid under
// every reading a correct endpoint may give it (docs/DESIGN.md, "What a
// check may demand"):
//
//   - "body: malformed JSON": the valid body without its closing brace
//     parses under no JSON reader.
//   - "body: JSON array", "body: JSON string", "body: JSON number": a
//     declared object body that is not an object.
//   - "body: empty": sent only where the document requires the body and
//     its schema has a required member. A server may read an empty body
//     as {} (Smithy's restJson servers do where no member is required),
//     which then lacks that member.
//   - "route: unknown path": a path that no path template of the document
//     matches (unknownPath), so it names no operation.
//   - "route: method M not allowed": the operation's own path with a
//     method that no template matching that path declares.
//
// Known false negative: a vendor that implements more operations than its
// description declares answers the last two as it likes; the description
// is the contract.
func (w restWire) Broken(d *Document, op *Operation, valid map[string]any) []Invalid {
	var out []Invalid
	base := w.Encode(op, valid)
	if op.MediaType != "" {
		whole := []Situation{InvalidInput}
		cases := []struct {
			name, body string
			expect     []Situation
		}{
			{"body: malformed JSON", truncatedJSON(base.Body), whole},
			{"body: JSON array", "[]", whole},
			{"body: JSON string", `"text"`, whole},
			{"body: JSON number", "42", whole},
		}
		if op.BodyRequired && op.Request != nil && len(op.Request.Required) > 0 {
			cases = append(cases, struct {
				name, body string
				expect     []Situation
			}{"body: empty", "", []Situation{InvalidInput, NotFound}})
		}
		for _, c := range cases {
			r := base
			r.Header = base.Header.Clone()
			r.Body, r.Input = []byte(c.body), nil
			out = append(out, Invalid{Name: c.name, Request: r, Expect: c.expect})
		}
	}
	unknown := []Situation{UnknownOperation}
	if path, ok := w.unknownPath(); ok {
		route := Request{Method: http.MethodGet, Path: path, Header: base.Header.Clone()}
		route.Header.Del("Content-Type")
		out = append(out, Invalid{Name: "route: unknown path", Request: route, OtherOperation: true, Expect: unknown})
	}
	allowed := w.methodsAt(base.Path)
	for _, m := range []string{http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodGet} {
		if !allowed[m] {
			r := base
			r.Method, r.Header, r.Body, r.Input = m, base.Header.Clone(), nil, nil
			r.Header.Del("Content-Type")
			out = append(out, Invalid{Name: "route: method " + m + " not allowed", Request: r, OtherOperation: true, Expect: unknown})
			break
		}
	}
	return out
}

// unknownRoute is the path the unknown-route break sends, made deeper
// (one segment more each time) while a path template still matches it.
const unknownRoute = "/keycontract-no-such-route"

// unknownPath is a path no template of the document matches: a template
// parameter matches one segment, never a "/", so a path deeper than every
// template matches none.
func (w restWire) unknownPath() (string, bool) {
	path := unknownRoute
	for range 64 {
		if !w.matchesAny(path) {
			return path, true
		}
		path += unknownRoute
	}
	return "", false
}

// matchesAny reports whether any path template of the document matches
// path (escaped, as sent).
func (w restWire) matchesAny(path string) bool {
	for template := range w.d.T.Paths.Map() {
		if templateMatches(template, path) {
			return true
		}
	}
	return false
}

// methodsAt is the set of methods the templates that match path (escaped,
// as sent) declare.
func (w restWire) methodsAt(path string) map[string]bool {
	out := map[string]bool{}
	for template, item := range w.d.T.Paths.Map() {
		if item == nil || !templateMatches(template, path) {
			continue
		}
		for m := range item.Operations() {
			out[m] = true
		}
	}
	return out
}
