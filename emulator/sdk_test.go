package emulator

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lightsail"
	"github.com/aws/aws-sdk-go-v2/service/lightsail/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkClient is a real Lightsail client for url, signing with akid/secret,
// without retries.
func sdkClient(url, akid, secret string) *lightsail.Client {
	return lightsail.New(lightsail.Options{
		BaseEndpoint: aws.String(url),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// TestSDKClient drives the aws dialect with aws-sdk-go-v2's Lightsail
// client, whose SigV4 signatures the server verifies.
func TestSDKClient(t *testing.T) {
	ts, s := NewTestServer(t, Options{Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	c := sdkClient(ts.URL, testAKID, testSecret)

	cb, err := c.CreateBucket(ctx, &lightsail.CreateBucketInput{
		BucketName: aws.String("sdk-bucket"),
		BundleId:   aws.String("small_1_0"),
		Tags:       []types.Tag{{Key: aws.String("team"), Value: aws.String("qa")}},
	})
	require.NoError(t, err)
	assert.Equal(t, "sdk-bucket", aws.ToString(cb.Bucket.Name))
	assert.Equal(t, "OK", aws.ToString(cb.Bucket.State.Code))
	require.Len(t, cb.Operations, 1)
	assert.Equal(t, types.OperationStatusSucceeded, cb.Operations[0].Status)

	var ids []string
	secrets := map[string]bool{}
	for range 2 {
		out, err := c.CreateBucketAccessKey(ctx, &lightsail.CreateBucketAccessKeyInput{BucketName: aws.String("sdk-bucket")})
		require.NoError(t, err)
		k := out.AccessKey
		assert.Regexp(t, keyIDPattern, aws.ToString(k.AccessKeyId))
		require.Len(t, aws.ToString(k.SecretAccessKey), 40)
		secrets[aws.ToString(k.SecretAccessKey)] = true
		assert.Equal(t, types.StatusTypeActive, k.Status)
		require.NotNil(t, k.CreatedAt)
		assert.False(t, k.CreatedAt.IsZero())
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	assert.Len(t, secrets, 2)

	_, err = c.CreateBucketAccessKey(ctx, &lightsail.CreateBucketAccessKeyInput{BucketName: aws.String("sdk-bucket")})
	var invalid *types.InvalidInputException
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "LimitExceeded", aws.ToString(invalid.Code))

	list, err := c.GetBucketAccessKeys(ctx, &lightsail.GetBucketAccessKeysInput{BucketName: aws.String("sdk-bucket")})
	require.NoError(t, err)
	require.Len(t, list.AccessKeys, 2)
	for i, k := range list.AccessKeys {
		assert.Nil(t, k.SecretAccessKey)
		assert.Equal(t, ids[i], aws.ToString(k.AccessKeyId))
	}

	_, err = c.DeleteBucketAccessKey(ctx, &lightsail.DeleteBucketAccessKeyInput{
		BucketName: aws.String("sdk-bucket"), AccessKeyId: aws.String(ids[0]),
	})
	require.NoError(t, err)
	_, err = c.CreateBucketAccessKey(ctx, &lightsail.CreateBucketAccessKeyInput{BucketName: aws.String("sdk-bucket")})
	require.NoError(t, err, "a delete frees a slot")

	_, err = c.GetBucketAccessKeys(ctx, &lightsail.GetBucketAccessKeysInput{BucketName: aws.String("no-such-bucket")})
	var notFound *types.NotFoundException
	require.ErrorAs(t, err, &notFound)
	assert.Equal(t, "DoesNotExist", aws.ToString(notFound.Code))

	buckets, err := c.GetBuckets(ctx, &lightsail.GetBucketsInput{})
	require.NoError(t, err)
	require.Len(t, buckets.Buckets, 1)
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("qa")}}, buckets.Buckets[0].Tags)

	_, err = c.DeleteBucket(ctx, &lightsail.DeleteBucketInput{BucketName: aws.String("sdk-bucket")})
	require.ErrorAs(t, err, &invalid, "a bucket with keys needs forceDelete")
	_, err = c.DeleteBucket(ctx, &lightsail.DeleteBucketInput{BucketName: aws.String("sdk-bucket"), ForceDelete: aws.Bool(true)})
	require.NoError(t, err)
	assert.Empty(t, s.Snapshot())
	assert.EqualValues(t, 11, s.Requests())
}

// TestSDKClientWrongCredentials: the server rejects signatures made with
// the wrong secret or an unknown access key id.
func TestSDKClientWrongCredentials(t *testing.T) {
	ts, s := NewTestServer(t, Options{Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	in := &lightsail.GetBucketsInput{}

	_, err := sdkClient(ts.URL, testAKID, "wrong-secret-wrong-secret-wrong-secret00").GetBuckets(ctx, in)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, "InvalidSignatureException", apiErr.ErrorCode())

	_, err = sdkClient(ts.URL, "AKIDUNKNOWN000000000", testSecret).GetBuckets(ctx, in)
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, "UnrecognizedClientException", apiErr.ErrorCode())
	assert.Zero(t, len(s.Snapshot()))
}

// TestSDKReadsRequestIDs: the SDK finds the emulator's x-amzn-RequestId
// where it finds AWS's: in a success's result metadata
// (awsmiddleware.GetRequestIDMetadata) and in an error
// (*awshttp.ResponseError's ServiceRequestID), for a typed service error
// and an auth error alike.
func TestSDKReadsRequestIDs(t *testing.T) {
	ts, _ := NewTestServer(t, Options{Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	c := sdkClient(ts.URL, testAKID, testSecret)

	out, err := c.GetBuckets(ctx, &lightsail.GetBucketsInput{})
	require.NoError(t, err)
	okID, found := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	require.True(t, found, "no request id in the result metadata")
	assert.Regexp(t, uuidLike, okID)

	_, err = c.GetBucketAccessKeys(ctx, &lightsail.GetBucketAccessKeysInput{BucketName: aws.String("no-such-bucket")})
	var notFound *types.NotFoundException
	require.ErrorAs(t, err, &notFound)
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	errID := respErr.ServiceRequestID()
	assert.Regexp(t, uuidLike, errID)
	assert.NotEqual(t, okID, errID, "each response has its own id")

	_, err = sdkClient(ts.URL, "AKIDUNKNOWN000000000", testSecret).GetBuckets(ctx, &lightsail.GetBucketsInput{})
	require.ErrorAs(t, err, &respErr)
	assert.Regexp(t, uuidLike, respErr.ServiceRequestID())
}
