package spec

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// restWire addresses each operation by its own method and path: path
// parameters are percent-encoded into the path's template, query and
// header parameters go where the document declares them, and the input's
// other members are the JSON body, sent only when the operation declares
// one.
type restWire struct{ d *Document }

// Resolve: no name on the wire; a JSON body where one is declared, and the
// path, query and header parameters, in one input.
func (w restWire) Resolve(op *Operation) error {
	err := errors.Join(w.d.jsonBody(op), collectParams(op))
	buildInput(op)
	return err
}

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
		case p.In == "query":
			if items, ok := v.([]any); ok {
				for _, it := range items {
					q.Add(name, ParamText(it))
				}
				continue
			}
			q.Set(name, ParamText(v))
		case p.In == "header":
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
// every reading a correct endpoint may give it (DESIGN.md, "What a check
// may demand"):
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

// templateMatches reports whether a path template ("/v1/buckets/{name}",
// its "#fragment" ignored) matches path segment by segment, a {parameter}
// matching any non-empty text without "/".
func templateMatches(template, path string) bool {
	template, _, _ = strings.Cut(template, "#")
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if !segmentMatches(t, ps[i]) {
			return false
		}
	}
	return true
}

// segmentMatches matches one template segment, literal text and
// {parameters}, against one path segment.
func segmentMatches(t, p string) bool {
	open := strings.IndexByte(t, '{')
	if open < 0 {
		return t == p
	}
	end := strings.IndexByte(t[open:], '}')
	if end < 0 {
		return t == p
	}
	prefix, rest := t[:open], t[open+end+1:]
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	p = p[len(prefix):]
	// The parameter takes at least one character; the rest of the template
	// segment matches what follows, for some split.
	for i := 1; i <= len(p); i++ {
		if segmentMatches(rest, p[i:]) {
			return true
		}
	}
	return false
}

// expandPath fills a path template's {name} parameters with their values,
// each percent-encoded as one segment (EscapeSegment).
func expandPath(template string, value func(name string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(template, '{')
		if open < 0 {
			b.WriteString(template)
			return b.String()
		}
		end := strings.IndexByte(template[open:], '}')
		if end < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:open])
		b.WriteString(EscapeSegment(value(template[open+1 : open+end])))
		template = template[open+end+1:]
	}
}

// EscapeSegment percent-encodes v as one path segment: every byte outside
// RFC 3986's unreserved set (ALPHA, DIGIT, "-", ".", "_", "~") becomes %XX,
// and a segment "." or ".." is written %2E or %2E%2E, so that no client,
// proxy or server library resolves it as a relative path.
func EscapeSegment(v string) string {
	switch v {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(v) {
		c := v[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ParamText is a parameter value as text: strings as they are, numbers in
// their JSON spelling, booleans as true or false, anything else as JSON.
func ParamText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}
