package spec

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// A Wire is one protocol as one document speaks it: how an operation's
// input becomes an HTTP request, which requests only that protocol can
// break (a malformed body, an unknown operation), how a reply's body is
// decoded and whether the reply is a success. Everything a protocol knows
// is in its own files (wire_NAME*.go) and its one line in protocols below:
// the checks, the client, the state machine and the rest of this package
// never know which protocol they speak.
//
// An operation's input is one JSON object holding both its body's members
// and its parameters (path, query and header), by name, as Smithy's input
// structures do: the binding's pointers, generation and invalid inputs work
// on it alike whatever the wire.
type Wire interface {
	// Encode builds op's request from input. It never fails on values that
	// break the schema: invalid inputs are sent as they are.
	Encode(op *Operation, input map[string]any) Request
	// Broken returns the requests that break op's wire itself, each with
	// the situations a correct endpoint may answer with: malformed or empty
	// bodies, an unknown or missing operation. valid is a valid input.
	Broken(d *Document, op *Operation, valid map[string]any) []Invalid
	// Resolve fills in, once at load, what op is on this wire: its name
	// (Target, "" where the wire names no operation), its body's schema and
	// content type, its parameters, and so its input schema.
	Resolve(op *Operation) error
	// Textual reports whether op's input member name reaches the wire as
	// text (a form member, a path, query or header parameter): a wrong type
	// is then tried only where its text still breaks the schema.
	Textual(op *Operation, name string) bool
	// Decode decodes the body of a reply with status to op (nil when the
	// request addressed no operation the binding names) into the JSON-like
	// value the checks and the binding's pointers read. body is not empty.
	Decode(op *Operation, status int, body []byte) (any, error)
	// Succeeded reports whether r is a success, by its status and what the
	// description declares (success.go). It is asked once, when the reply
	// is made (Document.NewReply); Reply.OK gives the answer.
	Succeeded(r *Reply) bool
	// OperationHeader is the request header whose value names the
	// operation, "" where the wire names operations otherwise (a form
	// member, a method and a path).
	OperationHeader() string
	// MediaFamily is the family (media.go: "json", "xml") of a media type,
	// without parameters and lower-cased, that only this wire gives one,
	// "" for any other.
	MediaFamily(base string) string
}

// Request is one HTTP request as a wire encodes it, before credentials and
// signing are added.
type Request struct {
	Method string
	// Path is the escaped path as sent (path parameters percent-encoded),
	// and Query the encoded query string without "?".
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	// Target names the operation on the wire where the protocol has such a
	// name (a target header's value, a form Action); "" where it has none.
	Target string
	// Input is the input the request encodes (nil for a raw request).
	Input map[string]any
}

// URL is the request's path and query, to append to an endpoint.
func (r Request) URL() string {
	if r.Query == "" {
		return r.Path
	}
	return r.Path + "?" + r.Query
}

// protocol is one wire protocol's entry in the registry.
type protocol struct {
	// name is how a binding names it (Binding.Protocol).
	name string
	// claims reports whether a binding that names no protocol speaks this
	// one, by the members of its target object.
	claims func(TargetRule) bool
	// check validates the binding's fields the protocol owns, its target
	// object first, one error (wrapping ErrBinding) per problem.
	check func(Binding) []error
	// open makes the protocol's Wire for d, whose binding passed check.
	open func(d *Document) (Wire, error)
	// trims are the errors.trim names the protocol's error codes need,
	// each with what it keeps of a code as read.
	trims map[string]func(string) string
}

// protocols is the registry: one line per wire, each defined in its own
// file. A binding that names no protocol speaks the first one that claims
// its target object.
var protocols = []*protocol{
	&rpcProtocol,   // wire_rpc.go
	&queryProtocol, // wire_query.go
	&restProtocol,  // wire_rest.go: it names no operation, so it claims every target the others leave
}

// protocolNamed returns the registered protocol called name.
func protocolNamed(name string) (*protocol, bool) {
	for _, p := range protocols {
		if p.name == name {
			return p, true
		}
	}
	return nil, false
}

// protocolNames lists the registered protocols, for messages.
func protocolNames() []string {
	names := make([]string, len(protocols))
	for i, p := range protocols {
		names[i] = p.name
	}
	slices.Sort(names)
	return names
}

// ProtocolName is the binding's protocol, or, when it names none, the
// first registered protocol that claims its target object (see each wire
// file: a target header, a target member, neither).
func (b Binding) ProtocolName() string {
	if b.Protocol != "" {
		return b.Protocol
	}
	for _, p := range protocols {
		if p.claims(b.Target) {
			return p.name
		}
	}
	return ""
}

// trimNamed returns the errors.trim called name, from any protocol.
func trimNamed(name string) (func(string) string, bool) {
	for _, p := range protocols {
		if f, ok := p.trims[name]; ok {
			return f, true
		}
	}
	return nil, false
}

// trimNames lists every protocol's errors.trim names, for messages.
func trimNames() []string {
	var names []string
	for _, p := range protocols {
		names = append(names, slices.Collect(maps.Keys(p.trims))...)
	}
	slices.Sort(names)
	return names
}

// Wire is the document's protocol.
func (d *Document) Wire() Wire { return d.wire }

// Encode builds op's request from input with the document's wire.
func (d *Document) Encode(op *Operation, input map[string]any) Request {
	return d.wire.Encode(op, input)
}

// OperationHeader is the request header whose value names the operation on
// the document's wire, "" where it names operations otherwise.
func (d *Document) OperationHeader() string { return d.wire.OperationHeader() }

func newWire(d *Document) (Wire, error) {
	p, ok := protocolNamed(d.Binding.ProtocolName())
	if !ok {
		return nil, fmt.Errorf("%w: protocol = %q, want one of %v", ErrBinding, d.Binding.Protocol, protocolNames())
	}
	return p.open(d)
}
