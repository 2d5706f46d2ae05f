package main

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// versitygw (github.com/versity/versitygw), a Go S3 gateway, serves IAM's
// user access keys over the AWS query wire as its own process, `versitygw
// iam`: an implementation nobody here wrote, which keeps the contract
// closely. TestVersitygw runs every check against it and pins its verdict
// per check, each failure by the exchange that shows it (docs/README.md
// tells each finding and the rule it breaks).

// versitygwVersion is the release .ci/run installs; the verdicts below are
// that release's.
const versitygwVersion = "v1.8.0"

// The root key versitygw is started with, which the run signs with; fake
// values that look like no AWS key.
const (
	versitygwRootAKID   = "VGWTESTROOTACCESSKEY"
	versitygwRootSecret = "versitygw-test-root-secret-not-real-0123"
)

// startVersitygw starts `versitygw iam` on a free loopback port, with its
// users in a fresh temporary directory (removed with the test) and the
// root key above, and returns its URL; it is stopped when the test ends.
// A release other than versitygwVersion fails in CI and skips elsewhere:
// the pinned verdicts are that release's.
func startVersitygw(t *testing.T) string {
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
	require.NoError(t, os.Mkdir(filepath.Join(dir, "iam"), 0o700))
	port := freeLoopbackPort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(bin, "--health", "/healthz", "--port", fmt.Sprintf("127.0.0.1:%d", port), "--quiet",
		"iam", "--dir", filepath.Join(dir, "iam"), "--private-ports", filepath.Join(dir, "iam.sock"))
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"ROOT_ACCESS_KEY=" + versitygwRootAKID, "ROOT_SECRET_KEY=" + versitygwRootSecret,
	}
	startProcess(t, cmd, base+"/healthz")
	return base
}

// TestVersitygw runs every check against versitygw's IAM, signed with its
// root key, and pins its verdict per check.
func TestVersitygw(t *testing.T) {
	tap := &secretTap{}
	rep := implementationRun{
		impl: "versitygw", endpoint: tap.proxy(t, startVersitygw(t)), tap: tap,
		akid: versitygwRootAKID, secret: versitygwRootSecret,
		fails:  versitygwFindings,
		report: "versitygw-iam-report.html", idPrefix: "VGWK",
	}.run(t)
	// versitygw checks MaxItems's range (ValidationError for 0 and 1001,
	// as IAM documents): no failure may name a range break.
	for _, c := range rep.Checks {
		for _, f := range c.Failures {
			require.NotRegexp(t, `MaxItems: (below minimum|above maximum)`, f.Message, c.ID)
		}
	}
}

// versitygwFindings are the checks versitygw fails, each with the failures
// that must show it.
var versitygwFindings = map[string][]evidence{
	// A POST with no Action (an empty body, or members without one) is
	// answered with a redirect to the vendor's web site, where IAM answers
	// MissingAction (400); the Marker of ListAccessKeys and ListUsers, and
	// CreateUser's PermissionsBoundary, are not checked against their
	// documented lengths and pattern.
	"invalid-input-rejected": {
		ev(`^CreateAccessKey\(body: empty\) = 302 \(no error code\)`, `^signed $`, `^302  Location: https://www\.versity\.com/`),
		ev(`^\(no target\)\(action: missing\) = 302 \(no error code\)`, `^signed UserName=[^&]*&Version=2010-05-08$`, `^302  Location: https://www\.versity\.com/`),
		ev(`^ListAccessKeys\(Marker: too long \(321 > 320\)\) = 200 success`, `Marker=a{321}&`, `(?s)^200 application/xml.*<ListAccessKeysResponse`),
		ev(`^ListUsers\(Marker: does not match pattern .*\) = 200 success`, `Marker=%09\+%09&`, `(?s)^200 application/xml.*<ListUsersResponse`),
		ev(`^CreateUser\(PermissionsBoundary: too short \(19 < 20\)\) = 200 success`, `PermissionsBoundary=a{19}&`, `(?s)^200 application/xml.*<CreateUserResponse`),
	},
	// The redirect is no error response of the AWS query protocol.
	"error-envelope": {
		ev(`= 302: status 302 carries no error code`, `^signed $`, `^302  Location: https://www\.versity\.com/`),
	},
}
