package emulator

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lightsail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// s3Client is aws-sdk-go-v2's S3 client for the data plane at url,
// path-style, signing with k, without retries.
func s3Client(url string, k key) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(url),
		Region:       DefaultRegion,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(k.id, k.secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// apiCode is the error code of an SDK error ("" when it has none).
func apiCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// TestS3SDKClient drives the data plane with the real S3 client: a key
// the Lightsail client created lists, puts and gets objects in its
// bucket (at the url the bucket object names), is refused on another
// bucket, and after its delete gets a typed InvalidAccessKeyId.
func TestS3SDKClient(t *testing.T) {
	ts, s := NewTestServer(t, Options{Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	api := sdkClient(ts.URL, testAKID, testSecret)
	cb, err := api.CreateBucket(ctx, &lightsail.CreateBucketInput{BucketName: aws.String("sdk-data"), BundleId: aws.String("small_1_0")})
	require.NoError(t, err)
	assert.Equal(t, s.DataURL()+"/sdk-data/", aws.ToString(cb.Bucket.Url))
	_, err = api.CreateBucket(ctx, &lightsail.CreateBucketInput{BucketName: aws.String("sdk-other"), BundleId: aws.String("small_1_0")})
	require.NoError(t, err)
	created, err := api.CreateBucketAccessKey(ctx, &lightsail.CreateBucketAccessKeyInput{BucketName: aws.String("sdk-data")})
	require.NoError(t, err)
	k := key{aws.ToString(created.AccessKey.AccessKeyId), aws.ToString(created.AccessKey.SecretAccessKey)}
	c := s3Client(s.DataURL(), k)

	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-data")})
	require.NoError(t, err)
	assert.Empty(t, list.Contents)
	assert.Equal(t, "sdk-data", aws.ToString(list.Name))

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("plain.txt"), Body: strings.NewReader("hello"), ContentType: aws.String("text/plain")})
	require.NoError(t, err)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("dir/crc32.txt"), Body: strings.NewReader("hello world"), ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32})
	require.NoError(t, err)
	assert.Equal(t, "DUoRhQ==", aws.ToString(put.ChecksumCRC32))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("unsigned.txt"), Body: strings.NewReader("unsigned payload")},
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	require.NoError(t, err)

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("dir/crc32.txt"), ChecksumMode: s3types.ChecksumModeEnabled})
	require.NoError(t, err)
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	assert.Equal(t, "hello world", string(body))
	assert.Equal(t, "DUoRhQ==", aws.ToString(got.ChecksumCRC32))
	got, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("plain.txt")})
	require.NoError(t, err)
	body, _ = io.ReadAll(got.Body)
	got.Body.Close()
	assert.Equal(t, "hello", string(body))
	assert.Equal(t, "text/plain", aws.ToString(got.ContentType))

	list, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-data"), MaxKeys: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, list.Contents, 2)
	assert.True(t, aws.ToBool(list.IsTruncated))
	list, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-data"), ContinuationToken: list.NextContinuationToken})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
	assert.Equal(t, "unsigned.txt", aws.ToString(list.Contents[0].Key))

	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("missing")})
	var noKey *s3types.NoSuchKey
	assert.ErrorAs(t, err, &noKey)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	var noBucket *s3types.NoSuchBucket
	assert.ErrorAs(t, err, &noBucket)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-other")})
	assert.Equal(t, "AccessDenied", apiCode(err))
	_, err = s3Client(s.DataURL(), key{k.id, "wrong" + k.secret[5:]}).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-data")})
	assert.Equal(t, "SignatureDoesNotMatch", apiCode(err))

	_, err = api.DeleteBucketAccessKey(ctx, &lightsail.DeleteBucketAccessKeyInput{BucketName: aws.String("sdk-data"), AccessKeyId: aws.String(k.id)})
	require.NoError(t, err)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-data")})
	assert.Equal(t, "InvalidAccessKeyId", apiCode(err))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-data"), Key: aws.String("late.txt"), Body: strings.NewReader("no")})
	assert.Equal(t, "InvalidAccessKeyId", apiCode(err))
}

// TestS3SDKClientEveryBucketDialect: the envelope's and rest's keys open
// their buckets for the real S3 client too.
func TestS3SDKClientEveryBucketDialect(t *testing.T) {
	for _, d := range []string{DialectEnvelope, DialectREST} {
		_, s := NewTestServer(t, Options{Dialect: d})
		newBucket(t, s, "sdk-"+d)
		k := newKey(t, s, "sdk-"+d)
		c := s3Client(s.DataURL(), k)
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("sdk-" + d), Key: aws.String("k"), Body: strings.NewReader("v")})
		require.NoError(t, err, d)
		list, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("sdk-" + d)})
		require.NoError(t, err, d)
		assert.Len(t, list.Contents, 1, d)
		deleteKey(t, s, "sdk-"+d, k)
		_, err = c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("sdk-" + d)})
		assert.Equal(t, "InvalidAccessKeyId", apiCode(err), d)
	}
}

// TestIAMSDKGetUser: the IAM client's GetUser, signed with a created key,
// names the key's user; the key may do nothing else; once deleted it gets
// a typed InvalidClientTokenId.
func TestIAMSDKGetUser(t *testing.T) {
	ts, _ := NewTestServer(t, Options{Dialect: DialectIAM, Credentials: map[string]string{testAKID: testSecret}})
	ctx := context.Background()
	root := iamClient(ts.URL, testAKID, testSecret)
	_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("sdk-caller"), Path: aws.String("/kc/")})
	require.NoError(t, err)
	created, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("sdk-caller")})
	require.NoError(t, err)
	id, secret := aws.ToString(created.AccessKey.AccessKeyId), aws.ToString(created.AccessKey.SecretAccessKey)
	user := iamClient(ts.URL, id, secret)

	out, err := user.GetUser(ctx, &iam.GetUserInput{})
	require.NoError(t, err)
	assert.Equal(t, "sdk-caller", aws.ToString(out.User.UserName))
	assert.Equal(t, "arn:aws:iam::123456789012:user/kc/sdk-caller", aws.ToString(out.User.Arn))
	assert.Equal(t, "/kc/", aws.ToString(out.User.Path))
	require.NotNil(t, out.User.CreateDate)

	_, err = user.ListUsers(ctx, &iam.ListUsersInput{})
	assert.Equal(t, "AccessDenied", apiCode(err))
	_, err = iamClient(ts.URL, id, "wrong"+secret[5:]).GetUser(ctx, &iam.GetUserInput{})
	assert.Equal(t, "SignatureDoesNotMatch", apiCode(err))
	_, err = root.GetUser(ctx, &iam.GetUserInput{})
	assert.Equal(t, "ValidationError", apiCode(err), "the API's credentials are no user")

	_, err = root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("sdk-caller"), AccessKeyId: aws.String(id)})
	require.NoError(t, err)
	_, err = user.GetUser(ctx, &iam.GetUserInput{})
	assert.Equal(t, "InvalidClientTokenId", apiCode(err))
}
