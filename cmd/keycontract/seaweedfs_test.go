package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/require"
)

// SeaweedFS (github.com/seaweedfs/seaweedfs), a distributed file system
// whose S3 gateway serves IAM's query API on its S3 port: an
// implementation nobody here wrote. TestSeaweedfs runs every check against
// it and pins its verdict per check. A build takes about 7 minutes and
// 2 GB of modules, too heavy for every CI run: make compat builds it into
// a cache and runs it (KEYCONTRACT_WEED names the binary); without that
// variable the test is skipped, in CI too, and .ci/run says so.

// seaweedfsModule is the release make compat builds; the verdicts below
// are that build's.
const seaweedfsModule = "github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6"

// The admin identity SeaweedFS is started with, which the run signs with;
// fake values that look like no AWS key.
const (
	seaweedfsAdminAKID   = "SWFSTESTADMINKEY000"
	seaweedfsAdminSecret = "seaweedfs-test-admin-secret-not-real-01"
)

// weedBinary is the SeaweedFS build KEYCONTRACT_WEED names, with the module
// version make compat stamped beside it (weed.version); unset, the test is
// skipped, saying how to run it.
func weedBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("KEYCONTRACT_WEED")
	if bin == "" {
		t.Skip("SeaweedFS not run: make compat builds " + seaweedfsModule + " into a cache and runs it (KEYCONTRACT_WEED names the binary)")
	}
	fi, err := os.Stat(bin)
	require.NoError(t, err, "KEYCONTRACT_WEED")
	require.False(t, fi.IsDir() || fi.Mode()&0o111 == 0, "KEYCONTRACT_WEED=%s is not an executable", bin)
	stamp, err := os.ReadFile(bin + ".version")
	require.NoError(t, err, "make compat stamps the module version of the build beside it")
	require.Equal(t, seaweedfsModule, string(stamp), "the pinned verdicts are %s's: make compat rebuilds it", seaweedfsModule)
	return bin
}

// startSeaweedfs starts `weed server` with its master, filer and S3
// gateway (no volume server: IAM and the caller's identity need none) on
// free loopback ports, its data in a fresh temporary directory and one
// admin identity, and returns the S3 port's URL, where IAM is served. It
// is stopped with SIGKILL when the test ends, and the gRPC sockets it
// leaves in /tmp, named after the ports chosen here, are removed.
func startSeaweedfs(t *testing.T) string {
	t.Helper()
	bin := weedBinary(t)
	dir := t.TempDir()
	config := map[string]any{"identities": []map[string]any{{
		"name":        "keycontract-admin",
		"credentials": []map[string]string{{"accessKey": seaweedfsAdminAKID, "secretKey": seaweedfsAdminSecret}},
		"actions":     []string{"Admin"},
	}}}
	b, err := json.Marshal(config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s3.json"), b, 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "data"), 0o700))

	ports := map[string]int{}
	for _, name := range []string{"master", "master.grpc", "filer", "filer.grpc", "s3", "s3.grpc"} {
		ports[name] = freeLoopbackPort(t)
	}
	// SeaweedFS names its gRPC sockets after their ports, in /tmp
	// whatever TMPDIR says (weed/command/server.go); the HTTP ones are
	// put in dir.
	sockets := []string{
		fmt.Sprintf("/tmp/seaweedfs-master-grpc-%d.sock", ports["master.grpc"]),
		fmt.Sprintf("/tmp/seaweedfs-filer-grpc-%d.sock", ports["filer.grpc"]),
		fmt.Sprintf("/tmp/seaweedfs-s3-grpc-%d.sock", ports["s3.grpc"]),
	}
	for _, s := range sockets {
		_, err := os.Lstat(s)
		require.True(t, errors.Is(err, fs.ErrNotExist), "%s exists before SeaweedFS starts: another process owns its port", s)
	}
	t.Cleanup(func() {
		for _, s := range sockets {
			if err := os.Remove(s); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("removing SeaweedFS's socket: %v", err)
			}
		}
	})
	cmd := exec.Command(bin, "server",
		"-dir="+filepath.Join(dir, "data"), "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-volume=false", "-master.telemetry=false",
		fmt.Sprintf("-master.port=%d", ports["master"]), fmt.Sprintf("-master.port.grpc=%d", ports["master.grpc"]),
		fmt.Sprintf("-filer.port=%d", ports["filer"]), fmt.Sprintf("-filer.port.grpc=%d", ports["filer.grpc"]),
		"-filer.localSocket="+filepath.Join(dir, "filer.sock"),
		"-s3", fmt.Sprintf("-s3.port=%d", ports["s3"]), fmt.Sprintf("-s3.port.grpc=%d", ports["s3.grpc"]),
		"-s3.localSocket="+filepath.Join(dir, "s3.sock"),
		"-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.config="+filepath.Join(dir, "s3.json"), "-s3.iam.readOnly=false",
	)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}
	base := fmt.Sprintf("http://127.0.0.1:%d", ports["s3"])
	startProcess(t, cmd, base+"/healthz")
	// The S3 port answers before the filer that keeps the identities is
	// up: wait until IAM lists users (a hang guard, not a verdict).
	c := iam.New(iam.Options{BaseEndpoint: aws.String(base), Region: "us-east-1", Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(seaweedfsAdminAKID, seaweedfsAdminSecret, "")})
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := c.ListUsers(context.Background(), &iam.ListUsersInput{})
		if err == nil {
			return base
		}
		require.True(t, time.Now().Before(deadline), "SeaweedFS's IAM did not answer ListUsers: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSeaweedfs runs every check against SeaweedFS's IAM, signed with its
// admin identity, and pins its verdict per check; then what a user's key
// does on its S3 and as a caller (keyUse).
func TestSeaweedfs(t *testing.T) {
	base := startSeaweedfs(t)
	t.Run("iam", func(t *testing.T) {
		tap := &secretTap{}
		implementationRun{
			impl: "SeaweedFS", endpoint: tap.proxy(t, base), tap: tap,
			akid: seaweedfsAdminAKID, secret: seaweedfsAdminSecret,
			findings: seaweedfsFindings, page: seaweedfsPage, idPrefix: "SWFS",
		}.run(t)
	})
	t.Run("keys", func(t *testing.T) {
		keyUsePinned(t, "SeaweedFS", seaweedfsPage, keyUseSide{iamURL: base, s3URL: base,
			admin: credentials.NewStaticCredentialsProvider(seaweedfsAdminAKID, seaweedfsAdminSecret, "")})
	})
}
