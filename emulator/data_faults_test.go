package emulator

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each data-plane fault does what it says, in the dialects it names, and
// nothing in the others. The API's replies are unchanged by them (the
// conformance script, faults_test.go).

// use is what k (nil: unsigned) gets on the data plane for bucket: "ok"
// (S3: ListObjectsV2 answered; iam: GetUser "as NAME") or "STATUS Code".
func use(t *testing.T, s *Server, k *key, bucket string) string {
	t.Helper()
	if s.Dialect() == DialectIAM {
		r := iamAs(t, s, k, iamAction("GetUser"))
		if r.status == http.StatusOK {
			return "as " + caller(r)
		}
		return fmt.Sprintf("%d %s", r.status, r.errCode())
	}
	r := list(t, s, k, bucket)
	if r.status == http.StatusOK {
		return "ok"
	}
	return fmt.Sprintf("%d %s", r.status, r.code)
}

// works is use's answer for a key that opens bucket (iam: acts as it).
func works(s *Server, bucket string) string {
	if s.Dialect() == DialectIAM {
		return "as " + bucket
	}
	return "ok"
}

// unknownKey is the refusal of a key the data plane does not know.
func unknownKey(s *Server) string {
	if s.Dialect() == DialectIAM {
		return "403 InvalidClientTokenId"
	}
	return "403 InvalidAccessKeyId"
}

// faultServer is a server of dialect with fault, a fake clock, a delay of
// 2s and buckets (users) a and b.
func faultServer(t *testing.T, dialect string, f Fault) (*Server, *fakeClock) {
	s := newServer(t, Options{Dialect: dialect, Faults: []Fault{f}, FaultDelay: 2 * time.Second})
	c := withClock(s)
	newBucket(t, s, "bucket-a")
	newBucket(t, s, "bucket-b")
	return s, c
}

func TestFaultKeyDead(t *testing.T) {
	for _, d := range faultDialects {
		s, c := faultServer(t, d, FaultKeyDead)
		k := newKey(t, s, "bucket-a")
		assert.Equal(t, []string{k.id}, listedIDs(t, s, "bucket-a"), d)
		for range 3 {
			assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-a"), d)
			c.advance(time.Hour)
		}
	}
}

func TestFaultKeyLate(t *testing.T) {
	for _, d := range faultDialects {
		s, c := faultServer(t, d, FaultKeyLate)
		k := newKey(t, s, "bucket-a")
		assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-a"), d)
		c.advance(2*time.Second - time.Millisecond)
		assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-a"), d)
		c.advance(time.Millisecond)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), d)
		c.advance(time.Hour)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), d)
		if d != DialectIAM {
			assert.Equal(t, "403 AccessDenied", use(t, s, &k, "bucket-b"), d)
		}
		deleteKey(t, s, "bucket-a", k)
		assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-a"), "%s: a deleted key dies at once", d)
	}
}

func TestFaultKeyOutlivesDelete(t *testing.T) {
	for _, d := range faultDialects {
		s, c := faultServer(t, d, FaultKeyOutlivesDelete)
		k := newKey(t, s, "bucket-a")
		deleteKey(t, s, "bucket-a", k)
		assert.Empty(t, listedIDs(t, s, "bucket-a"), d)
		c.advance(24 * time.Hour)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), d)
		if d != DialectIAM {
			assert.Equal(t, "403 AccessDenied", use(t, s, &k, "bucket-b"), "%s: still its own bucket only", d)
		}
		assert.Equal(t, "403 SignatureDoesNotMatch", use(t, s, &key{k.id, "wrong" + k.secret[5:]}, "bucket-a"), d)
	}
}

func TestFaultRevokeLate(t *testing.T) {
	for _, d := range faultDialects {
		s, c := faultServer(t, d, FaultRevokeLate)
		k := newKey(t, s, "bucket-a")
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), "%s: a new key works at once", d)
		deleteKey(t, s, "bucket-a", k)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), d)
		c.advance(2*time.Second - time.Millisecond)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), d)
		c.advance(time.Millisecond)
		assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-a"), d)
		c.advance(time.Hour)
		assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-a"), "%s: and stays refused", d)
	}
}

func TestFaultRevokeNeedsEmpty(t *testing.T) {
	for _, d := range faultDialects {
		s, _ := faultServer(t, d, FaultRevokeNeedsEmpty)
		alone := newKey(t, s, "bucket-a")
		deleteKey(t, s, "bucket-a", alone)
		assert.Equal(t, unknownKey(s), use(t, s, &alone, "bucket-a"), "%s: create, delete, use: refused", d)

		first, second := newKey(t, s, "bucket-a"), newKey(t, s, "bucket-a")
		deleteKey(t, s, "bucket-a", first)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &first, "bucket-a"), "%s: create, create, delete, use: works", d)
		deleteKey(t, s, "bucket-a", second)
		assert.Equal(t, unknownKey(s), use(t, s, &first, "bucket-a"), d)
		assert.Equal(t, unknownKey(s), use(t, s, &second, "bucket-a"), d)
		third := newKey(t, s, "bucket-a")
		assert.Equal(t, unknownKey(s), use(t, s, &first, "bucket-a"), "%s: a later key revives none", d)
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &third, "bucket-a"), d)
		assert.Equal(t, unknownKey(s), use(t, s, &alone, "bucket-a"), d)
	}
}

func TestFaultKeyAnyBucket(t *testing.T) {
	assert.Equal(t, bucketDialects, FaultKeyAnyBucket.Dialects())
	for _, d := range faultDialects {
		s, _ := faultServer(t, d, FaultKeyAnyBucket)
		k := newKey(t, s, "bucket-a")
		assert.Equal(t, works(s, "bucket-a"), use(t, s, &k, "bucket-a"), d)
		if d == DialectIAM {
			continue // a user's key acts as its user, as without the fault
		}
		assert.Equal(t, "ok", use(t, s, &k, "bucket-b"), d)
		assert.Equal(t, "404 NoSuchBucket", use(t, s, &k, "bucket-c"), d)
		assert.Equal(t, "403 AccessDenied", use(t, s, nil, "bucket-b"), d)
		deleteKey(t, s, "bucket-a", k)
		assert.Equal(t, unknownKey(s), use(t, s, &k, "bucket-b"), d)
	}
}

func TestFaultDataOpen(t *testing.T) {
	assert.Nil(t, FaultDataOpen.Dialects(), "every dialect")
	for _, d := range bucketDialects {
		s, _ := faultServer(t, d, FaultDataOpen)
		assert.Equal(t, "ok", use(t, s, nil, "bucket-a"), d)
		assert.Equal(t, "ok", use(t, s, nil, "bucket-b"), d)
		assert.Equal(t, "404 NoSuchBucket", use(t, s, nil, "bucket-c"), d)
		put := s3Do(t, s, s3Req(t, nil, http.MethodPut, "/bucket-b/anonymous", "data", ""))
		assert.Equal(t, http.StatusOK, put.status, d)
		k := newKey(t, s, "bucket-a")
		assert.Equal(t, "403 AccessDenied", use(t, s, &k, "bucket-b"), "%s: a signed request is still scoped", d)
		assert.Equal(t, "403 SignatureDoesNotMatch", use(t, s, &key{k.id, "wrong" + k.secret[5:]}, "bucket-a"), d)
	}
	s := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{FaultDataOpen}})
	assert.Equal(t, "403 MissingAuthenticationToken", use(t, s, nil, ""), "no user to answer as")
	newBucket(t, s, "user-a")
	newBucket(t, s, "user-b")
	assert.Equal(t, "as user-b", use(t, s, nil, ""), "unsigned: the newest user")
	k := newKey(t, s, "user-a")
	assert.Equal(t, "as user-a", use(t, s, &k, ""))
}

func TestFaultKeyWrongUser(t *testing.T) {
	assert.Equal(t, []string{DialectIAM}, FaultKeyWrongUser.Dialects())
	for _, d := range bucketDialects {
		s, _ := faultServer(t, d, FaultKeyWrongUser)
		k := newKey(t, s, "bucket-a")
		assert.Equal(t, "ok", use(t, s, &k, "bucket-a"), d)
		assert.Equal(t, "403 AccessDenied", use(t, s, &k, "bucket-b"), d)
	}
	s := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{FaultKeyWrongUser}})
	newBucket(t, s, "alone")
	k := newKey(t, s, "alone")
	assert.Equal(t, "as alone-other", use(t, s, &k, ""), "alone: a user nobody is")
	newBucket(t, s, "second")
	k2 := newKey(t, s, "second")
	assert.Equal(t, "as second", use(t, s, &k, ""))
	assert.Equal(t, "as alone", use(t, s, &k2, ""))
	r := iamAs(t, s, &k, iamAction("GetUser", "UserName", "alone"))
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "second", caller(r))
	assertIAMError(t, iamAs(t, s, &k, iamAction("ListUsers")), "AccessDenied", 403)
}

// TestDataFaultDialects: the data-plane faults that bend what every
// plane does apply to every dialect; key-any-bucket to the S3 planes,
// key-wrong-user to iam's.
func TestDataFaultDialects(t *testing.T) {
	for _, f := range []Fault{FaultKeyDead, FaultKeyLate, FaultKeyOutlivesDelete, FaultRevokeLate, FaultRevokeNeedsEmpty, FaultDataOpen} {
		assert.Nil(t, f.Dialects(), f)
	}
	for _, f := range []Fault{FaultKeyDead, FaultKeyLate, FaultKeyOutlivesDelete, FaultRevokeLate, FaultRevokeNeedsEmpty, FaultKeyAnyBucket, FaultDataOpen, FaultKeyWrongUser} {
		assert.Contains(t, []string{"key-works", "key-scoped", "key-revoked"}, f.Breaks(), f)
	}
	_, err := New(Options{FaultDelay: -time.Second})
	assert.Error(t, err)
}
