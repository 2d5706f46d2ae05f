package contract

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinel errors of the checks. Every violation a check reports wraps
// its sentinel, so errors.Is(err, ErrTwoKeyLimit) tells which property broke.
var (
	ErrSuccessEnvelope    = errors.New("success-envelope")
	ErrErrorEnvelope      = errors.New("error-envelope")
	ErrValidInputAccepted = errors.New("valid-input-accepted")
	ErrInvalidInput       = errors.New("invalid-input-rejected")
	ErrUnknownBucket      = errors.New("unknown-bucket")
	ErrTwoKeyLimit        = errors.New("two-key-limit")
	ErrSecretOnlyOnce     = errors.New("secret-only-once")
	ErrKeyLifecycle       = errors.New("key-lifecycle")
	ErrBucketIsolation    = errors.New("bucket-isolation")
	ErrNoServerErrors     = errors.New("no-server-errors")
	ErrAuthRequired       = errors.New("auth-required")
	ErrConcurrentLimit    = errors.New("concurrent-limit")
)

// CheckInfo describes one check: its stable ID, sentinel and one-line
// meaning, as DESIGN.md fixes them.
type CheckInfo struct {
	ID      string
	Err     error
	Meaning string
}

// Checks lists every check in report order.
var Checks = []CheckInfo{
	{"success-envelope", ErrSuccessEnvelope, "Every 2xx response matches the operation's success schema, including its content type and required fields."},
	{"error-envelope", ErrErrorEnvelope, "Every non-2xx response is a well-formed error for the dialect, with a documented code and the status that code implies."},
	{"valid-input-accepted", ErrValidInputAccepted, "Generated valid requests for existing buckets, within the limit, succeed."},
	{"invalid-input-rejected", ErrInvalidInput, "Schema-violating requests are answered with a 4xx and an invalid-input (or not-found) error, never a 2xx or 5xx."},
	{"unknown-bucket", ErrUnknownBucket, "Operations on a well-formed bucket name that does not exist return the not-found error and create nothing."},
	{"two-key-limit", ErrTwoKeyLimit, "No bucket ever holds more than 2 keys. A create beyond the limit returns the limit error and changes nothing."},
	{"secret-only-once", ErrSecretOnlyOnce, "Create returns a non-empty secret, unique among keys, that never appears again in any later response."},
	{"key-lifecycle", ErrKeyLifecycle, "Created keys are listed consistently, deleted keys are gone, deleting twice gives not-found, and deleting frees a slot."},
	{"bucket-isolation", ErrBucketIsolation, "Keys of one bucket never appear in, count against, or can be deleted through another bucket."},
	{"no-server-errors", ErrNoServerErrors, "No request the harness sent got a 5xx."},
	{"auth-required", ErrAuthRequired, "With credentials configured, unsigned or wrongly signed requests are rejected with an auth error."},
	{"concurrent-limit", ErrConcurrentLimit, "Concurrent creates, deletes and lists on one bucket are linearizable against the two-key model."},
}

// IDs returns every check ID in report order.
func IDs() []string {
	ids := make([]string, len(Checks))
	for i, c := range Checks {
		ids[i] = c.ID
	}
	return ids
}

func checkInfo(id string) CheckInfo {
	for _, c := range Checks {
		if c.ID == id {
			return c
		}
	}
	panic("contract: unknown check " + id)
}

// Violation is one broken property, with the exchanges that show it.
type Violation struct {
	Check     string
	Message   string
	Exchanges []*Exchange
}

func (v *Violation) Error() string { return v.Check + ": " + v.Message }

// Unwrap returns the check's sentinel.
func (v *Violation) Unwrap() error { return checkInfo(v.Check).Err }

// describe formats "Op(args) = got, want X" messages.
func describe(op string, args []string, got, want string) string {
	return fmt.Sprintf("%s(%s) = %s, want %s", op, strings.Join(args, ", "), got, want)
}
