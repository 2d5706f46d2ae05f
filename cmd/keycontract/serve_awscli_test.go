package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The AWS CLI as a real, independent client of `keycontract serve`: the
// Lightsail commands against the aws dialect, the IAM ones against iam.

// TestServeAWSCLI drives `keycontract serve` (SigV4 verification on) with
// the AWS CLI as a real, independent client.
func TestServeAWSCLI(t *testing.T) {
	creds := []string{"AWS_ACCESS_KEY_ID=" + cliAKID, "AWS_SECRET_ACCESS_KEY=" + cliSecret}
	cli := newAWSCLI(t, "lightsail", creds)
	s := startServe(t, creds, "-credentials-env")
	cli.url = s.url
	var secrets []string
	run := cli.run
	createKey := func() (id string) {
		out, stderr, err := run("create-bucket-access-key", "--bucket-name", "cli-bucket")
		require.NoError(t, err, "stderr: %s", stderr)
		var v struct {
			AccessKey struct{ AccessKeyID, SecretAccessKey, Status string } `json:"accessKey"`
		}
		require.NoError(t, json.Unmarshal(out, &v), "create-bucket-access-key output is not JSON")
		require.Regexp(t, `^[A-Z0-9]{20}$`, v.AccessKey.AccessKeyID)
		require.Len(t, v.AccessKey.SecretAccessKey, 40)
		secrets = append(secrets, v.AccessKey.SecretAccessKey)
		return v.AccessKey.AccessKeyID
	}

	_, stderr, err := run("create-bucket", "--bucket-name", "cli-bucket", "--bundle-id", "small_1_0")
	require.NoError(t, err, "stderr: %s", stderr)
	first := createKey()
	second := createKey()

	_, stderr, err = run("create-bucket-access-key", "--bucket-name", "cli-bucket")
	require.Error(t, err, "a third key must fail")
	assert.Contains(t, stderr, "InvalidInputException")

	out, stderr, err := run("get-bucket-access-keys", "--bucket-name", "cli-bucket")
	require.NoError(t, err, "stderr: %s", stderr)
	var list struct {
		AccessKeys []map[string]any `json:"accessKeys"`
	}
	require.NoError(t, json.Unmarshal(out, &list))
	require.Len(t, list.AccessKeys, 2)
	for i, k := range list.AccessKeys {
		assert.NotContains(t, k, "secretAccessKey")
		assert.Equal(t, []string{first, second}[i], k["accessKeyId"])
	}
	for _, sec := range secrets {
		assert.False(t, bytes.Contains(out, []byte(sec)), "list leaks a secret")
	}

	_, stderr, err = run("delete-bucket-access-key", "--bucket-name", "cli-bucket", "--access-key-id", first)
	require.NoError(t, err, "stderr: %s", stderr)
	createKey() // the delete freed a slot

	_, stderr, err = run("get-bucket-access-keys", "--bucket-name", "no-such-bucket")
	require.Error(t, err)
	assert.Contains(t, stderr, "NotFoundException")

	// The server really verifies the CLI's signatures.
	cli.env = append(cli.env, "AWS_SECRET_ACCESS_KEY=wrong"+cliSecret[5:])
	_, stderr, err = run("get-buckets")
	require.Error(t, err)
	assert.Contains(t, stderr, "InvalidSignatureException")

	s.stop(t, os.Interrupt)
	log := s.stderr.String()
	assert.Contains(t, log, "CreateBucketAccessKey 200")
	assert.Contains(t, log, "GetBucketAccessKeys 400")
	assert.NotContains(t, log, cliSecret)
	assert.NotContains(t, log, "Signature=")
	for _, sec := range secrets {
		assert.NotContains(t, log, sec)
	}
}

// TestServeIAMAWSCLI drives `keycontract serve -dialect iam` (SigV4
// verification on, service iam) with the AWS CLI's IAM commands as a real,
// independent client of the query wire. The CI rule is TestServeAWSCLI's.
func TestServeIAMAWSCLI(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, serveCmd([]string{"-h"}, &out, &errb))
	assert.Contains(t, out.String(), "aws|envelope|rest|iam")

	creds := []string{"AWS_ACCESS_KEY_ID=" + cliAKID, "AWS_SECRET_ACCESS_KEY=" + cliSecret}
	cli := newAWSCLI(t, "iam", creds)
	s := startServe(t, creds, "-dialect", "iam", "-credentials-env")
	cli.url = s.url
	var secrets []string
	run := cli.run
	createKey := func() (id string) {
		out, stderr, err := run("create-access-key", "--user-name", "cli-user")
		require.NoError(t, err, "stderr: %s", stderr)
		var v struct {
			AccessKey struct{ UserName, AccessKeyId, SecretAccessKey, Status, CreateDate string }
		}
		require.NoError(t, json.Unmarshal(out, &v), "create-access-key output is not JSON")
		require.Equal(t, "cli-user", v.AccessKey.UserName)
		require.Regexp(t, `^\w{16,128}$`, v.AccessKey.AccessKeyId)
		require.Len(t, v.AccessKey.SecretAccessKey, 40)
		require.Equal(t, "Active", v.AccessKey.Status)
		require.NotEmpty(t, v.AccessKey.CreateDate)
		secrets = append(secrets, v.AccessKey.SecretAccessKey)
		return v.AccessKey.AccessKeyId
	}

	out2, stderr, err := run("create-user", "--user-name", "cli-user", "--path", "/cli/")
	require.NoError(t, err, "stderr: %s", stderr)
	var user struct {
		User struct{ UserName, Path, Arn string }
	}
	require.NoError(t, json.Unmarshal(out2, &user))
	assert.Equal(t, "arn:aws:iam::123456789012:user/cli/cli-user", user.User.Arn)
	first := createKey()
	second := createKey()

	_, stderr, err = run("create-access-key", "--user-name", "cli-user")
	require.Error(t, err, "a third key must fail")
	assert.Contains(t, stderr, "LimitExceeded")

	out2, stderr, err = run("list-access-keys", "--user-name", "cli-user")
	require.NoError(t, err, "stderr: %s", stderr)
	var list struct{ AccessKeyMetadata []map[string]any }
	require.NoError(t, json.Unmarshal(out2, &list))
	require.Len(t, list.AccessKeyMetadata, 2)
	for i, k := range list.AccessKeyMetadata {
		assert.NotContains(t, k, "SecretAccessKey")
		assert.Equal(t, []string{first, second}[i], k["AccessKeyId"])
	}
	for _, sec := range secrets {
		assert.False(t, bytes.Contains(out2, []byte(sec)), "list leaks a secret")
	}

	_, stderr, err = run("delete-access-key", "--user-name", "cli-user", "--access-key-id", first)
	require.NoError(t, err, "stderr: %s", stderr)
	createKey() // the delete freed a slot

	_, stderr, err = run("list-access-keys", "--user-name", "no-such-user")
	require.Error(t, err)
	assert.Contains(t, stderr, "NoSuchEntity")

	// The server really verifies the CLI's signatures.
	cli.env = append(cli.env, "AWS_SECRET_ACCESS_KEY=wrong"+cliSecret[5:])
	_, stderr, err = run("list-users")
	require.Error(t, err)
	assert.Contains(t, stderr, "SignatureDoesNotMatch")

	s.stop(t, os.Interrupt)
	log := s.stderr.String()
	assert.Contains(t, log, "POST CreateAccessKey 200")
	assert.Contains(t, log, "POST CreateAccessKey 409")
	assert.Contains(t, log, "POST ListAccessKeys 404")
	assert.Contains(t, log, "bucket=cli-user")
	assert.NotContains(t, log, cliSecret)
	assert.NotContains(t, log, "Signature=")
	for _, sec := range secrets {
		assert.NotContains(t, log, sec)
	}
}

// awsCLI runs the AWS CLI's commands of one service against url, with
// creds and nothing of the caller's AWS settings or HOME. Its stdout may
// hold secrets, so it is never logged.
type awsCLI struct {
	path, service, url string
	env                []string
}

// newAWSCLI finds the AWS CLI: in CI (.ci/run installs it) its absence is a
// failure, elsewhere a skip that says how to get it.
func newAWSCLI(t *testing.T, service string, creds []string) *awsCLI {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		const why = "aws CLI not on PATH: apt-get install -y awscli to run the real-client test"
		if os.Getenv("CI") != "" {
			t.Fatal(why + " (.ci/run installs it; in CI a missing tool is a failure, not a skip)")
		}
		t.Skip(why)
	}
	c := &awsCLI{path: path, service: service}
	for _, kv := range os.Environ() { // drop the caller's AWS settings and HOME
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			c.env = append(c.env, kv)
		}
	}
	c.env = append(c.env, creds...)
	c.env = append(c.env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "HOME="+t.TempDir())
	return c
}

// run calls `aws SERVICE args... --endpoint-url URL`.
func (c *awsCLI) run(args ...string) (stdout []byte, stderr string, err error) {
	full := append([]string{c.service}, args...)
	full = append(full, "--endpoint-url", c.url, "--region", "us-east-1", "--output", "json")
	cmd := exec.Command(c.path, full...)
	cmd.Env = c.env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.String(), err
}
