package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/spec"
)

// docs/DESIGN.md "Secrets": no secret access key, credential or -header value is
// ever written, by a passing run or a failing one. These tests never log a
// secret: a leak is reported by which secret (its index) and where.

// randomHex returns n random bytes, hex-encoded.
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// secretForms are the ways a value may appear in text the run writes: as
// is, JSON-escaped, with JSON's optional "\/", XML-escaped, URL-encoded
// and base64-encoded.
func secretForms(v string) []string {
	forms := []string{v}
	if b, err := json.Marshal(v); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	forms = append(forms, strings.ReplaceAll(v, "/", `\/`), url.QueryEscape(v), url.PathEscape(v))
	var x bytes.Buffer
	_ = xml.EscapeText(&x, []byte(v))
	forms = append(forms, x.String())
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(v)))
	}
	return forms
}

// findSecrets scans every output for every secret in every form and
// returns "what in where" for each found. It never quotes a secret.
func findSecrets(outputs map[string][]byte, secrets map[string]string) []string {
	var found []string
	for what, v := range secrets {
		for where, out := range outputs {
			for _, f := range secretForms(v) {
				if bytes.Contains(out, []byte(f)) {
					found = append(found, what+" was written to "+where)
					break
				}
			}
		}
	}
	sort.Strings(found)
	return found
}

// assertNoSecretWritten scans every output for every secret in every form.
// Its messages name the secret and the output, never the secret's value.
func assertNoSecretWritten(t *testing.T, outputs map[string][]byte, secrets map[string]string) {
	t.Helper()
	for what, v := range secrets {
		require.GreaterOrEqual(t, len(v), 6, "%s is too short to scan for", what)
	}
	for _, f := range findSecrets(outputs, secrets) {
		t.Error(f)
	}
}

// statuses summarises a report without quoting it (it may hold a leak).
func statuses(rep contract.Report) string {
	var b strings.Builder
	for _, c := range rep.Checks {
		b.WriteString(string(c.ID) + "=" + c.Status + " ")
	}
	return b.String()
}

func TestRunSecretsNeverWritten(t *testing.T) {
	faults := []struct {
		fault  emulator.Fault // "" for a correct emulator
		breaks string         // the check that fails
	}{
		{"", ""},
		{emulator.FaultNoKeyLimit, "two-key-limit"},
		{emulator.FaultSecretInList, "secret-only-once"},
		{emulator.FaultSecretRepeated, "secret-only-once"},
		// The data plane's probes sign with the created keys' secrets,
		// and a deleted key's use shows in the failure.
		{emulator.FaultKeyOutlivesDelete, "key-revoked"},
	}
	for _, dialect := range spec.Dialects {
		for _, auth := range []bool{false, true} {
			for _, f := range faults {
				name := dialect + "/" + string(f.fault)
				if f.fault == "" {
					name = dialect + "/correct"
				}
				if auth {
					name += "/auth"
				}
				t.Run(name, func(t *testing.T) {
					secretRun(t, dialect, auth, f.fault, f.breaks)
				})
			}
		}
	}
}

// secretRun runs every check with -json, -junit, -html and -record against an emulator of
// dialect with fault (if any), with credentials when auth is set (SigV4
// from the environment and -sign for aws; -header 'Authorization: Bearer'
// for envelope; and a vendor key header either way), and scans all it wrote;
// then it replays the recording and scans what the replay wrote.
func secretRun(t *testing.T, dialect string, auth bool, fault emulator.Fault, breaks string) {
	noAWSCredentials(t)
	opts := emulator.Options{Dialect: dialect}
	if fault != "" {
		opts.Faults = []emulator.Fault{fault}
	}
	dir := t.TempDir()
	jsonFile, junitFile := filepath.Join(dir, "report.json"), filepath.Join(dir, "junit.xml")
	recording, htmlFile := filepath.Join(dir, "recording"), filepath.Join(dir, "report.html")
	args := []string{"-dialect", dialect, "-json", jsonFile, "-junit", junitFile, "-record", recording, "-html", htmlFile}
	credentials := map[string]string{}
	if auth {
		vendorKey := "vendor-" + randomHex(t, 12)
		credentials["the -header X-Vendor-Key value"] = vendorKey
		args = append(args, "-header", "X-Vendor-Key: "+vendorKey)
		switch dialect {
		case "aws", "iam":
			// "/" and "+" as in real AWS secrets, so that escaped forms matter.
			akid, secret := "AKIDKC"+strings.ToUpper(randomHex(t, 7)), "kc/Secret+"+randomHex(t, 15)
			opts.Credentials = map[string]string{akid: secret}
			t.Setenv("AWS_ACCESS_KEY_ID", akid)
			t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
			credentials["the AWS secret access key"] = secret
			args = append(args, "-sign")
		case "envelope", "rest":
			token := "tok-" + randomHex(t, 16)
			opts.Token = token
			credentials["the bearer token"] = token
			args = append(args, "-header", "Authorization: Bearer "+token)
		}
	}
	ts, srv := emulator.NewTestServer(t, opts)
	r := runCLI(t, append(args, "-endpoint", ts.URL)...)

	// What the run wrote, and every secret it must not have.
	outputs := map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}
	for name, path := range map[string]string{"the JSON report": jsonFile, "the JUnit report": junitFile, "the HTML report": htmlFile} {
		b, err := os.ReadFile(path)
		require.NoError(t, err, name)
		require.NotEmpty(t, b, name)
		outputs[name] = b
	}
	// html/template writes "+" as &#43;: scan the page as a browser reads it too.
	outputs["the HTML report, unescaped"] = []byte(html.UnescapeString(string(outputs["the HTML report"])))
	addRecording(t, outputs, recording)
	// The scan covers the probes' exchanges: the keys' uses on the data
	// plane, signed with their secrets, are in the recording.
	probe := "list-type=2"
	if dialect == "iam" {
		probe = "Action=GetUser"
	}
	assert.True(t, bytes.Contains(outputs["the recording's exchanges.json"], []byte(probe)), "the recording holds no use of a key (%s)", probe)
	issued := srv.IssuedSecrets()
	require.NotEmpty(t, issued, "the emulator issued no secret: the scan would prove nothing")
	secrets := numbered("issued secret access key", issued)
	for what, v := range credentials {
		secrets[what] = v
	}
	assertNoSecretWritten(t, outputs, secrets)

	// The run itself went as expected: otherwise the scan saw too little.
	rep := readReport(t, jsonFile)
	wantCode := 0
	if fault != "" {
		wantCode = 1
	}
	require.Equal(t, wantCode, r.code, "exit status; checks: %s", statuses(rep))
	// No assertion below quotes an output: if redaction failed, that would
	// put the secret in the test log.
	for _, o := range []string{r.stdout, r.stderr} {
		assert.False(t, strings.Contains(o, "panic") || strings.Contains(o, "goroutine "), "the run panicked")
	}
	if breaks != "" {
		c, _ := rep.Check(contract.ID(breaks))
		assert.Equal(t, contract.Fail, c.Status, "%s against %s; checks: %s", breaks, fault, statuses(rep))
	}
	if fault == emulator.FaultSecretInList || fault == emulator.FaultSecretRepeated {
		// Redacted by value, the leak stays visible as a leak.
		// (encoding/json writes "<" as \u003c.)
		assert.True(t, bytes.Contains(outputs["the JSON report"], []byte(`\u003csecret-`)), "the JSON report does not show the leaked secret as a placeholder")
		junit := outputs["the JUnit report"]
		assert.True(t, bytes.Contains(junit, []byte("&lt;secret-")) || bytes.Contains(junit, []byte(`\u003csecret-`)),
			"the JUnit report does not show the leaked secret as a placeholder")
	}
	// The recording alone reproduces the run: same verdicts, offline, and
	// the replay writes no secret either.
	replayJSON := filepath.Join(dir, "replay.json")
	rr := runCLI(t, "-replay", recording, "-json", replayJSON)
	require.Equal(t, r.code, rr.code, "replay exit status; stderr: %s", firstLineOf(rr.stderr))
	replayed := readReport(t, replayJSON)
	assert.Equal(t, statuses(rep), statuses(replayed), "replayed verdicts")
	assert.Contains(t, rr.stderr, "replay reached the recorded verdict of every check")
	replayOut := map[string][]byte{"replay stdout": []byte(rr.stdout), "replay stderr": []byte(rr.stderr)}
	replayOut["the replay's JSON report"], _ = os.ReadFile(replayJSON)
	assertNoSecretWritten(t, replayOut, secrets)

	authCheck, _ := rep.Check("auth-required")
	if auth {
		assert.Equal(t, contract.Pass, authCheck.Status, "auth-required with credentials configured; checks: %s", statuses(rep))
		assert.Positive(t, srv.Requests())
	} else {
		assert.Equal(t, contract.Skip, authCheck.Status)
	}
}

// addRecording adds every file of a -record directory to outputs.
func addRecording(t *testing.T, outputs map[string][]byte, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "the recording")
	require.Len(t, entries, 2, "the recording holds run.json and exchanges.json")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		require.NotEmpty(t, b, e.Name())
		outputs["the recording's "+e.Name()] = b
	}
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// reportFlags are the output flags a secret scan gives a run, each with
// the file it writes in dir; recording is the -record directory.
func reportFlags(dir string) (files map[string]string, recording string, args []string) {
	files = map[string]string{
		"the JSON report": filepath.Join(dir, "report.json"), "the JUnit report": filepath.Join(dir, "junit.xml"),
		"the HTML report": filepath.Join(dir, "report.html"), "the -viz page": filepath.Join(dir, "viz.html"),
	}
	recording = filepath.Join(dir, "recording")
	args = []string{"-json", files["the JSON report"], "-junit", files["the JUnit report"],
		"-html", files["the HTML report"], "-viz", files["the -viz page"], "-record", recording}
	return files, recording, args
}

// runOutputs is everything a run wrote: stdout, stderr, every file (HTML
// pages also as a browser reads them: html/template writes "+" as &#43;)
// and every file of the recording.
func runOutputs(t *testing.T, r cliResult, files map[string]string, recording string) map[string][]byte {
	t.Helper()
	outputs := map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}
	for name, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err, name)
		outputs[name] = b
		if strings.HasSuffix(path, ".html") {
			outputs[name+", unescaped"] = []byte(html.UnescapeString(string(b)))
		}
	}
	addRecording(t, outputs, recording)
	return outputs
}

// numbered names each secret for scan messages, never by its value.
func numbered(what string, values []string) map[string]string {
	out := map[string]string{}
	for i, v := range values {
		out[fmt.Sprintf("%s #%d of %d", what, i+1, len(values))] = v
	}
	return out
}
