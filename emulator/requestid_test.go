package emulator

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var uuidLike = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// TestRequestIDOnEveryResponse: a success, every kind of error, an auth
// failure, throttling and a recovered panic all carry a fresh request id
// (aws: x-amzn-RequestId; envelope: X-Request-Id), and only that one.
func TestRequestIDOnEveryResponse(t *testing.T) {
	for d, hdr := range map[string]string{DialectAWS: "x-amzn-RequestId", DialectEnvelope: "X-Request-Id"} {
		other := "X-Request-Id"
		if d == DialectEnvelope {
			other = "x-amzn-RequestId"
		}
		seen := map[string]bool{}
		check := func(name string, r resp) {
			t.Helper()
			id := r.header.Get(hdr)
			assert.Regexp(t, uuidLike, id, "%s %s (status %d)", d, name, r.status)
			assert.False(t, seen[id], "%s %s: request id repeated", d, name)
			assert.Empty(t, r.header.Get(other), "%s %s", d, name)
			seen[id] = true
		}
		s := newServer(t, Options{Dialect: d})
		check("success", mustOK(t, call(t, s, op("GetBuckets"), `{}`)))
		check("second success", mustOK(t, call(t, s, op("GetBuckets"), `{}`)))
		check("not found", call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"nope-bucket"}`))
		check("unknown operation", call(t, s, op("Nope"), `{}`))
		check("malformed", call(t, s, op("GetBuckets"), `{`))

		tok := newServer(t, Options{Dialect: d, Token: "tok"})
		check("bearer auth error", call(t, tok, op("GetBuckets"), `{}`))
		sig := newServer(t, Options{Dialect: d, Credentials: map[string]string{testAKID: testSecret}})
		check("sigv4 auth error", call(t, sig, op("GetBuckets"), `{}`))

		throttled := newServer(t, Options{Dialect: d, ThrottlePercent: 100})
		r := call(t, throttled, op("GetBuckets"), `{}`)
		require.Contains(t, []string{"ThrottlingException", "RATE_LIMITED"}, r.errCode())
		check("throttled", r)

		// As in TestPanicBecomesInternalError: a request without a URL
		// panics inside the handler, recovered into a 500.
		good := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
		req := signed(t, good, "us-east-1", op("GetBuckets"), `{}`, time.Now())
		req.URL = nil
		r = serve(t, sig, req)
		require.Equal(t, http.StatusInternalServerError, r.status)
		check("recovered panic", r)
	}
}
