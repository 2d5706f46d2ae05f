package emulator

// iamFaultEffects replaces faultEffects where iam differs.
var iamFaultEffects = map[Fault][]string{
	// get-bucket is ListUsers, which lists every user: one user more
	// (accepted bad name) or fewer (rejected tags) changes it.
	FaultRejectValidInput:   {"create-bucket-options", "get-bucket"},
	FaultAcceptInvalidInput: {"create-bucket-bad-name", "get-bucket"},
}
