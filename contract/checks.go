package contract

import (
	"fmt"
	"strings"

	"github.com/keycontract/keycontract/contract/check"
)

// ID is a check's stable identifier (package check names them all).
type ID = check.ID

// The sentinel errors of the checks (package check holds them). Every
// violation a check reports wraps its sentinel, so errors.Is(err,
// ErrTwoKeyLimit) tells which property broke.
var (
	ErrSuccessEnvelope    = check.ErrSuccessEnvelope
	ErrErrorEnvelope      = check.ErrErrorEnvelope
	ErrValidInputAccepted = check.ErrValidInputAccepted
	ErrInvalidInput       = check.ErrInvalidInput
	ErrUnknownBucket      = check.ErrUnknownBucket
	ErrTwoKeyLimit        = check.ErrTwoKeyLimit
	ErrSecretOnlyOnce     = check.ErrSecretOnlyOnce
	ErrKeyLifecycle       = check.ErrKeyLifecycle
	ErrBucketIsolation    = check.ErrBucketIsolation
	ErrNoServerErrors     = check.ErrNoServerErrors
	ErrAuthRequired       = check.ErrAuthRequired
	ErrConcurrentLimit    = check.ErrConcurrentLimit
)

// IDs returns every check ID in report order.
func IDs() []ID { return check.IDs() }

// Violation is one broken property, with the exchanges that show it.
type Violation struct {
	Check     check.ID
	Message   string
	Exchanges []*Exchange
}

func (v *Violation) Error() string { return string(v.Check) + ": " + v.Message }

// Unwrap returns the check's sentinel.
func (v *Violation) Unwrap() error { return v.Check.Err() }

// describe formats "Op(args) = got, want X" messages.
func describe(op string, args []string, got, want string) string {
	return fmt.Sprintf("%s(%s) = %s, want %s", op, strings.Join(args, ", "), got, want)
}
