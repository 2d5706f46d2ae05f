package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// restErrorCase is one row of docs/DESIGN.md's rest error tables.
type restErrorCase struct {
	name         string
	method, path string
	body         string
	status       int
	code         string
	allow        string // the Allow header of a 405
}

// A fixture like errorFixture's: "full-bucket" holds 2 keys, "empty-bucket"
// none.
func restErrorCases() []restErrorCase {
	const fullKeys = "/v1/buckets/full-bucket/access-keys"
	const validID = "AKIAAAAAAAAAAAAAAAAA"
	inv := func(name, method, path, body string) restErrorCase {
		return restErrorCase{name, method, path, body, 400, "VALIDATION_ERROR", ""}
	}
	nf := func(name, method, path string) restErrorCase {
		return restErrorCase{name, method, path, "", 404, "NOT_FOUND", ""}
	}
	notAllowed := func(name, method, path, allow string) restErrorCase {
		return restErrorCase{name, method, path, "", 405, "METHOD_NOT_ALLOWED", allow}
	}
	cb := func(name, body string) restErrorCase { return inv(name, http.MethodPost, "/v1/buckets", body) }
	long := strings.Repeat("a", 55)
	return []restErrorCase{
		// (3) route: unknown path, then method
		nf("root", http.MethodGet, "/"),
		nf("version only", http.MethodGet, "/v1"),
		nf("singular collection", http.MethodGet, "/v1/bucket"),
		nf("other version", http.MethodGet, "/v2/buckets"),
		nf("unknown sub-resource", http.MethodPost, "/v1/buckets/empty-bucket/keys"),
		nf("too deep", http.MethodGet, fullKeys+"/"+validID+"/extra"),
		nf("unknown path before body", http.MethodPost, "/v1/instances"),
		notAllowed("PUT collection", http.MethodPut, "/v1/buckets", "GET, POST"),
		notAllowed("DELETE collection", http.MethodDelete, "/v1/buckets", "GET, POST"),
		notAllowed("GET one bucket", http.MethodGet, "/v1/buckets/empty-bucket", "DELETE"),
		notAllowed("PATCH one bucket", http.MethodPatch, "/v1/buckets/empty-bucket", "DELETE"),
		notAllowed("DELETE keys collection", http.MethodDelete, fullKeys, "GET, POST"),
		notAllowed("HEAD keys collection", http.MethodHead, fullKeys, "GET, POST"),
		notAllowed("GET one key", http.MethodGet, fullKeys+"/"+validID, "DELETE"),
		notAllowed("method before parameters", http.MethodGet, "/v1/buckets/NOT_VALID", "DELETE"),
		// (4) CreateBucket's body
		cb("malformed JSON", `{"bucketName":`),
		cb("trailing garbage", `{"bucketName":"new-bucket","bundleId":"small_1_0"} x`),
		cb("empty body", ``),
		cb("array body", `[{"bucketName":"new-bucket","bundleId":"small_1_0"}]`),
		cb("null body", `null`),
		cb("oversize body", `{"bucketName":"new-bucket","bundleId":"small_1_0","pad":"`+strings.Repeat("x", MaxBodyBytes)+`"}`),
		// (5) body members
		cb("bucketName missing", `{"bundleId":"small_1_0"}`),
		cb("bucketName number", `{"bucketName":123,"bundleId":"small_1_0"}`),
		cb("bucketName upper case", `{"bucketName":"UPPER_case!","bundleId":"small_1_0"}`),
		cb("bundleId missing", `{"bucketName":"new-bucket"}`),
		cb("bundleId blank", `{"bucketName":"new-bucket","bundleId":"  "}`),
		cb("tags not a list", `{"bucketName":"new-bucket","bundleId":"small_1_0","tags":{}}`),
		cb("tag key number", `{"bucketName":"new-bucket","bundleId":"small_1_0","tags":[{"key":1}]}`),
		cb("enableObjectVersioning string", `{"bucketName":"new-bucket","bundleId":"small_1_0","enableObjectVersioning":"yes"}`),
		// (5) path parameters
		inv("bucket too short", http.MethodPost, "/v1/buckets/ab/access-keys", ""),
		inv("bucket too long", http.MethodGet, "/v1/buckets/"+long+"/access-keys", ""),
		inv("bucket upper case", http.MethodGet, "/v1/buckets/Full-Bucket/access-keys", ""),
		inv("bucket leading hyphen", http.MethodDelete, "/v1/buckets/-abc", ""),
		inv("bucket trailing hyphen", http.MethodPost, "/v1/buckets/abc-/access-keys", ""),
		inv("bucket empty", http.MethodGet, "/v1/buckets//access-keys", ""),
		inv("bucket empty, trailing slash", http.MethodDelete, "/v1/buckets/", ""),
		inv("validation before existence", http.MethodPost, "/v1/buckets/NO-SUCH/access-keys", ""),
		inv("key id lower case", http.MethodDelete, fullKeys+"/akiaaaaaaaaaaaaaaaaa", ""),
		inv("key id 19 characters", http.MethodDelete, fullKeys+"/"+validID[1:], ""),
		inv("key id 21 characters", http.MethodDelete, fullKeys+"/"+validID+"A", ""),
		inv("key id with a hyphen", http.MethodDelete, fullKeys+"/AKIA-AAAAAAAAAAAAAAA", ""),
		inv("key id empty", http.MethodDelete, fullKeys+"/", ""),
		inv("key id on an unknown bucket", http.MethodDelete, "/v1/buckets/no-such-bucket/access-keys/x", ""),
		// (5) query parameters
		inv("forceDelete yes", http.MethodDelete, "/v1/buckets/empty-bucket?forceDelete=yes", ""),
		inv("forceDelete TRUE", http.MethodDelete, "/v1/buckets/empty-bucket?forceDelete=TRUE", ""),
		inv("forceDelete 1", http.MethodDelete, "/v1/buckets/empty-bucket?forceDelete=1", ""),
		inv("forceDelete empty", http.MethodDelete, "/v1/buckets/empty-bucket?forceDelete=", ""),
		inv("GetBuckets bucketName upper case", http.MethodGet, "/v1/buckets?bucketName=UPPER", ""),
		inv("GetBuckets bucketName empty", http.MethodGet, "/v1/buckets?bucketName=", ""),
		inv("malformed query", http.MethodGet, "/v1/buckets?bucketName=%zz", ""),
		// (6) existence
		nf("create key, unknown bucket", http.MethodPost, "/v1/buckets/no-such-bucket/access-keys"),
		nf("list keys, unknown bucket", http.MethodGet, "/v1/buckets/no-such-bucket/access-keys"),
		nf("delete key, unknown bucket", http.MethodDelete, "/v1/buckets/no-such-bucket/access-keys/"+validID),
		nf("delete key, unknown key", http.MethodDelete, fullKeys+"/"+validID),
		nf("delete bucket, unknown", http.MethodDelete, "/v1/buckets/no-such-bucket"),
		nf("delete bucket, unknown, forced", http.MethodDelete, "/v1/buckets/no-such-bucket?forceDelete=true"),
		nf("get buckets, unknown name", http.MethodGet, "/v1/buckets?bucketName=no-such-bucket"),
		// conflicts and the limit
		cb("create existing bucket", `{"bucketName":"empty-bucket","bundleId":"small_1_0"}`),
		{"third key", http.MethodPost, fullKeys, "", 409, "LIMIT_EXCEEDED", ""},
	}
}

func TestErrorTableREST(t *testing.T) {
	for _, c := range restErrorCases() {
		t.Run(c.name, func(t *testing.T) {
			s := errorFixture(t, DialectREST)
			before := s.Snapshot()
			r := restCall(t, s, c.method, c.path, c.body)
			assert.Equal(t, c.status, r.status, "body %s", r.raw)
			assert.Equal(t, ctEnvelope, r.header.Get("Content-Type"))
			assert.Equal(t, false, r.body["success"])
			assert.Equal(t, c.code, r.errCode())
			assert.NotEmpty(t, r.body["error"].(map[string]any)["message"])
			assert.Len(t, r.body, 2, "only success and error")
			assert.Equal(t, c.allow, r.header.Get("Allow"))
			assert.Equal(t, before, s.Snapshot(), "an error changes nothing")
		})
	}
}

func TestRESTSuccessShapes(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectREST})
	check := func(r resp, status int) map[string]any {
		t.Helper()
		require.Equal(t, status, r.status, "body %s", r.raw)
		assert.Equal(t, ctEnvelope, r.header.Get("Content-Type"))
		assert.Equal(t, true, r.body["success"])
		assert.Len(t, r.body, 2, "only success and data")
		return r.data()
	}
	noContent := func(r resp) {
		t.Helper()
		assert.Equal(t, http.StatusNoContent, r.status)
		assert.Empty(t, r.raw)
		assert.Empty(t, r.header.Get("Content-Type"))
		assert.Empty(t, r.header.Get("Location"))
	}
	isTime := func(v any) {
		t.Helper()
		_, err := time.Parse(rfc3339Layout, v.(string))
		assert.NoError(t, err)
	}
	r := restCall(t, s, http.MethodPost, "/v1/buckets", `{"bucketName":"rest-bucket","bundleId":"small_1_0","tags":[{"key":"k","value":"v"}]}`)
	d := check(r, http.StatusCreated)
	assert.Equal(t, "/v1/buckets/rest-bucket", r.header.Get("Location"))
	assert.Equal(t, "rest-bucket", d["id"])
	isTime(d["created_at"])
	assert.Len(t, d, 2)

	r = restCall(t, s, http.MethodPost, "/v1/buckets/rest-bucket/access-keys", "")
	d = check(r, http.StatusCreated)
	assert.Len(t, d, 4)
	assert.Regexp(t, keyIDPattern, d["id"])
	assert.Len(t, d["secret_access_key"], 40)
	assert.Equal(t, "Active", d["status"])
	isTime(d["created_at"])
	id, created := d["id"].(string), d["created_at"]
	assert.Equal(t, "/v1/buckets/rest-bucket/access-keys/"+id, r.header.Get("Location"))

	d = check(restCall(t, s, http.MethodGet, "/v1/buckets/rest-bucket/access-keys", ""), http.StatusOK)
	assert.Equal(t, []any{map[string]any{"id": id, "created_at": created, "status": "Active"}}, d["access_keys"])

	require.NoError(t, s.AddBucket("other-bucket"))
	d = check(restCall(t, s, http.MethodGet, "/v1/buckets", ""), http.StatusOK)
	items := d["buckets"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, "rest-bucket", items[0].(map[string]any)["id"])
	isTime(items[0].(map[string]any)["created_at"])
	d = check(restCall(t, s, http.MethodGet, "/v1/buckets?bucketName=other-bucket", ""), http.StatusOK)
	require.Len(t, d["buckets"], 1)
	assert.Equal(t, "other-bucket", d["buckets"].([]any)[0].(map[string]any)["id"])

	noContent(restCall(t, s, http.MethodDelete, "/v1/buckets/rest-bucket/access-keys/"+id, ""))
	assert.Empty(t, s.Snapshot()["rest-bucket"])
	// A bucket's keys always go with it, whatever forceDelete says.
	createKey(t, s, "rest-bucket")
	noContent(restCall(t, s, http.MethodDelete, "/v1/buckets/rest-bucket?forceDelete=false", ""))
	createKey(t, s, "other-bucket")
	noContent(restCall(t, s, http.MethodDelete, "/v1/buckets/other-bucket", ""))
	assert.Empty(t, s.Snapshot())
	assert.Equal(t, []any{}, check(restCall(t, s, http.MethodGet, "/v1/buckets", ""), http.StatusOK)["buckets"])
	check(restCall(t, s, http.MethodPost, "/v1/buckets", `{"bucketName":"b-3","bundleId":"small_1_0"}`), http.StatusCreated)
	noContent(restCall(t, s, http.MethodDelete, "/v1/buckets/b-3?forceDelete=true", ""))
}

// TestRESTIgnoresUnknownQueryAndUndeclaredBody: unknown query parameters,
// a body where none is declared (even a malformed or oversize one), and
// percent-encoded literal segments are all fine.
func TestRESTIgnoresUnknownQueryAndUndeclaredBody(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectREST})
	require.NoError(t, s.AddBucket("quiet-bucket"))
	mustOK(t, restCall(t, s, http.MethodGet, "/v1/buckets?pageToken=x&includeCors=maybe&bucketName=quiet-bucket", ""))
	r := mustOK(t, restCall(t, s, http.MethodPost, "/v1/buckets/quiet-bucket/access-keys?x=1", `{not json`))
	assert.Equal(t, http.StatusCreated, r.status)
	mustOK(t, restCall(t, s, http.MethodGet, "/v1/buckets/quiet-bucket/access-keys", strings.Repeat("x", MaxBodyBytes+10)))
	mustOK(t, restCall(t, s, http.MethodGet, "/v1/%62uckets/quiet-bucket/access-keys", ""))
	id := r.data()["id"].(string)
	r = restCall(t, s, http.MethodDelete, "/v1/buckets/quiet-bucket/access-keys/"+id, `{"accessKeyId":"OTHER"}`)
	assert.Equal(t, http.StatusNoContent, r.status)
	r = restCall(t, s, http.MethodPost, "/v1/buckets", `{"bucketName":"b-extra","bundleId":"small_1_0","extra":{"x":[1]},"tags":null}`)
	assert.Equal(t, http.StatusCreated, r.status)
}

// restTrickyNames are bucket names and key ids that must stay one path
// segment: sent percent-encoded, decoded once, and rejected by their
// patterns.
var restTrickyNames = []string{"a/b", "..", ".", "%2F", "a%2Fb", "?x", "#", "a b", "é", "b-1/access-keys", "abc/", "%"}

// TestRESTPathSegmentsDecodedOnce sends each tricky value as one encoded
// segment, both straight to the handler and over a real connection (where
// net/http parses the request line), and expects 400 VALIDATION_ERROR:
// never a 404 from extra segments, never a 5xx.
func TestRESTPathSegmentsDecodedOnce(t *testing.T) {
	ts, s := NewTestServer(t, Options{Dialect: DialectREST})
	require.NoError(t, s.AddBucket("b-1"))
	keyID, _, err := s.AddKey("b-1")
	require.NoError(t, err)
	type req struct{ method, path string }
	for _, name := range restTrickyNames {
		seg := pct(name)
		for _, rq := range []req{
			{http.MethodPost, "/v1/buckets/" + seg + "/access-keys"},
			{http.MethodGet, "/v1/buckets/" + seg + "/access-keys"},
			{http.MethodDelete, "/v1/buckets/" + seg},
			{http.MethodDelete, "/v1/buckets/" + seg + "/access-keys/" + keyID},
			{http.MethodDelete, "/v1/buckets/b-1/access-keys/" + seg},
		} {
			r := restCall(t, s, rq.method, rq.path, "")
			assert.Equal(t, http.StatusBadRequest, r.status, "%s %s: %s", rq.method, rq.path, r.raw)
			assert.Equal(t, "VALIDATION_ERROR", r.errCode(), "%s %s", rq.method, rq.path)

			hr, err := http.NewRequest(rq.method, ts.URL+rq.path, nil)
			require.NoError(t, err)
			assert.Equal(t, rq.path, hr.URL.RequestURI(), "the client sends the path as encoded")
			res, err := ts.Client().Do(hr)
			require.NoError(t, err)
			var body map[string]any
			require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
			res.Body.Close()
			assert.Equal(t, http.StatusBadRequest, res.StatusCode, "over the wire: %s %s", rq.method, rq.path)
			assert.Equal(t, "VALIDATION_ERROR", body["error"].(map[string]any)["code"])
		}
	}
	assert.Len(t, s.Snapshot()["b-1"], 1, "nothing changed")
	assert.Len(t, s.Snapshot(), 1)
}

// TestRESTAcceptInvalidInputRoundTrips: with the bucket name unchecked
// (fault accept-invalid-input), a name with a slash is stored as it is and
// its Location is encoded so that it comes back as one segment.
func TestRESTAcceptInvalidInputRoundTrips(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectREST, Faults: []Fault{FaultAcceptInvalidInput}})
	r := restCall(t, s, http.MethodPost, "/v1/buckets", `{"bucketName":"a/b ..","bundleId":"small_1_0"}`)
	require.Equal(t, http.StatusCreated, r.status)
	assert.Equal(t, "/v1/buckets/a%2Fb%20..", r.header.Get("Location"))
	assert.Contains(t, s.Snapshot(), "a/b ..")
	r = restCall(t, s, http.MethodPost, r.header.Get("Location")+"/access-keys", "")
	require.Equal(t, http.StatusCreated, r.status)
	assert.Len(t, s.Snapshot()["a/b .."], 1)
	assert.Equal(t, "%2E%2E", escapeSegment(".."))
	assert.Equal(t, "%2E", escapeSegment("."))
	assert.Equal(t, "...", escapeSegment("..."))
}

// TestRESTFaultDetails pins what the script's fingerprints cannot show.
func TestRESTFaultDetails(t *testing.T) {
	rest := func(faults ...Fault) *Server {
		s := newServer(t, Options{Dialect: DialectREST, Faults: faults})
		require.NoError(t, s.AddBucket("f-bucket"))
		return s
	}
	t.Run("secret-repeated puts the secret in a header of the 204", func(t *testing.T) {
		s := rest(FaultSecretRepeated)
		id, secret := createKey(t, s, "f-bucket")
		r := restCall(t, s, http.MethodDelete, "/v1/buckets/f-bucket/access-keys/"+id, "")
		assert.Equal(t, http.StatusNoContent, r.status)
		assert.Empty(t, r.raw)
		assert.Equal(t, secret, r.header.Get("X-Deleted-Secret-Access-Key"))
	})
	t.Run("error-status-mismatch: NOT_FOUND with 400, unknown paths untouched", func(t *testing.T) {
		s := rest(FaultErrorStatusMismatch)
		r := restCall(t, s, http.MethodGet, "/v1/buckets/nope-bucket/access-keys", "")
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Equal(t, "NOT_FOUND", r.errCode())
		assert.Equal(t, http.StatusNotFound, restCall(t, s, http.MethodGet, "/v9", "").status)
	})
	t.Run("errors-with-200 keeps the 405's Allow", func(t *testing.T) {
		s := rest(FaultErrorsWith200)
		r := restCall(t, s, http.MethodPut, "/v1/buckets", "")
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "METHOD_NOT_ALLOWED", r.errCode())
		assert.Equal(t, "GET, POST", r.header.Get("Allow"))
	})
	t.Run("timestamp-wrong-type: epoch number", func(t *testing.T) {
		s := rest(FaultTimestampWrongType)
		r := restCall(t, s, http.MethodPost, "/v1/buckets/f-bucket/access-keys", "")
		require.Equal(t, http.StatusCreated, r.status)
		assert.Regexp(t, epochPattern, r.data()["created_at"].(json.Number).String())
	})
	t.Run("success-content-type on every success", func(t *testing.T) {
		s := rest(FaultSuccessContentType)
		assert.Equal(t, ctWrongSuccess, restCall(t, s, http.MethodGet, "/v1/buckets", "").header.Get("Content-Type"))
		assert.Equal(t, ctWrongSuccess, restCall(t, s, http.MethodDelete, "/v1/buckets/f-bucket", "").header.Get("Content-Type"))
	})
	t.Run("malformed-json-500: CreateBucket's body only", func(t *testing.T) {
		s := rest(FaultMalformedJSON500)
		r := restCall(t, s, http.MethodPost, "/v1/buckets", `{"bucketName":`)
		assert.Equal(t, http.StatusInternalServerError, r.status)
		assert.Equal(t, "INTERNAL_ERROR", r.errCode())
		assert.Equal(t, http.StatusCreated, restCall(t, s, http.MethodPost, "/v1/buckets/f-bucket/access-keys", `{"bucketName":`).status)
	})
	t.Run("throttling carries Retry-After", func(t *testing.T) {
		s := newServer(t, Options{Dialect: DialectREST, ThrottlePercent: 100})
		r := restCall(t, s, http.MethodGet, "/v9", "")
		assert.Equal(t, http.StatusTooManyRequests, r.status, "throttled before the route")
		assert.Equal(t, "RATE_LIMITED", r.errCode())
		assert.Equal(t, "1", r.header.Get("Retry-After"))
	})
}

func TestRESTLog(t *testing.T) {
	var buf strings.Builder
	s := newServer(t, Options{Dialect: DialectREST, Log: &buf})
	require.NoError(t, s.AddBucket("log-bucket"))
	_, secret := createKey(t, s, "log-bucket")
	restCall(t, s, http.MethodGet, "/v1/buckets/"+pct(secret)+"/access-keys", "")
	restCall(t, s, http.MethodPut, "/v1/buckets/log-bucket", "")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], "POST CreateBucketAccessKey 201")
	assert.Contains(t, lines[0], "bucket=log-bucket")
	assert.Contains(t, lines[1], "GET GetBucketAccessKeys 400")
	assert.Contains(t, lines[2], "PUT - 405")
	assert.NotContains(t, buf.String(), secret)
}

// TestRESTBadEscapes: a URL whose path holds a stray "%" (net/http's
// server rejects such a request line itself; a handler called another way
// may get one) is invalid input, never a 5xx: EscapedPath encodes the "%",
// so the segment decodes to a value with "%", which breaks its pattern.
func TestRESTBadEscapes(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectREST})
	for _, raw := range []string{"/v1/buckets/%zz/access-keys", "/v1/buckets/%/access-keys/%G1", "/v1/buckets/abc%"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Method = http.MethodDelete
		if strings.HasSuffix(raw, "access-keys") {
			req.Method = http.MethodGet
		}
		req.URL.Path, req.URL.RawPath = raw, raw
		r := do(t, s, req)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s %s: %s", req.Method, raw, r.raw)
		assert.Equal(t, "VALIDATION_ERROR", r.errCode())
	}
}
