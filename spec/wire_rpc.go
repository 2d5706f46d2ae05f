package spec

import (
	"encoding/json"
	"net/http"
	"strings"
)

// rpcWire is JSON RPC with a target header (awsJson1_1, the seed's
// envelope): every request is POST to the operation's path (its "#fragment"
// removed, so "/#X-Amz-Target=..." works), the target header names the
// operation, and the input is the JSON body. Parameters the document
// declares are not sent: on this wire an operation's input is its body.
type rpcWire struct{ d *Document }

// Resolve: the operation's target header value; its input is its JSON body.
func (w rpcWire) Resolve(op *Operation) error {
	op.Target = w.d.targetOf(op)
	err := w.d.jsonBody(op)
	op.Input = op.Request
	return err
}

// Textual: a JSON body carries every type.
func (rpcWire) Textual(*Operation, string) bool { return false }

func (w rpcWire) Encode(op *Operation, input map[string]any) Request {
	body, err := json.Marshal(input)
	if err != nil {
		body = []byte("{}") // a decoded JSON value always marshals
	}
	r := w.request(op.Path, op.ContentType, op.ResponseMediaType(), body)
	r.Target = op.Target
	r.Header.Set(w.d.Binding.Target.Header, op.Target)
	r.Input = input
	return r
}

func (w rpcWire) request(path, contentType, accept string, body []byte) Request {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	if accept != "" {
		h.Set("Accept", accept)
	}
	return Request{Method: http.MethodPost, Path: path, Header: h, Body: body}
}

// Broken: a body that is malformed JSON, empty, or not an object; an
// unknown or a missing target.
func (w rpcWire) Broken(d *Document, op *Operation, valid map[string]any) []Invalid {
	var out []Invalid
	validBody, _ := json.Marshal(valid)
	raw := func(body string) Request {
		r := w.request(op.Path, op.ContentType, op.ResponseMediaType(), []byte(body))
		r.Target = op.Target
		r.Header.Set(w.d.Binding.Target.Header, op.Target)
		return r
	}
	whole := []Situation{InvalidInput}
	for _, c := range []struct{ name, body string }{
		{"body: malformed JSON", strings.TrimSuffix(string(validBody), "}")},
		{"body: empty", ""},
		{"body: JSON array", "[]"},
		{"body: JSON string", `"text"`},
		{"body: JSON null", "null"},
		{"body: JSON number", "42"},
	} {
		out = append(out, Invalid{Name: c.name, Request: raw(c.body), Expect: whole})
	}
	unknown := []Situation{UnknownOperation, InvalidInput}
	other := raw(string(validBody))
	other.Target = d.Binding.Target.Value("NoSuchOperation")
	other.Header.Set(w.d.Binding.Target.Header, other.Target)
	missing := raw(string(validBody))
	missing.Target = ""
	missing.Header.Del(w.d.Binding.Target.Header)
	out = append(out,
		Invalid{Name: "target: unknown operation", Request: other, OtherOperation: true, Expect: unknown},
		Invalid{Name: "target: missing", Request: missing, OtherOperation: true, Expect: unknown},
	)
	return out
}
