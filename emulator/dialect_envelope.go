package emulator

import "net/http"

// DialectEnvelope is the seed's envelope over the RPC wire (wire_rpc.go):
// success is {"success": true, "data": ...} with RFC 3339 timestamps,
// errors are {"success": false, "error": {"code", "message"}} with the
// status the code implies (docs/DESIGN.md, "envelope"). The rest dialect
// writes the same bodies.
const DialectEnvelope = "envelope"

var envelopeDialect = &dialect{
	name:            DialectEnvelope,
	wire:            func(Options) wire { return envelopeWire{} },
	inputs:          inputs,
	entity:          "bucket",
	validName:       validBucketName,
	deleteConflict:  bucketDeleteConflict,
	signingService:  "lightsail",
	requestIDHeader: headerEnvelopeRequestID,
	createdKey:      jsonKey{object: "data", id: "id", secret: "secret_access_key"},
	mediaSynonyms:   map[string]string{ctEnvelope: "application/vnd.keycontract+json; charset=utf-8"},
}

const ctEnvelope = "application/json"

// envelopeWire is the envelope dialect's wire: the RPC request side,
// envelope replies.
type envelopeWire struct{ rpcDecoder }

func (envelopeWire) success(res *result) (int, http.Header, []byte) {
	return http.StatusOK, headerWith(ctEnvelope), envelopeSuccess(res)
}

func (envelopeWire) failure(e *apiError) (int, http.Header, []byte) {
	form := envelopeErrors[e.kind]
	return form.status, headerWith(ctEnvelope), envelopeError(form.code, e.msg)
}

// envelopeErr is how the envelope writes an error kind: its code and the
// HTTP status the code implies.
type envelopeErr struct {
	code   string
	status int
}

// envelopeErrors is docs/DESIGN.md's envelope error table.
var envelopeErrors = map[errKind]envelopeErr{
	errInvalidInput:        {"VALIDATION_ERROR", 400},
	errSerialization:       {"VALIDATION_ERROR", 400},
	errUnknownOperation:    {"VALIDATION_ERROR", 400},
	errMethodNotAllowed:    {"METHOD_NOT_ALLOWED", 405},
	errNotFound:            {"NOT_FOUND", 404},
	errLimit:               {"LIMIT_EXCEEDED", 409},
	errMissingAuth:         {"UNAUTHENTICATED", 401},
	errUnrecognizedClient:  {"ACCESS_DENIED", 403},
	errBadSignature:        {"ACCESS_DENIED", 403},
	errAccessDenied:        {"ACCESS_DENIED", 403},
	errThrottled:           {"RATE_LIMITED", 429},
	errInternal:            {"INTERNAL_ERROR", 500},
	errMissingOperation:    {"VALIDATION_ERROR", 400},
	errAlreadyExists:       {"VALIDATION_ERROR", 400},
	errDeleteConflict:      {"VALIDATION_ERROR", 400},
	errIncompleteSignature: {"ACCESS_DENIED", 403},
}

// envelopeError is the envelope's error body.
func envelopeError(code, msg string) []byte {
	return mustJSON(map[string]any{
		"success": false,
		"error":   map[string]string{"code": code, "message": msg},
	})
}

// envelopeSuccess is the envelope's success body for r.
func envelopeSuccess(r *result) []byte {
	return mustJSON(map[string]any{"success": true, "data": envelopeData(r)})
}

type envKey struct {
	ID        string `json:"id"`
	CreatedAt any    `json:"created_at"`
	Secret    string `json:"secret_access_key,omitempty"`
	Status    string `json:"status"`
}

type envItem struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at"`
}

// envelopeData is the data member of the envelope's success body for r
// (rest uses it too, for the operations that answer with a body).
func envelopeData(r *result) any {
	switch r.op {
	case opCreateBucket:
		return envItem{ID: r.bucket.name, CreatedAt: rfc3339(r.bucket.createdAt)}
	case opDeleteBucket:
		return map[string]string{"id": r.bucketName}
	case opGetBuckets:
		out := make([]envItem, 0, len(r.buckets))
		for _, b := range r.buckets {
			out = append(out, envItem{ID: b.name, CreatedAt: rfc3339(b.createdAt)})
		}
		return map[string]any{"buckets": out}
	case opCreateBucketAccessKey:
		var ts any = rfc3339(r.key.CreatedAt)
		if r.wrongTimestamps {
			ts = epoch(r.key.CreatedAt)
		}
		return envKey{ID: r.key.ID, CreatedAt: ts, Secret: r.key.Secret, Status: r.key.Status}
	case opGetBucketAccessKeys:
		out := make([]envKey, 0, len(r.keys))
		for _, k := range r.keys {
			e := envKey{ID: k.ID, CreatedAt: rfc3339(k.CreatedAt), Status: k.Status}
			if r.listSecrets {
				e.Secret = k.Secret
			}
			out = append(out, e)
		}
		return map[string]any{"access_keys": out}
	case opDeleteBucketAccessKey:
		d := map[string]string{"id": r.deletedID}
		if r.leaked != "" {
			d["secret_access_key"] = r.leaked
		}
		return d
	}
	return map[string]any{}
}
