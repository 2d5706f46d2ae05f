// Package check names the checks of the contract: their stable IDs (which
// reports, -checks and the README use), the sentinel error each violation
// wraps, and the one-line meaning the reports print. It is the one place a
// check ID is spelled; everything else names a check by its constant.
package check

import (
	"errors"
	"fmt"
	"strings"
)

// ID is a check's stable identifier, as reports and -checks spell it.
type ID string

// The check IDs, in report order. With the iam dialect, "bucket" means the
// IAM user that owns the keys.
const (
	SuccessEnvelope      ID = "success-envelope"
	ErrorEnvelope        ID = "error-envelope"
	ValidInputAccepted   ID = "valid-input-accepted"
	InvalidInputRejected ID = "invalid-input-rejected"
	UnknownBucket        ID = "unknown-bucket"
	TwoKeyLimit          ID = "two-key-limit"
	SecretOnlyOnce       ID = "secret-only-once"
	KeyLifecycle         ID = "key-lifecycle"
	BucketIsolation      ID = "bucket-isolation"
	NoServerErrors       ID = "no-server-errors"
	AuthRequired         ID = "auth-required"
	ConcurrentLimit      ID = "concurrent-limit"
	KeyWorks             ID = "key-works"
	KeyScoped            ID = "key-scoped"
	KeyRevoked           ID = "key-revoked"
)

// The sentinel errors of the checks. Every violation a check reports wraps
// its sentinel, so errors.Is(err, ErrTwoKeyLimit) tells which property broke.
var (
	ErrSuccessEnvelope    = errors.New(string(SuccessEnvelope))
	ErrErrorEnvelope      = errors.New(string(ErrorEnvelope))
	ErrValidInputAccepted = errors.New(string(ValidInputAccepted))
	ErrInvalidInput       = errors.New(string(InvalidInputRejected))
	ErrUnknownBucket      = errors.New(string(UnknownBucket))
	ErrTwoKeyLimit        = errors.New(string(TwoKeyLimit))
	ErrSecretOnlyOnce     = errors.New(string(SecretOnlyOnce))
	ErrKeyLifecycle       = errors.New(string(KeyLifecycle))
	ErrBucketIsolation    = errors.New(string(BucketIsolation))
	ErrNoServerErrors     = errors.New(string(NoServerErrors))
	ErrAuthRequired       = errors.New(string(AuthRequired))
	ErrConcurrentLimit    = errors.New(string(ConcurrentLimit))
	ErrKeyWorks           = errors.New(string(KeyWorks))
	ErrKeyScoped          = errors.New(string(KeyScoped))
	ErrKeyRevoked         = errors.New(string(KeyRevoked))
)

// DataPlane are the checks that use the keys a run creates on their data
// plane (docs/DESIGN.md, "The key works: the data plane").
var DataPlane = []ID{KeyWorks, KeyScoped, KeyRevoked}

// Info describes one check: its ID, sentinel and one-line meaning, as the
// README's table of checks gives them.
type Info struct {
	ID      ID
	Err     error
	Meaning string
}

// all lists every check in report order.
var all = []Info{
	{SuccessEnvelope, ErrSuccessEnvelope, "Every 2xx response matches the operation's success schema, including its content type and required fields."},
	{ErrorEnvelope, ErrErrorEnvelope, "Every non-2xx response is a well-formed error for the dialect, with a documented code and the status that code implies."},
	{ValidInputAccepted, ErrValidInputAccepted, "Generated valid requests for existing buckets, within the limit, succeed."},
	{InvalidInputRejected, ErrInvalidInput, "Schema-violating requests are answered with a 4xx and an invalid-input (or not-found) error, never a 2xx or 5xx."},
	{UnknownBucket, ErrUnknownBucket, "Operations on a well-formed bucket name that does not exist return the not-found error and create nothing."},
	{TwoKeyLimit, ErrTwoKeyLimit, "No bucket ever holds more than 2 keys. A create beyond the limit returns the limit error and changes nothing."},
	{SecretOnlyOnce, ErrSecretOnlyOnce, "Create returns a non-empty secret, unique among keys, that never appears again in any later response."},
	{KeyLifecycle, ErrKeyLifecycle, "Created keys are listed consistently, deleted keys are gone, deleting twice gives not-found, and deleting frees a slot."},
	{BucketIsolation, ErrBucketIsolation, "Keys of one bucket never appear in, count against, or can be deleted through another bucket."},
	{NoServerErrors, ErrNoServerErrors, "No request the harness sent got a 5xx."},
	{AuthRequired, ErrAuthRequired, "With credentials configured, unsigned or wrongly signed requests are rejected with an auth error."},
	{ConcurrentLimit, ErrConcurrentLimit, "Concurrent creates, deletes and lists on one bucket are linearizable against the two-key model."},
	{KeyWorks, ErrKeyWorks, "A created key authenticates on the data plane for its own bucket (with iam: as its own user) within the propagation window."},
	{KeyScoped, ErrKeyScoped, "The data plane opens a bucket only to that bucket's live keys: a key of another bucket, an unsigned request and a request signed with a wrong secret are refused. With iam, a key acts as the user that owns it and no other."},
	{KeyRevoked, ErrKeyRevoked, "Once a key is deleted, the data plane refuses it within the revocation window, and keeps refusing it."},
}

// All returns every check in report order.
func All() []Info { return append([]Info(nil), all...) }

// IDs returns every check ID in report order.
func IDs() []ID {
	ids := make([]ID, len(all))
	for i, c := range all {
		ids[i] = c.ID
	}
	return ids
}

// Names returns every check ID in report order, as text (for flags' help).
func Names() []string {
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = string(c.ID)
	}
	return names
}

// Parse returns the check named s, or an error listing the known ones.
func Parse(s string) (ID, error) {
	id := ID(s)
	if _, ok := lookup(id); !ok {
		return "", fmt.Errorf("unknown check %q (known: %s)", s, strings.Join(Names(), ", "))
	}
	return id, nil
}

// Err is the sentinel error of the check (nil for an unknown ID).
func (id ID) Err() error {
	info, _ := lookup(id)
	return info.Err
}

// Meaning is the check's one-line meaning ("" for an unknown ID).
func (id ID) Meaning() string {
	info, _ := lookup(id)
	return info.Meaning
}

func lookup(id ID) (Info, bool) {
	for _, c := range all {
		if c.ID == id {
			return c, true
		}
	}
	return Info{}, false
}
