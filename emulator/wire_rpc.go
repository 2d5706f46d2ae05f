package emulator

import (
	"net/http"
	"strings"
)

// The RPC wire's request side, which the aws and envelope dialects share:
// POST / with X-Amz-Target: Lightsail_20161128.<Operation> and a JSON
// object body whose members are the operation's input, named as in the
// Lightsail model. Each dialect writes its own replies.

// TargetPrefix is the X-Amz-Target prefix of every operation.
const TargetPrefix = "Lightsail_20161128."

// knownOperation returns the operation named by an X-Amz-Target value.
func knownOperation(target string) (string, bool) {
	op, ok := strings.CutPrefix(target, TargetPrefix)
	if !ok {
		return "", false
	}
	_, known := inputs[op]
	return op, known
}

// rpcDecoder decodes the RPC wire's requests.
type rpcDecoder struct{}

// decode: an unknown or missing target, or a method other than POST, is
// an unknown operation (one that names none when the target header is
// absent); then the body must be one JSON object.
func (rpcDecoder) decode(r *http.Request, body requestBody) (string, map[string]any, *apiError) {
	target := r.Header.Get("X-Amz-Target")
	op, known := knownOperation(target)
	if !known || r.Method != http.MethodPost {
		e := newErr(errUnknownOperation, "Unknown operation: send POST / with X-Amz-Target: "+TargetPrefix+"<Operation>")
		e.noOperation = target == ""
		return "", nil, e
	}
	in, e := body.object()
	return op, in, e
}
