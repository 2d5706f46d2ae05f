package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestS3KeyOpensItsOwnBucketOnly: the fault-free data plane, in every
// bucket dialect, opens a bucket to its own live keys and refuses
// everything else with the S3 error DESIGN.md names.
func TestS3KeyOpensItsOwnBucketOnly(t *testing.T) {
	for _, d := range bucketDialects {
		t.Run(d, func(t *testing.T) {
			s := newServer(t, Options{Dialect: d})
			newBucket(t, s, "bucket-a")
			newBucket(t, s, "bucket-b")
			a1, a2, b := newKey(t, s, "bucket-a"), newKey(t, s, "bucket-a"), newKey(t, s, "bucket-b")

			r := list(t, s, &a1, "bucket-a")
			require.Equal(t, http.StatusOK, r.status, r.raw)
			assert.Equal(t, "application/xml", r.header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(r.raw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket-a</Name>`), r.raw)
			assert.Regexp(t, uuidLike, r.header.Get("X-Amz-Request-Id"))
			assert.True(t, keyOpens(t, s, &a2, "bucket-a"))
			assert.True(t, keyOpens(t, s, &b, "bucket-b"))

			refused := func(k *key, bucket string, status int, code string) {
				t.Helper()
				r := list(t, s, k, bucket)
				assert.Equal(t, status, r.status, r.raw)
				assert.Equal(t, code, r.code, r.raw)
				assert.Equal(t, "application/xml", r.header.Get("Content-Type"))
			}
			refused(&a1, "bucket-b", 403, "AccessDenied")
			refused(&b, "bucket-a", 403, "AccessDenied")
			refused(nil, "bucket-a", 403, "AccessDenied")
			refused(&key{a1.id, "wrong" + a1.secret[5:]}, "bucket-a", 403, "SignatureDoesNotMatch")
			refused(&key{"EMULNOSUCHKEY0000000", a1.secret}, "bucket-a", 403, "InvalidAccessKeyId")
			refused(&a1, "no-such-bucket", 404, "NoSuchBucket")
			refused(nil, "no-such-bucket", 404, "NoSuchBucket")

			deleteKey(t, s, "bucket-a", a1)
			refused(&a1, "bucket-a", 403, "InvalidAccessKeyId")
			refused(&a1, "bucket-b", 403, "InvalidAccessKeyId")
			assert.True(t, keyOpens(t, s, &a2, "bucket-a"), "the bucket's other key still works")

			mustOK(t, call(t, s, op("DeleteBucket"), js(map[string]any{"bucketName": "bucket-a", "forceDelete": true})))
			refused(&a2, "bucket-a", 403, "InvalidAccessKeyId")
			newBucket(t, s, "bucket-a")
			refused(&a2, "bucket-a", 403, "InvalidAccessKeyId") // a new bucket of the old name: the old keys went with the old one
		})
	}
}

// TestS3Objects: PutObject, GetObject, HeadObject and ListObjectsV2 over
// the payload forms real clients send.
func TestS3Objects(t *testing.T) {
	s := newServer(t, Options{})
	newBucket(t, s, "objects")
	k := newKey(t, s, "objects")
	put := func(path, body, payload string, hdr ...string) s3Resp {
		t.Helper()
		return s3Do(t, s, s3Req(t, &k, http.MethodPut, path, body, payload, hdr...))
	}
	get := func(path string, hdr ...string) s3Resp {
		t.Helper()
		return s3Do(t, s, s3Req(t, &k, http.MethodGet, path, "", "", hdr...))
	}

	r := put("/objects/hello.txt", "hello world", "", "Content-Type: text/plain", "X-Amz-Checksum-Crc32: DUoRhQ==")
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, `"5eb63bbbe01eeed093cb22bb8f5acdc3"`, r.header.Get("ETag"))
	assert.Equal(t, "DUoRhQ==", r.header.Get("X-Amz-Checksum-Crc32"))
	r = get("/objects/hello.txt")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "hello world", r.raw)
	assert.Equal(t, "text/plain", r.header.Get("Content-Type"))
	assert.Equal(t, "11", r.header.Get("Content-Length"))
	assert.Equal(t, `"5eb63bbbe01eeed093cb22bb8f5acdc3"`, r.header.Get("ETag"))
	assert.NotEmpty(t, r.header.Get("Last-Modified"))
	assert.Empty(t, r.header.Get("X-Amz-Checksum-Crc32"), "checksums only in checksum mode")
	assert.Equal(t, "DUoRhQ==", get("/objects/hello.txt", "X-Amz-Checksum-Mode: ENABLED").header.Get("X-Amz-Checksum-Crc32"))
	head := s3Do(t, s, s3Req(t, &k, http.MethodHead, "/objects/hello.txt", "", ""))
	assert.Equal(t, http.StatusOK, head.status)
	assert.Equal(t, "11", head.header.Get("Content-Length"))

	// UNSIGNED-PAYLOAD, and an aws-chunked body with a trailing checksum.
	assert.Equal(t, http.StatusOK, put("/objects/dir/a%20b.txt", "unsigned", payloadUnsigned).status)
	assert.Equal(t, "unsigned", get("/objects/dir/a%20b.txt").raw)
	chunked := "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
	chunkHdr := []string{"Content-Encoding: aws-chunked", "X-Amz-Decoded-Content-Length: 11", "X-Amz-Trailer: x-amz-checksum-crc32"}
	r = put("/objects/dir/chunked", chunked, payloadUnsignedTrailer, chunkHdr...)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, "DUoRhQ==", r.header.Get("X-Amz-Checksum-Crc32"))
	assert.Equal(t, "hello world", get("/objects/dir/chunked").raw)

	bad := map[string]s3Resp{
		"hash mismatch":       put("/objects/x", "body", strings.Repeat("0", 64)),
		"bad crc32":           put("/objects/x", "body", "", "X-Amz-Checksum-Crc32: AAAAAA=="),
		"bad sha256":          put("/objects/x", "body", "", "X-Amz-Checksum-Sha256: "+base64.StdEncoding.EncodeToString(make([]byte, 32))),
		"bad md5":             put("/objects/x", "body", "", "Content-Md5: "+base64.StdEncoding.EncodeToString(make([]byte, 16))),
		"bad trailer":         put("/objects/x", strings.Replace(chunked, "DUoRhQ==", "AAAAAA==", 1), payloadUnsignedTrailer, chunkHdr...),
		"unannounced trailer": put("/objects/x", chunked, payloadUnsignedTrailer, chunkHdr[:2]...),
		"short chunk":         put("/objects/x", "9\r\nhello\r\n0\r\n\r\n", payloadUnsignedTrailer, chunkHdr...),
		"wrong length":        put("/objects/x", "5\r\nhello\r\n0\r\n\r\n", payloadUnsignedTrailer, chunkHdr[0], "X-Amz-Decoded-Content-Length: 6"),
		"signed chunks":       put("/objects/x", "body", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
		"unknown payload":     put("/objects/x", "body", "SOMETHING"),
		"too large":           put("/objects/x", strings.Repeat("x", MaxObjectBytes+1), ""),
		"no such key":         get("/objects/missing"),
		"delete":              s3Do(t, s, s3Req(t, &k, http.MethodDelete, "/objects/hello.txt", "", "")),
		"list v1":             get("/objects"),
		"acl":                 get("/objects/hello.txt?acl"),
		"no bucket":           get("/"),
		"bad max-keys":        get("/objects?list-type=2&max-keys=-1"),
		"bad token":           get("/objects?list-type=2&continuation-token=%21"),
	}
	want := map[string]string{
		"hash mismatch": "400 XAmzContentSHA256Mismatch", "bad crc32": "400 BadDigest", "bad sha256": "400 BadDigest",
		"bad md5": "400 BadDigest", "bad trailer": "400 BadDigest", "unannounced trailer": "400 IncompleteBody",
		"short chunk": "400 IncompleteBody", "wrong length": "400 IncompleteBody", "signed chunks": "400 InvalidRequest",
		"unknown payload": "400 InvalidArgument", "too large": "400 EntityTooLarge", "no such key": "404 NoSuchKey",
		"delete": "405 MethodNotAllowed", "list v1": "400 InvalidRequest", "acl": "400 InvalidRequest",
		"no bucket": "400 InvalidRequest", "bad max-keys": "400 InvalidArgument", "bad token": "400 InvalidArgument",
	}
	for name, r := range bad {
		assert.Equal(t, want[name], fmt.Sprintf("%d %s", r.status, r.code), name)
	}
	r = get("/objects/x")
	assert.Equal(t, "404 NoSuchKey", fmt.Sprintf("%d %s", r.status, r.code), "nothing refused was stored")
}

// TestS3ListObjectsV2 pages with max-keys and continuation tokens, groups
// by delimiter and encodes keys for encoding-type=url.
func TestS3ListObjectsV2(t *testing.T) {
	s := newServer(t, Options{})
	newBucket(t, s, "listing")
	k := newKey(t, s, "listing")
	for _, name := range []string{"a.txt", "b/1", "b/2", "c d.txt"} {
		require.Equal(t, http.StatusOK, s3Do(t, s, s3Req(t, &k, http.MethodPut, "/listing/"+strings.ReplaceAll(name, " ", "%20"), name, "")).status)
	}
	page := func(query string) s3ListResult {
		t.Helper()
		r := s3Do(t, s, s3Req(t, &k, http.MethodGet, "/listing?list-type=2"+query, "", ""))
		require.Equal(t, http.StatusOK, r.status, r.raw)
		var res s3ListResult
		require.NoError(t, xml.Unmarshal([]byte(r.raw), &res))
		return res
	}
	keys := func(res s3ListResult) (out []string) {
		for _, c := range res.Contents {
			out = append(out, c.Key)
		}
		for _, p := range res.CommonPrefixes {
			out = append(out, p.Prefix+"/")
		}
		return out
	}
	all := page("")
	assert.Equal(t, []string{"a.txt", "b/1", "b/2", "c d.txt"}, keys(all))
	assert.Equal(t, 4, all.KeyCount)
	assert.Equal(t, 1000, all.MaxKeys)
	assert.False(t, all.IsTruncated)
	assert.Equal(t, 3, all.Contents[1].Size)
	assert.Equal(t, "STANDARD", all.Contents[0].StorageClass)

	var seen []string
	res := page("&max-keys=3&delimiter=/")
	for {
		seen = append(seen, keys(res)...)
		if !res.IsTruncated {
			break
		}
		res = page("&max-keys=3&delimiter=/&continuation-token=" + res.NextContinuationToken)
	}
	assert.Equal(t, []string{"a.txt", "c d.txt", "b//"}, seen)
	assert.Equal(t, []string{"b/1", "b/2"}, keys(page("&prefix=b/")))
	assert.Equal(t, []string{"b/2", "c d.txt"}, keys(page("&start-after=b/1")))
	assert.Equal(t, []string{"c%20d.txt"}, keys(page("&encoding-type=url&prefix=c")))
	assert.Empty(t, keys(page("&max-keys=0")))
}

// TestS3RealHTTP: the data plane NewTestServer starts answers over
// loopback at DataURL, where the API's bucket objects say each bucket is:
// its url, with ?list-type=2 appended.
func TestS3RealHTTP(t *testing.T) {
	ts, s := NewTestServer(t, Options{})
	require.NotEmpty(t, s.DataURL())
	assert.NotEqual(t, ts.URL, s.DataURL())
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.DataURL())
	r := mustOK(t, call(t, s, op("CreateBucket"), js(map[string]any{"bucketName": "over-http", "bundleId": "small_1_0"})))
	url := r.body["bucket"].(map[string]any)["url"].(string)
	assert.Equal(t, s.DataURL()+"/over-http/", url)
	k := newKey(t, s, "over-http")
	req, err := http.NewRequest(http.MethodGet, url+"?list-type=2", nil)
	require.NoError(t, err)
	out, err := http.DefaultClient.Do(signS3(t, req, k, "", ""))
	require.NoError(t, err)
	defer out.Body.Close()
	body, _ := io.ReadAll(out.Body)
	assert.Equal(t, http.StatusOK, out.StatusCode, string(body))
	assert.True(t, bytes.Contains(body, []byte("<Name>over-http</Name>")), string(body))
}
