package emulator

import "time"

// The data-plane family (docs/DESIGN.md, "The key works: the data plane"):
// faults in what a key opens, one for each way of breaking key-works,
// key-scoped and key-revoked. Each bends Server.standing or the plane's
// authorization; the API answers as without them.
const (
	// FaultKeyDead breaks key-works: a created key never opens anything;
	// the data plane refuses it as an unknown key (S3 InvalidAccessKeyId,
	// IAM InvalidClientTokenId).
	FaultKeyDead Fault = "key-dead"
	// FaultKeyLate breaks key-works when the harness's propagation window
	// is shorter than Options.FaultDelay: a created key is refused as
	// unknown until FaultDelay has passed since its creation (by the
	// server's clock), then works.
	FaultKeyLate Fault = "key-late"
	// FaultKeyOutlivesDelete breaks key-revoked: a deleted key keeps
	// opening its bucket (acting as its user), for ever.
	FaultKeyOutlivesDelete Fault = "key-outlives-delete"
	// FaultRevokeLate breaks key-revoked when the harness's revocation
	// window is shorter than Options.FaultDelay: a deleted key keeps
	// working until FaultDelay has passed since its deletion, then is
	// refused as unknown.
	FaultRevokeLate Fault = "revoke-late"
	// FaultRevokeNeedsEmpty breaks key-revoked, and only a sequence shows
	// it: a deleted key keeps working while another key its bucket (user)
	// held when it was deleted still lives there, and is refused for good
	// once none does. Create, delete, use passes; create, create, delete
	// the first, use it fails.
	FaultRevokeNeedsEmpty Fault = "revoke-needs-empty"
	// FaultKeyAnyBucket breaks key-scoped (bucket dialects): a live key
	// opens every bucket, not only its own.
	FaultKeyAnyBucket Fault = "key-any-bucket"
	// FaultDataOpen breaks key-scoped: unsigned data-plane requests are
	// served (S3: on any bucket; iam: GetUser answers as the newest user).
	// Signed ones are still verified.
	FaultDataOpen Fault = "data-open"
	// FaultKeyWrongUser breaks key-scoped (iam): GetUser signed with a
	// user's key names another user (the next in creation order, or a
	// name no user has when the key's user is alone).
	FaultKeyWrongUser Fault = "key-wrong-user"
)

// DefaultFaultDelay is Options.FaultDelay when it is zero: how long a key
// takes to work under key-late, and keeps working after its deletion
// under revoke-late.
const DefaultFaultDelay = 2 * time.Second

var dataFaults = []faultInfo{
	{FaultKeyDead, "a created key never works on the data plane (refused as unknown)", "key-works"},
	{FaultKeyLate, "a created key works on the data plane only once the fault delay (-fault-delay) has passed since its creation", "key-works"},
	{FaultKeyOutlivesDelete, "a deleted key keeps working on the data plane", "key-revoked"},
	{FaultRevokeLate, "a deleted key keeps working on the data plane until the fault delay (-fault-delay) has passed since its deletion", "key-revoked"},
	{FaultRevokeNeedsEmpty, "a deleted key keeps working on the data plane while a key its bucket (user) held beside it lives", "key-revoked"},
	{FaultKeyAnyBucket, "aws, envelope and rest: a key opens every bucket on the data plane", "key-scoped"},
	{FaultDataOpen, "unsigned data-plane requests are served (S3: any bucket; iam: GetUser as the newest user)", "key-scoped"},
	{FaultKeyWrongUser, "iam only: GetUser signed with a user's key names another user", "key-scoped"},
}
