package spec

import (
	"fmt"
	"net/http"
	"sort"
)

// A Wire is one protocol: how an operation's input becomes an HTTP request,
// and which requests only that protocol can break (a malformed body, an
// unknown operation). Adding a protocol is one file that implements Wire
// and registers itself in wires; the checks, the client and the state
// machine never know which protocol they speak.
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
	// name (a target header's value, a form Action); "" for REST.
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

// Protocols the binding may name; see Binding.Protocol.
const (
	ProtocolRPC   = "rpc"
	ProtocolREST  = "rest"
	ProtocolQuery = "query"
)

// wires maps a protocol to the constructor of its Wire.
var wires = map[string]func(*Document) Wire{
	ProtocolRPC:   func(d *Document) Wire { return rpcWire{d} },
	ProtocolREST:  func(d *Document) Wire { return restWire{d} },
	ProtocolQuery: func(d *Document) Wire { return queryWire{d} },
}

// protocolNames lists the registered protocols, for messages.
func protocolNames() []string {
	names := make([]string, 0, len(wires))
	for n := range wires {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ProtocolName is the binding's protocol, or its default: rpc when the
// binding names a target header, query when it names a form member, rest
// when it names neither.
func (b Binding) ProtocolName() string {
	switch {
	case b.Protocol != "":
		return b.Protocol
	case b.Target.Header != "":
		return ProtocolRPC
	case b.Target.Member != "":
		return ProtocolQuery
	}
	return ProtocolREST
}

// Wire is the document's protocol.
func (d *Document) Wire() Wire { return d.wire }

// Encode builds op's request from input with the document's wire.
func (d *Document) Encode(op *Operation, input map[string]any) Request {
	return d.wire.Encode(op, input)
}

func newWire(d *Document) (Wire, error) {
	mk, ok := wires[d.Binding.ProtocolName()]
	if !ok {
		return nil, fmt.Errorf("%w: protocol = %q, want one of %v", ErrBinding, d.Binding.Protocol, protocolNames())
	}
	return mk(d), nil
}
