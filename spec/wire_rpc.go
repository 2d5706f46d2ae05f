package spec

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// ProtocolRPC is JSON RPC with a target header: awsJson1_0 and awsJson1_1
// (Lightsail), and the seed's envelope over X-Amz-Target.
const ProtocolRPC = "rpc"

// rpcProtocol is the registry's entry (wire.go): a binding whose target
// names a header speaks rpc when it names no protocol.
var rpcProtocol = protocol{
	name:   ProtocolRPC,
	claims: func(t TargetRule) bool { return t.Has("header") },
	check: func(b Binding) []error {
		t, err := RPCTargetOf(b)
		switch {
		case err != nil:
			return []error{err}
		case t.Header == "":
			return []error{fmt.Errorf("%w: target.header is empty: protocol rpc names operations with a target header", ErrBinding)}
		}
		return nil
	},
	open: func(d *Document) (Wire, error) {
		t, err := RPCTargetOf(d.Binding)
		return rpcWire{d, t}, err
	},
	trims: map[string]func(string) string{"aws-type": TrimAWSType},
}

// RPCTarget is the rpc wire's target object: the header that names the
// operation (X-Amz-Target), whose value is Prefix+"."+operationId, or the
// value the operation's path gives the header as its "#fragment"
// ("/#X-Amz-Target=Lightsail_20161128.CreateBucket").
type RPCTarget struct {
	Header string `json:"header"`
	Prefix string `json:"prefix,omitempty"`
}

// Rule is t as a binding's target object.
func (t RPCTarget) Rule() TargetRule { return targetRuleOf(t) }

// value is the header value that names operationID.
func (t RPCTarget) value(operationID string) string {
	if t.Prefix == "" {
		return operationID
	}
	return t.Prefix + "." + operationID
}

// RPCTargetOf reads b's target object as the rpc wire does.
func RPCTargetOf(b Binding) (RPCTarget, error) {
	var t RPCTarget
	if err := b.Target.decode(&t); err != nil {
		return t, fmt.Errorf("%w: target: %v (protocol rpc reads header and prefix)", ErrBinding, err)
	}
	return t, nil
}

// rpcWire is JSON RPC with a target header (awsJson1_1, the seed's
// envelope): every request is POST to the operation's path (its "#fragment"
// removed, so "/#X-Amz-Target=..." works), the target header names the
// operation, and the input is the JSON body. Parameters the document
// declares are not sent: on this wire an operation's input is its body.
// Replies are JSON.
type rpcWire struct {
	d      *Document
	target RPCTarget
}

// Resolve: the operation's target header value; its input is its JSON body.
func (w rpcWire) Resolve(op *Operation) error {
	op.Target = w.target.value(op.ID)
	if v, ok := fragmentName(op, func(name string) bool { return strings.EqualFold(name, w.target.Header) }); ok {
		op.Target = v
	}
	err := w.d.jsonBody(op)
	op.Input = op.Request
	return err
}

// OperationHeader: the target header.
func (w rpcWire) OperationHeader() string { return w.target.Header }

// Decode: replies are JSON.
func (rpcWire) Decode(_ *Operation, _ int, body []byte) (any, error) { return decodeJSON(body) }

// Succeeded: by the status and the description (success.go).
func (w rpcWire) Succeeded(r *Reply) bool { return w.d.Binding.succeeded(r) }

// Textual: a JSON body carries every type.
func (rpcWire) Textual(*Operation, string) bool { return false }

func (w rpcWire) Encode(op *Operation, input map[string]any) Request {
	body, err := json.Marshal(input)
	if err != nil {
		body = []byte("{}") // a decoded JSON value always marshals
	}
	r := w.request(op.Path, op.ContentType, op.ResponseMediaType(), body)
	r.Target = op.Target
	r.Header.Set(w.target.Header, op.Target)
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
// may give it (docs/DESIGN.md, "What a check may demand"):
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
		r.Header.Set(w.target.Header, op.Target)
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
	other.Target = w.target.value("NoSuchOperation")
	other.Header.Set(w.target.Header, other.Target)
	missing := raw(string(validBody))
	missing.Target = ""
	missing.Header.Del(w.target.Header)
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

// awsJSONTypes are the media types of Smithy's awsJson1_0 and awsJson1_1
// protocols, which carry JSON documents.
var awsJSONTypes = []string{"application/x-amz-json-1.0", "application/x-amz-json-1.1"}

func init() {
	// awsJson bodies are JSON; let openapi3filter decode them.
	for _, mt := range awsJSONTypes {
		openapi3filter.RegisterBodyDecoder(mt, openapi3filter.JSONBodyDecoder)
	}
}

// MediaFamily: the awsJson types are JSON where the description or the
// binding (wire.contentType) gives requests an awsJson type; the seed's
// envelope, also rpc, declares application/json and is not awsJson.
func (w rpcWire) MediaFamily(base string) string {
	if isAWSJSON(base) && w.awsJSON() {
		return familyJSON
	}
	return ""
}

// awsJSON reports whether the document's requests carry an awsJson type.
func (w rpcWire) awsJSON() bool {
	for _, op := range w.d.byRole {
		if isAWSJSON(mediaBase(op.ContentType)) {
			return true
		}
	}
	return false
}

func isAWSJSON(base string) bool { return base == awsJSONTypes[0] || base == awsJSONTypes[1] }

// TrimAWSType keeps the part of an awsJson error type after the last '#' and
// before the first ':', as AWS SDKs do:
// "com.amazonaws.lightsail#NotFoundException:http://x" -> "NotFoundException".
// It is the errors.trim "aws-type".
func TrimAWSType(s string) string {
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}
