package emulator

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createWith creates a key on a fresh bucket of a server of dialect d with
// fault f, and returns the response and the key the server stored.
func createWith(t *testing.T, d string, f Fault) (resp, KeyInfo) {
	t.Helper()
	s := newServer(t, Options{Dialect: d, Faults: []Fault{f}})
	require.NoError(t, s.AddBucket("red-bucket"))
	r := mustOK(t, call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"red-bucket"}`))
	keys := s.Snapshot()["red-bucket"]
	require.Len(t, keys, 1)
	return r, keys[0]
}

// keyObject is the created key's object of a decoded create response.
func keyObject(d string, r resp) map[string]any {
	if d == DialectEnvelope {
		return r.data()
	}
	k, _ := r.body["accessKey"].(map[string]any)
	return k
}

// TestRedactionFaultDetails pins, per dialect, what each fault of the
// redaction family sends; every one still carries the secret.
func TestRedactionFaultDetails(t *testing.T) {
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		idName, secretName := "accessKeyId", "secretAccessKey"
		if d == DialectEnvelope {
			idName, secretName = "id", "secret_access_key"
		}
		t.Run(d, func(t *testing.T) {
			r, k := createWith(t, d, FaultCreateIDNumber)
			assert.Equal(t, "1234567890", string(keyObject(d, r)[idName].(json.Number)))
			assert.Equal(t, k.Secret, keyObject(d, r)[secretName])

			r, k = createWith(t, d, FaultCreateIDObject)
			assert.Equal(t, map[string]any{"value": k.ID}, keyObject(d, r)[idName])

			r, _ = createWith(t, d, FaultCreateIDNull)
			v, ok := keyObject(d, r)[idName]
			assert.True(t, ok)
			assert.Nil(t, v)

			r, k = createWith(t, d, FaultCreateIDMissing)
			assert.NotContains(t, keyObject(d, r), idName)
			assert.Equal(t, k.Secret, keyObject(d, r)[secretName])

			r, k = createWith(t, d, FaultSecretRenamed)
			assert.NotContains(t, keyObject(d, r), secretName)
			assert.Equal(t, k.Secret, keyObject(d, r)["secretKey"])
			assert.Equal(t, k.ID, keyObject(d, r)[idName])

			r, k = createWith(t, d, FaultSecretDuplicated)
			assert.Equal(t, k.Secret, keyObject(d, r)[secretName])
			assert.Equal(t, k.Secret, keyObject(d, r)["secretKey"])

			r, k = createWith(t, d, FaultCreateWrongContentType)
			assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
			assert.Equal(t, k.Secret, keyObject(d, r)[secretName], "the body is unchanged")

			r, k = createWith(t, d, FaultCreateTruncated)
			assert.Nil(t, r.body, "not JSON any more")
			assert.Contains(t, string(r.raw), k.Secret)

			r, k = createWith(t, d, FaultCreateNotJSON)
			assert.Nil(t, r.body)
			assert.Equal(t, idName+"="+k.ID+"&"+secretName+"="+k.Secret+"&status=Active", string(r.raw))
		})
	}
}

func TestFaultSecretInHeader(t *testing.T) {
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		s := newServer(t, Options{Dialect: d, Faults: []Fault{FaultSecretInHeader}})
		require.NoError(t, s.AddBucket("hdr-bucket"))
		r := call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"hdr-bucket"}`)
		id1, s1 := s.Snapshot()["hdr-bucket"][0].ID, s.Snapshot()["hdr-bucket"][0].Secret
		assert.Equal(t, s1, r.header.Get("X-Debug-Secret"), d)
		call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"hdr-bucket"}`)
		s2 := s.Snapshot()["hdr-bucket"][1].Secret
		assert.Equal(t, s2, call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"hdr-bucket"}`).header.Get("X-Debug-Secret"), d)
		del := call(t, s, op("DeleteBucketAccessKey"), js(map[string]string{"bucketName": "hdr-bucket", "accessKeyId": id1}))
		assert.Equal(t, s2, del.header.Get("X-Debug-Secret"), d)
		assert.Empty(t, call(t, s, op("GetBuckets"), `{}`).header.Get("X-Debug-Secret"), "%s: GetBuckets is not a key operation", d)
	}
}

func TestLimitFaults(t *testing.T) {
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		s := newServer(t, Options{Dialect: d, Faults: []Fault{FaultLimitWrongError}})
		require.NoError(t, s.AddBucket("lim-bucket"))
		createKey(t, s, "lim-bucket")
		createKey(t, s, "lim-bucket")
		r := call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"lim-bucket"}`)
		assert.Contains(t, []string{"NotFoundException", "NOT_FOUND"}, r.errCode(), d)
		assert.Len(t, s.Snapshot()["lim-bucket"], 2)

		s = newServer(t, Options{Dialect: d, Faults: []Fault{FaultLimitPhantomOK}})
		require.NoError(t, s.AddBucket("lim-bucket"))
		createKey(t, s, "lim-bucket")
		createKey(t, s, "lim-bucket")
		id, secret := createKey(t, s, "lim-bucket")
		assert.Regexp(t, `^[A-Z0-9]{20}$`, id)
		assert.NotEmpty(t, secret)
		assert.Len(t, s.Snapshot()["lim-bucket"], 2, "%s: the phantom key is not stored", d)
		assert.NotContains(t, listedIDs(t, s, "lim-bucket"), id)
	}
}
