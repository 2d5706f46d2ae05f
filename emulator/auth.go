package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigV4 constants.
const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
)

// sigV4Scope is what a SigV4 signature is verified against: who may sign
// (a secret by access key id), and the region and service the signature
// must be scoped to. The API's requests are verified against
// Options.Credentials, Options.Region and the dialect's signing service.
type sigV4Scope struct {
	secret  func(accessKeyID string) (string, bool)
	region  string
	service string
}

// apiScope is the scope of the API's requests.
func (s *Server) apiScope() sigV4Scope {
	return sigV4Scope{
		secret: func(id string) (string, bool) {
			secret, ok := s.opts.Credentials[id]
			return secret, ok
		},
		region:  s.opts.Region,
		service: s.d.signingService,
	}
}

// authenticate applies the configured authentication to r. body is the
// request body (nil when it exceeded MaxBodyBytes, in which case the
// signature cannot be checked and the caller rejects the body next).
//
// Bearer (Options.Token): missing -> errMissingAuth, wrong -> errAccessDenied.
// SigV4 (Options.Credentials): missing -> errMissingAuth, unknown access
// key id -> errUnrecognizedClient, malformed or incomplete (no parsable
// header, a signed header or X-Amz-Date missing) -> errIncompleteSignature,
// wrong scope or signature -> errBadSignature. A dialect may write the
// last two alike (the awsJson wire's InvalidSignatureException) or tell
// them apart (AWS query's IncompleteSignature and SignatureDoesNotMatch).
// Fault auth-bypass lets requests without an Authorization header through.
func (s *Server) authenticate(r *http.Request, body []byte, bodyOK bool) *apiError {
	authz := r.Header.Get("Authorization")
	switch {
	case s.opts.Token != "":
		if authz == "" && s.has(FaultAuthBypass) {
			return nil
		}
		token, ok := cutPrefixFold(authz, "Bearer ")
		if !ok {
			return newErr(errMissingAuth, "Missing bearer token")
		}
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.opts.Token)) != 1 {
			return newErr(errAccessDenied, "The bearer token is not valid")
		}
		return nil
	case len(s.opts.Credentials) > 0:
		if authz == "" {
			if s.has(FaultAuthBypass) {
				return nil
			}
			return newErr(errMissingAuth, "Missing Authentication Token")
		}
		return verifySigV4(r, authz, body, bodyOK, s.apiScope())
	}
	return nil
}

// sigV4Header is a parsed "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." Authorization header.
type sigV4Header struct {
	accessKeyID   string
	date          string // yyyymmdd from the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

func parseSigV4(authz string) (sigV4Header, bool) {
	var h sigV4Header
	rest, ok := strings.CutPrefix(authz, sigV4Algorithm+" ")
	if !ok {
		return h, false
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return h, false
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" || scope[0] == "" {
				return h, false
			}
			h.accessKeyID, h.date, h.region, h.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			h.signedHeaders = strings.Split(v, ";")
		case "Signature":
			h.signature = v
		}
	}
	if h.accessKeyID == "" || len(h.signedHeaders) == 0 || h.signature == "" {
		return h, false
	}
	return h, true
}

// verifySigV4 checks the signature authz of r against scope. It rebuilds
// a request that carries only the signed headers, signs it with the SDK's
// signer using the signer's secret, the scope's region and service and the
// time in X-Amz-Date, and compares signatures in constant time. Without
// the whole body (!bodyOK) it checks only what it can: that the header
// parses and names a known access key id.
func verifySigV4(r *http.Request, authz string, body []byte, bodyOK bool, scope sigV4Scope) *apiError {
	p, ok := parseSigV4(authz)
	if !ok {
		return newErr(errIncompleteSignature, "The Authorization header is not a valid AWS4-HMAC-SHA256 signature")
	}
	secret, known := scope.secret(p.accessKeyID)
	if !known {
		return newErr(errUnrecognizedClient, "")
	}
	if !bodyOK {
		return nil
	}
	if p.region != scope.region || p.service != scope.service {
		return newErr(errBadSignature, "Credential should be scoped to region "+scope.region+" and service "+scope.service)
	}
	signingTime, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil || signingTime.Format("20060102") != p.date {
		return newErr(errIncompleteSignature, "X-Amz-Date is missing or does not match the credential scope")
	}
	u := *r.URL
	rebuilt := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	creds := aws.Credentials{AccessKeyID: p.accessKeyID, SecretAccessKey: secret}
	for _, name := range p.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			rebuilt.ContentLength = int64(len(body))
		default:
			vals := r.Header.Values(name)
			if len(vals) == 0 {
				return newErr(errIncompleteSignature, "A signed header is missing from the request")
			}
			rebuilt.Header[http.CanonicalHeaderKey(name)] = vals
			if name == "x-amz-security-token" {
				creds.SessionToken = vals[0]
			}
		}
	}
	sum := sha256.Sum256(body)
	ctx := context.Background()
	if err := v4.NewSigner().SignHTTP(ctx, creds, rebuilt, hex.EncodeToString(sum[:]), scope.service, scope.region, signingTime); err != nil {
		return newErr(errBadSignature, "")
	}
	want, ok := parseSigV4(rebuilt.Header.Get("Authorization"))
	if !ok || !hmac.Equal([]byte(want.signature), []byte(p.signature)) {
		return newErr(errBadSignature, "")
	}
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}
