package emulator

import (
	"sort"
	"strings"
)

// What each fault changes in the conformance script (faults_test.go).

// createSuccesses are the script's successful creates.
var createSuccesses = []string{"create-key-1", "create-key-2", "create-key-life", "create-key-life-2", "create-key-life-3", "create-key-iso-a"}

// faultEffects names, per fault, the script steps whose fingerprint the
// fault changes; every other step must be unchanged. "*" stands for every
// step of a kind (successes, errors, not-found errors, replies with a
// content type), expanded by expandSteps.
var faultEffects = map[Fault][]string{
	FaultNoKeyLimit:          {"create-key-3", "list-limit"},
	FaultSecretInList:        {"list-limit", "list-iso-a"},
	FaultErrorsWith200:       {"*errors"},
	FaultErrorStatusMismatch: {"*not-found"},
	FaultSuccessContentType:  {"*successes"},
	FaultTimestampWrongType:  createSuccesses,
	FaultRejectValidInput:    {"create-bucket-options"},
	FaultAcceptInvalidInput:  {"create-bucket-bad-name"},
	FaultMalformedJSON500:    {"malformed-json", "non-object-json"},
	// The silently created bucket answers with a new key (and secret).
	FaultUnknownBucketCreates: {"create-key-unknown-bucket"},
	FaultDoubleDeleteSucceeds: {"delete-key-again", "delete-via-other-bucket"},
	// The key of b-iso-a is deleted through b-iso-b, so b-iso-a is then
	// empty and can be deleted without forceDelete.
	FaultCrossBucketDelete: {"delete-via-other-bucket", "list-iso-a", "delete-bucket-with-keys"},
	FaultGetBuckets500:     {"get-bucket"},
	FaultAuthBypass:        {"no-auth"},
	// Sequential requests do not race; see TestFaultLimitRace.
	FaultLimitRace: {},
	// b-life holds one live key and one ghost, so its second new key is refused.
	FaultDeletedStillCounts:   {"create-key-life-3"},
	FaultRejectedCreateStored: {"list-limit"},
	FaultListDropsNewest:      {"list-limit"},
	// The kept key makes the second delete succeed, shows in the list, and
	// fills the bucket before the third create.
	FaultDeleteKeepsKey: {"list-life", "delete-key-again", "create-key-life-3"},
	FaultSecretRepeated: {"delete-key-life"},
	// The redaction family changes only the successful creates' bodies and
	// content types; see TestRedactionFaultDetails.
	FaultCreateIDNumber:         createSuccesses,
	FaultCreateIDObject:         createSuccesses,
	FaultCreateIDNull:           createSuccesses,
	FaultCreateIDMissing:        createSuccesses,
	FaultSecretRenamed:          createSuccesses,
	FaultSecretDuplicated:       createSuccesses,
	FaultCreateWrongContentType: createSuccesses,
	FaultCreateTruncated:        createSuccesses,
	FaultCreateNotJSON:          createSuccesses,
	// Every create, list and delete of a bucket holding a key after the
	// operation, the refused third create included; not the deletes that
	// empty b-life, nor anything on the empty b-iso-b.
	FaultSecretInHeader: {"create-key-1", "create-key-2", "create-key-3", "list-limit", "create-key-life",
		"create-key-life-2", "create-key-life-3", "create-key-iso-a", "list-iso-a"},
	// Only the create at the limit; nothing is stored, so list-limit is
	// unchanged.
	FaultLimitWrongError: {"create-key-3"},
	FaultLimitPhantomOK:  {"create-key-3"},
	// The script's lists send no MaxItems (and only iam's take one); see
	// TestFaultListIgnoresPageSize.
	FaultListIgnoresPageSize: {},
	// The script sends no MaxItems either; see TestMaxItemsRange.
	FaultAcceptOutOfRange: {},
	// The reading family: the form readings change only iam (iamFaultEffects);
	// every reply that has a content type carries the synonym; no step of
	// the rpc dialects omits the target.
	FaultFormSkipsUndecodable: {},
	FaultFormKeepsEscapes:     {},
	FaultFormNamePercent:      {},
	FaultMediaTypeSynonym:     {"*typed"},
	FaultRedirectNoOperation:  {},
}

// expandSteps resolves the "*" groups against the fault-free baseline.
func expandSteps(names []string, base map[string]string) []string {
	var out []string
	for _, n := range names {
		if !strings.HasPrefix(n, "*") {
			out = append(out, n)
			continue
		}
		for _, st := range script {
			fp := base[st.name]
			ok := strings.HasPrefix(fp, "status=2")
			isNotFound := strings.Contains(fp, "code=NotFoundException ") || strings.Contains(fp, "code=NOT_FOUND ") ||
				strings.Contains(fp, "code=NoSuchEntity ")
			typed := !strings.Contains(fp, " ct= ")
			if (n == "*successes" && ok) || (n == "*errors" && !ok) || (n == "*not-found" && isNotFound) || (n == "*typed" && typed) {
				out = append(out, st.name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// restFaultEffects replaces faultEffects where rest differs.
var restFaultEffects = map[Fault][]string{
	// An unknown path is NOT_FOUND too, but not a missing resource: the
	// fault leaves its 404 alone.
	FaultErrorStatusMismatch: {"create-key-unknown-bucket", "delete-key-again", "delete-via-other-bucket", "delete-bucket-unknown", "list-unknown-bucket"},
	// The unknown target is an unknown path.
	FaultRedirectNoOperation: {"unknown-target"},
	// A rest DeleteBucket always takes the bucket's keys with it, so the
	// emptied b-iso-a is deleted either way.
	FaultCrossBucketDelete: {"delete-via-other-bucket", "list-iso-a"},
}

// effectsIn is faultEffects for one dialect.
func effectsIn(dialect string, f Fault) ([]string, bool) {
	if dialect == DialectREST {
		if e, ok := restFaultEffects[f]; ok {
			return e, true
		}
	}
	if dialect == DialectIAM {
		if e, ok := iamFaultEffects[f]; ok {
			return e, true
		}
	}
	e, ok := faultEffects[f]
	return e, ok
}
