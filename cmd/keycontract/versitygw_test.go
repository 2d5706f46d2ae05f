package main

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/require"
)

// versitygw (github.com/versity/versitygw), a Go S3 gateway, serves IAM's
// user access keys over the AWS query wire as its own process, `versitygw
// iam`: an implementation nobody here wrote, which keeps the contract
// closely. TestVersitygw runs every check against it and pins its verdict
// per check, each failure by the exchange that shows it, and what a user's
// key does on its S3 gateway (docs/compat/versitygw.md tells each finding
// and the rule it breaks).

// versitygwVersion is the release .ci/run installs; the verdicts below are
// that release's.
const versitygwVersion = "v1.8.0"

// The root key versitygw is started with, which the run signs with; fake
// values that look like no AWS key.
const (
	versitygwRootAKID   = "VGWTESTROOTACCESSKEY"
	versitygwRootSecret = "versitygw-test-root-secret-not-real-0123"
)

// startVersitygw starts versitygw's IAM process (`versitygw iam`) and then
// its S3 gateway, which asks that IAM process for every key, each on a free
// loopback port, with its users and buckets in a fresh temporary directory
// (removed with the test) and the root key above. It returns both URLs;
// both are stopped when the test ends. A release other than
// versitygwVersion fails in CI and skips elsewhere: the pinned verdicts are
// that release's.
func startVersitygw(t *testing.T) (iamURL, s3URL string) {
	t.Helper()
	install := "go install github.com/versity/versitygw/cmd/versitygw@" + versitygwVersion
	bin := externalTool(t, "versitygw", install)
	info, err := buildinfo.ReadFile(bin)
	require.NoError(t, err, "reading %s's build information", bin)
	if v := info.Main.Version; v != versitygwVersion {
		why := fmt.Sprintf("%s is versitygw %s; the pinned verdicts are %s's: %s", bin, v, versitygwVersion, install)
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	dir := t.TempDir()
	for _, d := range []string{"iam", "data"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, d), 0o700))
	}
	socket := filepath.Join(dir, "iam.sock")
	start := func(ready string, args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
			"ROOT_ACCESS_KEY=" + versitygwRootAKID, "ROOT_SECRET_KEY=" + versitygwRootSecret,
		}
		startProcess(t, cmd, ready+"/healthz")
	}
	iamPort, s3Port := freeLoopbackPort(t), freeLoopbackPort(t)
	iamURL, s3URL = fmt.Sprintf("http://127.0.0.1:%d", iamPort), fmt.Sprintf("http://127.0.0.1:%d", s3Port)
	start(iamURL, "--health", "/healthz", "--port", fmt.Sprintf("127.0.0.1:%d", iamPort), "--quiet",
		"iam", "--dir", filepath.Join(dir, "iam"), "--private-ports", socket)
	start(s3URL, "--health", "/healthz", "--port", fmt.Sprintf("127.0.0.1:%d", s3Port), "--quiet",
		"--iam-standalone-endpoint", socket, "posix", filepath.Join(dir, "data"))
	return iamURL, s3URL
}

// TestVersitygw runs every check against versitygw's IAM, signed with its
// root key, and pins its verdict per check; then it pins what a user's key
// does on the S3 gateway and as a caller (keyUse).
func TestVersitygw(t *testing.T) {
	iamURL, s3URL := startVersitygw(t)
	t.Run("iam", func(t *testing.T) {
		tap := &secretTap{}
		rep := implementationRun{
			impl: "versitygw", endpoint: tap.proxy(t, iamURL), tap: tap,
			akid: versitygwRootAKID, secret: versitygwRootSecret,
			findings: versitygwFindings, page: versitygwPage, idPrefix: "VGWK",
		}.run(t)
		// versitygw checks MaxItems's range (ValidationError for 0 and
		// 1001, as IAM documents): no failure may name a range break.
		for _, c := range rep.Checks {
			for _, f := range c.Failures {
				require.NotRegexp(t, `MaxItems: (below minimum|above maximum)`, f.Message, c.ID)
			}
		}
	})
	t.Run("keys", func(t *testing.T) {
		keyUsePinned(t, "versitygw", versitygwPage, keyUseSide{iamURL: iamURL, s3URL: s3URL,
			admin: credentials.NewStaticCredentialsProvider(versitygwRootAKID, versitygwRootSecret, "")})
	})
}
