package engine

import (
	"fmt"
	"strings"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/exchange"
)

// Violation is one broken property, with the exchanges that show it.
type Violation struct {
	Check     check.ID
	Message   string
	Exchanges []*exchange.Exchange
}

func (v *Violation) Error() string { return string(v.Check) + ": " + v.Message }

// Unwrap returns the check's sentinel.
func (v *Violation) Unwrap() error { return v.Check.Err() }

// Describe formats the messages of violations: "Op(args) = got, want X".
func Describe(op string, args []string, got, want string) string {
	return fmt.Sprintf("%s(%s) = %s, want %s", op, strings.Join(args, ", "), got, want)
}
