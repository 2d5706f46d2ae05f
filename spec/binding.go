package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ExtensionName is the OpenAPI extension that carries a Binding inside a
// description. An overlay file (-binding FILE) holds the same object, either
// at its top level or under this key.
const ExtensionName = "x-keycontract"

// Role names what an operation does in the bucket-key contract. Roles, not
// operation ids, are what the checks speak of: a vendor's description may name
// its operations as it likes.
type Role string

// The six roles. The first three are under test; the last three set up and
// tear down buckets.
const (
	CreateKey    Role = "createKey"
	ListKeys     Role = "listKeys"
	DeleteKey    Role = "deleteKey"
	CreateBucket Role = "createBucket"
	DeleteBucket Role = "deleteBucket"
	ListBuckets  Role = "listBuckets"
)

// Roles lists every role, in a fixed order.
var Roles = []Role{CreateKey, ListKeys, DeleteKey, CreateBucket, DeleteBucket, ListBuckets}

// Situation names a kind of error the contract expects, so that a binding can
// say which codes an endpoint may answer with in that situation.
type Situation string

// The situations of the error tables in docs/DESIGN.md.
const (
	InvalidInput     Situation = "invalidInput"
	UnknownOperation Situation = "unknownOperation"
	NotFound         Situation = "notFound"
	LimitExceeded    Situation = "limitExceeded"
	AuthFailed       Situation = "authFailed"
	Throttled        Situation = "throttled"
)

// Situations lists every situation, in a fixed order.
var Situations = []Situation{InvalidInput, UnknownOperation, NotFound, LimitExceeded, AuthFailed, Throttled}

// Binding maps a description onto the contract: which operation plays which
// role, where resource names go in requests, where ids, secrets and
// timestamps sit in responses, and how errors are read. It is declarative:
// nothing about Lightsail's member names is known outside a Binding.
//
// JSON pointers (RFC 6901) in Request and Response are relative to the
// request or response body, except Key* pointers, which are relative to one
// key object (the created key, or an item of the key list).
type Binding struct {
	// Dialect names the bundled dialect (spec.Dialects) whose emulator
	// speaks this description's wire: the embedded emulator a run without
	// -endpoint starts, and the dialect its report names. It changes
	// nothing else.
	Dialect string `json:"dialect"`

	// Protocol is the wire protocol, one of those registered in wire.go
	// (each wire file says what its protocol is). Empty: the protocol that
	// claims Target's members (a target header, a target member, neither;
	// see wire.go).
	Protocol string `json:"protocol,omitempty"`

	// Target is how an operation is named on the wire: its members are the
	// protocol's own (see TargetRule).
	Target TargetRule `json:"target"`

	// Operations maps each role to an operationId of the document.
	Operations map[Role]string `json:"operations"`

	// Limit is the number of keys a bucket may hold. Default 2.
	Limit int `json:"limit,omitempty"`

	// Auth is the request authentication the endpoint documents: "sigv4",
	// "bearer" or "none".
	Auth string `json:"auth,omitempty"`
	// Service is the SigV4 signing name (lightsail, iam). Empty: lightsail.
	Service string `json:"service,omitempty"`

	Request  RequestBinding  `json:"request"`
	Response ResponseBinding `json:"response"`
	Errors   ErrorBinding    `json:"errors"`

	// Pages says how list operations page, per role (listKeys,
	// listBuckets): the harness follows every page to the end.
	Pages map[Role]Page `json:"pages,omitempty"`

	// Wire declares where the document differs from what the endpoint
	// actually sends, as third-party conversions often do.
	Wire WireBinding `json:"wire,omitempty"`

	// Data says where and how the keys are used: the data plane the
	// key-works, key-scoped and key-revoked checks probe (data.go).
	Data DataBinding `json:"data,omitzero"`
}

// RequestBinding says where resource names go in request bodies.
type RequestBinding struct {
	// Bucket points to the bucket name in every request that has one.
	Bucket string `json:"bucket"`
	// KeyID points to the key id in the delete request.
	KeyID string `json:"keyId"`
	// Fixed holds members the harness sets itself, per role, by pointer:
	// for example the bundle of a bucket it creates.
	Fixed map[Role]map[string]any `json:"fixed,omitempty"`
	// Omit lists, per role, top-level members that generated valid requests
	// leave out although the schema allows them: members whose valid values
	// the schema cannot describe, such as a page token only the endpoint
	// can issue.
	Omit map[Role][]string `json:"omit,omitempty"`
}

// ResponseBinding says where things are in success bodies.
type ResponseBinding struct {
	// Key points to the created key object in the createKey response; ""
	// is the whole body.
	Key string `json:"key"`
	// Keys points to the array of key objects in the listKeys response; ""
	// is the whole body.
	Keys string `json:"keys"`
	// Buckets points to the array of bucket objects in the listBuckets
	// response; BucketName to the name within one.
	Buckets    string `json:"buckets"`
	BucketName string `json:"bucketName"`
	// KeyID, KeySecret, KeyStatus and KeyCreatedAt point into one key object.
	KeyID        string `json:"keyId"`
	KeySecret    string `json:"keySecret"`
	KeyStatus    string `json:"keyStatus"`
	KeyCreatedAt string `json:"keyCreatedAt"`
	// Success points to a boolean in reply bodies that says whether the
	// reply is a success, for descriptions that answer errors with a 2xx
	// and a body that says so: a 2xx whose value there is false is an
	// error (success.go). Empty: every 2xx is a success.
	Success string `json:"success,omitempty"`
}

// ErrorBinding says how an error response is read and judged.
type ErrorBinding struct {
	// Code lists where the error code is read, first found wins. Each entry
	// is "header:NAME" or "body:/json/pointer".
	Code []string `json:"code"`
	// Trim names what is kept of a code as read, one of the trims a wire
	// registers for its protocol's codes ("aws-type", wire_rpc.go). Empty
	// keeps the code as read.
	Trim string `json:"trim,omitempty"`
	// Statuses lists every documented code and the HTTP statuses it may use.
	// An error whose code is absent here is undocumented.
	Statuses map[string][]int `json:"statuses"`
	// Accept lists, per situation, the codes a correct endpoint may answer.
	Accept map[Situation][]string `json:"accept"`
	// Headers lists, per code, the headers an error with that code must
	// carry (Allow on METHOD_NOT_ALLOWED), whatever operation the request
	// addressed.
	Headers map[string][]string `json:"headers,omitempty"`
	// Server lists the codes that tell of the endpoint's own failure, for
	// descriptions whose errors do not say so by a 5xx status (all sent
	// with 200, say): no-server-errors counts a reply with one as a 5xx
	// (success.go). Each must be in Statuses.
	Server []string `json:"server,omitempty"`
}

// WireBinding declares known differences between a document and its wire.
type WireBinding struct {
	// ContentType is the media type actually sent and received, when the
	// document declares another one (a protocol's own JSON type where the
	// document says application/json, say). Responses carrying it are
	// validated against the document's own media type.
	ContentType string `json:"contentType,omitempty"`
	// Timestamps "epoch-seconds" says that schemas declared as
	// string/date-time are sent as JSON numbers.
	Timestamps string `json:"timestamps,omitempty"`
	// IgnoreErrorResponses says the document's non-2xx responses are not
	// wire statuses (e.g. pseudo-statuses 480-486): error responses are then
	// judged by Errors alone.
	IgnoreErrorResponses bool `json:"ignoreErrorResponses,omitempty"`
	// XMLResult says the document's XML response schemas describe only the
	// <{Op}Result> element's content (as third-party conversions of AWS
	// query models do), not the whole response: replies are read from it.
	XMLResult bool `json:"xmlResult,omitempty"`
	// Schemas maps a component schema's name to the keywords the endpoint
	// enforces in place of the document's (see SchemaFix).
	Schemas map[string]SchemaFix `json:"schemas,omitempty"`
}

// DefaultLimit is the number of keys per bucket when a binding names none.
const DefaultLimit = 2

// ParseBinding decodes a binding from JSON (the extension's value, or an
// overlay file converted from YAML). An overlay may wrap the binding in
// {"x-keycontract": {...}}.
func ParseBinding(data []byte) (Binding, error) {
	var wrapped map[string]json.RawMessage
	if err := json.Unmarshal(data, &wrapped); err != nil {
		return Binding{}, fmt.Errorf("binding: %w", err)
	}
	if inner, ok := wrapped[ExtensionName]; ok {
		data = inner
	}
	var b Binding
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Binding{}, fmt.Errorf("binding: %w", err)
	}
	if b.Limit == 0 {
		b.Limit = DefaultLimit
	}
	return b, nil
}

// ErrBinding marks every problem Validate finds.
var ErrBinding = errors.New("invalid binding")

// Validate reports every missing or malformed field, joined.
func (b Binding) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrBinding}, args...)...))
	}
	if p, ok := protocolNamed(b.ProtocolName()); ok {
		errs = append(errs, p.check(b)...)
	} else {
		bad("protocol = %q, want one of %v", b.Protocol, protocolNames())
	}
	for _, r := range Roles {
		if b.Operations[r] == "" {
			bad("operations.%s names no operationId", r)
		}
	}
	if b.Limit < 1 {
		bad("limit = %d, want at least 1", b.Limit)
	}
	switch b.Auth {
	case "", "sigv4", "bearer", "none":
	default:
		bad("auth = %q, want sigv4, bearer or none", b.Auth)
	}
	pointers := map[string]string{
		"request.bucket": b.Request.Bucket, "request.keyId": b.Request.KeyID,
		"response.key": b.Response.Key, "response.keys": b.Response.Keys,
		"response.buckets": b.Response.Buckets, "response.bucketName": b.Response.BucketName,
		"response.keyId": b.Response.KeyID, "response.keySecret": b.Response.KeySecret,
		"response.keyStatus": b.Response.KeyStatus, "response.keyCreatedAt": b.Response.KeyCreatedAt,
		"response.success": b.Response.Success,
	}
	for name, p := range pointers {
		if p != "" && !strings.HasPrefix(p, "/") {
			bad("%s = %q is not a JSON pointer", name, p)
		}
	}
	// response.key and response.keys may be "", the whole body (RFC 6901),
	// as when a REST endpoint answers with the key object itself.
	for _, name := range []string{"request.bucket", "request.keyId", "response.keyId", "response.keySecret"} {
		if pointers[name] == "" {
			bad("%s is empty", name)
		}
	}
	if len(b.Errors.Code) == 0 {
		bad("errors.code lists no source")
	}
	for _, src := range b.Errors.Code {
		if !strings.HasPrefix(src, "header:") && !strings.HasPrefix(src, "body:/") {
			bad("errors.code source %q, want header:NAME or body:/pointer", src)
		}
	}
	if _, ok := trimNamed(b.Errors.Trim); !ok && b.Errors.Trim != "" {
		bad("errors.trim = %q, want one of %v or empty", b.Errors.Trim, trimNames())
	}
	for _, c := range b.Errors.Server {
		if _, ok := b.Errors.Statuses[c]; !ok {
			bad("errors.server: code %q has no entry in errors.statuses", c)
		}
	}
	for _, s := range Situations {
		codes := b.Errors.Accept[s]
		if len(codes) == 0 {
			bad("errors.accept.%s lists no code", s)
		}
		for _, c := range codes {
			if _, ok := b.Errors.Statuses[c]; !ok {
				bad("errors.accept.%s: code %q has no entry in errors.statuses", s, c)
			}
		}
	}
	switch b.Wire.Timestamps {
	case "", "epoch-seconds":
	default:
		bad("wire.timestamps = %q, want epoch-seconds or empty", b.Wire.Timestamps)
	}
	errs = append(errs, b.checkData()...)
	return errors.Join(errs...)
}
