package emulator

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// How the S3 data plane (data_s3.go) authenticates a request and reads
// its payload, in the forms real clients send over http:
//
//   - x-amz-content-sha256: the body's SHA-256 in hex (aws-sdk-go-v2 and
//     the AWS CLI over http, every operation), checked against the body;
//     UNSIGNED-PAYLOAD, the body as it is; STREAMING-UNSIGNED-PAYLOAD-TRAILER,
//     an aws-chunked body (Content-Encoding: aws-chunked, chunks of
//     "hex-size\r\n data \r\n", then "0\r\n", trailer lines "name:value\r\n"
//     and "\r\n"; the SDKs' form over https), decoded, its length checked
//     against X-Amz-Decoded-Content-Length. The signed chunk forms
//     (STREAMING-AWS4-HMAC-SHA256-PAYLOAD...) are refused with 400
//     InvalidRequest: no client this project drives sends them.
//   - x-amz-checksum-crc32, -crc32c, -sha1 and -sha256 (a header, as the
//     CLI and the SDK send them over http, or a trailer named in
//     X-Amz-Trailer) and Content-MD5 are verified (400 BadDigest or
//     InvalidDigest); -crc64nvme is kept unverified. The object keeps its
//     x-amz-checksum-* values and gives them back when a GetObject asks
//     (x-amz-checksum-mode: ENABLED).

const (
	payloadUnsigned        = "UNSIGNED-PAYLOAD"
	payloadUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// authenticate verifies a signed request, whose body is body, against the
// key it names (Server.standing): it returns the key's standing, or
// signed false for a request with no Authorization header, or the
// refusal. A body too large to keep is not verified (its length is
// signed): s3Payload refuses it next.
func (h s3Handler) authenticate(r *http.Request, body requestBody) (standing, bool, *s3Error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return standing{}, false, nil
	}
	p, ok := parseSigV4(authz)
	if !ok {
		return standing{}, true, s3Err(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; it must be AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...")
	}
	st := h.s.keyStanding(p.accessKeyID)
	if !st.ok {
		return st, true, s3Err(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	if r.Header.Get("X-Amz-Content-Sha256") == "" {
		return st, true, s3Err(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	scope := h.s.dataScope(st, "s3")
	scope.s3 = true
	switch e := verifySigV4(r, authz, body.data, body.complete(), scope); {
	case e == nil:
		return st, true, nil
	case e.kind == errIncompleteSignature:
		return st, true, s3Err(http.StatusBadRequest, "AuthorizationHeaderMalformed", e.msg)
	default:
		return st, true, s3Err(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	}
}

// s3Payload reads the object's content from body as x-amz-content-sha256
// declares it, and the checksums it declares (headers, trailer), each
// verified. An unsigned request may declare no payload hash.
func s3Payload(r *http.Request, body requestBody, signed bool) ([]byte, http.Header, *s3Error) {
	switch {
	case body.tooLarge:
		return nil, nil, s3Err(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size ("+strconv.Itoa(MaxObjectBytes)+" bytes here)")
	case body.err != nil:
		return nil, nil, s3Err(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	}
	declared := r.Header.Get("X-Amz-Content-Sha256")
	content, trailer := body.data, http.Header{}
	switch {
	case declared == "" && !signed, declared == payloadUnsigned:
	case hexSHA256.MatchString(declared):
		if sum := sha256.Sum256(body.data); hex.EncodeToString(sum[:]) != declared {
			return nil, nil, s3Err(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	case declared == payloadUnsignedTrailer:
		var e *s3Error
		if content, trailer, e = decodeAWSChunked(body.data, r.Header); e != nil {
			return nil, nil, e
		}
	case strings.HasPrefix(declared, "STREAMING-"):
		return nil, nil, s3Err(http.StatusBadRequest, "InvalidRequest", "Signed aws-chunked payloads are not served here: sign the payload's SHA-256, UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	default:
		return nil, nil, s3Err(http.StatusBadRequest, "InvalidArgument", "x-amz-content-sha256 must be a SHA-256 in hex, UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	}
	checksums, e := verifyChecksums(content, r.Header, trailer)
	return content, checksums, e
}

// decodeAWSChunked decodes an unsigned aws-chunked body: its content and
// its trailer, whose names must be those X-Amz-Trailer announces.
func decodeAWSChunked(data []byte, h http.Header) ([]byte, http.Header, *s3Error) {
	bad := s3Err(http.StatusBadRequest, "IncompleteBody", "The aws-chunked body is malformed")
	rd := bufio.NewReader(bytes.NewReader(data))
	var content []byte
	for {
		line, err := rd.ReadString('\n')
		size, perr := strconv.ParseUint(strings.TrimSpace(strings.SplitN(line, ";", 2)[0]), 16, 31)
		if err != nil || perr != nil {
			return nil, nil, bad
		}
		if size == 0 {
			break
		}
		chunk := make([]byte, size+2)
		if _, err := io.ReadFull(rd, chunk); err != nil || string(chunk[size:]) != "\r\n" {
			return nil, nil, bad
		}
		content = append(content, chunk[:size]...)
	}
	announced := map[string]bool{}
	for _, name := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			announced[http.CanonicalHeaderKey(name)] = true
		}
	}
	trailer := http.Header{}
	for {
		line, err := rd.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break // the blank line that ends the trailer, or its end
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !announced[http.CanonicalHeaderKey(name)] {
			return nil, nil, bad
		}
		trailer.Set(name, strings.TrimSpace(value))
		if err != nil {
			break
		}
	}
	if n := h.Get("X-Amz-Decoded-Content-Length"); n != "" && n != strconv.Itoa(len(content)) {
		return nil, nil, s3Err(http.StatusBadRequest, "IncompleteBody", "The decoded content is not X-Amz-Decoded-Content-Length bytes long")
	}
	return content, trailer, nil
}

// checksumAlgorithms are the x-amz-checksum-* headers the plane verifies,
// each with the hash whose big-endian sum, base64, is its value.
var checksumAlgorithms = map[string]func() hash.Hash{
	"X-Amz-Checksum-Crc32":  func() hash.Hash { return crc32.NewIEEE() },
	"X-Amz-Checksum-Crc32c": func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"X-Amz-Checksum-Sha1":   sha1.New,
	"X-Amz-Checksum-Sha256": sha256.New,
}

// verifyChecksums checks content against Content-MD5 and every
// x-amz-checksum-* value of the headers and the trailer, and returns the
// x-amz-checksum-* values the object keeps.
func verifyChecksums(content []byte, headers, trailer http.Header) (http.Header, *s3Error) {
	if v := headers.Get("Content-Md5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		sum := md5.Sum(content)
		switch {
		case err != nil || len(want) != md5.Size:
			return nil, s3Err(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		case !bytes.Equal(want, sum[:]):
			return nil, s3Err(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	kept := http.Header{}
	for _, from := range []http.Header{headers, trailer} {
		for name, values := range from {
			if !strings.HasPrefix(name, "X-Amz-Checksum-") || name == "X-Amz-Checksum-Mode" || name == "X-Amz-Checksum-Type" || len(values) == 0 {
				continue
			}
			if newHash, ok := checksumAlgorithms[name]; ok {
				sum := newHash()
				sum.Write(content)
				if base64.StdEncoding.EncodeToString(sum.Sum(nil)) != values[0] {
					alg := strings.ToUpper(strings.TrimPrefix(name, "X-Amz-Checksum-"))
					return nil, s3Err(http.StatusBadRequest, "BadDigest", "The "+alg+" you specified did not match the calculated checksum.")
				}
			}
			kept.Set(name, values[0])
		}
	}
	return kept, nil
}
