package contract_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// sizes counts, per Action, the iam requests that carried a MaxItems.
type sizes struct {
	mu   sync.Mutex
	seen map[string]int
}

func (s *sizes) count(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[action]
}

// sequenceUser names the fresh users of the property-based sequences
// (keycontract-<run>-s<N>-a), whose lists draw their own page sizes.
var sequenceUser = regexp.MustCompile(`-s[0-9]+-[ab]$`)

// pagedIAM is a signed iam target on an emulator with page size pageSize
// (0: MaxItems, or 100) and faults; the returned sizes count the requests
// of the run's own scenarios (not the sequences') that asked for a page
// size.
func pagedIAM(t *testing.T, pageSize int, faults ...emulator.Fault) (contract.Target, *emulator.Server, *sizes) {
	t.Helper()
	opts := emulator.Options{Dialect: "iam", PageSize: pageSize, Faults: faults}
	tgt := contract.Target{Dialect: "iam", Seed: 7}
	testutil.WithCredentials("iam", &opts, &tgt)
	testutil.SmallSearch(&tgt)
	srv, err := emulator.New(opts)
	require.NoError(t, err)
	seen := &sizes{seen: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if form, err := url.ParseQuery(string(body)); err == nil && form.Has("MaxItems") && !sequenceUser.MatchString(form.Get("UserName")) {
			seen.mu.Lock()
			seen.seen[form.Get("Action")]++
			seen.mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	tgt.Endpoint = ts.URL
	return tgt, srv, seen
}

// overfull is the message of a page over its size. The tour asks for one
// item a page; a generated valid ListUsers may ask for more, and the users
// the sequences make beside the scenarios (-parallel) can fill it over.
var overfull = regexp.MustCompile(`^(ListAccessKeys|ListUsers)\(#\d+, MaxItems=(\d+)\) = (\d+) items, want at most (\d+)$`)

// TestPageSizeJudged: a list reply holding more items than its request's
// MaxItems fails success-envelope, with the size asked and the count in
// the message, and fails nothing else; correct endpoints (one key a page,
// or as many as asked) pass every check. The run itself sends MaxItems=1
// on both lists (the tour), so the check is exercised on every iam run.
func TestPageSizeJudged(t *testing.T) {
	t.Run("ignores MaxItems", func(t *testing.T) {
		tgt, srv, seen := pagedIAM(t, 0, emulator.FaultListIgnoresPageSize)
		rep, err := contract.Check(context.Background(), tgt)
		require.NoError(t, err)
		res, _ := rep.Check("success-envelope")
		require.Equal(t, contract.Fail, res.Status, "%v", res.Failures)
		lists := map[string]bool{}
		for _, f := range res.Failures {
			// The first line: a sequence's finding goes on with its
			// shrunk steps.
			first, _, _ := strings.Cut(f.Message, "\n")
			m := overfull.FindStringSubmatch(first)
			require.NotNil(t, m, "an overfull page, not %q", f.Message)
			lists[m[1]] = true
			asked, got := atoi(t, m[2]), atoi(t, m[3])
			assert.Equal(t, m[2], m[4])
			assert.Greater(t, got, asked)
			require.NotEmpty(t, f.Exchanges)
		}
		assert.True(t, lists["ListAccessKeys"] && lists["ListUsers"], "both lists judged: %v", lists)
		assert.True(t, errors.Is(rep.Err(), contract.ErrSuccessEnvelope))
		for _, c := range rep.Checks {
			if c.ID != "success-envelope" && c.ID != "concurrent-limit" {
				assert.Equal(t, contract.Pass, c.Status, "%s: %v", c.ID, c.Failures)
			}
		}
		assert.Positive(t, seen.count("ListAccessKeys"))
		assert.Positive(t, seen.count("ListUsers"))
		assertClean(t, srv)
	})
	for _, pageSize := range []int{0, 1} {
		t.Run("correct, page size "+map[int]string{0: "as asked", 1: "one"}[pageSize], func(t *testing.T) {
			tgt, srv, seen := pagedIAM(t, pageSize)
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			assert.NoError(t, rep.Err())
			assert.Zero(t, rep.Summary.Failed)
			assert.Positive(t, seen.count("ListAccessKeys"), "no list asked for a page size: the check was not exercised")
			assert.Positive(t, seen.count("ListUsers"))
			assertClean(t, srv)
		})
	}
	t.Run("only the size asked binds", func(t *testing.T) {
		// A run selecting another check sends no MaxItems in its scenarios
		// (the sequences' lists draw page sizes, in users of their own):
		// the fault's pages, answering all there is when nothing was
		// asked, are right.
		tgt, _, seen := pagedIAM(t, 0, emulator.FaultListIgnoresPageSize)
		tgt.Checks = []contract.ID{"key-lifecycle"}
		rep, err := contract.Check(context.Background(), tgt)
		require.NoError(t, err)
		assert.NoError(t, rep.Err())
		assert.Zero(t, seen.count("ListAccessKeys"))
	})
}

// TestReadersFollowPagesIAM: with one item a page, set-up sees every key a
// given bucket holds (a full bucket is refused, exit 2, not taken for
// one with room), and sweep finds every prefixed user and counts every
// key.
func TestReadersFollowPagesIAM(t *testing.T) {
	t.Run("set-up", func(t *testing.T) {
		tgt, srv, _ := pagedIAM(t, 1)
		require.NoError(t, srv.AddBucket("full-user"))
		for range 2 {
			_, _, err := srv.AddKey("full-user")
			require.NoError(t, err)
		}
		tgt.Buckets = []string{"full-user"}
		_, err := contract.Check(context.Background(), tgt)
		var se *contract.SetupError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, se.Reason, "already holds 2 keys")
	})
	t.Run("sweep", func(t *testing.T) {
		tgt, srv, _ := pagedIAM(t, 1)
		userKey := leftovers(t, srv)
		require.NoError(t, srv.AddBucket("keycontract-dead0002-a"))
		var out bytes.Buffer
		res, err := contract.Sweep(context.Background(), tgt, contract.BucketPrefix, true, &out)
		require.NoError(t, err)
		assert.Equal(t, []contract.SweptBucket{
			{Name: "keycontract-dead0001-a", Keys: 2, Deleted: true}, {Name: "keycontract-dead0001-b", Keys: 0, Deleted: true},
			{Name: "keycontract-dead0002-a", Keys: 0, Deleted: true},
		}, res.Buckets)
		assertOnlyUsersBucket(t, srv, userKey)
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
