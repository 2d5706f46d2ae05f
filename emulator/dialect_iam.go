package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// DialectIAM is IAM user access keys over the AWS query wire
// (docs/DESIGN.md, "iam"). A request is POST / with a form-encoded body,
// Action=<Operation>&Version=2010-05-08&<Member>=<value>..., lists
// flattened as Name.member.N (from 1); the same parameters are accepted
// as a GET query string. Responses are XML (dialect_iam_xml.go), input
// shapes IAM's (dialect_iam_input.go).
//
// The six IAM operations are the store's six: a user is a bucket, its
// UserName the bucketName, and an access key's AccessKeyId the
// accessKeyId. Operations are named by the store's (Lightsail) names
// inside the server; iamActionOf gives their IAM names. Where IAM's
// behaviour differs, the dialect says so: a user name may be any word,
// DeleteUser answers DeleteConflict while the user has keys, and both
// lists page with MaxItems and Marker.
const DialectIAM = "iam"

var iamDialect = &dialect{
	name:            DialectIAM,
	wire:            func(o Options) wire { return iamWire{reading: formReadingOf(o)} },
	inputs:          iamInputs,
	labels:          iamLabels,
	actions:         iamActionOf,
	entity:          "user",
	validName:       validUserName,
	opaqueNames:     true,
	deleteConflict:  "Cannot delete entity, must delete access keys first.",
	pagesLists:      true,
	readsForms:      true,
	signingService:  "iam",
	requestIDHeader: headerAWSRequestID,
	createdKey:      xmlKey{id: "AccessKeyId", secret: "SecretAccessKey"},
	mediaSynonyms:   map[string]string{ctXML: "application/xml; charset=utf-8"},
}

const ctXML = "text/xml"

// iamWire is the iam dialect's wire.
type iamWire struct {
	reading formReading // how undecodable escapes are read (reading_faults.go)
}

// IAMVersion is the API version every iam request must name.
const IAMVersion = "2010-05-08"

// iamNamespace is the xmlns of every iam response.
const iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// iamActionOf maps the store's operations to IAM actions.
var iamActionOf = map[string]string{
	opCreateBucket:          "CreateUser",
	opDeleteBucket:          "DeleteUser",
	opGetBuckets:            "ListUsers",
	opCreateBucketAccessKey: "CreateAccessKey",
	opGetBucketAccessKeys:   "ListAccessKeys",
	opDeleteBucketAccessKey: "DeleteAccessKey",
}

// iamOperation maps IAM actions to the store's operations.
var iamOperation = func() map[string]string {
	m := make(map[string]string, len(iamActionOf))
	for op, action := range iamActionOf {
		m[action] = op
	}
	return m
}()

// iamFormMembers maps the form's scalar members to the input map's names.
var iamFormMembers = map[string]string{
	"UserName":            "bucketName",
	"AccessKeyId":         "accessKeyId",
	"Path":                "path",
	"PathPrefix":          "pathPrefix",
	"PermissionsBoundary": "permissionsBoundary",
	"Marker":              "marker",
	"MaxItems":            "maxItems",
}

// decode reads the form (the body of a POST, the query of a GET). With no
// Action to read the answer is MissingAction (a body that is empty or not
// form encoding is a bad body, for fault malformed-json-500); an unknown
// Action is InvalidAction; then a body that is not form encoding (its
// Action still readable) and a missing or wrong Version are
// ValidationError. Unknown members are ignored; a repeated member counts
// once, its first value. How an undecodable escape is read is w.reading's
// (strict here; the legal variations skip the pair or keep the escape,
// and then every body is a form).
func (w iamWire) decode(r *http.Request, body requestBody) (string, map[string]any, *apiError) {
	var raw string
	switch r.Method {
	case http.MethodPost:
		switch {
		case body.tooLarge:
			return "", nil, newErr(errInvalidInput, "The request body exceeds "+strconv.Itoa(MaxBodyBytes)+" bytes")
		case body.err != nil:
			return "", nil, newErr(errInvalidInput, "The request body could not be read")
		}
		raw = string(body.data)
	case http.MethodGet:
		raw = r.URL.RawQuery
	default:
		return "", nil, newErr(errUnknownOperation, "Send POST / with a form-encoded body: Action=<Operation>&Version="+IAMVersion)
	}
	form, perr := w.reading.parse(raw)
	action := form.Get("Action")
	if action == "" {
		e := newErr(errMissingOperation, "Missing Action: send Action=<Operation>&Version="+IAMVersion)
		e.badBody = perr != nil || strings.TrimSpace(raw) == ""
		e.noOperation = true
		return "", nil, e
	}
	op, known := iamOperation[action]
	if !known {
		return "", nil, newErr(errUnknownOperation, "Could not find operation: the Action is not one this endpoint implements")
	}
	if perr != nil {
		e := newErr(errInvalidInput, "The request is not valid form encoding: use name=value pairs separated by &, percent-encoded")
		e.badBody = true
		return op, nil, e
	}
	if form.Get("Version") != IAMVersion {
		return op, nil, newErr(errInvalidInput, "1 validation error detected: Value at 'version' failed to satisfy constraint: Member must be "+IAMVersion)
	}
	in := map[string]any{}
	for name, key := range iamFormMembers {
		if vs, ok := form[name]; ok {
			in[key] = vs[0]
		}
	}
	tags, present, e := formTags(form)
	if e != nil {
		return op, nil, e
	}
	if present {
		in["tags"] = tags
	}
	return op, in, nil
}

// formTags reads Tags.member.N.Key and .Value into a list of {key, value}
// objects in index order ("Tags=" alone is an empty list; "Tags=x" is not
// a list, for validation to reject). An index that is not a positive
// decimal is invalid input.
func formTags(form url.Values) (any, bool, *apiError) {
	bare, present := form["Tags"]
	byIndex := map[int]map[string]any{}
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, "Tags.member.")
		if !ok {
			continue
		}
		present = true
		idx, field, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if err != nil || n < 1 || strconv.Itoa(n) != idx {
			return nil, true, newErr(errInvalidInput, "1 validation error detected: Value at 'tags' failed to satisfy constraint: list items are Tags.member.N with N from 1")
		}
		tag := byIndex[n]
		if tag == nil {
			tag = map[string]any{}
			byIndex[n] = tag
		}
		switch field {
		case "Key":
			tag["key"] = vs[0]
		case "Value":
			tag["value"] = vs[0]
		}
	}
	if len(byIndex) == 0 && len(bare) > 0 && bare[0] != "" {
		return bare[0], true, nil
	}
	indices := make([]int, 0, len(byIndex))
	for n := range byIndex {
		indices = append(indices, n)
	}
	slices.Sort(indices)
	list := make([]any, 0, len(indices))
	for _, n := range indices {
		list = append(list, byIndex[n])
	}
	return list, present, nil
}

func (iamWire) success(res *result) (int, http.Header, []byte) {
	return http.StatusOK, headerWith(ctXML), iamSuccessBody(res)
}

// failure is IAM's ErrorResponse with the code's status; Type is
// Receiver for a 500, Sender otherwise.
func (iamWire) failure(e *apiError) (int, http.Header, []byte) {
	form := iamErrors[e.kind]
	return form.status, headerWith(ctXML), iamErrorBody(form.code, form.status, e.msg, e.requestID)
}

// iamError is how the iam dialect writes an error kind: its Error/Code and
// HTTP status.
type iamError struct {
	code   string
	status int
}

// iamErrors is docs/DESIGN.md's iam error table.
var iamErrors = map[errKind]iamError{
	errInvalidInput:        {"ValidationError", 400},
	errSerialization:       {"ValidationError", 400},
	errUnknownOperation:    {"InvalidAction", 400},
	errMethodNotAllowed:    {"InvalidAction", 400},
	errNotFound:            {"NoSuchEntity", 404},
	errLimit:               {"LimitExceeded", 409},
	errMissingAuth:         {"MissingAuthenticationToken", 403},
	errUnrecognizedClient:  {"InvalidClientTokenId", 403},
	errBadSignature:        {"SignatureDoesNotMatch", 403},
	errAccessDenied:        {"AccessDenied", 403},
	errThrottled:           {"Throttling", 400},
	errInternal:            {"ServiceFailure", 500},
	errMissingOperation:    {"MissingAction", 400},
	errAlreadyExists:       {"EntityAlreadyExists", 409},
	errDeleteConflict:      {"DeleteConflict", 409},
	errIncompleteSignature: {"IncompleteSignature", 400},
}
