package emulator

import (
	"net/http"
)

// rpcDecoder is the request side shared by aws and envelope: POST / with
// X-Amz-Target: Lightsail_20161128.<Operation> and a JSON object body whose
// members are the operation's input.
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

// members is the Lightsail model's input shape.
func (rpcDecoder) members(op string) []member { return inputs[op] }

// awsWire is the aws dialect (awsJson1_1, the real Lightsail wire).
type awsWire struct {
	rpcDecoder
	region string // regionName of resource locations and ARNs
}

func (w awsWire) success(res *result) (int, http.Header, []byte) {
	return http.StatusOK, headerWith(ctAWS), mustJSON(awsBody(w.region, res))
}

// failure is HTTP 400 (500 for ServiceException) with the error type in
// __type and X-Amzn-ErrorType, and Lightsail's code, docs and tip.
func (awsWire) failure(e *apiError) (int, http.Header, []byte) {
	info := kinds[e.kind]
	h := headerWith(ctAWS)
	h.Set("X-Amzn-ErrorType", info.awsType)
	return info.awsStatus, h, mustJSON(map[string]string{
		"__type":  info.awsType,
		"message": e.msg,
		"code":    info.awsCode,
		"docs":    docsURL,
		"tip":     tipFor(e.kind),
	})
}

// envelopeWire is the seed's envelope over the RPC wire.
type envelopeWire struct{ rpcDecoder }

func (envelopeWire) success(res *result) (int, http.Header, []byte) {
	return http.StatusOK, headerWith(ctEnvelope), mustJSON(map[string]any{"success": true, "data": envelopeData(res)})
}

func (envelopeWire) failure(e *apiError) (int, http.Header, []byte) {
	info := kinds[e.kind]
	return info.envStatus, headerWith(ctEnvelope), envelopeError(info.envCode, e.msg)
}
