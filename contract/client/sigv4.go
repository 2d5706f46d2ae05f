package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Signer signs an outgoing request whose body is body.
type Signer interface {
	Sign(ctx context.Context, req *http.Request, body []byte) error
}

// WrongSigner is implemented by signers that can also sign wrongly, for
// auth-required: the same identity with a wrong secret.
type WrongSigner interface {
	Signer
	Wrong() Signer
}

// SecretHolder is implemented by signers whose credentials must be redacted.
type SecretHolder interface {
	Secrets(ctx context.Context) []string
}

// SigV4 signs requests with AWS Signature Version 4 using the aws-sdk-go-v2
// signer and any credentials provider: the default
// chain (environment, shared config and profiles, SSO, web identity, IMDS),
// or static credentials in tests.
type SigV4 struct {
	Credentials aws.CredentialsProvider
	Region      string
	// Service is the signing name. Empty: the run's binding's (its
	// "service": iam for the iam dialect), else "lightsail".
	Service string
	signer  *v4.Signer
	wrong   bool
}

// NewSigV4 returns a signer for region.
func NewSigV4(creds aws.CredentialsProvider, region string) *SigV4 {
	return &SigV4{Credentials: creds, Region: region, signer: v4.NewSigner()}
}

// Sign signs req, whose body is body.
func (s *SigV4) Sign(ctx context.Context, req *http.Request, body []byte) error {
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	if s.wrong {
		creds.SecretAccessKey = "keycontract-wrong-secret-access-key"
	}
	sum := sha256.Sum256(body)
	service := s.Service
	if service == "" {
		service = "lightsail"
	}
	return s.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, s.Region, time.Now().UTC())
}

// Wrong returns a signer with the same identity and a wrong secret.
func (s *SigV4) Wrong() Signer {
	w := *s
	w.wrong = true
	// A signer of its own: the SDK's signer caches derived keys by access key
	// id alone, so a shared one would keep signing with the right secret.
	w.signer = v4.NewSigner()
	return &w
}

// Secrets returns the credential values that must never be written.
func (s *SigV4) Secrets(ctx context.Context) []string {
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return nil
	}
	return []string{creds.SecretAccessKey, creds.SessionToken}
}
