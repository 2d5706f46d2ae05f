package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The barrier of fault limit-race (race.go): the race is decided by the
// count of held creates, a sequential client is never stuck, and a client
// that goes away leaves no key.

// raceHoldForTests is RaceHold where a test needs the race: far beyond
// any scheduling delay, so that the count, never the timeout, decides.
const raceHoldForTests = time.Minute

// createsAtOnce sends n CreateBucketAccessKey requests on bucket at once
// (all started behind one gate) and returns their statuses. call never
// fails the test, so the goroutines may use t.
func createsAtOnce(t *testing.T, s *Server, bucket string, n int) []int {
	statuses := make([]int, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-gate
			statuses[i] = call(t, s, op("CreateBucketAccessKey"), js(map[string]any{"bucketName": bucket})).status
		})
	}
	close(gate)
	wg.Wait()
	return statuses
}

// TestFaultLimitRace: with the fault, KeyLimit+1 concurrent creates on a
// fresh bucket always leave KeyLimit+1 keys, and more creates no more
// (after the race the bucket checks atomically); without it, KeyLimit.
func TestFaultLimitRace(t *testing.T) {
	race := func(dialect string, n int, faults ...Fault) int {
		s := newServer(t, Options{Dialect: dialect, Faults: faults, RaceHold: raceHoldForTests})
		require.NoError(t, s.AddBucket("race-bucket"))
		createsAtOnce(t, s, "race-bucket", n)
		return len(s.Snapshot()["race-bucket"])
	}
	for _, d := range []string{DialectAWS, DialectEnvelope, DialectREST, DialectIAM} {
		for range 5 {
			assert.Equal(t, KeyLimit, race(d, KeyLimit+1), d)
			assert.Equal(t, KeyLimit+1, race(d, KeyLimit+1, FaultLimitRace), d)
			assert.Equal(t, KeyLimit+1, race(d, 8, FaultLimitRace), d)
		}
	}
	t.Run("bucket already holding a key", func(t *testing.T) {
		s := newServer(t, Options{Faults: []Fault{FaultLimitRace}, RaceHold: raceHoldForTests})
		require.NoError(t, s.AddBucket("race-bucket"))
		_, _, err := s.AddKey("race-bucket")
		require.NoError(t, err)
		createsAtOnce(t, s, "race-bucket", KeyLimit)
		assert.Len(t, s.Snapshot()["race-bucket"], KeyLimit+1)
	})
}

// heldOn is the number of creates held at bucket's barrier.
func heldOn(s *Server, bucket string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.st.buckets[bucket]; b != nil && b.race.round != nil {
		return b.race.round.held
	}
	return 0
}

// waitHeld waits until n creates are held on bucket (a hang guard, not a
// verdict: the condition is certain to come).
func waitHeld(t *testing.T, s *Server, bucket string, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for heldOn(s, bucket) != n {
		require.True(t, time.Now().Before(deadline), "never %d creates held on %s", n, bucket)
		time.Sleep(time.Millisecond)
	}
}

// TestFaultLimitRaceLiveness: a sequential client is never stuck. The
// create that fills a bucket waits RaceHold and succeeds; the next one is
// refused; the timed-out round leaves the bucket able to race later.
func TestFaultLimitRaceLiveness(t *testing.T) {
	const hold = 50 * time.Millisecond
	s := newServer(t, Options{Faults: []Fault{FaultLimitRace}, RaceHold: hold})
	require.NoError(t, s.AddBucket("seq-bucket"))
	body := `{"bucketName":"seq-bucket"}`
	mustOK(t, call(t, s, op("CreateBucketAccessKey"), body)) // the first slot is never held
	start := time.Now()
	id, _ := createKey(t, s, "seq-bucket")
	assert.GreaterOrEqual(t, time.Since(start), hold, "the last slot's create was not held")
	assert.Equal(t, "InvalidInputException", call(t, s, op("CreateBucketAccessKey"), body).errCode())
	assert.Len(t, s.Snapshot()["seq-bucket"], KeyLimit)

	// The bucket still holds: a pair of creates for its last slot races.
	mustOK(t, call(t, s, op("DeleteBucketAccessKey"), js(map[string]string{"bucketName": "seq-bucket", "accessKeyId": id})))
	s.mu.Lock()
	s.opts.RaceHold = raceHoldForTests
	s.mu.Unlock()
	createsAtOnce(t, s, "seq-bucket", 2)
	assert.Len(t, s.Snapshot()["seq-bucket"], KeyLimit+1)
}

// TestFaultLimitRaceClientGone: a held create whose client goes away
// leaves the barrier without a key, and the bucket can still race.
func TestFaultLimitRaceClientGone(t *testing.T) {
	s := newServer(t, Options{Faults: []Fault{FaultLimitRace}, RaceHold: raceHoldForTests})
	require.NoError(t, s.AddBucket("gone-bucket"))
	_, _, err := s.AddKey("gone-bucket")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", strings.NewReader(`{"bucketName":"gone-bucket"}`))
		req.Header.Set("Content-Type", ctAWS)
		req.Header.Set("X-Amz-Target", op("CreateBucketAccessKey"))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	waitHeld(t, s, "gone-bucket", 1)
	cancel()
	assert.Equal(t, http.StatusInternalServerError, <-done)
	assert.Equal(t, 0, heldOn(s, "gone-bucket"))
	assert.Len(t, s.Snapshot()["gone-bucket"], 1, "the abandoned create stored a key")

	createsAtOnce(t, s, "gone-bucket", 2)
	assert.Len(t, s.Snapshot()["gone-bucket"], KeyLimit+1)
}
