package emulator

// errKind is a dialect-neutral error situation. Each kind maps to one aws
// error type (with Lightsail sub-code), one envelope code and one iam
// code, as fixed by docs/DESIGN.md's tables.
type errKind int

const (
	errInvalidInput        errKind = iota // member validation, oversize body
	errSerialization                      // syntactically malformed JSON
	errUnknownOperation                   // missing or unknown X-Amz-Target; rest: unknown path
	errMethodNotAllowed                   // rest: known path, method not allowed
	errNotFound                           // unknown bucket, or unknown key on an existing bucket
	errLimit                              // third key on a bucket
	errMissingAuth                        // no credentials on a request that needs them
	errUnrecognizedClient                 // SigV4 access key id not known
	errBadSignature                       // SigV4 signature malformed or wrong
	errAccessDenied                       // wrong bearer token
	errThrottled                          // ThrottlePercent hit
	errInternal                           // recovered panic or injected 500
	errMissingOperation                   // iam: no Action to read (aws, envelope: as errUnknownOperation)
	errAlreadyExists                      // CreateBucket on a taken name
	errDeleteConflict                     // DeleteBucket of a bucket that holds keys, without forceDelete
	errIncompleteSignature                // SigV4 Authorization header or X-Amz-Date malformed or incomplete
)

// kindInfo is how one errKind is written in each dialect.
type kindInfo struct {
	awsType    string // __type and X-Amzn-ErrorType
	awsCode    string // Lightsail's own sub-code in "code"
	awsStatus  int
	envCode    string
	envStatus  int
	defaultMsg string
	iamCode    string // iam: Error/Code
	iamStatus  int
}

var kinds = map[errKind]kindInfo{
	errInvalidInput:        {"InvalidInputException", "InvalidInput", 400, "VALIDATION_ERROR", 400, "Invalid request parameters", "ValidationError", 400},
	errSerialization:       {"SerializationException", "InvalidInput", 400, "VALIDATION_ERROR", 400, "The request body is not valid JSON", "ValidationError", 400},
	errUnknownOperation:    {"UnknownOperationException", "InvalidInput", 400, "VALIDATION_ERROR", 400, "Unknown or missing operation in X-Amz-Target", "InvalidAction", 400},
	errMethodNotAllowed:    {"UnknownOperationException", "InvalidInput", 400, "METHOD_NOT_ALLOWED", 405, "The method is not allowed on this path", "InvalidAction", 400},
	errNotFound:            {"NotFoundException", "DoesNotExist", 400, "NOT_FOUND", 404, "The resource does not exist", "NoSuchEntity", 404},
	errLimit:               {"InvalidInputException", "LimitExceeded", 400, "LIMIT_EXCEEDED", 409, "A bucket can have at most 2 access keys", "LimitExceeded", 409},
	errMissingAuth:         {"MissingAuthenticationTokenException", "Unauthenticated", 400, "UNAUTHENTICATED", 401, "Missing authentication token", "MissingAuthenticationToken", 403},
	errUnrecognizedClient:  {"UnrecognizedClientException", "Unauthenticated", 400, "ACCESS_DENIED", 403, "The security token included in the request is invalid", "InvalidClientTokenId", 403},
	errBadSignature:        {"InvalidSignatureException", "Unauthenticated", 400, "ACCESS_DENIED", 403, "The request signature we calculated does not match the signature you provided", "SignatureDoesNotMatch", 403},
	errAccessDenied:        {"AccessDeniedException", "AccessDenied", 400, "ACCESS_DENIED", 403, "Access denied", "AccessDenied", 403},
	errThrottled:           {"ThrottlingException", "Throttled", 400, "RATE_LIMITED", 429, "Rate exceeded", "Throttling", 400},
	errInternal:            {"ServiceException", "InternalError", 500, "INTERNAL_ERROR", 500, "Internal error", "ServiceFailure", 500},
	errMissingOperation:    {"UnknownOperationException", "InvalidInput", 400, "VALIDATION_ERROR", 400, "Unknown or missing operation in X-Amz-Target", "MissingAction", 400},
	errAlreadyExists:       {"InvalidInputException", "InvalidInput", 400, "VALIDATION_ERROR", 400, "The name is already in use", "EntityAlreadyExists", 409},
	errDeleteConflict:      {"InvalidInputException", "InvalidInput", 400, "VALIDATION_ERROR", 400, "The resource still holds access keys", "DeleteConflict", 409},
	errIncompleteSignature: {"InvalidSignatureException", "Unauthenticated", 400, "ACCESS_DENIED", 403, "The Authorization header is not a valid AWS4-HMAC-SHA256 signature", "IncompleteSignature", 400},
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
	// write it in the body (iam); set by the server.
	requestID string
}

func newErr(k errKind, msg string) *apiError {
	if msg == "" {
		msg = kinds[k].defaultMsg
	}
	return &apiError{kind: k, msg: msg}
}

func (e *apiError) Error() string { return kinds[e.kind].awsType + ": " + e.msg }

const (
	docsURL        = "https://docs.aws.amazon.com/lightsail/"
	ctAWS          = "application/x-amz-json-1.1"
	ctEnvelope     = "application/json"
	ctWrongSuccess = "text/plain; charset=utf-8"
	ctXML          = "text/xml"
)

func tipFor(k errKind) string {
	switch k {
	case errNotFound:
		return "Check the bucket name and access key id, then try again."
	case errLimit:
		return "Delete an access key of this bucket before creating another."
	case errThrottled:
		return "Retry with exponential backoff."
	case errMissingAuth, errUnrecognizedClient, errBadSignature, errAccessDenied, errIncompleteSignature:
		return "Check your credentials and how the request is signed."
	case errInternal:
		return "Retry the request later."
	default:
		return "Check the request parameters against the API reference."
	}
}
