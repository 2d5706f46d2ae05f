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

// Broken: a body that is malformed JSON, or not an object; where the
// input has a required member, an empty or null body; an unknown or a
// missing target. Each is invalid under every reading a correct endpoint
// may give it (DESIGN.md, "What a check may demand"):
//
//   - "body: malformed JSON": the valid body without its closing brace
//     parses under no JSON reader.
//   - "body: JSON array", "body: JSON string", "body: JSON number": JSON
//     that is not an object is no input structure (Smithy's JSON codecs
//     and Go's encoding/json refuse them for a structure).
//   - "body: empty", "body: JSON null": an endpoint may read either as the
//     empty input {}: Smithy's awsJson protocol tests say services must
//     accept no payload where an operation defines no input
//     (AwsJson10ServiceSupportsNoPayloadForNoInput; AWS services accept it
//     for any operation), and Go's json.Unmarshal reads null into a
//     structure as nothing. So they are sent only when the input has a
//     required member, which the empty input lacks, and expect what that
//     member's absence expects.
//   - "target: unknown operation", "target: missing": the valid body with a
//     target naming no operation, or none, addresses no operation.
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
		{"body: malformed JSON", truncatedJSON(validBody)},
		{"body: JSON array", "[]"},
		{"body: JSON string", `"text"`},
		{"body: JSON number", "42"},
	} {
		out = append(out, Invalid{Name: c.name, Request: raw(c.body), Expect: whole})
	}
	if op.Input != nil && len(op.Input.Required) > 0 {
		// Read as {}: every required member missing.
		empty := []Situation{InvalidInput, NotFound}
		out = append(out,
			Invalid{Name: "body: empty", Request: raw(""), Expect: empty},
			Invalid{Name: "body: JSON null", Request: raw("null"), Expect: empty})
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

// truncatedJSON is a JSON object's text without its closing brace: JSON
// under no reader ("{" for a value that is not an object).
func truncatedJSON(object []byte) string {
	if t, ok := strings.CutSuffix(string(object), "}"); ok {
		return t
	}
	return "{"
}
