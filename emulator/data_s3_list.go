package emulator

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ListObjectsV2 on the S3 data plane (data_s3.go): keys in UTF-8 binary
// order; prefix, delimiter (CommonPrefixes), max-keys (0 to 1000; more
// reads as 1000), start-after, continuation-token (opaque: the last key
// of the previous page, base64) and encoding-type=url (keys, prefixes and
// the delimiter percent-encoded in the reply, as the AWS CLI asks).

type s3ListResult struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string
	Prefix                string
	Delimiter             string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	KeyCount              int
	MaxKeys               int
	EncodingType          string `xml:",omitempty"`
	IsTruncated           bool
	Contents              []s3Object
	CommonPrefixes        []s3Prefix
}

type s3Object struct {
	Key          string
	LastModified string
	ETag         string
	Size         int
	StorageClass string
}

type s3Prefix struct{ Prefix string }

// listObjects answers ListObjectsV2 on b with query q, with the server's
// lock held.
func listObjects(b *bucket, q url.Values, rep *reply) *s3Error {
	maxKeys := s3MaxKeys
	if v := q.Get("max-keys"); q.Has("max-keys") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return s3Err(http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, s3MaxKeys)
	}
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return s3Err(http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request")
	}
	after := q.Get("start-after")
	if q.Has("continuation-token") {
		raw, err := base64.RawURLEncoding.DecodeString(q.Get("continuation-token"))
		if err != nil || len(raw) == 0 {
			return s3Err(http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
		}
		after = string(raw)
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	encode := func(s string) string {
		if enc == "url" {
			return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
		}
		return s
	}
	res := s3ListResult{Name: b.name, Prefix: encode(prefix), Delimiter: encode(delim), MaxKeys: maxKeys,
		EncodingType: enc, ContinuationToken: q.Get("continuation-token")}
	if !q.Has("continuation-token") {
		res.StartAfter = encode(q.Get("start-after"))
	}
	last, seen := "", map[string]bool{}
	for _, k := range keys {
		if maxKeys == 0 {
			break
		}
		if cp, grouped := commonPrefix(k, prefix, delim); grouped {
			if seen[cp] {
				last = k
				continue
			}
			if res.KeyCount == maxKeys {
				res.IsTruncated = true
				break
			}
			seen[cp] = true
			res.CommonPrefixes = append(res.CommonPrefixes, s3Prefix{encode(cp)})
		} else {
			if res.KeyCount == maxKeys {
				res.IsTruncated = true
				break
			}
			o := b.objects[k]
			res.Contents = append(res.Contents, s3Object{Key: encode(k), LastModified: o.modified.Format(s3TimeFormat),
				ETag: o.etag, Size: len(o.data), StorageClass: "STANDARD"})
		}
		res.KeyCount++
		last = k
	}
	if res.IsTruncated {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	rep.status, rep.header = http.StatusOK, headerWith(ctS3)
	rep.body = append([]byte(xml.Header), mustXML(res)...)
	return nil
}

// commonPrefix is key's common prefix under prefix and delimiter: the key
// up to and including the delimiter's first occurrence after prefix.
func commonPrefix(key, prefix, delim string) (string, bool) {
	if delim == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delim)], true
}
