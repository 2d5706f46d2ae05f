package contract_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// Issue 5, "What it must show", at the library level: against the emulator
// configured the way AWS behaves, a run cleans up after itself whatever
// happens, never deletes a key it did not create, and counts the throttling
// it retries. The CLI's side (signals, sweep, environment credentials) is in
// cmd/keycontract/nightly_test.go.

// panicOnce is a RoundTripper that panics on its nth request, once.
type panicOnce struct {
	n    int64
	sent atomic.Int64
	next http.RoundTripper
}

func (p *panicOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if p.sent.Add(1) == p.n {
		panic(fmt.Sprintf("transport panic on request %d", p.n))
	}
	return p.next.RoundTrip(r)
}

// TestNightlyPanicCleansUp: a panic in the middle of a run (here, in the
// HTTP transport, on the nth request: during set-up, inside each check,
// during cleanup) is recovered and reported, never propagated, and
// everything the run created is still deleted.
func TestNightlyPanicCleansUp(t *testing.T) {
	// Every check but concurrent-limit, whose workers' choices depend on
	// how their requests interleave: the run then sends the same number of
	// requests every time, and the nth is the same request in every run.
	var checks []contract.ID
	for _, id := range contract.IDs() {
		if id != check.ConcurrentLimit {
			checks = append(checks, id)
		}
	}
	tgt, srv := target(t, "aws")
	tgt.Checks = checks
	total, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	require.Greater(t, total.Requests, int64(20))
	ns := []int64{1, 2, 3, 4, 5, 8, 13, 21, 34, 55, total.Requests / 2, total.Requests - 2, total.Requests}
	for _, n := range ns {
		t.Run(fmt.Sprint("request ", n), func(t *testing.T) {
			tgt, srv := target(t, "aws")
			tgt.Checks = checks
			tgt.Client = &http.Client{Transport: &panicOnce{n: n, next: http.DefaultTransport}}
			var rep contract.Report
			var err error
			require.NotPanics(t, func() { rep, err = contract.Check(context.Background(), tgt) })
			reported := err != nil && strings.Contains(err.Error(), "panic")
			for _, c := range rep.Checks {
				for _, f := range c.Failures {
					reported = reported || strings.Contains(f.Message, "panic inside the check")
				}
			}
			reported = reported || strings.Contains(rep.Cleanup, "panic")
			assert.True(t, reported, "the panic is not reported: err %v, cleanup %q", err, rep.Cleanup)
			assertClean(t, srv)
		})
	}
	assertClean(t, srv)
}

// TestNightlyCleanupAfterAnyRun: after passing and failing runs, in both
// dialects, the emulator holds nothing the run created: with its own
// buckets nothing at all, with -bucket only what was there before.
func TestNightlyCleanupAfterAnyRun(t *testing.T) {
	faults := []emulator.Fault{"", emulator.FaultNoKeyLimit, emulator.FaultDeleteKeepsKey,
		emulator.FaultDeletedStillCounts, emulator.FaultUnknownBucketCreates, emulator.FaultCrossBucketDelete,
		emulator.FaultListDropsNewest, emulator.FaultSecretInList, emulator.FaultErrorsWith200}
	for _, dialect := range spec.Dialects {
		for _, f := range faults {
			t.Run(dialect+"/"+string(f)+"/own buckets", func(t *testing.T) {
				t.Parallel()
				tgt, srv := target(t, dialect, testutil.Faults(f)...)
				rep, err := contract.Check(context.Background(), tgt)
				require.NoError(t, err)
				assert.Equal(t, f != "", rep.Failed(), "checks: %v", rep.Err())
				if undeletable(dialect, f) {
					assert.Contains(t, rep.Cleanup, "cleanup incomplete")
					return
				}
				assert.Empty(t, rep.Cleanup)
				assertClean(t, srv)
			})
			if f == emulator.FaultDeleteKeepsKey || f == emulator.FaultUnknownBucketCreates {
				continue // keys that cannot be deleted; buckets that are not the run's
			}
			t.Run(dialect+"/"+string(f)+"/given buckets", func(t *testing.T) {
				t.Parallel()
				tgt, srv := target(t, dialect, testutil.Faults(f)...)
				foreign := givenBuckets(t, srv, &tgt)
				rep, err := contract.Check(context.Background(), tgt)
				require.NoError(t, err)
				assert.Equal(t, f != "", rep.Failed(), "checks: %v", rep.Err())
				assertOnlyForeign(t, srv, foreign)
			})
		}
	}
}

// givenBuckets seeds two buckets, the first holding one key the run did
// not create, and points tgt at them (-bucket). It returns that key's id.
func givenBuckets(t *testing.T, srv *emulator.Server, tgt *contract.Target) string {
	t.Helper()
	require.NoError(t, srv.AddBucket("users-bucket-a"))
	require.NoError(t, srv.AddBucket("users-bucket-b"))
	id, _, err := srv.AddKey("users-bucket-a")
	require.NoError(t, err)
	tgt.Buckets = []string{"users-bucket-a", "users-bucket-b"}
	return id
}

// assertOnlyForeign fails unless srv holds exactly the two given buckets
// and, in the first, the foreign key.
func assertOnlyForeign(t *testing.T, srv *emulator.Server, foreign string) {
	t.Helper()
	snap := srv.Snapshot()
	require.Len(t, snap, 2, "buckets: %v", keysOfSnapshot(snap))
	require.Len(t, snap["users-bucket-a"], 1, "users-bucket-a holds keys the run created, or lost its own")
	assert.Equal(t, foreign, snap["users-bucket-a"][0].ID, "the foreign key was deleted")
	assert.Empty(t, snap["users-bucket-b"])
}

// TestNightlyForeignKeys: with -bucket pointing at a bucket that holds a
// key the run did not create, the run passes every check (bucket-isolation
// included, with a second -bucket) and the key is still there afterwards.
// A bucket without a free slot is a set-up error naming the reason.
func TestNightlyForeignKeys(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			tgt, srv := target(t, dialect)
			foreign := givenBuckets(t, srv, &tgt)
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			for _, c := range rep.Checks {
				if c.ID != "concurrent-limit" {
					assert.Equal(t, contract.Pass, c.Status, "%s: %s %v", c.ID, c.Reason, c.Failures)
				}
			}
			assertOnlyForeign(t, srv, foreign)
		})
		t.Run(dialect+"/full bucket", func(t *testing.T) {
			tgt, srv := target(t, dialect)
			givenBuckets(t, srv, &tgt)
			_, _, err := srv.AddKey("users-bucket-a")
			require.NoError(t, err)
			_, err = contract.Check(context.Background(), tgt)
			var se *contract.SetupError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, se.Reason, "users-bucket-a already holds 2 keys")
			assert.Len(t, srv.Snapshot()["users-bucket-a"], 2)
		})
	}
}

// junitProperties reads the testsuite's properties of a JUnit report.
func junitProperties(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var doc struct {
		Suites []struct {
			Props []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b, &doc))
	require.Len(t, doc.Suites, 1)
	props := map[string]string{}
	for _, p := range doc.Suites[0].Props {
		props[p.Name] = p.Value
	}
	return props
}

// TestNightlyThrottling: against an emulator that throttles 15% of
// requests, the run passes, and the report counts the retries: in Report,
// the JUnit properties and the table's summary line.
func TestNightlyThrottling(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel() // most of the time is backoff
			tgt, _ := target(t, dialect)
			opts := emulator.Options{Dialect: dialect, ThrottlePercent: 15, Token: testutil.Token}
			if dialect == "aws" || dialect == "iam" {
				opts.Token, opts.Credentials = "", map[string]string{testutil.KeyID: testutil.Secret}
			}
			ts, srv := emulator.NewTestServer(t, opts)
			tgt.Endpoint = ts.URL
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			assert.False(t, rep.Failed(), "checks: %v", rep.Err())
			assert.Positive(t, rep.Retries, "no retry counted at 15%% throttling")
			assert.Greater(t, rep.Requests, rep.Retries)
			assert.Empty(t, srv.Snapshot())

			var junit, table bytes.Buffer
			require.NoError(t, rep.WriteJUnit(&junit))
			props := junitProperties(t, junit.Bytes())
			assert.Equal(t, fmt.Sprint(rep.Retries), props["retries"])
			assert.Equal(t, fmt.Sprint(rep.Requests), props["requests"])
			require.NoError(t, rep.WriteTable(&table))
			assert.Contains(t, table.String(), fmt.Sprintf("%d requests (%d retried)", rep.Requests, rep.Retries))
		})
	}
}
