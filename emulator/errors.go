package emulator

// errKind is a dialect-neutral error situation. Each dialect's wire writes
// every kind as its own error table says (its code and HTTP status, as
// fixed by docs/DESIGN.md's tables); the server only chooses the kind.
type errKind int

const (
	errInvalidInput        errKind = iota // member validation, oversize body
	errSerialization                      // syntactically malformed JSON
	errUnknownOperation                   // an operation the wire does not know (or an unknown path)
	errMethodNotAllowed                   // a known path, a method it does not allow
	errNotFound                           // unknown bucket, or unknown key on an existing bucket
	errLimit                              // third key on a bucket
	errMissingAuth                        // no credentials on a request that needs them
	errUnrecognizedClient                 // SigV4 access key id not known
	errBadSignature                       // SigV4 signature malformed or wrong
	errAccessDenied                       // wrong bearer token
	errThrottled                          // ThrottlePercent hit
	errInternal                           // recovered panic or injected 500
	errMissingOperation                   // no operation to read at all (a form with no Action)
	errAlreadyExists                      // CreateBucket on a taken name
	errDeleteConflict                     // DeleteBucket of a bucket that holds keys, without forceDelete
	errIncompleteSignature                // SigV4 Authorization header or X-Amz-Date malformed or incomplete
)

// defaultMessages is each kind's message when the server gives none.
var defaultMessages = map[errKind]string{
	errInvalidInput:        "Invalid request parameters",
	errSerialization:       "The request body is not valid JSON",
	errUnknownOperation:    "Unknown or missing operation in X-Amz-Target",
	errMethodNotAllowed:    "The method is not allowed on this path",
	errNotFound:            "The resource does not exist",
	errLimit:               "A bucket can have at most 2 access keys",
	errMissingAuth:         "Missing authentication token",
	errUnrecognizedClient:  "The security token included in the request is invalid",
	errBadSignature:        "The request signature we calculated does not match the signature you provided",
	errAccessDenied:        "Access denied",
	errThrottled:           "Rate exceeded",
	errInternal:            "Internal error",
	errMissingOperation:    "Unknown or missing operation in X-Amz-Target",
	errAlreadyExists:       "The name is already in use",
	errDeleteConflict:      "The resource still holds access keys",
	errIncompleteSignature: "The Authorization header is not a valid AWS4-HMAC-SHA256 signature",
}

// apiError is a failed request. Its message never quotes a secret, token or
// request value other than a well-formed bucket name.
type apiError struct {
	kind errKind
	msg  string
	// badBody marks a body that is not one JSON object (malformed, empty
	// or another JSON value), or a form that does not parse, for fault
	// malformed-json-500.
	badBody bool
	// noOperation marks a request that names no operation at all (no
	// target header, no Action, a path no route knows), for fault
	// redirect-no-operation; the wire that decoded it says so.
	noOperation bool
	// allow lists the methods of a known path (errMethodNotAllowed), for
	// the Allow header.
	allow []string
	// requestID is the response's request id, for dialects that also
	// write it in the body; set by the server.
	requestID string
}

func newErr(k errKind, msg string) *apiError {
	if msg == "" {
		msg = defaultMessages[k]
	}
	return &apiError{kind: k, msg: msg}
}
