package emulator

// The page family: faults in how a paged list answers a page size. Only
// the lists of a dialect whose lists page take one (MaxItems); the other
// dialects' lists do not page by size, and the fault changes nothing there
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
