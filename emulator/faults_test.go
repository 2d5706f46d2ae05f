package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const scriptToken = "script-token"

// step is one request of the conformance script. body may refer to key ids
// created earlier, by name, through ids.
type step struct {
	name   string
	op     string
	body   func(ids map[string]string) string
	auth   string // Authorization header; "" means the right bearer token
	saveID string // remember the created key id under this name
}

func fixed(b string) func(map[string]string) string {
	return func(map[string]string) string { return b }
}

func bucketBody(b string) func(map[string]string) string {
	return fixed(js(map[string]string{"bucketName": b}))
}

func deleteBody(b, key string) func(map[string]string) string {
	return func(ids map[string]string) string {
		return js(map[string]string{"bucketName": b, "accessKeyId": ids[key]})
	}
}

// script exercises every behaviour a fault can break, with separate
// buckets per concern so a fault's effects stay local.
var script = []step{
	{name: "create-bucket-options", op: "CreateBucket", body: fixed(`{"bucketName":"b-tags","bundleId":"small_1_0","tags":[{"key":"k","value":"v"}],"enableObjectVersioning":true}`)},
	{name: "create-bucket-limit", op: "CreateBucket", body: fixed(`{"bucketName":"b-limit","bundleId":"small_1_0"}`)},
	{name: "create-bucket-life", op: "CreateBucket", body: fixed(`{"bucketName":"b-life","bundleId":"small_1_0"}`)},
	{name: "create-bucket-iso-a", op: "CreateBucket", body: fixed(`{"bucketName":"b-iso-a","bundleId":"small_1_0"}`)},
	{name: "create-bucket-iso-b", op: "CreateBucket", body: fixed(`{"bucketName":"b-iso-b","bundleId":"small_1_0"}`)},
	{name: "create-bucket-duplicate", op: "CreateBucket", body: fixed(`{"bucketName":"b-limit","bundleId":"small_1_0"}`)},
	{name: "create-bucket-bad-name", op: "CreateBucket", body: fixed(`{"bucketName":"UPPER_case!","bundleId":"small_1_0"}`)},
	// CreateBucket: the one operation with a body in every dialect.
	{name: "malformed-json", op: "CreateBucket", body: fixed(`{"bucketName":`)},
	{name: "non-object-json", op: "CreateBucket", body: fixed(`["b-limit"]`)},
	{name: "unknown-target", op: "CreateInstance", body: fixed(`{}`)},
	{name: "no-auth", op: "GetBucketAccessKeys", body: bucketBody("b-iso-b"), auth: "none"},
	{name: "wrong-token", op: "GetBucketAccessKeys", body: bucketBody("b-iso-b"), auth: "Bearer wrong"},
	{name: "get-bucket", op: "GetBuckets", body: bucketBody("b-limit")},
	{name: "create-key-unknown-bucket", op: "CreateBucketAccessKey", body: bucketBody("ghost-bucket")},
	{name: "create-key-1", op: "CreateBucketAccessKey", body: bucketBody("b-limit")},
	{name: "create-key-2", op: "CreateBucketAccessKey", body: bucketBody("b-limit")},
	{name: "create-key-3", op: "CreateBucketAccessKey", body: bucketBody("b-limit")},
	{name: "list-limit", op: "GetBucketAccessKeys", body: bucketBody("b-limit")},
	{name: "create-key-life", op: "CreateBucketAccessKey", body: bucketBody("b-life"), saveID: "life"},
	{name: "delete-key-life", op: "DeleteBucketAccessKey", body: deleteBody("b-life", "life")},
	{name: "list-life", op: "GetBucketAccessKeys", body: bucketBody("b-life")},
	{name: "delete-key-again", op: "DeleteBucketAccessKey", body: deleteBody("b-life", "life")},
	{name: "create-key-life-2", op: "CreateBucketAccessKey", body: bucketBody("b-life")},
	{name: "create-key-life-3", op: "CreateBucketAccessKey", body: bucketBody("b-life")},
	{name: "create-key-iso-a", op: "CreateBucketAccessKey", body: bucketBody("b-iso-a"), saveID: "iso"},
	{name: "delete-via-other-bucket", op: "DeleteBucketAccessKey", body: deleteBody("b-iso-b", "iso")},
	{name: "list-iso-a", op: "GetBucketAccessKeys", body: bucketBody("b-iso-a")},
	{name: "delete-bucket-with-keys", op: "DeleteBucket", body: bucketBody("b-iso-a")},
	{name: "delete-bucket-force", op: "DeleteBucket", body: fixed(`{"bucketName":"b-life","forceDelete":true}`)},
	{name: "delete-bucket-unknown", op: "DeleteBucket", body: bucketBody("no-such-bucket")},
	{name: "list-unknown-bucket", op: "GetBucketAccessKeys", body: bucketBody("no-such-bucket")},
}

// runScript runs the script and returns one fingerprint per step: status,
// content type, error code, body shape, and how many issued secrets the
// body and headers carry. In rest, call translates each step to its method
// and path.
func runScript(t *testing.T, dialect string, faults ...Fault) map[string]string {
	t.Helper()
	// A short RaceHold: the script is sequential, so limit-race's barrier
	// only ever times out (each create that fills a bucket waits it).
	s := newServer(t, Options{Dialect: dialect, Token: scriptToken, Faults: faults, RaceHold: time.Millisecond})
	ids := map[string]string{}
	out := map[string]string{}
	for _, st := range script {
		auth := "Authorization: Bearer " + scriptToken
		switch st.auth {
		case "":
		case "none":
			auth = "X-No-Auth: 1"
		default:
			auth = "Authorization: " + st.auth
		}
		body := st.body(ids)
		r := call(t, s, op(st.op), body, auth)
		if st.saveID != "" && r.status/100 == 2 {
			// The server's own record, not the body: faults may mangle the
			// body's id (create-id-*), and the script must go on the same.
			var in struct{ BucketName string }
			require.NoError(t, json.Unmarshal([]byte(body), &in))
			if keys := s.Snapshot()[in.BucketName]; len(keys) > 0 {
				ids[st.saveID] = keys[len(keys)-1].ID
			}
		}
		secrets := 0
		for _, sec := range s.IssuedSecrets() {
			secrets += strings.Count(string(r.raw), sec)
			for _, vs := range r.header {
				for _, v := range vs {
					secrets += strings.Count(v, sec)
				}
			}
		}
		out[st.name] = fmt.Sprintf("status=%d ct=%s code=%s secrets=%d\n%s",
			r.status, r.header.Get("Content-Type"), r.errCode(), secrets, shape(r.body))
	}
	return out
}

var allDialects = []string{DialectAWS, DialectEnvelope, DialectREST}

// faultDialects are the dialects the fault script runs in.
var faultDialects = []string{DialectAWS, DialectEnvelope, DialectREST, DialectIAM}

func TestEveryFaultHasAnExpectedEffect(t *testing.T) {
	for _, d := range faultDialects {
		for _, f := range Faults() {
			_, ok := effectsIn(d, f)
			assert.True(t, ok, "fault %s has no expected effect in %s", f, d)
		}
	}
}

// TestFaultsChangeExactlyTheirBehaviour runs the script with each fault and
// compares it with the fault-free run: exactly the expected steps differ.
func TestFaultsChangeExactlyTheirBehaviour(t *testing.T) {
	for _, d := range faultDialects {
		base := runScript(t, d)
		for _, st := range script {
			require.Contains(t, base, st.name)
		}
		for _, f := range Faults() {
			effects, _ := effectsIn(d, f)
			t.Run(d+"/"+string(f), func(t *testing.T) {
				got := runScript(t, d, f)
				var changed []string
				for _, st := range script {
					if got[st.name] != base[st.name] {
						changed = append(changed, st.name)
					}
				}
				sort.Strings(changed)
				want := expandSteps(effects, base)
				require.Equal(t, want, changed, "steps changed by %s", f)
				for _, name := range changed {
					t.Logf("%s:\n  without: %s\n  with:    %s", name, firstLine(base[name]), firstLine(got[name]))
				}
			})
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// TestFaultDetails pins what the script's fingerprints cannot show.
func TestFaultDetails(t *testing.T) {
	t.Run("error-status-mismatch", func(t *testing.T) {
		a := newServer(t, Options{Faults: []Fault{FaultErrorStatusMismatch}})
		assert.Equal(t, http.StatusNotFound, call(t, a, op("GetBucketAccessKeys"), `{"bucketName":"nope"}`).status)
		e := newServer(t, Options{Dialect: DialectEnvelope, Faults: []Fault{FaultErrorStatusMismatch}})
		assert.Equal(t, http.StatusBadRequest, call(t, e, op("GetBucketAccessKeys"), `{"bucketName":"nope"}`).status)
	})
	t.Run("success-content-type", func(t *testing.T) {
		s := newServer(t, Options{Faults: []Fault{FaultSuccessContentType}})
		assert.Equal(t, "text/plain; charset=utf-8", mustOK(t, call(t, s, op("GetBuckets"), `{}`)).header.Get("Content-Type"))
	})
	t.Run("timestamp-wrong-type", func(t *testing.T) {
		for _, d := range allDialects {
			s := newServer(t, Options{Dialect: d, Faults: []Fault{FaultTimestampWrongType}})
			require.NoError(t, s.AddBucket("ts-bucket"))
			r := mustOK(t, call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"ts-bucket"}`))
			if d == DialectAWS {
				assert.IsType(t, "", r.body["accessKey"].(map[string]any)["createdAt"])
			} else {
				assert.Regexp(t, epochPattern, fmt.Sprint(r.data()["created_at"]))
			}
		}
	})
	t.Run("secret-repeated aws operationDetails", func(t *testing.T) {
		s := newServer(t, Options{Faults: []Fault{FaultSecretRepeated}})
		require.NoError(t, s.AddBucket("rep-bucket"))
		id, secret := createKey(t, s, "rep-bucket")
		r := mustOK(t, call(t, s, op("DeleteBucketAccessKey"), js(map[string]string{"bucketName": "rep-bucket", "accessKeyId": id})))
		assert.Equal(t, secret, r.body["operations"].([]any)[0].(map[string]any)["operationDetails"])
	})
	t.Run("accept-invalid-input creates the bucket", func(t *testing.T) {
		s := newServer(t, Options{Faults: []Fault{FaultAcceptInvalidInput}})
		mustOK(t, call(t, s, op("CreateBucket"), `{"bucketName":"UPPER_case!","bundleId":"small_1_0"}`))
		assert.Contains(t, s.Snapshot(), "UPPER_case!")
	})
	t.Run("auth-bypass with sigv4 still rejects bad signatures", func(t *testing.T) {
		s := newServer(t, Options{Credentials: map[string]string{testAKID: testSecret}, Faults: []Fault{FaultAuthBypass}})
		mustOK(t, call(t, s, op("GetBuckets"), `{}`))
		bad := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"}
		r := serve(t, s, signed(t, bad, "us-east-1", op("GetBuckets"), `{}`, time.Now()))
		assert.Equal(t, "InvalidSignatureException", r.errCode())
	})
	t.Run("unknown-bucket-creates", func(t *testing.T) {
		s := newServer(t, Options{Faults: []Fault{FaultUnknownBucketCreates}})
		createKey(t, s, "made-up")
		assert.Len(t, s.Snapshot()["made-up"], 1)
	})
}
