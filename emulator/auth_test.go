package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAKID   = "AKIDEXAMPLE000000001"
	testSecret = "keycontract/Fake/Signing/Secret/00000000"
)

// signed builds a SigV4-signed request with the SDK's signer.
func signed(t *testing.T, creds aws.Credentials, region, target, body string, at time.Time) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://lightsail.test/", strings.NewReader(body))
	req.Header.Set("Content-Type", ctAWS)
	req.Header.Set("X-Amz-Target", target)
	return sign(t, req, body, creds, "lightsail", region, at)
}

// sign signs req, whose body is body, with the SDK's SigV4 signer for
// service in region at time at.
func sign(t *testing.T, req *http.Request, body string, creds aws.Credentials, service, region string, at time.Time) *http.Request {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at))
	return req
}

func serve(t testing.TB, s *Server, req *http.Request) resp {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return decode(t, rec.Code, rec.Header(), rec.Body.Bytes())
}

func TestSigV4(t *testing.T) {
	good := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	now := time.Now()
	body := `{"bucketName":"sig-bucket","bundleId":"small_1_0"}`
	target := op("CreateBucket")
	cases := []struct {
		name    string
		req     func() *http.Request
		awsType string
		envCode string
		envStat int
	}{
		{"valid", func() *http.Request { return signed(t, good, "us-east-1", target, body, now) }, "", "", 200},
		{"valid with session token", func() *http.Request {
			c := good
			c.SessionToken = "session-token-value"
			return signed(t, c, "us-east-1", target, body, now)
		}, "", "", 200},
		{"unsigned", func() *http.Request {
			r := signed(t, good, "us-east-1", target, body, now)
			r.Header.Del("Authorization")
			return r
		}, "MissingAuthenticationTokenException", "UNAUTHENTICATED", 401},
		{"unknown access key id", func() *http.Request {
			c := good
			c.AccessKeyID = "AKIDUNKNOWN000000000"
			return signed(t, c, "us-east-1", target, body, now)
		}, "UnrecognizedClientException", "ACCESS_DENIED", 403},
		{"wrong secret", func() *http.Request {
			c := good
			c.SecretAccessKey = "not-the-secret"
			return signed(t, c, "us-east-1", target, body, now)
		}, "InvalidSignatureException", "ACCESS_DENIED", 403},
		{"wrong region", func() *http.Request { return signed(t, good, "eu-west-1", target, body, now) },
			"InvalidSignatureException", "ACCESS_DENIED", 403},
		{"body changed after signing", func() *http.Request {
			r := signed(t, good, "us-east-1", target, body, now)
			tampered := strings.Replace(body, "sig-bucket", "sig-bucket-2", 1)
			r.Body = http.NoBody
			r2 := httptest.NewRequest(http.MethodPost, "http://lightsail.test/", strings.NewReader(tampered))
			r2.Header = r.Header
			return r2
		}, "InvalidSignatureException", "ACCESS_DENIED", 403},
		{"target changed after signing", func() *http.Request {
			r := signed(t, good, "us-east-1", target, body, now)
			r.Header.Set("X-Amz-Target", op("GetBuckets"))
			return r
		}, "InvalidSignatureException", "ACCESS_DENIED", 403},
		{"garbage authorization", func() *http.Request {
			r := signed(t, good, "us-east-1", target, body, now)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense")
			return r
		}, "InvalidSignatureException", "ACCESS_DENIED", 403},
		{"bearer instead of signature", func() *http.Request {
			r := signed(t, good, "us-east-1", target, body, now)
			r.Header.Set("Authorization", "Bearer x")
			return r
		}, "InvalidSignatureException", "ACCESS_DENIED", 403},
		{"auth checked before target", func() *http.Request {
			c := good
			c.SecretAccessKey = "nope"
			return signed(t, c, "us-east-1", "bogus", "{", now)
		}, "InvalidSignatureException", "ACCESS_DENIED", 403},
	}
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		for _, c := range cases {
			t.Run(d+"/"+c.name, func(t *testing.T) {
				s := newServer(t, Options{Dialect: d, Credentials: map[string]string{testAKID: testSecret}})
				r := serve(t, s, c.req())
				switch {
				case c.awsType == "":
					assert.Equal(t, http.StatusOK, r.status, "body %s", r.raw)
				case d == DialectAWS:
					assert.Equal(t, http.StatusBadRequest, r.status)
					assert.Equal(t, c.awsType, r.errCode())
					assert.Equal(t, c.awsType, r.header.Get("X-Amzn-ErrorType"))
				default:
					assert.Equal(t, c.envStat, r.status)
					assert.Equal(t, c.envCode, r.errCode())
				}
				assert.NotContains(t, string(r.raw), testSecret)
			})
		}
	}
}

func TestSigV4OversizeBody(t *testing.T) {
	s := newServer(t, Options{Credentials: map[string]string{testAKID: testSecret}})
	good := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	big := `{"bucketName":"x","pad":"` + strings.Repeat("y", MaxBodyBytes) + `"}`
	r := serve(t, s, signed(t, good, "us-east-1", op("GetBuckets"), big, time.Now()))
	assert.Equal(t, "InvalidInputException", r.errCode())
	bad := good
	bad.AccessKeyID = "AKIDUNKNOWN000000000"
	r = serve(t, s, signed(t, bad, "us-east-1", op("GetBuckets"), big, time.Now()))
	assert.Equal(t, "UnrecognizedClientException", r.errCode())
}

func TestBearer(t *testing.T) {
	for _, d := range allDialects {
		s := newServer(t, Options{Dialect: d, Token: "tok-123"})
		body := `{"bucketName":"bearer-bucket","bundleId":"small_1_0"}`
		missing := call(t, s, op("CreateBucket"), body)
		wrong := call(t, s, op("CreateBucket"), body, "Authorization: Bearer tok-999")
		notBearer := call(t, s, op("CreateBucket"), body, "Authorization: Basic dG9rLTEyMw==")
		if d == DialectAWS {
			assert.Equal(t, "MissingAuthenticationTokenException", missing.errCode())
			assert.Equal(t, "AccessDeniedException", wrong.errCode())
			assert.Equal(t, http.StatusBadRequest, wrong.status)
		} else {
			assert.Equal(t, http.StatusUnauthorized, missing.status)
			assert.Equal(t, "UNAUTHENTICATED", missing.errCode())
			assert.Equal(t, http.StatusForbidden, wrong.status)
			assert.Equal(t, "ACCESS_DENIED", wrong.errCode())
		}
		assert.Equal(t, missing.errCode(), notBearer.errCode())
		assert.Empty(t, s.Snapshot(), "rejected requests change nothing")
		mustOK(t, call(t, s, op("CreateBucket"), body, "Authorization: Bearer tok-123"))
	}
}

// TestPanicBecomesInternalError provokes a panic (a request without a URL,
// which net/http never produces) and expects the dialect's 500.
func TestPanicBecomesInternalError(t *testing.T) {
	good := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	for d, code := range map[string]string{DialectAWS: "ServiceException", DialectEnvelope: "INTERNAL_ERROR", DialectREST: "INTERNAL_ERROR"} {
		s := newServer(t, Options{Dialect: d, Credentials: map[string]string{testAKID: testSecret}})
		req := signed(t, good, "us-east-1", op("GetBuckets"), `{}`, time.Now())
		req.URL = nil
		r := serve(t, s, req)
		assert.Equal(t, http.StatusInternalServerError, r.status)
		assert.Equal(t, code, r.errCode())
		assert.EqualValues(t, 1, s.Requests())
	}
}

// restSigned is a SigV4-signed rest request.
func restSigned(t *testing.T, creds aws.Credentials, method, path, body string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, "http://lightsail.test"+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", ctEnvelope)
	}
	return sign(t, req, body, creds, "lightsail", "us-east-1", time.Now())
}

func TestRESTSigV4(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectREST, Credentials: map[string]string{testAKID: testSecret}})
	good := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	r := serve(t, s, restSigned(t, good, http.MethodPost, "/v1/buckets", `{"bucketName":"sig-bucket","bundleId":"small_1_0"}`))
	assert.Equal(t, http.StatusCreated, r.status, "body %s", r.raw)
	r = serve(t, s, restSigned(t, good, http.MethodPost, "/v1/buckets/sig-bucket/access-keys", ""))
	require.Equal(t, http.StatusCreated, r.status, "body %s", r.raw)
	r = serve(t, s, restSigned(t, good, http.MethodGet, "/v1/buckets?bucketName=sig-bucket&x=%2F", ""))
	assert.Equal(t, http.StatusOK, r.status, "body %s", r.raw)
	r = serve(t, s, restSigned(t, good, http.MethodGet, "/v1/buckets/a%2Fb/access-keys", ""))
	assert.Equal(t, http.StatusBadRequest, r.status, "signature over an encoded path verifies: %s", r.raw)

	moved := restSigned(t, good, http.MethodGet, "/v1/buckets/sig-bucket/access-keys", "")
	moved.URL.Path, moved.URL.RawPath = "/v1/buckets/other-bucket/access-keys", ""
	r = serve(t, s, moved)
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, "ACCESS_DENIED", r.errCode())
	unsigned := restSigned(t, good, http.MethodGet, "/v1/buckets", "")
	unsigned.Header.Del("Authorization")
	r = serve(t, s, unsigned)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "UNAUTHENTICATED", r.errCode())
}
