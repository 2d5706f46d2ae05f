package contract_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// runAll runs every check against tgt and returns each check's status;
// concurrent-limit is left out (a reading of a form is no race; its own
// tests are in fuzz/concurrent).
func runAll(t *testing.T, tgt contract.Target) (contract.Report, map[string]string) {
	t.Helper()
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err, "the run must complete")
	out := map[string]string{}
	for _, c := range rep.Checks {
		if c.ID != "concurrent-limit" {
			out[string(c.ID)] = c.Status
		}
	}
	require.Len(t, out, len(contract.IDs())-1, "every check judged")
	return rep, out
}

// wantOnly asserts that exactly the failing checks fail and every other
// one passes.
func wantOnly(t *testing.T, got map[string]string, failing ...string) {
	t.Helper()
	for id, status := range got {
		want := contract.Pass
		for _, f := range failing {
			if f == id {
				want = contract.Fail
			}
		}
		assert.Equal(t, want, status, id)
	}
}

// TestLenientFormReadersPassIAM: endpoints that read a form's undecodable
// escapes leniently (skipping the pair, as Go's url.ParseQuery gives it,
// or keeping the escape as text, as WHATWG and Python do) are correct, and
// pass every check in iam. TestLegalVariationsPassEveryCheck runs them in
// every dialect; this one also pins that the harness sent its form break
// and the endpoint answered it with an error.
func TestLenientFormReadersPassIAM(t *testing.T) {
	for _, f := range []emulator.Fault{emulator.FaultFormSkipsUndecodable, emulator.FaultFormKeepsEscapes} {
		t.Run(string(f), func(t *testing.T) {
			tgt, srv := target(t, "iam", f)
			_, got := runAll(t, tgt)
			wantOnly(t, got)
			assertClean(t, srv)
		})
	}
}

// TestLenientFormNameFails: an endpoint that reads UserName=a%zz as the
// name "a%zz" (a lenient parser, and no pattern check for "%") still fails
// invalid-input-rejected, shown by the form break alone, and the user it
// made is cleaned up. Its CreateUser reply, a user whose name holds "%",
// also breaks the documented User (success-envelope).
func TestLenientFormNameFails(t *testing.T) {
	tgt, srv := target(t, "iam", emulator.FaultFormNamePercent)
	rep, got := runAll(t, tgt)
	wantOnly(t, got, "invalid-input-rejected", "success-envelope")
	se, _ := rep.Check("success-envelope")
	require.NotEmpty(t, se.Failures)
	assert.Contains(t, se.Failures[0].Message, "UserName")
	res, _ := rep.Check("invalid-input-rejected")
	require.NotEmpty(t, res.Failures)
	for _, f := range res.Failures {
		assert.Contains(t, f.Message, "body: malformed form encoding (an undecodable escape in UserName)")
		assert.Contains(t, f.Message, "CreateUser")
		require.NotEmpty(t, f.Exchanges)
		assert.Contains(t, f.Exchanges[0].Request.Body, "%zz")
	}
	assertClean(t, srv)
}

// TestMediaTypeSynonymsPassIAM: application/xml is text/xml; the reading
// of success and error envelopes is the same, and the success-content-type
// fault (text/plain) still fails success-envelope.
func TestMediaTypeSynonymsPassIAM(t *testing.T) {
	tgt, srv := target(t, "iam", emulator.FaultMediaTypeSynonym)
	_, got := runAll(t, tgt)
	wantOnly(t, got)
	assertClean(t, srv)

	tgt, srv = target(t, "iam", emulator.FaultSuccessContentType)
	rep, got := runAll(t, tgt)
	assert.Equal(t, contract.Fail, got["success-envelope"])
	res, _ := rep.Check("success-envelope")
	require.NotEmpty(t, res.Failures)
	assert.True(t, strings.Contains(res.Failures[0].Message, "text/plain"), res.Failures[0].Message)
	assertClean(t, srv)
}

// TestOutOfRangeAcceptedFails: an endpoint that accepts MaxItems outside
// IAM's documented 1 to 1000 fails invalid-input-rejected and nothing
// else, each failure naming the range break and showing the request that
// carried it; a correct endpoint answers the same breaks ValidationError
// (TestCorrectEmulatorPassesEveryCheck).
func TestOutOfRangeAcceptedFails(t *testing.T) {
	tgt, srv := target(t, "iam", emulator.FaultAcceptOutOfRange)
	rep, got := runAll(t, tgt)
	wantOnly(t, got, "invalid-input-rejected")
	res, _ := rep.Check("invalid-input-rejected")
	require.NotEmpty(t, res.Failures)
	var msgs []string
	for _, f := range res.Failures {
		msgs = append(msgs, f.Message)
		require.NotEmpty(t, f.Exchanges)
		body := f.Exchanges[len(f.Exchanges)-1].Request.Body
		assert.True(t, strings.Contains(body, "MaxItems=0") || strings.Contains(body, "MaxItems=1001"), body)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"MaxItems: below minimum (0 < 1)", "MaxItems: above maximum (1001 > 1000)", "ListAccessKeys", "ListUsers"} {
		assert.Contains(t, all, want)
	}
	assertClean(t, srv)
}
