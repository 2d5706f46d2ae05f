package infer

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// A wireRule is what inference knows of one protocol, as spec's wires are
// what the harness knows of it: how a description shows that an operation
// is named on that wire, the binding's target and wire differences it
// implies, and how the protocol's errors are read. Each is one file
// (wire_rpc.go, wire_query.go, wire_rest.go) and one line in newWireRules;
// the scoring, the families and the pointers never know which protocol a
// description speaks.
//
// Detection hooks are asked of every rule, in newWireRules' order, for every
// operation (an operation is claimed by the first rule that recognises how
// it is named); the binding hooks are asked of the rule that claimed the
// chosen createKey (inference.rule).
type wireRule interface {
	// fragment claims x when its path's "#name=value" fragment is how this
	// wire names operations, naming x from it.
	fragment(x *op, name, value string) bool
	// param reads one of x's parameters: it may claim x, and reports
	// whether the wire sets the parameter itself (it is then no input
	// member).
	param(x *op, p *openapi3.Parameter, s *openapi3.Schema) (wireSets bool)
	// body reports whether x's body member name is an input member, dup
	// saying that a parameter already has its name; asked of x's rule.
	body(x *op, name string, dup bool) bool
	// preferred drops the operations that are another variant of one the
	// protocol prefers.
	preferred(ops []*op) []*op
	// route is how x is addressed, for messages: "POST / Header: P.Op".
	route(x *op) string

	// target sets the binding's protocol and target object from the
	// chosen operations, with their notes and problems.
	target(x *inference, ck *op)
	// differences infers the rule's flavour and the document's wire
	// differences (wire.contentType, wire.timestamps, wire.xmlResult...),
	// with their notes; media is createKey's request media type.
	differences(x *inference, ck *op, media string)
	// dialect is the bundled dialect whose emulator speaks this wire.
	dialect() string

	// The protocol's errors (errors.go).
	errorRule
}

// newWireRules is the registry: one line per protocol, a fresh rule each
// (a rule learns its protocol's flavour from the description it infers).
// Detection asks them in this order, so a more specific way of naming
// comes first; rest, which names operations by method and path, claims
// what the others leave.
func newWireRules() []wireRule {
	return []wireRule{
		&queryRule{}, // wire_query.go: a member named Action
		&rpcRule{},   // wire_rpc.go: any other header, in a fragment or a one-value parameter
		&restRule{},  // wire_rest.go
	}
}

// named reports whether x's wire names it (a target header, a form
// member), so that its path says nothing of what it does.
func (x *op) named() bool { return x.namedBy != "" }

// claim makes rule x's wire, named by namedBy ("" where the method and
// path name it).
func (x *op) claim(rule wireRule, namedBy string) {
	x.rule, x.namedBy = rule, namedBy
}

// route is how x is addressed, for messages.
func route(x *op) string { return x.rule.route(x) }

// targetValue is x's name on its wire, prefix included.
func targetValue(x *op) string {
	if x.prefix == "" {
		return x.name
	}
	return x.prefix + "." + x.name
}

// preferred keeps, of the variants of one operation a protocol lists, the
// one it prefers (AWS query descriptions list a GET and a POST for each
// Action).
func preferred(rules []wireRule, ops []*op) []*op {
	for _, w := range rules {
		ops = w.preferred(ops)
	}
	return ops
}

// wire infers the protocol, the target rule, the authentication and the
// document's known differences from its wire.
func (x *inference) wire() {
	b, r := &x.r.Binding, x.r
	ck := x.chosen[spec.CreateKey].op
	x.rule = ck.rule
	x.rule.target(x, ck)

	b.Auth, r.Notes = auth(x.t, r.Notes)
	if b.Auth == "sigv4" {
		if svc, from := signingName(x.t); svc != "" && svc != "lightsail" {
			b.Service = svc
			r.note("service", svc, "the SigV4 signing name, from "+from)
		}
	}
	for _, role := range spec.Roles {
		if c := x.chosen[role]; c != nil {
			for code, resp := range c.op.o.Responses.Map() {
				if n, err := strconv.Atoi(code); err == nil && pseudoStatus(n) && resp.Value != nil {
					x.pseudoErrs = true
				}
			}
		}
	}
	media := requestMedia(ck)
	x.rule.differences(x, ck, media)
	if x.pseudoErrs {
		b.Wire.IgnoreErrorResponses = true
		r.note("wire.ignoreErrorResponses", "true", "error responses sit under statuses no server sends (480-499): errors are judged by the codes alone")
	}
}

// noteDialect sets and notes the binding's dialect, for a rule's
// differences.
func (x *inference) noteDialect(dialect string) {
	x.r.Binding.Dialect = dialect
	x.r.note("dialect", dialect, "the bundled dialect whose emulator speaks this wire")
}

// pseudoStatus is a 4xx status no HTTP registry has, as converters use to
// list several errors of one operation.
func pseudoStatus(n int) bool { return n >= 452 && n < 500 }

func requestMedia(x *op) string {
	if rb := x.o.RequestBody; rb != nil && rb.Value != nil {
		for _, mt := range sortedKeys(rb.Value.Content) {
			return mt
		}
	}
	return ""
}

// auth reads the security schemes the document applies.
func auth(t *openapi3.T, notes []Note) (string, []Note) {
	if t.Components == nil || len(t.Components.SecuritySchemes) == 0 {
		return "none", append(notes, Note{Field: "auth", Value: "none", Reason: "no security scheme"})
	}
	for _, name := range sortedKeys(t.Components.SecuritySchemes) {
		ref := t.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		if v, _ := s.Extensions["x-amazon-apigateway-authtype"].(string); strings.EqualFold(v, "awsSigv4") ||
			strings.Contains(strings.ToLower(s.Description), "signature") && strings.Contains(strings.ToLower(s.Description), "v4") {
			return "sigv4", append(notes, Note{Field: "auth", Value: "sigv4", Reason: "security scheme " + name + " is AWS Signature v4"})
		}
		if s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") || s.Type == "oauth2" || s.Type == "openIdConnect" {
			return "bearer", append(notes, Note{Field: "auth", Value: "bearer", Reason: "security scheme " + name + " is " + s.Type + " " + s.Scheme})
		}
	}
	return "none", append(notes, Note{Field: "auth", Value: "none", Reason: "no bearer or SigV4 scheme: pass an API key with -header"})
}

func hasDateTime(t *openapi3.T) bool {
	if t.Components == nil {
		return false
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.Schema) bool
	walk = func(s *openapi3.Schema) bool {
		if s == nil || seen[s] {
			return false
		}
		seen[s] = true
		if isType(s, openapi3.TypeString) && s.Format == "date-time" {
			return true
		}
		for _, p := range properties(s) {
			if walk(p) {
				return true
			}
		}
		return walk(schemaOf(s.Items))
	}
	for _, s := range t.Components.Schemas {
		if walk(schemaOf(s)) {
			return true
		}
	}
	return false
}

// signingName guesses the SigV4 signing name from the first server URL's
// host ("iam.amazonaws.com" -> iam, "lightsail.{region}.amazonaws.com" ->
// lightsail), as AWS endpoints are named after the service.
func signingName(t *openapi3.T) (name, from string) {
	for _, srv := range t.Servers {
		u, err := url.Parse(srv.URL)
		if err != nil || !strings.HasSuffix(u.Hostname(), "amazonaws.com") {
			continue
		}
		if label, _, ok := strings.Cut(u.Hostname(), "."); ok && label != "" && !strings.Contains(label, "{") {
			return label, "the server " + u.Hostname()
		}
	}
	return "", ""
}

// baseRule is what a rule does where its protocol has nothing to add:
// rules embed it and override what they know.
type baseRule struct{}

func (baseRule) fragment(*op, string, string) bool                     { return false }
func (baseRule) param(*op, *openapi3.Parameter, *openapi3.Schema) bool { return false }
func (baseRule) body(_ *op, _ string, dup bool) bool                   { return !dup }
func (baseRule) preferred(ops []*op) []*op                             { return ops }
func (baseRule) errorSource(*inference) ([]string, string, string)     { return nil, "", "" }
func (baseRule) codeName(code string) string                           { return code }
func (baseRule) refIsCode() bool                                       { return false }
func (baseRule) ownCodes() ([]string, string)                          { return nil, "" }
func (baseRule) ownStatuses() (func(string) []int, bool)               { return nil, false }
func (baseRule) limitBy409() bool                                      { return true }
func (baseRule) invalidInput(map[string][]int, map[spec.Situation][]string, map[spec.Situation]string) {
}
func (baseRule) unknownOperation(map[spec.Situation][]string) ([]string, string) { return nil, "" }
