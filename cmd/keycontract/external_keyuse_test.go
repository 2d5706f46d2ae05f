package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a user's key does where it is used, on an implementation nobody
// here wrote, with real clients (aws-sdk-go-v2's IAM and S3): the data
// plane the iam dialect's caller probe stands for (docs/DESIGN.md, "The
// key works"). An admin makes a bucket and a user under /keycontract/ with
// a key; the key is used on S3 (ListObjectsV2, path-style) and asked who it
// is (STS GetCallerIdentity signed for sts, and IAM GetUser with no
// UserName), before and after an inline policy allows its bucket and
// GetUser, with a wrong secret and unsigned, once made Inactive, and once
// deleted. The transcript, one line per use, is pinned per implementation,
// so a change in any of them is noticed; each page tells it. Nothing it
// writes holds a secret: a line is a step and a status or code, or the
// caller's name (the test scans the transcript for the key's secret).

// keyUseSide is where an implementation's keys are made and used.
type keyUseSide struct {
	iamURL, s3URL string
	admin         aws.CredentialsProvider
}

// keyUseUser and keyUseBucket are what keyUse makes.
const keyUseUser, keyUseBucket = "keycontract-key-use", "keycontract-key-use"

// keyUsePolicy allows the bucket's S3 actions and GetUser on oneself.
const keyUsePolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::` + keyUseBucket + `","arn:aws:s3:::` + keyUseBucket + `/*"]},` +
	`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`

// keyUse makes the user and its key and returns the transcript of their
// uses.
func keyUse(t *testing.T, side keyUseSide) []string {
	t.Helper()
	ctx := context.Background()
	iamFor := func(c aws.CredentialsProvider) *iam.Client {
		return iam.New(iam.Options{BaseEndpoint: aws.String(side.iamURL), Region: "us-east-1", Credentials: c, Retryer: aws.NopRetryer{}})
	}
	s3For := func(c aws.CredentialsProvider) *s3.Client {
		return s3.New(s3.Options{BaseEndpoint: aws.String(side.s3URL), Region: "us-east-1", Credentials: c, UsePathStyle: true, Retryer: aws.NopRetryer{}})
	}
	admin := iamFor(side.admin)
	_, err := s3For(side.admin).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(keyUseBucket)})
	require.NoError(t, err, "CreateBucket as the admin")
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(keyUseUser), Path: aws.String(iamUserPath)})
	require.NoError(t, err, "CreateUser as the admin")
	k, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(keyUseUser)})
	require.NoError(t, err, "CreateAccessKey as the admin")
	id, secret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	key := credentials.NewStaticCredentialsProvider(id, secret, "")
	wrong := credentials.NewStaticCredentialsProvider(id, "wrong"+secret, "")

	var out []string
	use := func(when string) {
		_, err := s3For(key).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(keyUseBucket)})
		out = append(out, when+": S3 ListObjectsV2 "+sdkOutcome(err))
		out = append(out, when+": STS GetCallerIdentity "+stsCaller(t, side.iamURL, id, secret))
		u, err := iamFor(key).GetUser(ctx, &iam.GetUserInput{})
		got := sdkOutcome(err)
		if err == nil {
			got += " names " + aws.ToString(u.User.UserName)
		}
		out = append(out, when+": IAM GetUser "+got)
	}
	use("no policy")
	_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(keyUseUser), PolicyName: aws.String("key-use"), PolicyDocument: aws.String(keyUsePolicy)})
	require.NoError(t, err, "PutUserPolicy as the admin")
	use("policy")
	_, err = s3For(wrong).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(keyUseBucket)})
	out = append(out, "wrong secret: S3 ListObjectsV2 "+sdkOutcome(err))
	out = append(out, "unsigned: S3 ListObjectsV2 "+unsignedList(t, side.s3URL+"/"+keyUseBucket+"?list-type=2"))
	_, err = admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(keyUseUser), AccessKeyId: aws.String(id), Status: types.StatusTypeInactive})
	out = append(out, "UpdateAccessKey Inactive "+sdkOutcome(err))
	if err == nil {
		use("inactive")
	}
	_, err = admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(keyUseUser), AccessKeyId: aws.String(id)})
	require.NoError(t, err, "DeleteAccessKey as the admin")
	use("deleted")
	for _, line := range out {
		require.NotContains(t, line, secret, "the transcript holds the key's secret")
	}
	return out
}

// sdkOutcome is "200" for no error, else the API error's status and code.
func sdkOutcome(err error) string {
	if err == nil {
		return "200"
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "not an API error: " + err.Error()
	}
	code := ae.ErrorCode()
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return fmt.Sprintf("%d %s", re.HTTPStatusCode(), code)
	}
	return code
}

// callerArn is the name part of a GetCallerIdentity Arn: "user/PATH/NAME".
var callerArn = regexp.MustCompile(`<Arn>arn:aws:(?:iam|sts)::\d+:([^<]+)</Arn>`)

// errorCode is an XML error's code.
var errorCode = regexp.MustCompile(`<Code>([^<]+)</Code>`)

// stsCaller sends STS GetCallerIdentity (AWS query, service sts) to url
// signed with a key: "200 names ARN-NAME", or the status and error code.
func stsCaller(t *testing.T, url, id, secret string) string {
	t.Helper()
	const form = "Action=GetCallerIdentity&Version=2011-06-15"
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(form))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()))
	return outcome(t, req)
}

// unsignedList sends an unsigned GET: its status and error code.
func unsignedList(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	return outcome(t, req)
}

// outcome sends req: "200 names NAME" (a GetCallerIdentity Arn), "200",
// "STATUS CODE", or "STATUS CONTENT-TYPE" for an error with no code.
func outcome(t *testing.T, req *http.Request) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if m := callerArn.FindSubmatch(b); resp.StatusCode == http.StatusOK && m != nil {
		return "200 names " + string(m[1])
	}
	if resp.StatusCode == http.StatusOK {
		return "200"
	}
	if m := errorCode.FindSubmatch(b); m != nil {
		return fmt.Sprintf("%d %s", resp.StatusCode, m[1])
	}
	return fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
}

// keyUsePinned runs keyUse and asserts its transcript is the page's.
func keyUsePinned(t *testing.T, impl string, page compatPage, side keyUseSide) {
	t.Helper()
	require.NotEmpty(t, page.keyUse, "%s's page pins no transcript", impl)
	got := keyUse(t, side)
	assert.Equal(t, strings.Join(page.keyUse, "\n"), strings.Join(got, "\n"), "what a user's key does on %s (its page's transcript)", impl)
}
