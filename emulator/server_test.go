package emulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errorCase is one situation of docs/DESIGN.md's error tables, with the
// answer expected in each dialect.
type errorCase struct {
	name      string
	target    string // full X-Amz-Target; "" sends none
	body      string
	awsType   string
	awsCode   string // Lightsail sub-code; "" skips the check
	envCode   string
	envStatus int
}

// The fixture every error case runs against: bucket "full-bucket" holds 2
// keys, "empty-bucket" none.
func errorCases() []errorCase {
	long := strings.Repeat("a", 55)
	inv := func(name, target, body string) errorCase {
		return errorCase{name, target, body, "InvalidInputException", "InvalidInput", "VALIDATION_ERROR", 400}
	}
	nf := func(name, target, body string) errorCase {
		return errorCase{name, target, body, "NotFoundException", "DoesNotExist", "NOT_FOUND", 404}
	}
	unknown := func(name, target, body string) errorCase {
		return errorCase{name, target, body, "UnknownOperationException", "", "VALIDATION_ERROR", 400}
	}
	cb, ck, dk := op("CreateBucket"), op("CreateBucketAccessKey"), op("DeleteBucketAccessKey")
	return []errorCase{
		// (3) target
		unknown("missing target", "", `{"bucketName":"empty-bucket"}`),
		unknown("unknown operation", op("CreateInstance"), `{}`),
		unknown("wrong prefix", "Lightsail_20200101.CreateBucketAccessKey", `{"bucketName":"empty-bucket"}`),
		unknown("target checked before body", op("Nope"), `{not json`),
		// (4) body
		{"malformed JSON", ck, `{"bucketName":`, "SerializationException", "", "VALIDATION_ERROR", 400},
		{"trailing garbage", ck, `{"bucketName":"empty-bucket"} x`, "SerializationException", "", "VALIDATION_ERROR", 400},
		inv("empty body", ck, ``),
		inv("array body", ck, `[{"bucketName":"empty-bucket"}]`),
		inv("null body", ck, `null`),
		inv("string body", ck, `"empty-bucket"`),
		inv("oversize body", ck, `{"bucketName":"empty-bucket","pad":"`+strings.Repeat("x", MaxBodyBytes)+`"}`),
		// (5) members
		inv("missing bucketName", ck, `{}`),
		inv("null bucketName", ck, `{"bucketName":null}`),
		inv("bucketName number", ck, `{"bucketName":123}`),
		inv("bucketName too short", ck, `{"bucketName":"ab"}`),
		inv("bucketName too long", ck, js(map[string]string{"bucketName": long})),
		inv("bucketName upper case", ck, `{"bucketName":"UPPER_case!"}`),
		inv("bucketName leading hyphen", ck, `{"bucketName":"-abc"}`),
		inv("bucketName trailing hyphen", op("GetBucketAccessKeys"), `{"bucketName":"abc-"}`),
		inv("bundleId missing", cb, `{"bucketName":"new-bucket"}`),
		inv("bundleId blank", cb, `{"bucketName":"new-bucket","bundleId":"  "}`),
		inv("bundleId number", cb, `{"bucketName":"new-bucket","bundleId":1}`),
		inv("tags not a list", cb, `{"bucketName":"new-bucket","bundleId":"small_1_0","tags":{}}`),
		inv("tag not an object", cb, `{"bucketName":"new-bucket","bundleId":"small_1_0","tags":["k"]}`),
		inv("tag key number", cb, `{"bucketName":"new-bucket","bundleId":"small_1_0","tags":[{"key":1}]}`),
		inv("enableObjectVersioning string", cb, `{"bucketName":"new-bucket","bundleId":"small_1_0","enableObjectVersioning":"yes"}`),
		inv("forceDelete string", op("DeleteBucket"), `{"bucketName":"empty-bucket","forceDelete":"true"}`),
		inv("includeCors number", op("GetBuckets"), `{"includeCors":1}`),
		inv("accessKeyId missing", dk, `{"bucketName":"full-bucket"}`),
		inv("accessKeyId empty", dk, `{"bucketName":"full-bucket","accessKeyId":""}`),
		inv("accessKeyId blank", dk, `{"bucketName":"full-bucket","accessKeyId":" \t"}`),
		inv("accessKeyId number", dk, `{"bucketName":"full-bucket","accessKeyId":7}`),
		inv("validation before existence", ck, `{"bucketName":"NO-SUCH"}`),
		// (6) existence
		nf("create key, unknown bucket", ck, `{"bucketName":"no-such-bucket"}`),
		nf("list keys, unknown bucket", op("GetBucketAccessKeys"), `{"bucketName":"no-such-bucket"}`),
		nf("delete key, unknown bucket", dk, `{"bucketName":"no-such-bucket","accessKeyId":"AKIAAAAAAAAAAAAAAAAA"}`),
		nf("delete key, unknown key", dk, `{"bucketName":"full-bucket","accessKeyId":"AKIAAAAAAAAAAAAAAAAA"}`),
		nf("delete bucket, unknown", op("DeleteBucket"), `{"bucketName":"no-such-bucket"}`),
		nf("get buckets, unknown name", op("GetBuckets"), `{"bucketName":"no-such-bucket"}`),
		// conflicts and the limit
		inv("create existing bucket", cb, `{"bucketName":"empty-bucket","bundleId":"small_1_0"}`),
		inv("delete bucket with keys, no force", op("DeleteBucket"), `{"bucketName":"full-bucket"}`),
		inv("delete bucket with keys, force false", op("DeleteBucket"), `{"bucketName":"full-bucket","forceDelete":false}`),
		{"third key", ck, `{"bucketName":"full-bucket"}`, "InvalidInputException", "LimitExceeded", "LIMIT_EXCEEDED", 409},
	}
}

func errorFixture(t *testing.T, dialect string) *Server {
	s := newServer(t, Options{Dialect: dialect})
	require.NoError(t, s.AddBucket("full-bucket"))
	require.NoError(t, s.AddBucket("empty-bucket"))
	for range 2 {
		_, _, err := s.AddKey("full-bucket")
		require.NoError(t, err)
	}
	return s
}

func TestErrorTableAWS(t *testing.T) {
	for _, c := range errorCases() {
		t.Run(c.name, func(t *testing.T) {
			s := errorFixture(t, DialectAWS)
			before := s.Snapshot()
			r := call(t, s, c.target, c.body)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, ctAWS, r.header.Get("Content-Type"))
			assert.Equal(t, c.awsType, r.header.Get("X-Amzn-ErrorType"))
			assert.Equal(t, c.awsType, r.body["__type"])
			assert.NotEmpty(t, r.body["message"])
			assert.Equal(t, docsURL, r.body["docs"])
			assert.NotEmpty(t, r.body["tip"])
			if c.awsCode != "" {
				assert.Equal(t, c.awsCode, r.body["code"])
			}
			assert.Equal(t, before, s.Snapshot(), "an error changes nothing")
		})
	}
}

func TestErrorTableEnvelope(t *testing.T) {
	for _, c := range errorCases() {
		t.Run(c.name, func(t *testing.T) {
			s := errorFixture(t, DialectEnvelope)
			before := s.Snapshot()
			r := call(t, s, c.target, c.body)
			assert.Equal(t, c.envStatus, r.status)
			assert.Equal(t, ctEnvelope, r.header.Get("Content-Type"))
			assert.Equal(t, false, r.body["success"])
			assert.Equal(t, c.envCode, r.errCode())
			assert.NotEmpty(t, r.body["error"].(map[string]any)["message"])
			assert.Len(t, r.body, 2, "only success and error")
			assert.Equal(t, before, s.Snapshot(), "an error changes nothing")
		})
	}
}

func TestUnknownMembersAndNullOptionalsIgnored(t *testing.T) {
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		s := newServer(t, Options{Dialect: d})
		mustOK(t, call(t, s, op("CreateBucket"), `{"bucketName":"b-1","bundleId":"small_1_0","extra":{"x":[1]},"tags":null}`))
		mustOK(t, call(t, s, op("GetBuckets"), `{"bucketName":null,"pageToken":"p","includeCors":true,"whatever":1}`))
		mustOK(t, call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"b-1","accessKeyId":5}`))
	}
}

func TestMethodMustBePOST(t *testing.T) {
	s := newServer(t, Options{})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Amz-Target", op("GetBuckets"))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, "UnknownOperationException", rec.Header().Get("X-Amzn-ErrorType"))
}

func TestAcceptsEitherContentType(t *testing.T) {
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		for _, ct := range []string{ctAWS, ctEnvelope, "application/json; charset=utf-8", ""} {
			s := newServer(t, Options{Dialect: d})
			r := call(t, s, op("CreateBucket"), `{"bucketName":"b-1","bundleId":"small_1_0"}`, "Content-Type: "+ct)
			assert.Equal(t, http.StatusOK, r.status, "dialect %s, content type %q", d, ct)
		}
	}
}

func TestDeleteBucket(t *testing.T) {
	for _, d := range allDialects {
		s := newServer(t, Options{Dialect: d})
		require.NoError(t, s.AddBucket("with-keys"))
		require.NoError(t, s.AddBucket("no-keys"))
		_, _, err := s.AddKey("with-keys")
		require.NoError(t, err)
		mustOK(t, call(t, s, op("DeleteBucket"), `{"bucketName":"no-keys"}`))
		mustOK(t, call(t, s, op("DeleteBucket"), `{"bucketName":"with-keys","forceDelete":true}`))
		assert.Empty(t, s.Snapshot())
		r := call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"with-keys"}`)
		assert.Contains(t, []string{"NotFoundException", "NOT_FOUND"}, r.errCode())
	}
}

func TestGetBuckets(t *testing.T) {
	for _, d := range allDialects {
		s := newServer(t, Options{Dialect: d})
		for _, n := range []string{"b-1", "b-2", "b-3"} {
			require.NoError(t, s.AddBucket(n))
		}
		names := func(r resp) []string {
			var list []any
			field := "name"
			if d != DialectAWS {
				list, field = r.data()["buckets"].([]any), "id"
			} else {
				list = r.body["buckets"].([]any)
			}
			out := []string{}
			for _, b := range list {
				out = append(out, b.(map[string]any)[field].(string))
			}
			return out
		}
		assert.Equal(t, []string{"b-1", "b-2", "b-3"}, names(mustOK(t, call(t, s, op("GetBuckets"), `{}`))))
		assert.Equal(t, []string{"b-2"}, names(mustOK(t, call(t, s, op("GetBuckets"), `{"bucketName":"b-2"}`))))
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"unknown dialect":   {Dialect: "soap"},
		"dialect case":      {Dialect: "REST"},
		"unknown fault":     {Faults: []Fault{"no-such-fault"}},
		"throttle over 100": {ThrottlePercent: 101},
		"negative throttle": {ThrottlePercent: -1},
		"negative latency":  {Latency: -1},
		"token and sigv4":   {Token: "t", Credentials: map[string]string{"AKID": "secret"}},
		"empty secret":      {Credentials: map[string]string{"AKID": ""}},
	} {
		_, err := New(o)
		assert.Error(t, err, name)
	}
	s, err := New(Options{})
	require.NoError(t, err)
	assert.Equal(t, DialectAWS, s.Dialect())
	for _, d := range allDialects {
		s, err := New(Options{Dialect: d})
		require.NoError(t, err)
		assert.Equal(t, d, s.Dialect())
	}
}

func TestSeedingAndCounters(t *testing.T) {
	s := newServer(t, Options{})
	require.NoError(t, s.AddBucket("seeded"))
	assert.Error(t, s.AddBucket("seeded"))
	assert.Error(t, s.AddBucket("Bad_Name"))
	_, _, err := s.AddKey("missing")
	assert.Error(t, err)
	id, secret, err := s.AddKey("seeded")
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Z0-9]{20}$`, id)
	assert.Len(t, secret, 40)
	id2, secret2 := createKey(t, s, "seeded")
	assert.NotEqual(t, id, id2)
	assert.Equal(t, []string{secret, secret2}, s.IssuedSecrets())
	snap := s.Snapshot()
	require.Len(t, snap["seeded"], 2)
	assert.Equal(t, KeyInfo{ID: id2, Secret: secret2, Status: "Active", CreatedAt: snap["seeded"][1].CreatedAt}, snap["seeded"][1])
	assert.EqualValues(t, 1, s.Requests())
	snap["seeded"][0].Secret = "changed"
	assert.Equal(t, secret, s.Snapshot()["seeded"][0].Secret, "Snapshot returns a copy")
}

func TestFaultCatalogue(t *testing.T) {
	fs := Faults()
	assert.Len(t, fs, 39)
	// The legal variations: responses and readings the contract allows.
	legal := []Fault{FaultSecretDuplicated, FaultFormSkipsUndecodable, FaultFormKeepsEscapes, FaultMediaTypeSynonym}
	seen := map[Fault]bool{}
	for _, f := range fs {
		assert.NotEmpty(t, f.Description(), f)
		if slices.Contains(legal, f) {
			assert.Empty(t, f.Breaks(), "%s is legal: no check may fail", f)
		} else {
			assert.NotEmpty(t, f.Breaks(), "%s names no check it breaks", f)
		}
		assert.False(t, seen[f], "duplicate %s", f)
		seen[f] = true
		got, err := ParseFault(string(f))
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFault("nope")
	assert.Error(t, err)
	assert.Empty(t, Fault("nope").Description())
}
