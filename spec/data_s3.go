package spec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The S3 probe (docs/DESIGN.md, "The key works: the data plane",
// buckets): a bucket access key opens its bucket through the S3 API. The
// probe is ListObjectsV2 on the key's bucket, GET {bucket}?list-type=2,
// signed with SigV4 (service s3, the run's region) with the key's id and
// secret; an x-amz-content-sha256 header carries the empty body's hash,
// as S3 requires of a signed request.
//
//   - A success is 200 with a <ListBucketResult> document.
//   - A refusal is 403 with an S3 <Error> whose Code is AccessDenied,
//     InvalidAccessKeyId or SignatureDoesNotMatch.
//   - Anything else (another status or code, a body that is not S3's
//     XML) is an answer that is neither: a finding.
//
// Where the bucket is (Locate): -data-endpoint where given (holding
// {bucket}: the bucket's URL once it is replaced; without it a
// path-style base, /{bucket} appended), else the url the endpoint's
// replies declared for the bucket (data.s3.url: a pointer into the
// createBucket reply and one into a listBuckets item; the probe is
// GET {url}?list-type=2, the url as it stands, with or without a
// trailing slash), else the binding's data.s3.endpoint (a URL template
// with {bucket} and {region}, or a path-style base). A url a reply
// declares on AWS's own S3 (amazonaws.com) is used only when the run's
// endpoint is on amazonaws.com too: the harness sends nothing to a host
// the run was not pointed at (an emulator that answers with a
// real-looking url has no data plane there; give -data-endpoint).
//
// Known false negative: ListObjectsV2 is the only operation probed; a
// data plane that lists a bucket for a key but refuses (or allows) its
// objects otherwise is judged by the listing alone.

// S3Data is the data section's s3 member.
type S3Data struct {
	// URL says where the endpoint's replies declare a bucket's url.
	URL BucketURLPointers `json:"url,omitzero"`
	// Endpoint is where a bucket is when no reply says: a URL template
	// holding {bucket} (and maybe {region}), or a path-style base.
	Endpoint string `json:"endpoint,omitempty"`
}

// BucketURLPointers point to a bucket's url in replies.
type BucketURLPointers struct {
	// CreateBucket points into the createBucket success reply.
	CreateBucket string `json:"createBucket,omitempty"`
	// ListBuckets points into one item of the listBuckets reply (the
	// items response.buckets points to).
	ListBuckets string `json:"listBuckets,omitempty"`
}

// s3Probe is the registry's entry (data.go).
var s3Probe = dataProbe{
	name:  "s3",
	named: func(d DataBinding) bool { return d.S3 != nil },
	check: func(b Binding) []error {
		s := b.Data.S3
		var errs []error
		for name, p := range map[string]string{"data.s3.url.createBucket": s.URL.CreateBucket, "data.s3.url.listBuckets": s.URL.ListBuckets} {
			if !isPointer(p) {
				errs = append(errs, fmt.Errorf("%w: %s = %q is not a JSON pointer", ErrBinding, name, p))
			}
		}
		if s.Endpoint != "" {
			if err := checkURL(s.Endpoint); err != nil {
				errs = append(errs, fmt.Errorf("%w: data.s3.endpoint: %v", ErrBinding, err))
			}
		}
		return errs
	},
	open: func(d *Document) (Probe, error) {
		var s S3Data
		if d.Binding.Data.S3 != nil {
			s = *d.Binding.Data.S3
		}
		return s3{declared: d.Binding.Data.S3 != nil, data: s}, nil
	},
}

// s3 is the S3 probe.
type s3 struct {
	declared bool // the binding has a data.s3 section
	data     S3Data
}

// Opens: a bucket.
func (s3) Opens() string { return OpensBucket }

// Locate: see above.
func (p s3) Locate(w Where, bucket string) (Place, error) {
	at := func(base, via string) (Place, error) {
		return Place{Base: base, Service: "s3", Region: w.Region, Via: via}, nil
	}
	switch {
	case w.Data != "":
		return at(bucketAt(w.Data, bucket, w.Region), "-data-endpoint")
	case w.BucketURL != "" && onAWS(w.BucketURL) && !onAWS(w.Endpoint):
		return Place{}, fmt.Errorf("%w: the endpoint declares bucket %s's url on AWS's own S3 (%s), and the run's endpoint is not AWS: the harness sends nothing to a host it was not pointed at; give -data-endpoint", ErrNoDataPlane, bucket, w.BucketURL)
	case w.BucketURL != "":
		return at(w.BucketURL, "the bucket's url")
	case p.data.Endpoint != "":
		return at(bucketAt(p.data.Endpoint, bucket, w.Region), "the binding's data.s3.endpoint")
	case !p.declared:
		return Place{}, fmt.Errorf("%w: the binding names none (its data section) and no -data-endpoint was given", ErrNoDataPlane)
	}
	return Place{}, fmt.Errorf("%w: the endpoint's replies declared no url for bucket %s (data.s3.url), the binding gives no data.s3.endpoint, and no -data-endpoint was given", ErrNoDataPlane, bucket)
}

// bucketAt is the bucket's URL at a -data-endpoint or data.s3.endpoint:
// the template with {bucket} (and {region}) replaced, or a path-style
// base with /{bucket} appended.
func bucketAt(template, bucket, region string) string {
	if strings.Contains(template, "{bucket}") {
		return fill(template, bucket, region)
	}
	return strings.TrimRight(fill(template, bucket, region), "/") + "/" + url.PathEscape(bucket)
}

// emptySHA256 is the SHA-256 of an empty body, in hex: the probe's
// x-amz-content-sha256.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Asks: ListObjectsV2 on the bucket.
func (s3) Asks(p Place, _ string) []Ask {
	base, query := joinQuery(p.Base, "list-type=2")
	h := http.Header{}
	h.Set("X-Amz-Content-Sha256", emptySHA256)
	return []Ask{{Name: "ListObjectsV2", Base: base, Service: p.Service, Region: p.Region,
		Request: Request{Method: http.MethodGet, Query: query, Header: h}}}
}

// Reply: S3's replies are read by Judge, from the body as sent.
func (s3) Reply(_ Ask, status int, header http.Header, body []byte) *Reply {
	return &Reply{Status: status, Header: header, Body: body, ok: status2xx(status), decoder: decodeXMLLoose}
}

// s3Refusals are the codes of S3's refusals of a request's credentials.
var s3Refusals = []string{"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}

// Judge: see above.
func (s3) Judge(_ Ask, r *Reply, _ bool) Use {
	root, code := s3Document(r.Body)
	why := fmt.Sprintf("%d %s", r.Status, orWhat(code, root))
	switch {
	case r.Status == http.StatusOK && root == "ListBucketResult":
		return Use{Outcome: Works, Why: why}
	case r.Status == http.StatusForbidden && slices.Contains(s3Refusals, code):
		return Use{Outcome: Refused, Code: code, Why: why}
	}
	return Use{Outcome: Neither, Code: code, Why: why}
}

// s3Document reads an S3 reply's root element and, for an <Error>, its
// Code; both "" for a body that is not XML.
func s3Document(body []byte) (root, code string) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if start.Name.Local != "Error" {
			return start.Name.Local, ""
		}
		var e struct{ Code string }
		if err := dec.DecodeElement(&e, &start); err != nil && !errors.Is(err, io.EOF) {
			return start.Name.Local, ""
		}
		return start.Name.Local, strings.TrimSpace(e.Code)
	}
}

// orWhat names a reply for messages: its code, else its root element,
// else that it is not S3's XML.
func orWhat(code, root string) string {
	switch {
	case code != "":
		return code
	case root != "":
		return "<" + root + ">"
	}
	return "(not an S3 XML document)"
}

// BucketURLs reads the bucket urls a reply declares (data.s3.url): the
// createBucket success reply's, for the bucket its request named, and
// each listBuckets item's, by the item's name. Nil when the binding
// declares none, or the reply holds none.
func (b Binding) BucketURLs(role Role, bucket string, r *Reply) map[string]string {
	s := b.Data.S3
	if s == nil || r == nil || !r.OK() {
		return nil
	}
	out := map[string]string{}
	switch {
	case role == CreateBucket && s.URL.CreateBucket != "" && bucket != "":
		if u, ok := Pointer(r.Value(), s.URL.CreateBucket); ok {
			if str, ok := u.(string); ok && str != "" {
				out[bucket] = str
			}
		}
	case role == ListBuckets && s.URL.ListBuckets != "":
		items, _ := Pointer(r.Value(), b.Response.Buckets)
		list, _ := items.([]any)
		for _, it := range list {
			name, _ := Pointer(it, b.Response.BucketName)
			u, _ := Pointer(it, s.URL.ListBuckets)
			n, _ := name.(string)
			str, _ := u.(string)
			if n != "" && str != "" {
				out[n] = str
			}
		}
	}
	return out
}
