package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The data plane of `keycontract serve`, driven by the AWS CLI as a real,
// independent client, with keys the served API created. The CI rule is
// TestServeAWSCLI's: without the CLI, a skip, but a failure in CI.

// keyEnv is a created key as the AWS CLI's environment credentials.
func keyEnv(id, secret string) []string {
	return []string{"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret}
}

// pathStyle writes an AWS CLI config that addresses S3 path-style and
// returns the environment entry that names it.
func pathStyle(t *testing.T) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(cfg, []byte("[default]\ns3 =\n    addressing_style = path\n"), 0o600))
	return "AWS_CONFIG_FILE=" + cfg
}

// TestServeDataAWSCLI: `aws s3api list-objects-v2`, `put-object` and
// `get-object` with a key `aws lightsail create-bucket-access-key` made,
// against serve's data plane (path-style, at the url the bucket object
// names), work while the key lives, are refused on another bucket, and
// get InvalidAccessKeyId after its delete.
func TestServeDataAWSCLI(t *testing.T) {
	creds := []string{"AWS_ACCESS_KEY_ID=" + cliAKID, "AWS_SECRET_ACCESS_KEY=" + cliSecret}
	api := newAWSCLI(t, "lightsail", creds)
	s := startServe(t, creds, "-credentials-env")
	api.url = s.url
	for _, b := range []string{"cli-data", "cli-other"} {
		_, stderr, err := api.run("create-bucket", "--bucket-name", b, "--bundle-id", "small_1_0")
		require.NoError(t, err, "stderr: %s", stderr)
	}
	out, stderr, err := api.run("get-buckets", "--bucket-name", "cli-data")
	require.NoError(t, err, "stderr: %s", stderr)
	var buckets struct{ Buckets []struct{ URL string } }
	require.NoError(t, json.Unmarshal(out, &buckets))
	require.Len(t, buckets.Buckets, 1)
	assert.Equal(t, s.dataURL+"/cli-data/", buckets.Buckets[0].URL)

	out, stderr, err = api.run("create-bucket-access-key", "--bucket-name", "cli-data")
	require.NoError(t, err, "stderr: %s", stderr)
	var created struct {
		AccessKey struct{ AccessKeyID, SecretAccessKey string } `json:"accessKey"`
	}
	require.NoError(t, json.Unmarshal(out, &created))
	id, secret := created.AccessKey.AccessKeyID, created.AccessKey.SecretAccessKey

	s3 := newAWSCLI(t, "s3api", append(keyEnv(id, secret), pathStyle(t)))
	s3.url = s.dataURL
	out, stderr, err = s3.run("list-objects-v2", "--bucket", "cli-data")
	require.NoError(t, err, "stderr: %s", stderr)
	assert.NotContains(t, string(out), `"Contents"`)

	dir := t.TempDir()
	src, dst := filepath.Join(dir, "hello.txt"), filepath.Join(dir, "got.txt")
	require.NoError(t, os.WriteFile(src, []byte("hello from the AWS CLI\n"), 0o600))
	out, stderr, err = s3.run("put-object", "--bucket", "cli-data", "--key", "dir/hello.txt", "--body", src, "--content-type", "text/plain")
	require.NoError(t, err, "stderr: %s", stderr)
	assert.Contains(t, string(out), `"ETag"`)
	out, stderr, err = s3.run("get-object", "--bucket", "cli-data", "--key", "dir/hello.txt", dst)
	require.NoError(t, err, "stderr: %s", stderr)
	assert.Contains(t, string(out), `"ContentType": "text/plain"`)
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, "hello from the AWS CLI\n", string(got))
	out, stderr, err = s3.run("list-objects-v2", "--bucket", "cli-data")
	require.NoError(t, err, "stderr: %s", stderr)
	var listed struct{ Contents []struct{ Key string } }
	require.NoError(t, json.Unmarshal(out, &listed))
	require.Len(t, listed.Contents, 1)
	assert.Equal(t, "dir/hello.txt", listed.Contents[0].Key)

	_, stderr, err = s3.run("list-objects-v2", "--bucket", "cli-other")
	require.Error(t, err, "another bucket's key")
	assert.Contains(t, stderr, "AccessDenied")
	_, stderr, err = s3.run("get-object", "--bucket", "cli-data", "--key", "missing", dst)
	require.Error(t, err)
	assert.Contains(t, stderr, "NoSuchKey")

	_, stderr, err = api.run("delete-bucket-access-key", "--bucket-name", "cli-data", "--access-key-id", id)
	require.NoError(t, err, "stderr: %s", stderr)
	_, stderr, err = s3.run("list-objects-v2", "--bucket", "cli-data")
	require.Error(t, err, "a deleted key")
	assert.Contains(t, stderr, "InvalidAccessKeyId")
	_, stderr, err = s3.run("put-object", "--bucket", "cli-data", "--key", "late.txt", "--body", src)
	require.Error(t, err, "a deleted key")
	assert.Contains(t, stderr, "InvalidAccessKeyId")

	s.stop(t, os.Interrupt)
	log := s.stderr.String()
	for _, want := range []string{"GET ListObjectsV2 200", "PUT PutObject 200", "GET GetObject 200", "GET ListObjectsV2 403", "bucket=cli-data"} {
		assert.Contains(t, log, want)
	}
	for _, never := range []string{cliSecret, secret, "Signature=", "hello.txt"} {
		assert.NotContains(t, log, never)
	}
}

// TestServeIAMGetUserAWSCLI: `aws iam get-user` with a key `aws iam
// create-access-key` made, against `keycontract serve -dialect iam`,
// names the key's user while it lives; the key may do nothing else; after
// its delete it gets InvalidClientTokenId.
func TestServeIAMGetUserAWSCLI(t *testing.T) {
	creds := []string{"AWS_ACCESS_KEY_ID=" + cliAKID, "AWS_SECRET_ACCESS_KEY=" + cliSecret}
	root := newAWSCLI(t, "iam", creds)
	s := startServe(t, creds, "-dialect", "iam", "-credentials-env")
	root.url = s.url
	assert.Equal(t, s.url, s.dataURL, "iam's data plane is its endpoint")
	_, stderr, err := root.run("create-user", "--user-name", "cli-caller", "--path", "/kc/")
	require.NoError(t, err, "stderr: %s", stderr)
	out, stderr, err := root.run("create-access-key", "--user-name", "cli-caller")
	require.NoError(t, err, "stderr: %s", stderr)
	var created struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	require.NoError(t, json.Unmarshal(out, &created))
	id, secret := created.AccessKey.AccessKeyId, created.AccessKey.SecretAccessKey

	user := newAWSCLI(t, "iam", keyEnv(id, secret))
	user.url = s.url
	out, stderr, err = user.run("get-user")
	require.NoError(t, err, "stderr: %s", stderr)
	var got struct {
		User struct{ UserName, Arn, Path string }
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, "cli-caller", got.User.UserName)
	assert.Equal(t, "arn:aws:iam::123456789012:user/kc/cli-caller", got.User.Arn)

	_, stderr, err = user.run("list-users")
	require.Error(t, err, "a new user has no permission")
	assert.Contains(t, stderr, "AccessDenied")

	_, stderr, err = root.run("delete-access-key", "--user-name", "cli-caller", "--access-key-id", id)
	require.NoError(t, err, "stderr: %s", stderr)
	_, stderr, err = user.run("get-user")
	require.Error(t, err, "a deleted key")
	assert.Contains(t, stderr, "InvalidClientTokenId")

	s.stop(t, os.Interrupt)
	log := s.stderr.String()
	assert.Contains(t, log, "POST GetUser 200")
	assert.Contains(t, log, "POST GetUser 403")
	assert.Contains(t, log, "POST ListUsers 403")
	for _, never := range []string{cliSecret, secret, "Signature="} {
		assert.NotContains(t, log, never)
	}
	assert.False(t, strings.Contains(log, id), "key ids are not logged")
}
