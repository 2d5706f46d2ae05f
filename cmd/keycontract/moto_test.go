package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/require"
)

// moto's moto_server (moto 5) implements IAM's user access keys: an
// implementation nobody here wrote. TestMoto runs every check against it
// with -dialect iam, both ways moto runs: as it starts (authentication
// off, which moto documents as its default) and with its authentication
// on. It pins exactly which checks fail, and why, each by the exchange that
// shows it (moto_findings_test.go; docs/compat/moto.md and moto-auth.md
// tell each finding and the rule it breaks). It does not bend a check to
// pass moto.

// motoFake* sign the run while moto's authentication is off: moto reads
// the service from the credential scope, and checks nothing else.
const (
	motoFakeAKID   = "MOTOTESTDUMMYAKID000"
	motoFakeSecret = "moto-test-dummy-secret-not-real-0123456"
)

// startMoto starts a fresh moto_server on a free loopback port and returns
// its URL; it is stopped when the test ends.
func startMoto(t *testing.T) string {
	t.Helper()
	bin := externalTool(t, "moto_server", "pip install 'moto[server]>=5,<6'")
	port := freeLoopbackPort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	startProcess(t, exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port)), base+"/moto-api/")
	return base
}

// motoAdminPolicy allows every action on every resource.
const motoAdminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// enableMotoAuth turns moto's authentication on, as its docs describe:
// while it is still off, it creates the user keycontract-admin with a
// policy allowing everything attached and an access key, through a real
// IAM client (aws-sdk-go-v2); then POST /moto-api/reset-auth with 0 makes
// moto authenticate and authorize every later request. It returns the
// admin's key, which the run signs with.
func enableMotoAuth(t *testing.T, base string) (akid, secret string) {
	t.Helper()
	ctx := context.Background()
	c := iam.New(iam.Options{
		BaseEndpoint: aws.String(base),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(motoFakeAKID, motoFakeSecret, ""),
		Retryer:      aws.NopRetryer{},
	})
	const admin = "keycontract-admin"
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(admin)})
	require.NoError(t, err)
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(admin), PolicyDocument: aws.String(motoAdminPolicy)})
	require.NoError(t, err)
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(admin), PolicyArn: p.Policy.Arn})
	require.NoError(t, err)
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(admin)})
	require.NoError(t, err)
	resp, err := http.Post(base+"/moto-api/reset-auth", "text/plain", strings.NewReader("0"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "POST /moto-api/reset-auth")
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

// TestMoto runs every check against moto_server, as it starts and with its
// authentication on, and pins moto's verdict per check both ways; then,
// with its authentication on, what a user's key does on its S3 and as a
// caller (keyUse).
func TestMoto(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		tap := &secretTap{}
		implementationRun{
			impl: "moto", endpoint: tap.proxy(t, startMoto(t)), tap: tap,
			akid: motoFakeAKID, secret: motoFakeSecret,
			findings: motoFindings, page: motoPage, idPrefix: "MOTO", racy: motoRacy,
		}.run(t)
	})
	t.Run("auth", func(t *testing.T) {
		base := startMoto(t)
		akid, secret := enableMotoAuth(t, base)
		tap := &secretTap{}
		tap.add(secret)
		implementationRun{
			impl: "moto, auth on", endpoint: tap.proxy(t, base), tap: tap,
			akid: akid, secret: secret,
			findings: motoAuthFindings, page: motoAuthPage, idPrefix: "MOTO", racy: motoRacy,
		}.run(t)
	})
	t.Run("keys", func(t *testing.T) {
		base := startMoto(t)
		akid, secret := enableMotoAuth(t, base)
		keyUsePinned(t, "moto, auth on", motoAuthPage, keyUseSide{iamURL: base, s3URL: base,
			admin: credentials.NewStaticCredentialsProvider(akid, secret, "")})
	})
}

// motoRacy: moto checks the two-key limit and appends the key without a
// lock (moto/iam/models.py, IAMBackend.create_access_key: list, compare,
// then User.create_access_key appends), and serves requests on threads, so
// two concurrent creates can both pass the check. Whether a run's
// concurrent creates interleave so depends on the scheduler: seen on a
// loaded machine, not on a quiet one.
var motoRacy = map[string]string{"concurrent-limit": "moto's limit check and append are not atomic"}
