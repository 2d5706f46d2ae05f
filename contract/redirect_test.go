package contract_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// elsewhere is a second loopback server standing in for a redirect's
// target, a host the user did not name: it counts what reaches it.
func elsewhere(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(ts.Close)
	return ts, &hits
}

// TestRedirectIsTheAnswer: an endpoint that answers a request naming no
// operation (an empty body, no Action, no target, an unknown path) with a
// redirect to another host fails invalid-input-rejected (IAM documents
// MissingAction) and error-envelope (a 302 is no error), and nothing else;
// the run completes with every check judged, and the other host receives
// no request, with the harness's own client and with the caller's.
func TestRedirectIsTheAnswer(t *testing.T) {
	for _, dialect := range spec.Dialects {
		for _, own := range []bool{true, false} {
			name := dialect + "/harness client"
			if !own {
				name = dialect + "/caller's client"
			}
			t.Run(name, func(t *testing.T) {
				other, hits := elsewhere(t)
				tgt, srv := redirecting(t, dialect, other.URL+"/moved")
				var caller *http.Client
				if !own {
					caller = &http.Client{}
					tgt.Client = caller
				}
				rep, got := runAll(t, tgt)
				wantOnly(t, got, "invalid-input-rejected", "error-envelope")
				assert.Zero(t, hits.Load(), "a request went to the redirect's host")
				if caller != nil {
					assert.Nil(t, caller.CheckRedirect, "the caller's client was changed")
				}
				res, _ := rep.Check("error-envelope")
				require.NotEmpty(t, res.Failures)
				assert.Contains(t, res.Failures[0].Message, "302")
				assertClean(t, srv)
			})
		}
	}
}

// redirecting is target with fault redirect-no-operation pointing at to.
func redirecting(t *testing.T, dialect, to string) (contract.Target, *emulator.Server) {
	t.Helper()
	return testutil.TargetWith(t, emulator.Options{Dialect: dialect, Faults: []emulator.Fault{emulator.FaultRedirectNoOperation}, RedirectTo: to})
}

// TestNoRequestFollowsAnyRedirect: an endpoint that answers every request
// with a redirect to another host, a -header token configured: the run
// ends (its buckets cannot be made), and the other host never sees a
// request, nor the token.
func TestNoRequestFollowsAnyRedirect(t *testing.T) {
	other, hits := elsewhere(t)
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var asked atomic.Int64
		redirect := http.RedirectHandler(other.URL+"/v1/buckets", code)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			redirect.ServeHTTP(w, r)
		}))
		tgt := contract.Target{Endpoint: ts.URL, Dialect: "envelope", Seed: 7,
			Headers: http.Header{"Authorization": {"Bearer " + testutil.Token}}}
		rep, err := contract.Check(t.Context(), tgt)
		if err == nil {
			assert.NotZero(t, rep.Summary.Failed, "redirects everywhere cannot pass")
		}
		assert.NotZero(t, asked.Load(), "the run sent nothing: the test would prove nothing")
		ts.Close()
	}
	assert.Zero(t, hits.Load(), "a request went to the redirect's host")
}
