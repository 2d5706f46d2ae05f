package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The bucket dialects' data plane (docs/DESIGN.md, "The key works: the
// data plane"): an S3 subset, path-style, on a listener of its own.
//
//	GET  /{bucket}?list-type=2   ListObjectsV2 (prefix, delimiter, max-keys,
//	                             continuation-token, start-after, encoding-type=url)
//	HEAD /{bucket}               HeadBucket
//	PUT  /{bucket}/{key}         PutObject, at most MaxObjectBytes, at most
//	                             MaxObjectsPerBucket objects a bucket
//	GET  /{bucket}/{key}         GetObject (HEAD: HeadObject)
//
// Objects live in memory with their bucket and go with it. A request is
// checked in this order, and the first failure answers it, as an S3
// <Error> (application/xml):
//
//  1. the route: a path-style bucket (else 400 InvalidRequest), an
//     operation of the subset (a method the resource does not serve: 405
//     MethodNotAllowed; anything else: 400 InvalidRequest);
//  2. authentication, when the request is signed (SigV4, service s3, the
//     server's region, verified against the keys the store issued,
//     Server.standing): an unknown or deleted key 403 InvalidAccessKeyId,
//     a malformed header 400 AuthorizationHeaderMalformed, a wrong secret
//     or scope 403 SignatureDoesNotMatch; then the payload as declared
//     (data_s3_payload.go);
//  3. the bucket exists (else 404 NoSuchBucket);
//  4. authorization: a signed request's key is one of the bucket's (else
//     403 AccessDenied); an unsigned request is refused with 403
//     AccessDenied;
//  5. the operation (404 NoSuchKey, 400 EntityTooLarge...).
//
// The store's API faults change nothing here; the data-plane faults
// (data_faults.go) do.
var s3Plane = &dataPlane{
	opens:   opensBucket,
	handler: func(s *Server) http.Handler { return s3Handler{s} },
}

// Bounds of the data plane's objects.
const (
	// MaxObjectBytes is the largest object PutObject stores; a larger one
	// is 400 EntityTooLarge.
	MaxObjectBytes = 256 << 10
	// MaxObjectsPerBucket is how many objects a bucket holds; a PutObject
	// of one more is 400 InvalidRequest.
	MaxObjectsPerBucket = 100
)

const (
	s3Namespace       = "http://s3.amazonaws.com/doc/2006-03-01/"
	ctS3              = "application/xml"
	headerS3RequestID = "X-Amz-Request-Id"
	s3DefaultType     = "binary/octet-stream"
	s3TimeFormat      = "2006-01-02T15:04:05.000Z"
	s3MaxKeys         = 1000
)

// object is one stored object.
type object struct {
	data        []byte
	contentType string
	modified    time.Time
	etag        string
	checksums   http.Header // the x-amz-checksum-* values it was put with
}

// s3Error is an S3 error: its status, Code and Message.
type s3Error struct {
	status    int
	code, msg string
}

func s3Err(status int, code, msg string) *s3Error { return &s3Error{status, code, msg} }

var (
	errS3AccessDenied = s3Err(http.StatusForbidden, "AccessDenied", "Access Denied")
	errS3NoSuchBucket = s3Err(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	errS3NoSuchKey    = s3Err(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	errS3Internal     = s3Err(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
)

// s3Subresources are query parameters that name an S3 operation the
// subset does not serve.
var s3Subresources = []string{"acl", "tagging", "uploads", "uploadId", "partNumber", "retention",
	"legal-hold", "attributes", "torrent", "restore", "select", "versionId", "versioning",
	"location", "policy", "cors", "lifecycle", "website", "delete"}

type s3Handler struct{ s *Server }

func (h s3Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.s.serveData(w, r, headerS3RequestID, h.handle, func(rep *reply) { h.fail(rep, errS3Internal) })
}

// fail writes e as S3's <Error>.
func (h s3Handler) fail(rep *reply, e *s3Error) {
	type errorBody struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
		HostID    string `xml:"HostId"`
	}
	rep.status, rep.header = e.status, headerWith(ctS3)
	rep.body = append([]byte(xml.Header), mustXML(errorBody{Code: e.code, Message: e.msg, RequestID: rep.id, HostID: rep.id})...)
}

// s3Route is a request's operation, bucket and object key.
type s3Route struct{ op, bucket, key string }

// route reads the path-style bucket and key (each decoded once) and the
// operation.
func route(r *http.Request) (s3Route, *s3Error) {
	path, _ := strings.CutPrefix(r.URL.EscapedPath(), "/")
	rawBucket, rawKey, hasKey := strings.Cut(path, "/")
	bucket, err1 := url.PathUnescape(rawBucket)
	key, err2 := url.PathUnescape(rawKey)
	if bucket == "" || err1 != nil || err2 != nil {
		return s3Route{}, s3Err(http.StatusBadRequest, "InvalidRequest", "This data plane serves path-style requests: /{bucket} and /{bucket}/{key}")
	}
	rt := s3Route{bucket: bucket, key: key}
	q := r.URL.Query()
	if !hasKey || key == "" {
		switch {
		case r.Method == http.MethodGet && q.Get("list-type") == "2":
			rt.op = "ListObjectsV2"
		case r.Method == http.MethodHead:
			rt.op = "HeadBucket"
		case r.Method == http.MethodGet:
			return rt, s3Err(http.StatusBadRequest, "InvalidRequest", "This data plane serves ListObjectsV2 (list-type=2) on a bucket, and no other bucket operation")
		default:
			return rt, methodNotAllowed()
		}
		return rt, nil
	}
	for _, sub := range s3Subresources {
		if q.Has(sub) {
			return rt, s3Err(http.StatusBadRequest, "InvalidRequest", "This data plane serves PutObject and GetObject on an object, and no other object operation")
		}
	}
	switch r.Method {
	case http.MethodPut:
		rt.op = "PutObject"
	case http.MethodGet:
		rt.op = "GetObject"
	case http.MethodHead:
		rt.op = "HeadObject"
	default:
		return rt, methodNotAllowed()
	}
	return rt, nil
}

func methodNotAllowed() *s3Error {
	return s3Err(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
}

// handle answers one request; see the order of checks above.
func (h s3Handler) handle(r *http.Request, rep *reply) {
	s := h.s
	rt, e := route(r)
	if validBucketName(rt.bucket) {
		rep.bucket = rt.bucket
	}
	if rt.op != "" {
		rep.op = rt.op
	}
	if e != nil {
		h.fail(rep, e)
		return
	}
	body := readBody(r)
	key, signed, e := h.authenticate(r, body)
	if e != nil {
		h.fail(rep, e)
		return
	}
	content, checksums, e := s3Payload(r, body, signed)
	if e != nil {
		h.fail(rep, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.buckets[rt.bucket]
	switch {
	case b == nil:
		e = errS3NoSuchBucket
	case !signed && !s.has(FaultDataOpen):
		e = errS3AccessDenied
	case signed && key.owner != rt.bucket && !s.has(FaultKeyAnyBucket):
		e = errS3AccessDenied
	}
	if e != nil {
		h.fail(rep, e)
		return
	}
	switch rt.op {
	case "ListObjectsV2":
		e = listObjects(b, r.URL.Query(), rep)
	case "HeadBucket":
		rep.status, rep.header = http.StatusOK, http.Header{}
	case "PutObject":
		e = s.putObject(b, rt.key, r, content, checksums, rep)
	case "GetObject", "HeadObject":
		e = getObject(b, rt.key, r, rep)
	}
	if e != nil {
		h.fail(rep, e)
	}
}

// putObject stores content as b's object key, with s.mu held.
func (s *Server) putObject(b *bucket, key string, r *http.Request, content []byte, checksums http.Header, rep *reply) *s3Error {
	if len(content) > MaxObjectBytes {
		return s3Err(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size ("+strconv.Itoa(MaxObjectBytes)+" bytes here)")
	}
	if _, exists := b.objects[key]; !exists && len(b.objects) >= MaxObjectsPerBucket {
		return s3Err(http.StatusBadRequest, "InvalidRequest", "A bucket holds at most "+strconv.Itoa(MaxObjectsPerBucket)+" objects here")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = s3DefaultType
	}
	sum := md5.Sum(content)
	o := object{data: append([]byte(nil), content...), contentType: ct, modified: s.st.clock().UTC(), etag: `"` + hex.EncodeToString(sum[:]) + `"`, checksums: checksums}
	if b.objects == nil {
		b.objects = map[string]object{}
	}
	b.objects[key] = o
	rep.status, rep.header = http.StatusOK, http.Header{}
	rep.header.Set("ETag", o.etag)
	for k, v := range checksums {
		rep.header[k] = v
	}
	return nil
}

// getObject answers b's object key (HEAD: without its content; the
// server writes no body for HEAD), with its checksums when the request
// enables checksum mode.
func getObject(b *bucket, key string, r *http.Request, rep *reply) *s3Error {
	o, ok := b.objects[key]
	if !ok {
		return errS3NoSuchKey
	}
	h := http.Header{}
	h.Set("Content-Type", o.contentType)
	h.Set("Content-Length", strconv.Itoa(len(o.data)))
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.modified.Format(http.TimeFormat))
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		for k, v := range o.checksums {
			h[k] = v
		}
	}
	rep.status, rep.header, rep.body = http.StatusOK, h, o.data
	return nil
}
