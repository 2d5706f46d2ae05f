package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	keyIDPattern  = `^[A-Z0-9]{20}$`
	epochPattern  = `^\d{10}\.\d{3}$`
	rfc3339Layout = time.RFC3339
)

func TestAWSSuccessShapes(t *testing.T) {
	s := newServer(t, Options{Region: "eu-west-2"})
	r := mustOK(t, call(t, s, op("CreateBucket"), `{"bucketName":"shape-bucket","bundleId":"small_1_0","tags":[{"key":"k","value":"v"}]}`))
	assert.Equal(t, ctAWS, r.header.Get("Content-Type"))
	b := r.body["bucket"].(map[string]any)
	assert.Equal(t, "Bucket", b["resourceType"])
	assert.Equal(t, "shape-bucket", b["name"])
	assert.Equal(t, "small_1_0", b["bundleId"])
	assert.Equal(t, "NeverEnabled", b["objectVersioning"])
	assert.Equal(t, true, b["ableToUpdateBundle"])
	assert.Equal(t, map[string]any{"code": "OK"}, b["state"])
	assert.Equal(t, map[string]any{"getObject": "private", "allowPublicOverrides": false}, b["accessRules"])
	assert.Equal(t, map[string]any{"availabilityZone": "all", "regionName": "eu-west-2"}, b["location"])
	assert.Equal(t, []any{map[string]any{"key": "k", "value": "v"}}, b["tags"])
	assert.Regexp(t, `^arn:aws:lightsail:eu-west-2:\d{12}:Bucket/`, b["arn"])
	assert.NotEmpty(t, b["url"])
	assert.NotEmpty(t, b["supportCode"])
	assert.Regexp(t, epochPattern, b["createdAt"].(json.Number).String())
	checkOperation(t, r, "CreateBucket", "shape-bucket")

	r = mustOK(t, call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"shape-bucket"}`))
	k := r.body["accessKey"].(map[string]any)
	assert.Regexp(t, keyIDPattern, k["accessKeyId"])
	assert.Regexp(t, `^[A-Za-z0-9+/]{40}$`, k["secretAccessKey"])
	assert.Equal(t, "Active", k["status"])
	created := k["createdAt"].(json.Number).String()
	assert.Regexp(t, epochPattern, created)
	assert.Equal(t, map[string]any{"region": "N/A", "serviceName": "N/A"}, k["lastUsed"])
	op0 := checkOperation(t, r, "CreateBucketAccessKey", "shape-bucket")
	assert.Equal(t, k["accessKeyId"], op0["operationDetails"])

	r = mustOK(t, call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"shape-bucket"}`))
	keys := r.body["accessKeys"].([]any)
	require.Len(t, keys, 1)
	listed := keys[0].(map[string]any)
	assert.NotContains(t, listed, "secretAccessKey")
	assert.Equal(t, k["accessKeyId"], listed["accessKeyId"])
	assert.Equal(t, created, listed["createdAt"].(json.Number).String(), "same timestamp in create and list")
	assert.Equal(t, "Active", listed["status"])

	r = mustOK(t, call(t, s, op("GetBuckets"), `{}`))
	assert.Len(t, r.body["buckets"], 1)

	r = mustOK(t, call(t, s, op("DeleteBucketAccessKey"), js(map[string]any{"bucketName": "shape-bucket", "accessKeyId": k["accessKeyId"]})))
	op0 = checkOperation(t, r, "DeleteBucketAccessKey", "shape-bucket")
	assert.Equal(t, k["accessKeyId"], op0["operationDetails"])
	assert.Len(t, r.body, 1)

	r = mustOK(t, call(t, s, op("DeleteBucket"), `{"bucketName":"shape-bucket"}`))
	checkOperation(t, r, "DeleteBucket", "shape-bucket")
}

func checkOperation(t *testing.T, r resp, opType, bucket string) map[string]any {
	t.Helper()
	ops := r.body["operations"].([]any)
	require.Len(t, ops, 1)
	o := ops[0].(map[string]any)
	assert.NotEmpty(t, o["id"])
	assert.Equal(t, bucket, o["resourceName"])
	assert.Equal(t, "Bucket", o["resourceType"])
	assert.Equal(t, opType, o["operationType"])
	assert.Equal(t, "Succeeded", o["status"])
	assert.Equal(t, true, o["isTerminal"])
	assert.Regexp(t, epochPattern, o["createdAt"].(json.Number).String())
	assert.Regexp(t, epochPattern, o["statusChangedAt"].(json.Number).String())
	assert.Contains(t, o, "location")
	return o
}

func TestEnvelopeSuccessShapes(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectEnvelope})
	check := func(r resp) map[string]any {
		t.Helper()
		mustOK(t, r)
		assert.Equal(t, ctEnvelope, r.header.Get("Content-Type"))
		assert.Equal(t, true, r.body["success"])
		assert.Len(t, r.body, 2, "only success and data")
		return r.data()
	}
	isTime := func(v any) {
		t.Helper()
		_, err := time.Parse(rfc3339Layout, v.(string))
		assert.NoError(t, err)
	}
	d := check(call(t, s, op("CreateBucket"), `{"bucketName":"env-bucket","bundleId":"small_1_0"}`))
	assert.Equal(t, "env-bucket", d["id"])
	isTime(d["created_at"])

	d = check(call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"env-bucket"}`))
	assert.Len(t, d, 4)
	assert.Regexp(t, keyIDPattern, d["id"])
	assert.Len(t, d["secret_access_key"], 40)
	assert.Equal(t, "Active", d["status"])
	isTime(d["created_at"])
	id, created := d["id"], d["created_at"]

	d = check(call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"env-bucket"}`))
	assert.Equal(t, []any{map[string]any{"id": id, "created_at": created, "status": "Active"}}, d["access_keys"])

	d = check(call(t, s, op("GetBuckets"), `{}`))
	items := d["buckets"].([]any)
	require.Len(t, items, 1)
	assert.Equal(t, "env-bucket", items[0].(map[string]any)["id"])
	isTime(items[0].(map[string]any)["created_at"])

	d = check(call(t, s, op("DeleteBucketAccessKey"), js(map[string]any{"bucketName": "env-bucket", "accessKeyId": id})))
	assert.Equal(t, map[string]any{"id": id}, d)
	d = check(call(t, s, op("DeleteBucket"), `{"bucketName":"env-bucket"}`))
	assert.Equal(t, map[string]any{"id": "env-bucket"}, d)
}

// TestKeyLifecycleAndSecretOnlyOnce: two keys, the third refused, delete
// frees a slot, deleting twice is not found, and no secret ever appears
// outside its own create response.
func TestKeyLifecycleAndSecretOnlyOnce(t *testing.T) {
	for _, d := range allDialects {
		t.Run(d, func(t *testing.T) {
			s := newServer(t, Options{Dialect: d})
			require.NoError(t, s.AddBucket("life"))
			require.NoError(t, s.AddBucket("other"))
			var later [][]byte // every response that must not carry a secret
			id1, sec1 := createKey(t, s, "life")
			id2, sec2 := createKey(t, s, "life")
			assert.NotEqual(t, sec1, sec2)
			assert.Equal(t, []string{id1, id2}, listedIDs(t, s, "life"))
			third := call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"life"}`)
			assert.Contains(t, []string{"InvalidInputException", "LIMIT_EXCEEDED"}, third.errCode())
			later = append(later, third.raw, []byte(fmt.Sprint(third.header)))
			// Keys of one bucket do not count against another.
			createKey(t, s, "other")
			del := mustOK(t, call(t, s, op("DeleteBucketAccessKey"), js(map[string]string{"bucketName": "life", "accessKeyId": id1})))
			later = append(later, del.raw, []byte(fmt.Sprint(del.header)))
			again := call(t, s, op("DeleteBucketAccessKey"), js(map[string]string{"bucketName": "life", "accessKeyId": id1}))
			assert.Contains(t, []string{"NotFoundException", "NOT_FOUND"}, again.errCode())
			later = append(later, again.raw)
			wrongBucket := call(t, s, op("DeleteBucketAccessKey"), js(map[string]string{"bucketName": "other", "accessKeyId": id2}))
			assert.Contains(t, []string{"NotFoundException", "NOT_FOUND"}, wrongBucket.errCode())
			id3, _ := createKey(t, s, "life")
			assert.Equal(t, []string{id2, id3}, listedIDs(t, s, "life"))
			for _, b := range []string{"life", "other"} {
				later = append(later, call(t, s, op("GetBucketAccessKeys"), js(map[string]string{"bucketName": b})).raw)
			}
			later = append(later, call(t, s, op("GetBuckets"), `{}`).raw)
			for _, raw := range later {
				assert.NotContains(t, string(raw), sec1)
				assert.NotContains(t, string(raw), sec2)
			}
		})
	}
}

func TestConcurrentCreatesRespectLimit(t *testing.T) {
	for _, d := range allDialects {
		s := newServer(t, Options{Dialect: d})
		require.NoError(t, s.AddBucket("race"))
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 32 {
			wg.Go(func() {
				r := call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"race"}`)
				if r.status/100 == 2 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
				call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"race"}`)
			})
		}
		wg.Wait()
		assert.Equal(t, 2, ok)
		assert.Len(t, s.Snapshot()["race"], 2)
	}
}

func TestThrottleAfterAuthBeforeTarget(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectEnvelope, Token: "tok", ThrottlePercent: 100})
	assert.Equal(t, http.StatusUnauthorized, call(t, s, op("GetBuckets"), `{}`).status, "auth first")
	r := call(t, s, "bogus", `{`, "Authorization: Bearer tok")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "RATE_LIMITED", r.errCode())

	a := newServer(t, Options{ThrottlePercent: 100})
	r = call(t, a, op("GetBuckets"), `{}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "ThrottlingException", r.errCode())
	assert.Equal(t, "ThrottlingException", r.header.Get("X-Amzn-ErrorType"))

	none := newServer(t, Options{ThrottlePercent: 0})
	for range 20 {
		mustOK(t, call(t, none, op("GetBuckets"), `{}`))
	}
}

func TestLatency(t *testing.T) {
	s := newServer(t, Options{Latency: 40 * time.Millisecond})
	start := time.Now()
	mustOK(t, call(t, s, op("GetBuckets"), `{}`))
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
}

func TestLogNeverCarriesSecrets(t *testing.T) {
	var buf bytes.Buffer
	s := newServer(t, Options{Dialect: DialectEnvelope, Token: "very-secret-token", Log: &buf})
	auth := "Authorization: Bearer very-secret-token"
	mustOK(t, call(t, s, op("CreateBucket"), `{"bucketName":"log-bucket","bundleId":"small_1_0"}`, auth))
	_, secret := createKey(t, s, "log-bucket", auth)
	call(t, s, op("GetBucketAccessKeys"), js(map[string]string{"bucketName": secret}), auth)
	call(t, s, op("GetBuckets"), `{}`, "Authorization: Bearer wrong-token-value")
	call(t, s, "Lightsail_20161128."+secret, `{}`, auth)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 5)
	assert.Contains(t, lines[0], "POST CreateBucket 200")
	assert.Contains(t, lines[0], "bucket=log-bucket")
	assert.Contains(t, lines[2], "GetBucketAccessKeys 400")
	assert.Contains(t, lines[3], "- 403")
	for _, bad := range []string{secret, "very-secret-token", "wrong-token-value", "Bearer", "Authorization"} {
		assert.NotContains(t, buf.String(), bad)
	}
}
