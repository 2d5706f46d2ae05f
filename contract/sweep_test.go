package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/spec"
)

// Tests of contract.Sweep: it finds the buckets earlier runs left behind by
// name prefix, counts their keys without writing a secret, deletes them
// only when asked, and never touches a bucket of another name.

// leftovers seeds srv with what killed runs leave (two prefixed buckets,
// one holding two keys) beside a user's bucket with a key and a bucket
// whose name only looks alike. It returns the user's key id.
func leftovers(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	for _, b := range []string{"keycontract-dead0001-a", "keycontract-dead0001-b", "users-bucket", "keycontractish"} {
		require.NoError(t, srv.AddBucket(b))
	}
	for range 2 {
		_, _, err := srv.AddKey("keycontract-dead0001-a")
		require.NoError(t, err)
	}
	id, _, err := srv.AddKey("users-bucket")
	require.NoError(t, err)
	return id
}

// assertOnlyUsersBucket fails unless srv holds the user's bucket with its
// key and the look-alike, and nothing else.
func assertOnlyUsersBucket(t *testing.T, srv *emulator.Server, userKey string) {
	t.Helper()
	snap := srv.Snapshot()
	require.Len(t, snap, 2, "buckets left: %v", keysOfSnapshot(snap))
	require.Len(t, snap["users-bucket"], 1)
	assert.Equal(t, userKey, snap["users-bucket"][0].ID)
	assert.Contains(t, snap, "keycontractish")
}

func keysOfSnapshot(snap map[string][]emulator.KeyInfo) []string {
	var names []string
	for b := range snap {
		names = append(names, b)
	}
	return names
}

func TestSweepListsThenDeletes(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			tgt, srv := target(t, dialect)
			userKey := leftovers(t, srv)

			var out bytes.Buffer
			res, err := contract.Sweep(context.Background(), tgt, contract.BucketPrefix, false, &out)
			require.NoError(t, err)
			assert.Equal(t, []contract.SweptBucket{
				{Name: "keycontract-dead0001-a", Keys: 2}, {Name: "keycontract-dead0001-b", Keys: 0},
			}, res.Buckets)
			assert.Equal(t, "keycontract-dead0001-a\t2 keys\nkeycontract-dead0001-b\t0 keys\n", out.String())
			assert.Len(t, srv.Snapshot(), 4, "a sweep without -yes deleted something")
			assert.Positive(t, res.Requests)

			out.Reset()
			res, err = contract.Sweep(context.Background(), tgt, contract.BucketPrefix, true, &out)
			require.NoError(t, err)
			require.Len(t, res.Buckets, 2)
			for _, b := range res.Buckets {
				assert.True(t, b.Deleted, b.Name)
			}
			assert.Contains(t, out.String(), "keycontract-dead0001-a\t2 keys\tdeleted\n")
			assertOnlyUsersBucket(t, srv, userKey)
			for _, s := range srv.IssuedSecrets() {
				assert.False(t, strings.Contains(out.String(), s), "sweep wrote a secret")
			}

			out.Reset()
			res, err = contract.Sweep(context.Background(), tgt, contract.BucketPrefix, true, &out)
			require.NoError(t, err)
			assert.Empty(t, res.Buckets)
			assert.Empty(t, out.String())
		})
	}
}

// TestSweepDeletesKeysWhenForceIsRefused: an endpoint that will not delete
// a bucket holding keys (no force delete) gets the keys deleted first.
func TestSweepDeletesKeysWhenForceIsRefused(t *testing.T) {
	srv, err := emulator.New(emulator.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct{ BucketName string }
		_ = json.Unmarshal(body, &in)
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".DeleteBucket") && len(srv.Snapshot()[in.BucketName]) > 0 {
			w.Header().Set("X-Amzn-ErrorType", "InvalidInputException")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"InvalidInputException","message":"the bucket has access keys"}`))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	userKey := leftovers(t, srv)
	res, err := contract.Sweep(context.Background(), contract.Target{Endpoint: ts.URL}, contract.BucketPrefix, true, io.Discard)
	require.NoError(t, err)
	assert.Len(t, res.Buckets, 2)
	assertOnlyUsersBucket(t, srv, userKey)
}

// TestSweepFollowsPages: a bucket list split into pages (GetBuckets'
// nextPageToken) is read to its end.
func TestSweepFollowsPages(t *testing.T) {
	srv, err := emulator.New(emulator.Options{})
	require.NoError(t, err)
	var pages int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetBuckets") {
			srv.ServeHTTP(w, r)
			return
		}
		pages++
		// The handler runs on the server's goroutine: assert and answer
		// 500, never require (FailNow must run on the test's goroutine).
		var in struct{ PageToken string }
		if !assert.NoError(t, json.NewDecoder(r.Body).Decode(&in)) {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		rec := httptest.NewRecorder()
		r.Body = io.NopCloser(strings.NewReader(`{}`))
		srv.ServeHTTP(rec, r)
		var all map[string]any
		if !assert.NoError(t, json.Unmarshal(rec.Body.Bytes(), &all)) {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		buckets, _ := all["buckets"].([]any)
		page := map[string]any{"buckets": buckets[len(buckets)/2:]}
		if in.PageToken == "" {
			page = map[string]any{"buckets": buckets[:len(buckets)/2], "nextPageToken": "page-2"}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(ts.Close)
	userKey := leftovers(t, srv)
	require.NoError(t, srv.AddBucket("keycontract-dead0002-a"))
	res, err := contract.Sweep(context.Background(), contract.Target{Endpoint: ts.URL}, contract.BucketPrefix, true, io.Discard)
	require.NoError(t, err)
	assert.Len(t, res.Buckets, 3)
	assert.Equal(t, 2, pages)
	assertOnlyUsersBucket(t, srv, userKey)
}

func TestSweepErrors(t *testing.T) {
	t.Run("empty prefix", func(t *testing.T) {
		tgt, srv := target(t, "aws")
		leftovers(t, srv)
		_, err := contract.Sweep(context.Background(), tgt, "", true, io.Discard)
		var se *contract.SetupError
		require.ErrorAs(t, err, &se)
		assert.Len(t, srv.Snapshot(), 4)
	})
	t.Run("bucket list refused", func(t *testing.T) {
		tgt, srv := target(t, "aws", emulator.FaultGetBuckets500)
		leftovers(t, srv)
		_, err := contract.Sweep(context.Background(), tgt, contract.BucketPrefix, true, io.Discard)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "GetBuckets answered 500")
		assert.Len(t, srv.Snapshot(), 4)
	})
	t.Run("unsigned against an endpoint that requires auth", func(t *testing.T) {
		tgt, _ := target(t, "aws")
		tgt.Signer = nil
		_, err := contract.Sweep(context.Background(), tgt, contract.BucketPrefix, false, io.Discard)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "GetBuckets answered 400")
	})
	t.Run("unreachable", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		ts.Close()
		_, err := contract.Sweep(context.Background(), contract.Target{Endpoint: ts.URL}, contract.BucketPrefix, false, io.Discard)
		var ee *contract.EndpointError
		require.True(t, errors.As(err, &ee), "error %v is not an EndpointError", err)
	})
}
