package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"
)

// Helpers of the data-plane tests: raw SigV4-signed requests (the SDK's
// signer, as a client signs them) sent straight to the data plane's
// handler, and a clock the tests move by hand.

// s3Resp is a data-plane reply: its status, headers, body and S3 error
// code ("" for none).
type s3Resp struct {
	status int
	header http.Header
	raw    string
	code   string
}

// key is an access key the store issued, as a client holds it.
type key struct{ id, secret string }

func (k key) creds() aws.Credentials {
	return aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret}
}

// s3Req builds a data-plane request for method and path (escaped, with
// its query), body, and extra "Name: value" headers; signed with k
// (service s3, us-east-1, now) unless k is nil. payload is the declared
// x-amz-content-sha256: "" for the body's SHA-256 in hex.
func s3Req(t testing.TB, k *key, method, path, body, payload string, hdr ...string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, "http://data.test"+path, strings.NewReader(body))
	for _, h := range hdr {
		name, v, _ := strings.Cut(h, ":")
		req.Header.Set(name, strings.TrimSpace(v))
	}
	if k == nil {
		return req
	}
	return signS3(t, req, *k, body, payload)
}

// signS3 signs req, whose body is body, with k as S3 clients do (service
// s3, us-east-1, now, the path not escaped again), declaring payload as
// its x-amz-content-sha256 ("": the body's SHA-256 in hex).
func signS3(t testing.TB, req *http.Request, k key, body, payload string) *http.Request {
	t.Helper()
	if payload == "" {
		sum := sha256.Sum256([]byte(body))
		payload = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	require.NoError(t, signer.SignHTTP(context.Background(), k.creds(), req, payload, "s3", DefaultRegion, time.Now()))
	return req
}

// s3Do serves req with the server's data plane.
func s3Do(t testing.TB, s *Server, req *http.Request) s3Resp {
	t.Helper()
	h := s.DataHandler()
	require.NotNil(t, h, "dialect %s has no data plane of its own", s.Dialect())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := s3Resp{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
	}
	if xml.Unmarshal(rec.Body.Bytes(), &e) == nil {
		r.code = e.Code
	}
	return r
}

// list sends ListObjectsV2 on bucket signed with k (nil: unsigned).
func list(t testing.TB, s *Server, k *key, bucket string) s3Resp {
	t.Helper()
	return s3Do(t, s, s3Req(t, k, http.MethodGet, "/"+bucket+"?list-type=2", "", ""))
}

// keyOpens reports whether k's ListObjectsV2 on bucket succeeds; any other
// answer than 200 or a 403 refusal fails the test.
func keyOpens(t testing.TB, s *Server, k *key, bucket string) bool {
	t.Helper()
	r := list(t, s, k, bucket)
	if r.status == http.StatusOK {
		require.Contains(t, r.raw, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
		return true
	}
	require.Equal(t, http.StatusForbidden, r.status, "body: %s", r.raw)
	return false
}

// newBucket creates a bucket (an IAM user in iam) through the API.
func newBucket(t testing.TB, s *Server, name string) {
	t.Helper()
	if s.Dialect() == DialectIAM {
		mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", name)))
		return
	}
	mustOK(t, call(t, s, op("CreateBucket"), js(map[string]any{"bucketName": name, "bundleId": "small_1_0"})))
}

// newKey creates a key on bucket through the API.
func newKey(t testing.TB, s *Server, bucket string) key {
	t.Helper()
	id, secret := createKey(t, s, bucket)
	return key{id, secret}
}

// deleteKey deletes k from bucket through the API.
func deleteKey(t testing.TB, s *Server, bucket string, k key) {
	t.Helper()
	if s.Dialect() == DialectIAM {
		mustOK(t, iamCall(t, s, iamAction("DeleteAccessKey", "UserName", bucket, "AccessKeyId", k.id)))
		return
	}
	mustOK(t, call(t, s, op("DeleteBucketAccessKey"), js(map[string]any{"bucketName": bucket, "accessKeyId": k.id})))
}

// fakeClock is a server clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// withClock gives s a fake clock, at a whole second.
func withClock(s *Server) *fakeClock {
	c := &fakeClock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	s.mu.Lock()
	s.st.clock = c.now
	s.mu.Unlock()
	return c
}

// bucketDialects are the dialects whose data plane is S3.
var bucketDialects = []string{DialectAWS, DialectEnvelope, DialectREST}
