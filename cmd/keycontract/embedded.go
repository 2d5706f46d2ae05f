package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/spec"
)

// startEmbedded starts the reference emulator in-process on a loopback port,
// with its data plane (on a port of its own where the dialect's is not the
// endpoint itself), points t at it and returns a function that stops both. The emulator requires
// the credentials the flags configured (-sign for aws, -header
// 'Authorization: Bearer ...' for envelope and rest); without them, fresh
// random ones (SigV4 for aws, a bearer token for envelope and rest) that t
// then carries. Either
// way auth-required runs, and passes against the reference.
func startEmbedded(ctx context.Context, t *contract.Target, dialect string) (func(), error) {
	opts := emulator.Options{Dialect: dialect}
	authz := t.Headers.Get("Authorization")
	switch {
	case signed(dialect) && t.Signer != nil:
		if sv, ok := t.Signer.(*contract.SigV4); ok {
			creds, err := sv.Credentials.Retrieve(ctx)
			if err != nil {
				return nil, fmt.Errorf("signing: %w", err)
			}
			opts.Credentials = map[string]string{creds.AccessKeyID: creds.SecretAccessKey}
			opts.Region = sv.Region
		}
	case !signed(dialect) && strings.HasPrefix(authz, "Bearer ") && len(authz) > len("Bearer "):
		opts.Token = strings.TrimPrefix(authz, "Bearer ")
	case t.Signer == nil && authz == "":
		secret := randomString(40)
		switch {
		case signed(dialect):
			id := "AKID" + strings.ToUpper(randomString(16))
			opts.Credentials = map[string]string{id: secret}
			t.Signer = contract.NewSigV4(credentials.NewStaticCredentialsProvider(id, secret, ""), emulator.DefaultRegion)
		default:
			opts.Token = secret
			if t.Headers == nil {
				t.Headers = http.Header{}
			}
			t.Headers.Set("Authorization", "Bearer "+secret)
		}
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the embedded emulator: %w", err)
	}
	servers := []*http.Server{{Handler: srv, ReadHeaderTimeout: 10 * time.Second}}
	go servers[0].Serve(ln)
	t.Endpoint = "http://" + ln.Addr().String()
	// Its data plane, where the dialect has one of its own (the S3 subset
	// of the bucket dialects; iam's is the endpoint itself): bucket
	// objects then carry their url there, and the run finds it.
	if h := srv.DataHandler(); h != nil {
		dl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			servers[0].Close()
			return nil, fmt.Errorf("starting the embedded emulator's data plane: %w", err)
		}
		ds := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go ds.Serve(dl)
		servers = append(servers, ds)
		srv.SetDataURL("http://" + dl.Addr().String())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, hs := range servers {
			hs.Shutdown(ctx)
		}
	}, nil
}

// signed reports whether a bundled dialect's binding authenticates with
// SigV4 (the others with a bearer token).
func signed(dialect string) bool {
	doc, err := spec.Bundled(dialect)
	return err == nil && doc.Binding.Auth == "sigv4"
}

// randomString returns n random characters of [a-z0-9].
func randomString(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// loadSigner builds a SigV4 signer from the standard AWS credential chain
// (environment, shared config and profiles, SSO, web identity, IMDS) and
// fails, in one line, when it finds no credentials.
func loadSigner(ctx context.Context, region, profile string) (*contract.SigV4, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("signing: loading AWS configuration: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, errors.New("signing requested but no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or -profile)")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("signing requested but no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or -profile): %w", err)
	}
	return contract.NewSigV4(cfg.Credentials, region), nil
}

func textprotoKey(name string) string { return textproto.CanonicalMIMEHeaderKey(name) }
