package spec

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// queryWire is the AWS query protocol (IAM): every request is POST to the
// operation's path (its "#fragment" removed, so "/#Action=..." works) with
// a form-encoded body that names the operation in the target rule's member
// (Action), carries its fixed members (Version) and the input flattened the
// AWS query way: a structure's members as Name.Member, a list's items as
// Name.member.N (from 1), a map's as Name.entry.N.key and .value. Responses
// are XML (see xml.go). Parameters the document declares are not sent:
// on this wire an operation's input is its form body.
type queryWire struct{ d *Document }

// Resolve: the operation's Action; its input is its request body's schema,
// sent as a form.
func (w queryWire) Resolve(op *Operation) error {
	op.Target = w.d.targetOf(op)
	err := w.d.formSchema(op)
	op.Input = op.Request
	return err
}

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
	t := w.d.Binding.Target
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
func encodeForm(form url.Values, first string) string {
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

// Broken: a body that is not a form (malformed escapes), an empty body,
// an unknown action and a missing action.
func (w queryWire) Broken(d *Document, op *Operation, valid map[string]any) []Invalid {
	good := w.Encode(op, valid)
	raw := func(body string) Request {
		r := good
		r.Header, r.Body, r.Input = good.Header.Clone(), []byte(body), nil
		return r
	}
	// A malformed or empty body leaves no Action to read: DESIGN.md
	// accepts MissingAction for it, among the invalid-input codes.
	whole := []Situation{InvalidInput, UnknownOperation}
	out := []Invalid{
		{Name: "body: malformed form encoding", Request: raw(string(good.Body) + "&%zz=%"), Expect: whole},
		{Name: "body: empty", Request: raw(""), Expect: whole},
	}
	form := url.Values{}
	flatten(form, "", valid)
	// Each request gets its own copy: request sets the action member.
	unknown := w.request(op, "NoSuchOperation", maps.Clone(form), nil)
	missing := w.request(op, "", maps.Clone(form), nil)
	expect := []Situation{UnknownOperation, InvalidInput}
	return append(out,
		Invalid{Name: "action: unknown operation", Request: unknown, OtherOperation: true, Expect: expect},
		Invalid{Name: "action: missing", Request: missing, OtherOperation: true, Expect: expect},
	)
}
