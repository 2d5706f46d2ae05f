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
)

var pageFaults = []faultInfo{
	{FaultListIgnoresPageSize, "iam only: ListAccessKeys and ListUsers ignore MaxItems and answer up to 100 items a page", "success-envelope"},
}
