package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageOf lists with the given form pairs and returns the page's item
// count and whether it says more follow.
func pageOf(t *testing.T, s *Server, action, list string, pairs ...string) (int, bool) {
	t.Helper()
	res := mustOK(t, iamCall(t, s, iamAction(action, pairs...))).iamResult(action)
	return len(members(res[list])), res["IsTruncated"] == "true"
}

// TestIAMPageSize: Options.PageSize caps every page, whatever MaxItems
// asks (fewer items than asked while more follow, as IAM allows); without
// it a page holds MaxItems.
func TestIAMPageSize(t *testing.T) {
	s, _ := iamFixture(t, Options{})
	n, more := pageOf(t, s, "ListAccessKeys", "AccessKeyMetadata", "UserName", "full-user", "MaxItems", "5")
	assert.Equal(t, 2, n)
	assert.False(t, more)

	s, _ = iamFixture(t, Options{PageSize: 1})
	for _, asked := range [][]string{nil, {"MaxItems", "1"}, {"MaxItems", "5"}} {
		n, more = pageOf(t, s, "ListAccessKeys", "AccessKeyMetadata", append([]string{"UserName", "full-user"}, asked...)...)
		assert.Equal(t, 1, n, "MaxItems %v", asked)
		assert.True(t, more, "MaxItems %v", asked)
		n, more = pageOf(t, s, "ListUsers", "Users", asked...)
		assert.Equal(t, 1, n, "MaxItems %v", asked)
		assert.True(t, more, "MaxItems %v", asked)
	}
}

// TestFaultListIgnoresPageSize: with the fault, both iam lists answer
// every item whatever MaxItems asks, and say no more follow; requests
// without MaxItems are answered as without the fault. In the other
// dialects it changes nothing (the fault script shows it: faultEffects).
func TestFaultListIgnoresPageSize(t *testing.T) {
	require.Equal(t, []string{DialectIAM}, FaultListIgnoresPageSize.Dialects())
	assert.True(t, FaultListIgnoresPageSize.In(DialectIAM))
	assert.False(t, FaultListIgnoresPageSize.In(DialectAWS))
	assert.True(t, FaultNoKeyLimit.In(DialectREST), "a fault with no dialects acts in every one")

	s, _ := iamFixture(t, Options{Faults: []Fault{FaultListIgnoresPageSize}})
	n, more := pageOf(t, s, "ListAccessKeys", "AccessKeyMetadata", "UserName", "full-user", "MaxItems", "1")
	assert.Equal(t, 2, n)
	assert.False(t, more)
	n, more = pageOf(t, s, "ListUsers", "Users", "MaxItems", "1")
	assert.Equal(t, 2, n)
	assert.False(t, more)
	n, _ = pageOf(t, s, "ListAccessKeys", "AccessKeyMetadata", "UserName", "full-user")
	assert.Equal(t, 2, n)

	// It overrides a legal page size too: the fault is the one that
	// answers more than asked.
	s, _ = iamFixture(t, Options{PageSize: 1, Faults: []Fault{FaultListIgnoresPageSize}})
	n, _ = pageOf(t, s, "ListUsers", "Users", "MaxItems", "1")
	assert.Equal(t, 2, n)
}

// TestMaxItemsRange: MaxItems outside IAM's maxItemsType (1 to 1000) is
// ValidationError on both lists, at both edges and beyond; 1 and 1000 are
// served. With fault accept-out-of-range every one is served (below 1 as a
// page of 100, so both keys and both users), and only the range is
// skipped: a MaxItems that is not an integer is still refused.
func TestMaxItemsRange(t *testing.T) {
	lists := []struct{ action, list string }{{"ListAccessKeys", "AccessKeyMetadata"}, {"ListUsers", "Users"}}
	args := func(action, maxItems string) []string {
		if action == "ListAccessKeys" {
			return []string{"UserName", "full-user", "MaxItems", maxItems}
		}
		return []string{"MaxItems", maxItems}
	}
	s, _ := iamFixture(t, Options{})
	for _, l := range lists {
		for _, bad := range []string{"0", "-1", "1001", "99999"} {
			r := iamCall(t, s, iamAction(l.action, args(l.action, bad)...))
			assert.Equal(t, 400, r.status, "%s MaxItems=%s", l.action, bad)
			assert.Equal(t, "ValidationError", r.errCode(), "%s MaxItems=%s", l.action, bad)
		}
		for _, good := range []string{"1", "1000"} {
			mustOK(t, iamCall(t, s, iamAction(l.action, args(l.action, good)...)))
		}
	}

	require.Equal(t, []string{DialectIAM}, FaultAcceptOutOfRange.Dialects())
	assert.Equal(t, "invalid-input-rejected", FaultAcceptOutOfRange.Breaks())
	s, _ = iamFixture(t, Options{Faults: []Fault{FaultAcceptOutOfRange}})
	for _, l := range lists {
		for _, bad := range []string{"0", "-1", "1001"} {
			n, more := pageOf(t, s, l.action, l.list, args(l.action, bad)...)
			assert.Equal(t, 2, n, "%s MaxItems=%s", l.action, bad)
			assert.False(t, more)
		}
		r := iamCall(t, s, iamAction(l.action, args(l.action, "keycontract")...))
		assert.Equal(t, "ValidationError", r.errCode(), "not an integer: still refused")
	}
}
