package main

import (
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
)

// implementationRun is one run of every check (-dialect iam -sign -seed 1)
// against an implementation, through a secret tap.
type implementationRun struct {
	impl         string // what it is, for messages: "moto, auth on"
	endpoint     string // the tap in front of it
	tap          *secretTap
	akid, secret string // the credentials the run signs with
	// findings are the checks it fails, each failure by the finding it
	// shows; skips pins the checks it skips, each with a pattern of the
	// reason; every other check must pass.
	findings []finding
	skips    map[string]string
	// racy are the checks whose verdict depends on how the
	// implementation's threads interleave, each with the reason found in
	// its source: a pass, or a failure for a history that is not
	// linearizable, is pinned; anything else fails.
	racy map[string]string
	// page is its findings page in docs/compat/, written with its HTML
	// report when KEYCONTRACT_DOCS names a directory (make compat, make
	// moto-report, make versitygw-report); idPrefix is what the AKIA of
	// the access key ids the implementation issued becomes there.
	page     compatPage
	idPrefix string
}

// run makes the run with every output flag, pins its verdicts, scans every
// output for every secret the implementation issued and the signing
// secret, publishes the HTML report, and returns the JSON report.
func (r implementationRun) run(t *testing.T) contract.Report {
	t.Helper()
	noAWSCredentials(t)
	t.Setenv("AWS_ACCESS_KEY_ID", r.akid)
	t.Setenv("AWS_SECRET_ACCESS_KEY", r.secret)
	files, recording, flags := reportFlags(t.TempDir())
	if publishDir() != "" {
		// A published report's offline replay line would name a
		// recording that is not published: record only when not publishing.
		flags, recording = slices.DeleteFunc(flags, func(f string) bool { return f == "-record" || f == recording }), ""
	}
	res := runCLI(t, append([]string{"-endpoint", r.endpoint, "-dialect", "iam", "-sign", "-seed", "1"}, flags...)...)
	rep := readReport(t, files["the JSON report"])
	checkFindings(t, r.impl, r.findings, r.skips)
	wantExit := 0
	if len(r.findings) > 0 {
		wantExit = 1
	}
	require.Equal(t, wantExit, res.code, "exit status against %s; checks: %s; stderr: %s", r.impl, statuses(rep), firstLineOf(res.stderr))
	assertNoPanic(t, res)
	pinVerdicts(t, r.impl, rep, fails(r.findings), r.skips, r.racy)
	pinSkips(t, r.impl, rep, r.skips)

	issued := r.tap.issued()
	require.NotEmpty(t, issued, "%s issued no secret: the scan would prove nothing", r.impl)
	secrets := numbered("secret "+r.impl+" issued", issued)
	secrets["the signing secret"] = r.secret
	assertNoSecretWritten(t, outputsOf(t, res, files, recording), secrets)
	r.publish(t, files["the HTML report"], rep, issued)
	t.Logf("%s: %s; %d requests in %d ms; %d secrets issued, none written",
		r.impl, strings.TrimSpace(statuses(rep)), rep.Requests, rep.DurationMS, len(issued))
	return rep
}

// outputsOf is everything the run wrote (runOutputs), the recording
// included when there is one.
func outputsOf(t *testing.T, res cliResult, files map[string]string, recording string) map[string][]byte {
	t.Helper()
	if recording != "" {
		return runOutputs(t, res, files, recording)
	}
	outputs := map[string][]byte{"stdout": []byte(res.stdout), "stderr": []byte(res.stderr)}
	for name, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err, name)
		outputs[name] = b
		if strings.HasSuffix(path, ".html") {
			outputs[name+", unescaped"] = []byte(html.UnescapeString(string(b)))
		}
	}
	return outputs
}

// publishDir is where reports are published: KEYCONTRACT_DOCS, or "".
func publishDir() string { return os.Getenv("KEYCONTRACT_DOCS") }

// awsKeyID is anything that looks like an AWS access key id.
var awsKeyID = regexp.MustCompile(`(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])([A-Z0-9]{16,})`)

// publish writes, in $KEYCONTRACT_DOCS, the run's HTML report
// (<slug>.html), its findings page (<slug>.md) and its verdicts
// (<slug>.json), then the matrix of every run published there
// (README.md). Every AWS-looking key id is rewritten to r.idPrefix, so
// that no committed file looks like it holds an AWS key; secrets are
// already redacted by the run, and each file is scanned again here for
// every secret issued.
func (r implementationRun) publish(t *testing.T, page string, rep contract.Report, issued []string) {
	t.Helper()
	dir := publishDir()
	if dir == "" {
		return
	}
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	summary, err := json.MarshalIndent(r.summary(rep), "", "  ")
	require.NoError(t, err)
	files := map[string][]byte{
		r.page.slug + ".html": awsKeyID.ReplaceAll(b, []byte(r.idPrefix+"$1")),
		r.page.slug + ".md":   []byte(r.findingsPage(t, rep)),
		r.page.slug + ".json": append(summary, '\n'),
	}
	secrets := numbered("secret "+r.impl+" issued", issued)
	secrets["the signing secret"] = r.secret
	for name, content := range files {
		assertNoSecretWritten(t, map[string][]byte{name: content, name + ", unescaped": []byte(html.UnescapeString(string(content)))}, secrets)
		require.False(t, awsKeyID.Match(content), "%s holds an AWS-looking key id", name)
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), content, 0o644))
		t.Logf("wrote %s", filepath.Join(dir, name))
	}
	writeMatrix(t, dir)
}
