package infer

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// queryRule is AWS query (spec's query wire, IAM): an operation whose
// path's fragment is "#Action=Name", or that takes a query parameter
// Action with one value. Action and Version are the wire's own members.
type queryRule struct{ baseRule }

// The form members the wire sets itself: the operation's name, and the
// API version every request carries.
const (
	actionMember  = "Action"
	versionMember = "Version"
)

func (w *queryRule) fragment(x *op, name, value string) bool {
	if !strings.EqualFold(name, actionMember) {
		return false
	}
	x.claim(w, actionMember)
	x.name = value
	return true
}

// param: Action and Version as one-value query parameters are the wire's
// (whatever names the operation); Action names it where nothing did.
func (w *queryRule) param(x *op, p *openapi3.Parameter, s *openapi3.Schema) bool {
	if p.In != openapi3.ParameterInQuery || p.Name != actionMember && p.Name != versionMember || s == nil || len(s.Enum) != 1 {
		return false
	}
	if p.Name == actionMember && x.rule == nil {
		x.claim(w, actionMember)
	}
	return true
}

// body: the form body is the whole input: its members stand for
// APIs.guru's duplicate query parameters (a string MaxItems beside the
// body's integer one), and Action and Version are the wire's.
func (w *queryRule) body(_ *op, name string, _ bool) bool {
	return name != actionMember && name != versionMember
}

// preferred: AWS query descriptions list a GET and a POST for each Action;
// the POST is the one the wire sends.
func (*queryRule) preferred(ops []*op) []*op {
	posts := map[string]bool{}
	for _, o := range ops {
		if o.isQuery() && o.method == "POST" {
			posts[o.name] = true
		}
	}
	var out []*op
	for _, o := range ops {
		if o.isQuery() && o.method != "POST" && posts[o.name] {
			continue
		}
		out = append(out, o)
	}
	return out
}

func (x *op) isQuery() bool {
	_, ok := x.rule.(*queryRule)
	return ok
}

func (*queryRule) route(x *op) string {
	return fmt.Sprintf("%s %s Action=%s", x.method, x.tmpl, x.name)
}

// target: Action names the operation; Version is the Version parameter's
// one value, or else the document's info.version.
func (w *queryRule) target(x *inference, ck *op) {
	b, r := &x.r.Binding, x.r
	b.Protocol = spec.ProtocolQuery
	version := x.t.Info.Version
	how := "info.version"
	for _, p := range ck.o.Parameters {
		if p.Value != nil && p.Value.Name == versionMember && p.Value.Schema != nil && p.Value.Schema.Value != nil && len(p.Value.Schema.Value.Enum) == 1 {
			version, how = fmt.Sprint(p.Value.Schema.Value.Enum[0]), "the Version parameter's enum"
		}
	}
	b.Target = spec.QueryTarget{Member: actionMember, Fixed: map[string]string{versionMember: version}}.Rule()
	r.note("protocol", "query", fmt.Sprintf("%s is addressed by form member Action (%s)", ck.id, route(ck)))
	r.note("target", "Action, Version="+version, "Version from "+how)
}

// differences: a reply schema without a ...Result member describes only
// the <{Op}Result> element's content (wire.xmlResult).
func (w *queryRule) differences(x *inference, ck *op, _ string) {
	x.noteDialect(w.dialect())
	if c := x.chosen[spec.CreateKey]; c != nil {
		if schema, _, _ := successOf(c.op.o); schema != nil && !hasResultMember(schema) {
			x.r.Binding.Wire.XMLResult = true
			x.r.note("wire.xmlResult", "true", fmt.Sprintf("%s's success schema has no ...Result member: it describes the <%sResult> element's content, as AWS query conversions do", c.op.id, c.op.name))
		}
	}
}

func (*queryRule) dialect() string { return "iam" }

// hasResultMember reports whether a reply schema names its AWS query
// result element (CreateAccessKeyResult): the whole reply, not only the
// result's content.
func hasResultMember(s *openapi3.Schema) bool {
	for name := range properties(s) {
		if strings.HasSuffix(name, "Result") {
			return true
		}
	}
	return false
}

// queryCodes are AWS query's own errors, which AWS documents for every
// service (so descriptions leave them out).
var queryCodes = []string{"InvalidAction", "MissingAction", "ValidationError", "MalformedInput", "InvalidInput", "InvalidParameterValue", "MissingParameter", "InvalidQueryParameter", "MalformedQueryString", "MissingAuthenticationToken",
	"IncompleteSignature", "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "Throttling", "ServiceFailure"}

func (*queryRule) errorSource(*inference) ([]string, string, string) {
	return []string{"body:/Error/Code"}, "", "AWS query errors are <ErrorResponse><Error><Code>"
}

// codeName: AWS query sends a model's FooException as Foo.
func (*queryRule) codeName(code string) string { return strings.TrimSuffix(code, "Exception") }

func (*queryRule) refIsCode() bool { return true }

func (*queryRule) ownCodes() ([]string, string) { return queryCodes, "AWS query's own error" }

func (*queryRule) ownStatuses() (func(string) []int, bool) { return queryStatuses, true }

// queryStatuses are the statuses AWS query sends code with: 403 for auth
// (400 for an incomplete signature), 404 not found (and
// MalformedQueryString, as AWS documents it), 409 limits and conflicts,
// 500 service failures, else 400.
func queryStatuses(code string) []int {
	n := norm(code)
	if strings.Contains(n, "service") || strings.Contains(n, "internal") {
		return []int{500}
	}
	s, _ := situationOf(code)
	switch {
	case s == spec.AuthFailed && !strings.Contains(n, "incomplete"):
		return []int{403}
	case n == "malformedquerystring": // AWS documents it with 404
		return []int{404}
	case s == spec.NotFound:
		return []int{404}
	case s == spec.LimitExceeded, strings.Contains(n, "exist"), strings.Contains(n, "conflict"):
		return []int{409}
	}
	return []int{400}
}

// invalidInput: AWS query answers MissingAction when a malformed or empty
// body leaves no Action to read: invalid input too.
func (*queryRule) invalidInput(statuses map[string][]int, accept map[spec.Situation][]string, whys map[spec.Situation]string) {
	if _, ok := statuses["MissingAction"]; ok {
		accept[spec.InvalidInput] = append(accept[spec.InvalidInput], "MissingAction")
		whys[spec.InvalidInput] = "codes named for it, and MissingAction (a body with no Action to read)"
	}
}
