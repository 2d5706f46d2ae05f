package emulator

// The page family: faults in how an iam list reads and answers a page
// size. Only the iam dialect's lists take one (MaxItems); the other
// dialects' lists do not page by size, and the faults change nothing there
// (Fault.Dialects).
const (
	// FaultListIgnoresPageSize breaks success-envelope: ListAccessKeys
	// and ListUsers ignore MaxItems and answer up to IAM's default page of
	// 100 items (here, all of them), as moto does. A page holding more
	// items than MaxItems asked is not the documented reply.
	FaultListIgnoresPageSize Fault = "list-ignores-page-size"
	// FaultAcceptOutOfRange breaks invalid-input-rejected: MaxItems
	// outside IAM's documented 1 to 1000 (0, -1, 1001) is accepted, as
	// moto accepts it; one below 1 reads as IAM's default page of 100.
	// The iam dialect's MaxItems is the emulator's only ranged member
	// (Lightsail's model documents no range).
	FaultAcceptOutOfRange Fault = "accept-out-of-range"
)

var pageFaults = []faultInfo{
	{FaultListIgnoresPageSize, "iam only: ListAccessKeys and ListUsers ignore MaxItems and answer up to 100 items a page", "success-envelope"},
	{FaultAcceptOutOfRange, "iam only: MaxItems outside 1 to 1000 is accepted (below 1: a page of 100)", "invalid-input-rejected"},
}

// onlyIn lists, for a fault that has an effect only in some
// dialects, those dialects.
var onlyIn = map[Fault][]string{
	FaultListIgnoresPageSize:  {DialectIAM},
	FaultAcceptOutOfRange:     {DialectIAM},
	FaultFormSkipsUndecodable: {DialectIAM},
	FaultFormKeepsEscapes:     {DialectIAM},
	FaultFormNamePercent:      {DialectIAM},
}

// Dialects are the dialects in which the fault changes anything: nil for
// every dialect. A fault outside its dialects is accepted and has no
// effect.
func (f Fault) Dialects() []string {
	return onlyIn[f]
}

// In reports whether the fault has an effect in dialect.
func (f Fault) In(dialect string) bool {
	ds := f.Dialects()
	if ds == nil {
		return true
	}
	for _, d := range ds {
		if d == dialect {
			return true
		}
	}
	return false
}
