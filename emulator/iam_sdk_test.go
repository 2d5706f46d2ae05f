package emulator

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iamClient is a real IAM client for url, signing with akid/secret
// (service iam, us-east-1), without retries.
func iamClient(url, akid, secret string) *iam.Client {
	return iam.New(iam.Options{
		BaseEndpoint: aws.String(url),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// TestIAMSDKClient drives the iam dialect with aws-sdk-go-v2's IAM client,
// whose SigV4 signatures (service iam) the server verifies and whose
// deserializers read its XML: typed errors, request ids, timestamps,
// pagination.
func TestIAMSDKClient(t *testing.T) {
	ts, s := NewTestServer(t, Options{Dialect: DialectIAM, Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	c := iamClient(ts.URL, testAKID, testSecret)

	cu, err := c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("sdk-user"),
		Path:     aws.String("/sdk/"),
		Tags:     []types.Tag{{Key: aws.String("team"), Value: aws.String("qa")}},
	})
	require.NoError(t, err)
	assert.Equal(t, "sdk-user", aws.ToString(cu.User.UserName))
	assert.Equal(t, "/sdk/", aws.ToString(cu.User.Path))
	assert.Equal(t, "arn:aws:iam::123456789012:user/sdk/sdk-user", aws.ToString(cu.User.Arn))
	require.NotNil(t, cu.User.CreateDate)
	assert.False(t, cu.User.CreateDate.IsZero())
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("qa")}}, cu.User.Tags)
	okID, found := awsmiddleware.GetRequestIDMetadata(cu.ResultMetadata)
	require.True(t, found, "no request id in the result metadata")
	assert.Regexp(t, uuidLike, okID)

	var ids []string
	secrets := map[string]bool{}
	for range 2 {
		out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("sdk-user")})
		require.NoError(t, err)
		k := out.AccessKey
		assert.Equal(t, "sdk-user", aws.ToString(k.UserName))
		assert.Regexp(t, `^\w{16,128}$`, aws.ToString(k.AccessKeyId))
		require.Len(t, aws.ToString(k.SecretAccessKey), 40)
		secrets[aws.ToString(k.SecretAccessKey)] = true
		assert.Equal(t, types.StatusTypeActive, k.Status)
		require.NotNil(t, k.CreateDate)
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	assert.Len(t, secrets, 2)

	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("sdk-user")})
	var limit *types.LimitExceededException
	require.ErrorAs(t, err, &limit)
	assert.Equal(t, "LimitExceeded", limit.ErrorCode())

	list, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("sdk-user")})
	require.NoError(t, err)
	assert.False(t, list.IsTruncated)
	require.Len(t, list.AccessKeyMetadata, 2)
	for i, k := range list.AccessKeyMetadata {
		assert.Equal(t, ids[i], aws.ToString(k.AccessKeyId))
		assert.Equal(t, "sdk-user", aws.ToString(k.UserName))
	}

	// The SDK's paginator follows Marker.
	var paged []string
	p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: aws.String("sdk-user"), MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, k := range page.AccessKeyMetadata {
			paged = append(paged, aws.ToString(k.AccessKeyId))
		}
	}
	assert.Equal(t, ids, paged)

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("sdk-user")})
	var conflict *types.DeleteConflictException
	require.ErrorAs(t, err, &conflict, "keys must be deleted first")

	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("sdk-user"), AccessKeyId: aws.String(ids[0])})
	require.NoError(t, err)
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("sdk-user")})
	require.NoError(t, err, "a delete frees a slot")

	_, err = c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("no-such-user")})
	var noSuch *types.NoSuchEntityException
	require.ErrorAs(t, err, &noSuch)
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	errID := respErr.ServiceRequestID()
	assert.Regexp(t, uuidLike, errID)
	assert.NotEqual(t, okID, errID)

	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("sdk-user")})
	var exists *types.EntityAlreadyExistsException
	require.ErrorAs(t, err, &exists)

	users, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/sdk/")})
	require.NoError(t, err)
	require.Len(t, users.Users, 1)
	assert.Equal(t, "sdk-user", aws.ToString(users.Users[0].UserName))

	for _, k := range s.Snapshot()["sdk-user"] {
		_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("sdk-user"), AccessKeyId: aws.String(k.ID)})
		require.NoError(t, err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("sdk-user")})
	require.NoError(t, err)
	assert.Empty(t, s.Snapshot())
}

// TestIAMSDKClientWrongCredentials: a wrong secret and an unknown access
// key id are refused with IAM's codes, and the error carries a request id.
func TestIAMSDKClientWrongCredentials(t *testing.T) {
	ts, s := NewTestServer(t, Options{Dialect: DialectIAM, Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	in := &iam.ListUsersInput{}

	_, err := iamClient(ts.URL, testAKID, "keycontract/Wrong/Signing/Secret/0000000").ListUsers(ctx, in)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, "SignatureDoesNotMatch", apiErr.ErrorCode())
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 403, respErr.HTTPStatusCode())
	assert.Regexp(t, uuidLike, respErr.ServiceRequestID())

	_, err = iamClient(ts.URL, "AKIDUNKNOWN000000000", testSecret).ListUsers(ctx, in)
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, "InvalidClientTokenId", apiErr.ErrorCode())

	// The lightsail client's signature (service lightsail) is not valid here.
	_, err = sdkClient(ts.URL, testAKID, testSecret).GetBuckets(ctx, nil)
	require.Error(t, err)
	assert.Empty(t, s.Snapshot())
}
