package emulator

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// DefaultRegion is the SigV4 region used when Options.Region is empty.
const DefaultRegion = "us-east-1"

// MaxBodyBytes bounds a request body. A longer body is answered with the
// dialect's invalid-input error (HTTP 400), never a 5xx.
const MaxBodyBytes = 1 << 20

// Options configures a Server. The zero value is a correct aws-dialect
// emulator without authentication, latency, throttling or faults.
type Options struct {
	// Dialect names the dialect, as the Dialect* constants and
	// docs/DESIGN.md's "Dialects" do; empty is aws, the default. New
	// refuses a name it does not know.
	Dialect string
	// Credentials maps access key id to secret. When non-empty, every request
	// must carry a valid SigV4 signature in Region for the dialect's
	// service (lightsail; iam for IAM users).
	Credentials map[string]string
	// Region is the SigV4 region; default us-east-1. It is also the
	// regionName reported in resource locations.
	Region string
	// Token, when set, requires "Authorization: Bearer <Token>" on every
	// request. It cannot be combined with Credentials.
	Token string
	// Latency is added to every request before it is handled.
	Latency time.Duration
	// PageSize is the most items a paged list (IAM's) answers on one
	// page, whatever MaxItems asks (0: MaxItems, or IAM's 100 without
	// it): a small one makes every list page, with fewer items than
	// MaxItems asked even when more follow, as IAM documents an endpoint
	// may. Lists that do not page ignore it.
	PageSize int
	// ThrottlePercent (0-100) is the share of requests, chosen at random,
	// that get the dialect's throttling error.
	ThrottlePercent int
	// Faults are injected misbehaviours; see the Fault constants.
	Faults []Fault
	// RaceHold is how long FaultLimitRace holds a create at its barrier
	// before letting it through alone (default DefaultRaceHold); see
	// race.go. It only keeps a sequential client moving: the race itself is
	// decided by how many creates are held, never by this timeout.
	RaceHold time.Duration
	// FaultDelay is how long FaultKeyLate keeps a new key from working, and
	// FaultRevokeLate keeps a deleted one working, by the server's clock
	// (default DefaultFaultDelay). The harness passes with either fault
	// only when its window (-propagation, -revocation) covers it.
	FaultDelay time.Duration
	// RedirectTo is the Location of fault redirect-no-operation's 302
	// (default DefaultRedirectTo).
	RedirectTo string
	// Log, if set, receives one line per request, the data plane's too:
	// method, operation, status, duration and bucket name. It never
	// contains a secret, an Authorization header, a signature, a token or
	// an object's key or content.
	Log io.Writer
}

// Fault is a named, deliberate deviation from the contract. Each fault
// breaks exactly one behaviour so the harness can prove its check fires,
// except the legal variations (Breaks() == ""), which send a response the
// contract allows, so the harness can prove it raises no false alarm.
type Fault string

const (
	// FaultNoKeyLimit breaks two-key-limit: a third (and later) key is accepted.
	FaultNoKeyLimit Fault = "no-key-limit"
	// FaultSecretInList breaks secret-only-once: GetBucketAccessKeys
	// includes each key's secret.
	FaultSecretInList Fault = "secret-in-list"
	// FaultErrorsWith200 breaks success-envelope: every error is sent with
	// HTTP 200 (same body), so an error body is judged as the operation's
	// success and does not match it.
	FaultErrorsWith200 Fault = "errors-with-200"
	// FaultErrorStatusMismatch breaks error-envelope: not-found errors use
	// the wrong status (aws: 404; envelope, rest and iam: 400).
	FaultErrorStatusMismatch Fault = "error-status-mismatch"
	// FaultSuccessContentType breaks success-envelope: success responses
	// carry Content-Type text/plain (in rest, the 204s too).
	FaultSuccessContentType Fault = "success-content-type"
	// FaultTimestampWrongType breaks success-envelope: create-key timestamps
	// use the other dialect's form (aws: RFC 3339 string; envelope and
	// rest: epoch number; iam: epoch seconds as the element's text).
	FaultTimestampWrongType Fault = "timestamp-wrong-type"
	// FaultRejectValidInput breaks valid-input-accepted: CreateBucket
	// requests carrying the optional tags or enableObjectVersioning members
	// (iam CreateUser: Tags or PermissionsBoundary; ListUsers: PathPrefix)
	// are rejected as invalid input.
	FaultRejectValidInput Fault = "reject-valid-input"
	// FaultAcceptInvalidInput breaks invalid-input-rejected: bucketName
	// length and pattern are not checked.
	FaultAcceptInvalidInput Fault = "accept-invalid-input"
	// FaultMalformedJSON500 breaks invalid-input-rejected and
	// no-server-errors: a malformed or non-object JSON body gets a 500 (in
	// rest, CreateBucket's: the only operation with a body; in iam, an
	// empty body or one that is not form encoding).
	FaultMalformedJSON500 Fault = "malformed-json-500"
	// FaultUnknownBucketCreates breaks unknown-bucket: CreateBucketAccessKey
	// on an unknown bucket silently creates the bucket and succeeds.
	FaultUnknownBucketCreates Fault = "unknown-bucket-creates"
	// FaultDoubleDeleteSucceeds breaks key-lifecycle: deleting an unknown
	// key id on an existing bucket answers success.
	FaultDoubleDeleteSucceeds Fault = "double-delete-succeeds"
	// FaultCrossBucketDelete breaks bucket-isolation: DeleteBucketAccessKey
	// finds the key id in any bucket and deletes it there.
	FaultCrossBucketDelete Fault = "cross-bucket-delete"
	// FaultGetBuckets500 breaks no-server-errors: GetBuckets answers 500.
	FaultGetBuckets500 Fault = "getbuckets-500"
	// FaultAuthBypass breaks auth-required: with verification configured,
	// requests without credentials are accepted (bad ones are still
	// rejected).
	FaultAuthBypass Fault = "auth-bypass"
	// FaultLimitRace breaks concurrent-limit: a create that would take a
	// bucket's last free slot is held at a barrier after the limit check,
	// with the lock released, until enough creates are held to overfill
	// the bucket; they then all insert. So limit+1 creates in flight
	// together on a bucket always leave limit+1 keys. A held create is let
	// through alone after Options.RaceHold, and the bucket keeps holding
	// (the race stays reachable); once the race has happened on a bucket,
	// its creates are checked and inserted atomically. See race.go.
	FaultLimitRace Fault = "limit-race"
	// FaultDeletedStillCounts breaks key-lifecycle: deleted keys leave the
	// list but still count towards the limit.
	FaultDeletedStillCounts Fault = "deleted-still-counts"
	// FaultRejectedCreateStored breaks two-key-limit: a create beyond the
	// limit returns the limit error but stores the key anyway.
	FaultRejectedCreateStored Fault = "rejected-create-stored"
	// FaultListDropsNewest breaks key-lifecycle: with 2 or more keys, the
	// list omits the most recently created one.
	FaultListDropsNewest Fault = "list-drops-newest"
	// FaultDeleteKeepsKey breaks key-lifecycle: delete answers success but
	// keeps the key.
	FaultDeleteKeepsKey Fault = "delete-keeps-key"
	// FaultSecretRepeated breaks secret-only-once: the delete response
	// repeats the deleted key's secret (aws: operations[0].operationDetails;
	// envelope: data.secret_access_key; rest, whose delete is a 204 with no
	// body: the header X-Deleted-Secret-Access-Key; iam: an extra
	// ResponseMetadata/SecretAccessKey element).
	FaultSecretRepeated Fault = "secret-repeated"
)

// faultInfo documents one fault: what it does and the harness check it
// makes fail. breaks is empty only for a legal variation: a response the
// contract allows, which no check may fail (see secret-duplicated).
type faultInfo struct {
	f      Fault
	desc   string
	breaks string // the harness check that must fail
}

// faultDescriptions is the catalogue, in a stable order; the redaction,
// limit, page and reading families live in their own files.
var faultDescriptions = slices.Concat(coreFaults, redactionFaults, limitFaults, pageFaults, readingFaults, dataFaults)

var coreFaults = []faultInfo{
	{FaultNoKeyLimit, "a third (and later) key is accepted", "two-key-limit"},
	{FaultSecretInList, "GetBucketAccessKeys includes each key's secret", "secret-only-once"},
	{FaultErrorsWith200, "every error is sent with HTTP 200", "success-envelope"},
	{FaultErrorStatusMismatch, "not-found errors use the wrong HTTP status (aws 404, envelope, rest and iam 400)", "error-envelope"},
	{FaultSuccessContentType, "success responses carry Content-Type text/plain (rest: the 204s too)", "success-envelope"},
	{FaultTimestampWrongType, "create-key timestamps use the other form (aws RFC 3339 string, envelope, rest and iam epoch number)", "success-envelope"},
	{FaultRejectValidInput, "CreateBucket with optional tags or enableObjectVersioning (iam CreateUser: Tags, PermissionsBoundary; ListUsers: PathPrefix) is rejected", "valid-input-accepted"},
	{FaultAcceptInvalidInput, "bucketName length and pattern are not checked", "invalid-input-rejected"},
	{FaultMalformedJSON500, "malformed or non-object JSON bodies get a 500 (rest: CreateBucket's body; iam: an empty or malformed form)", "invalid-input-rejected"},
	{FaultUnknownBucketCreates, "CreateBucketAccessKey on an unknown bucket creates it and succeeds", "unknown-bucket"},
	{FaultDoubleDeleteSucceeds, "deleting an unknown key id on an existing bucket succeeds", "key-lifecycle"},
	{FaultCrossBucketDelete, "DeleteBucketAccessKey deletes the key id from any bucket", "bucket-isolation"},
	{FaultGetBuckets500, "GetBuckets answers 500", "no-server-errors"},
	{FaultAuthBypass, "requests without credentials are accepted when verification is on", "auth-required"},
	{FaultLimitRace, "the key limit is checked non-atomically: concurrent creates for a bucket's last free slot all pass it (the first time; a lone one waits the race hold)", "concurrent-limit"},
	{FaultDeletedStillCounts, "deleted keys still count towards the limit", "key-lifecycle"},
	{FaultRejectedCreateStored, "a create beyond the limit is rejected but the key is stored", "two-key-limit"},
	{FaultListDropsNewest, "with 2 or more keys, the list omits the newest", "key-lifecycle"},
	{FaultDeleteKeepsKey, "delete answers success but keeps the key", "key-lifecycle"},
	{FaultSecretRepeated, "the delete response repeats the deleted key's secret (aws operationDetails, envelope data.secret_access_key, rest header X-Deleted-Secret-Access-Key on the 204, iam ResponseMetadata/SecretAccessKey)", "secret-only-once"},
}

// Faults lists every known fault, in a stable order.
func Faults() []Fault {
	out := make([]Fault, len(faultDescriptions))
	for i, d := range faultDescriptions {
		out[i] = d.f
	}
	return out
}

// Description is a one-line statement of what the fault breaks; empty for
// an unknown fault.
func (f Fault) Description() string {
	for _, d := range faultDescriptions {
		if d.f == f {
			return d.desc
		}
	}
	return ""
}

// Breaks names the harness check (contract's check ID) that the fault
// makes fail: the emulator's faults exist to prove that each check fires.
// It is empty for a legal variation (a response the contract allows, kept
// to prove that no check raises a false alarm) and for an unknown fault.
func (f Fault) Breaks() string {
	for _, d := range faultDescriptions {
		if d.f == f {
			return d.breaks
		}
	}
	return ""
}

// ParseFault returns the fault with this name, or an error naming the
// known ones.
func ParseFault(name string) (Fault, error) {
	f := Fault(name)
	if f.Description() == "" {
		return "", fmt.Errorf("unknown fault %q (known: %v)", name, Faults())
	}
	return f, nil
}

// normalize validates opts, fills defaults and returns the dialect they
// name.
func (o Options) normalize() (Options, *dialect, error) {
	d, err := dialectNamed(o.Dialect)
	if err != nil {
		return o, nil, err
	}
	o.Dialect = d.name
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.ThrottlePercent < 0 || o.ThrottlePercent > 100 {
		return o, nil, fmt.Errorf("emulator: throttle percent %d outside 0-100", o.ThrottlePercent)
	}
	if o.Latency < 0 {
		return o, nil, errors.New("emulator: negative latency")
	}
	if o.RaceHold < 0 {
		return o, nil, errors.New("emulator: negative race hold")
	}
	if o.RaceHold == 0 {
		o.RaceHold = DefaultRaceHold
	}
	if o.FaultDelay < 0 {
		return o, nil, errors.New("emulator: negative fault delay")
	}
	if o.FaultDelay == 0 {
		o.FaultDelay = DefaultFaultDelay
	}
	if len(o.Credentials) > 0 && o.Token != "" {
		return o, nil, errors.New("emulator: Credentials (SigV4) and Token (bearer) both use the Authorization header; set one")
	}
	creds := make(map[string]string, len(o.Credentials))
	for id, secret := range o.Credentials {
		if id == "" || secret == "" {
			return o, nil, errors.New("emulator: credentials need a non-empty access key id and secret")
		}
		creds[id] = secret
	}
	o.Credentials = creds
	for _, f := range o.Faults {
		if _, err := ParseFault(string(f)); err != nil {
			return o, nil, fmt.Errorf("emulator: %w", err)
		}
	}
	o.Faults = append([]Fault(nil), o.Faults...)
	return o, d, nil
}
