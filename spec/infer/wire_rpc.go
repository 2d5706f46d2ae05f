package infer

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// rpcRule is JSON RPC with a target header (spec's rpc wire): an
// operation whose path's fragment names a header ("/#X-Amz-Target=P.Op"),
// or that takes a header parameter with one value ending in its name
// after a dot. awsJson (Lightsail) is its AWS flavour: a target header
// with SigV4, an x-amz-json media type or an __type error member.
type rpcRule struct {
	baseRule
	awsJSON bool // decided by differences
}

// fragment: any fragment name the rules before it left is a header.
func (w *rpcRule) fragment(x *op, name, value string) bool {
	x.claim(w, name)
	x.prefix, x.name = splitTarget(value)
	return true
}

// param: a header parameter with one string value ending in x's name
// after a dot names x (when nothing named it yet); the wire sets that
// header itself.
func (w *rpcRule) param(x *op, p *openapi3.Parameter, s *openapi3.Schema) bool {
	if p.In != openapi3.ParameterInHeader {
		return false
	}
	if s != nil && len(s.Enum) == 1 && x.rule == nil {
		if v, ok := s.Enum[0].(string); ok && strings.HasSuffix(v, x.name) && strings.Contains(v, ".") {
			x.claim(w, p.Name)
			x.prefix, _ = splitTarget(v)
		}
	}
	return x.rule == w && p.Name == x.namedBy
}

func (*rpcRule) route(x *op) string {
	return fmt.Sprintf("%s %s %s: %s", x.method, x.tmpl, x.namedBy, targetValue(x))
}

// splitTarget splits "Lightsail_20161128.CreateBucket" at its last dot.
func splitTarget(v string) (prefix, name string) {
	if i := strings.LastIndexByte(v, '.'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return "", v
}

// target: the header and the prefix of createKey's target; every role's
// target must be prefix.operationId, as the binding names targets.
func (w *rpcRule) target(x *inference, ck *op) {
	b, r := &x.r.Binding, x.r
	b.Protocol = spec.ProtocolRPC
	b.Target = spec.RPCTarget{Header: ck.namedBy, Prefix: ck.prefix}.Rule()
	r.note("protocol", "rpc", fmt.Sprintf("%s names its operation in header %s (%s)", ck.id, ck.namedBy, route(ck)))
	r.note("target", ck.namedBy+" "+targetValue(ck), "header value is prefix.operationId")
	for _, role := range spec.Roles {
		if c := x.chosen[role]; c != nil && (c.op.name != c.op.id || c.op.prefix != ck.prefix) {
			x.r.Problems = append(x.r.Problems, Problem{Field: "target", Message: fmt.Sprintf("%s's target %s is not %s.%s: the binding names targets by operationId", c.op.id, targetValue(c.op), ck.prefix, c.op.id)})
		}
	}
}

// differences: awsJson is 1.1 on the wire whatever the document says, and
// sends timestamps as epoch seconds.
func (w *rpcRule) differences(x *inference, ck *op, media string) {
	b, r := &x.r.Binding, x.r
	w.awsJSON = b.Auth == "sigv4" || strings.Contains(media, "x-amz-json") || x.mentions("__type")
	x.noteDialect(w.dialect())
	if w.awsJSON && !strings.Contains(media, "x-amz-json") {
		b.Wire.ContentType = "application/x-amz-json-1.1"
		r.note("wire.contentType", b.Wire.ContentType, fmt.Sprintf("the document says %s, but an X-Amz-Target RPC with SigV4 is awsJson 1.1 on the wire (a 1.0 service would need -binding)", media))
		r.Notes[len(r.Notes)-1].Unstated = true
	}
	if w.awsJSON && hasDateTime(x.t) {
		b.Wire.Timestamps = "epoch-seconds"
		r.note("wire.timestamps", "epoch-seconds", "the document declares date-time strings; awsJson sends timestamps as epoch seconds")
	}
}

func (w *rpcRule) dialect() string {
	if w.awsJSON {
		return "aws"
	}
	return "envelope"
}

// awsJSONCodes are awsJson's own errors, which AWS documents for every
// service (so descriptions leave them out).
var awsJSONCodes = []string{"UnknownOperationException", "SerializationException", "ThrottlingException", "MissingAuthenticationTokenException",
	"InvalidSignatureException", "UnrecognizedClientException", "IncompleteSignatureException", "AccessDeniedException", "ValidationException"}

// errorSource: awsJson names the error type in X-Amzn-ErrorType or
// __type; the seed's envelope in its error schema.
func (w *rpcRule) errorSource(*inference) ([]string, string, string) {
	if !w.awsJSON {
		return nil, "", ""
	}
	return []string{"header:X-Amzn-ErrorType", "body:/__type"}, "aws-type",
		"awsJson names the error type in X-Amzn-ErrorType or __type, as namespace#Type:uri"
}

func (w *rpcRule) refIsCode() bool { return w.awsJSON }

func (w *rpcRule) ownCodes() ([]string, string) {
	if !w.awsJSON {
		return nil, ""
	}
	return awsJSONCodes, "awsJson's own error"
}

// ownStatuses: awsJson sends its errors with 400 (500 for service
// failures), whatever a description lists.
func (w *rpcRule) ownStatuses() (func(string) []int, bool) { return namedStatuses, w.awsJSON }

// limitBy409: awsJson answers a third key with 400.
func (w *rpcRule) limitBy409() bool { return !w.awsJSON }
