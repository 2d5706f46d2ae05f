package spec

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// ProtocolQuery is the AWS query protocol (IAM): a form naming the
// operation in a member, XML replies.
const ProtocolQuery = "query"

// queryProtocol is the registry's entry (wire.go): a binding whose target
// names a member speaks query when it names no protocol.
var queryProtocol = protocol{
	name:   ProtocolQuery,
	claims: func(t TargetRule) bool { return t.Has("member") },
	check: func(b Binding) []error {
		t, err := QueryTargetOf(b)
		switch {
		case err != nil:
			return []error{err}
		case t.Member == "":
			return []error{fmt.Errorf("%w: target.member is empty: protocol query names operations with a form member (Action)", ErrBinding)}
		}
		return nil
	},
	open: func(d *Document) (Wire, error) {
		t, err := QueryTargetOf(d.Binding)
		return queryWire{d, t}, err
	},
}

// QueryTarget is the query wire's target object: the form member that
// names the operation (Action), whose value is Prefix+"."+operationId (the
// operationId alone without a prefix) or the value the operation's path
// gives the member as its "#fragment" ("/#Action=CreateAccessKey"), and
// the members every request carries (Version).
type QueryTarget struct {
	Member string            `json:"member"`
	Prefix string            `json:"prefix,omitempty"`
	Fixed  map[string]string `json:"fixed,omitempty"`
}

// Rule is t as a binding's target object.
func (t QueryTarget) Rule() TargetRule { return targetRuleOf(t) }

func (t QueryTarget) value(operationID string) string {
	if t.Prefix == "" {
		return operationID
	}
	return t.Prefix + "." + operationID
}

// QueryTargetOf reads b's target object as the query wire does.
func QueryTargetOf(b Binding) (QueryTarget, error) {
	var t QueryTarget
	if err := b.Target.decode(&t); err != nil {
		return t, fmt.Errorf("%w: target: %v (protocol query reads member, prefix and fixed)", ErrBinding, err)
	}
	return t, nil
}

// queryWire is the AWS query protocol (IAM): every request is POST to the
// operation's path (its "#fragment" removed, so "/#Action=..." works) with
// a form-encoded body that names the operation in the target rule's member
// (Action), carries its fixed members (Version) and the input flattened the
// AWS query way: a structure's members as Name.Member, a list's items as
// Name.member.N (from 1), a map's as Name.entry.N.key and .value. Replies
// are XML (wire_query_xml.go). Parameters the document declares are not
// sent: on this wire an operation's input is its form body.
type queryWire struct {
	d      *Document
	target QueryTarget
}

// Resolve: the operation's Action; its input is its request body's schema,
// sent as a form.
func (w queryWire) Resolve(op *Operation) error {
	op.Target = w.target.value(op.ID)
	if v, ok := fragmentName(op, func(name string) bool { return name == w.target.Member }); ok {
		op.Target = v
	}
	err := w.formSchema(op)
	op.Input = op.Request
	return err
}

// formSchema takes op's input schema from its request body, whatever
// media type the document gives it (form, or text/xml as third-party
// conversions of AWS query models declare it): on the wire it is always a
// form.
func (w queryWire) formSchema(op *Operation) error {
	op.ContentType = w.d.Binding.Wire.ContentType
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

// OperationHeader: the operation is named in the form.
func (queryWire) OperationHeader() string { return "" }

// Succeeded: by the status and the description (success.go).
func (w queryWire) Succeeded(r *Reply) bool { return w.d.Binding.succeeded(r) }

// MediaFamily: the query wire adds no media type to the common ones.
func (queryWire) MediaFamily(string) string { return "" }

// Textual: every member of a form is text.
func (queryWire) Textual(*Operation, string) bool { return true }

// formContentType is what AWS SDKs send.
const formContentType = "application/x-www-form-urlencoded; charset=utf-8"

func (w queryWire) Encode(op *Operation, input map[string]any) Request {
	form := url.Values{}
	flatten(form, "", input)
	return w.request(op, op.Target, form, input)
}

func (w queryWire) request(op *Operation, action string, form url.Values, input map[string]any) Request {
	t := w.target
	if action != "" {
		form.Set(t.Member, action)
	}
	for k, v := range t.Fixed {
		form.Set(k, v)
	}
	h := http.Header{}
	h.Set("Content-Type", formContentType)
	return Request{Method: http.MethodPost, Path: op.Path, Header: h, Body: []byte(encodeForm(form, t.Member)),
		Target: action, Input: input}
}

// encodeForm encodes a form with the action member first, then the rest
// sorted, as AWS SDKs do (the order is not significant to a server; a
// fixed one keeps recordings stable).
func encodeForm(form url.Values, first string) string { return encodeFormRaw(form, first, nil) }

// encodeFormRaw is encodeForm with raw text appended, unescaped, to the
// encoded value of each member raw names: how a malformed escape is put
// inside one member.
func encodeFormRaw(form url.Values, first string, raw map[string]string) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != first {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if _, ok := form[first]; ok {
		keys = append([]string{first}, keys...)
	}
	var b strings.Builder
	for _, k := range keys {
		for _, v := range form[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
			b.WriteString(raw[k])
		}
	}
	return b.String()
}

// flatten adds v to form under prefix, the AWS query way.
func flatten(form url.Values, prefix string, v any) {
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(form, join(k), e)
		}
	case []any:
		if len(x) == 0 {
			form.Set(prefix, "") // an empty list is sent as its bare name
			return
		}
		for i, e := range x {
			flatten(form, fmt.Sprintf("%s.member.%d", prefix, i+1), e)
		}
	case nil:
		// absent
	default:
		form.Set(prefix, ParamText(x))
	}
}

// Broken: a body that is not a form (an undecodable escape inside a
// member, where one can hold it), an empty body, an unknown action and a
// missing action. Each is invalid under every reading a correct endpoint
// may give it (docs/DESIGN.md, "What a check may demand"):
//
//   - "body: malformed form encoding": a required member's value ends in
//     "%zz", a percent sign not followed by two hex digits (malformedMember
//     says which member, and why every reading of it is invalid). No
//     member qualifies in CreateAccessKey, ListAccessKeys or ListUsers,
//     whose members are all optional: there the break is not sent. A
//     stray undecodable pair ("&%zz=%") is not sent anywhere: WHATWG's
//     form parser reads it as an unknown member, Go's url.ParseQuery
//     skips it, and both then read a valid request.
//   - "body: empty": no Action under any reading (an empty form has no
//     members), the query protocol's MissingAction.
//   - "action: unknown operation": Action=NoSuchOperation names no
//     operation however the rest is read.
//   - "action: missing": the valid members without Action name no
//     operation; IAM documents MissingAction.
func (w queryWire) Broken(d *Document, op *Operation, valid map[string]any) []Invalid {
	good := w.Encode(op, valid)
	raw := func(body string) Request {
		r := good
		r.Header, r.Body, r.Input = good.Header.Clone(), []byte(body), nil
		return r
	}
	// A malformed or empty body leaves no Action to read: docs/DESIGN.md
	// accepts MissingAction for it, among the invalid-input codes.
	whole := []Situation{InvalidInput, UnknownOperation}
	form := url.Values{}
	flatten(form, "", valid)
	var out []Invalid
	if name, ok := w.malformedMember(op, valid); ok {
		f := maps.Clone(form)
		f.Set(w.target.Member, op.Target)
		for k, v := range w.target.Fixed {
			f.Set(k, v)
		}
		r := raw(encodeFormRaw(f, w.target.Member, map[string]string{name: undecodable}))
		// The one reading under which an endpoint acts on the request reads
		// the escape literally: what it may create is named so.
		r.Input = with(valid, name, valid[name].(string)+undecodable)
		out = append(out, Invalid{Name: "body: malformed form encoding (an undecodable escape in " + name + ")",
			Request: r, Expect: []Situation{InvalidInput, NotFound, UnknownOperation}})
	}
	out = append(out, Invalid{Name: "body: empty", Request: raw(""), Expect: whole})
	// Each request gets its own copy: request sets the action member.
	unknown := w.request(op, "NoSuchOperation", maps.Clone(form), nil)
	missing := w.request(op, "", maps.Clone(form), nil)
	expect := []Situation{UnknownOperation, InvalidInput}
	return append(out,
		Invalid{Name: "action: unknown operation", Request: unknown, OtherOperation: true, Expect: expect},
		Invalid{Name: "action: missing", Request: missing, OtherOperation: true, Expect: expect},
	)
}

// undecodable is the malformed escape the form break puts in a member: a
// percent sign followed by two characters that are not hex digits.
const undecodable = "%zz"

// malformedMember picks the member whose value carries the undecodable
// escape, so that every reading of the body is invalid:
//
//   - a strict reader refuses the whole body (invalid input; MissingAction
//     or MalformedQueryString where it then reads no Action);
//   - a reader that skips an undecodable pair (Go's url.ParseQuery, its
//     error ignored) loses the member, which is required: invalid input;
//   - a reader that keeps undecodable escapes as they are (WHATWG's form
//     parser, Python's parse_qs) reads the value with "%zz" at its end,
//     which the member's string schema rejects (a pattern without "%", a
//     maximum length, an enum): invalid input, or not-found where an
//     endpoint that looks the name up before it checks the pattern finds
//     nothing.
//
// So the member is a required top-level string member (not the action
// member nor a fixed one) whose schema accepts its valid value and
// rejects that value with the escape appended; the first such, by name.
// ok is false when none is: the break is then not sent (a known false
// negative for operations with no required member).
func (w queryWire) malformedMember(op *Operation, valid map[string]any) (string, bool) {
	s := op.Input
	if s == nil {
		return "", false
	}
	names := append([]string(nil), s.Required...)
	sort.Strings(names)
	t := w.target
	for _, name := range names {
		if _, fixed := t.Fixed[name]; fixed || name == t.Member {
			continue
		}
		p := s.Properties[name]
		v, isString := valid[name].(string)
		if p == nil || p.Value == nil || !isString || !p.Value.Type.Is("string") {
			continue
		}
		if p.Value.VisitJSON(v) == nil && p.Value.VisitJSON(v+undecodable) != nil {
			return name, true
		}
	}
	return "", false
}
