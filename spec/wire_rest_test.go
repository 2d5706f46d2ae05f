package spec_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/spec"
)

// pathDoc is a REST description whose path parameters take any string, so
// that generated values reach the wire unfiltered.
const pathDoc = `
openapi: 3.0.3
info: {title: path encoding, version: "1"}
paths:
  /v1/buckets:
    post:
      operationId: CreateBucket
      requestBody: {required: true, content: {application/json: {schema: {type: object, properties: {bucketName: {type: string}}}}}}
      responses: {"201": {description: created}}
    get:
      operationId: GetBuckets
      parameters: [{name: bucketName, in: query, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /v1/buckets/{bucketName}:
    delete:
      operationId: DeleteBucket
      parameters: [{name: bucketName, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: deleted}}
  /v1/buckets/{bucketName}/access-keys:
    parameters: [{name: bucketName, in: path, required: true, schema: {type: string}}]
    post:
      operationId: CreateKey
      responses: {"201": {description: created}}
    get:
      operationId: ListKeys
      responses: {"200": {description: ok}}
  /v1/buckets/{bucketName}/access-keys/{accessKeyId}:
    delete:
      operationId: DeleteKey
      parameters:
        - {name: bucketName, in: path, required: true, schema: {type: string}}
        - {name: accessKeyId, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: deleted}}
x-keycontract:
  protocol: rest
  operations: {createKey: CreateKey, listKeys: ListKeys, deleteKey: DeleteKey, createBucket: CreateBucket, deleteBucket: DeleteBucket, listBuckets: GetBuckets}
  request: {bucket: /bucketName, keyId: /accessKeyId}
  response: {key: /data, keys: /data/keys, keyId: /id, keySecret: /secret}
  errors:
    code: ['body:/error/code']
    statuses: {BAD: [400], NOT_FOUND: [404]}
    accept: {invalidInput: [BAD], unknownOperation: [NOT_FOUND], notFound: [NOT_FOUND], limitExceeded: [BAD], authFailed: [BAD], throttled: [BAD]}
`

// rawServer records the request line's target of every request, as sent:
// it decodes nothing itself (no ServeMux, which would clean "..").
func rawServer(t *testing.T) (*httptest.Server, func() string) {
	var mu sync.Mutex
	var last string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = r.RequestURI
		mu.Unlock()
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(ts.Close)
	return ts, func() string { mu.Lock(); defer mu.Unlock(); return last }
}

// send sends a Request as the harness's client does: endpoint + URL().
func send(t require.TestingT, ts *httptest.Server, r spec.Request) {
	req, err := http.NewRequestWithContext(context.Background(), r.Method, ts.URL+r.URL(), strings.NewReader(string(r.Body)))
	require.NoError(t, err)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
}

// segments splits a request target's path into its raw segments.
func segments(target string) []string {
	path, _, _ := strings.Cut(target, "?")
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

// TestPathParametersAreOneSegment: whatever a bucket name or key id holds,
// a server that reads the raw request line receives it as exactly one path
// segment, which decodes once to the value sent.
func TestPathParametersAreOneSegment(t *testing.T) {
	d, err := spec.Load(context.Background(), "path-doc", []byte(pathDoc), nil)
	require.NoError(t, err)
	ts, last := rawServer(t)
	check := func(t require.TestingT, bucket, key string) {
		send(t, ts, d.Encode(d.Op(spec.DeleteKey), map[string]any{"bucketName": bucket, "accessKeyId": key}))
		segs := segments(last())
		require.Len(t, segs, 5, "request target %q: want v1/buckets/B/access-keys/K", last())
		gotBucket, err := url.PathUnescape(segs[2])
		require.NoError(t, err)
		gotKey, err := url.PathUnescape(segs[4])
		require.NoError(t, err)
		assert.Equal(t, bucket, gotBucket, "the bucket segment decodes to the value sent")
		assert.Equal(t, key, gotKey, "the key id segment decodes to the value sent")
		for _, s := range []string{segs[2], segs[4]} {
			assert.NotContains(t, []string{".", ".."}, s, "a dot segment reached the wire unescaped")
		}
	}
	for _, v := range []string{"a/b", "..", ".", "%2F", "?x", "#", "a b", "é", "a%b", "x/../y", "~-._", "+&=;"} {
		t.Run(v, func(t *testing.T) { check(t, v, v) })
	}
	t.Run("generated", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) {
			check(rt, rapid.String().Draw(rt, "bucket"), rapid.String().Draw(rt, "key"))
		})
	})
}

// TestRESTEncoding: method and path per operation; query parameters in the
// query; a body only where the operation declares one.
func TestRESTEncoding(t *testing.T) {
	d, err := spec.Load(context.Background(), "path-doc", []byte(pathDoc), nil)
	require.NoError(t, err)
	r := d.Encode(d.Op(spec.ListBuckets), map[string]any{"bucketName": "my bucket"})
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/buckets?bucketName=my+bucket", r.URL())
	assert.Empty(t, r.Body, "GetBuckets declares no body")
	r = d.Encode(d.Op(spec.CreateKey), map[string]any{"bucketName": "b1"})
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/v1/buckets/b1/access-keys", r.URL())
	assert.Empty(t, r.Body, "CreateKey declares no body")
	r = d.Encode(d.Op(spec.CreateBucket), map[string]any{"bucketName": "b1"})
	assert.Equal(t, "/v1/buckets", r.URL())
	assert.JSONEq(t, `{"bucketName":"b1"}`, string(r.Body))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
}
