package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
)

// docs/compat/: make compat (and make moto-report, make versitygw-report)
// publishes, per implementation, the run's HTML report (<slug>.html), a
// findings page (<slug>.md) written from the very table the test pins,
// with the exchanges the run recorded, and the verdicts (<slug>.json); the
// matrix, README.md, is written from every <slug>.json there.

// compatPage is what an implementation's findings page says beside its
// findings.
type compatPage struct {
	slug   string // the files' stem in docs/compat/
	column string // its column in the matrix: "moto, auth on"
	title  string // the page's heading
	test   string // the test that pins it: "TestMoto/auth"
	target string // the make target that writes it
	// Markdown: what it is, how it is installed, started and signed
	// (about); what it gets right (keeps); legal variations seen, which
	// pass (allowed); what it does that no check of the contract judges
	// (observed).
	about, keeps, allowed, observed string
	// keyUse is the pinned transcript of what a user's key does where it
	// is used (external_keyuse_test.go), keyTest the test that pins it,
	// and keyNote (Markdown) what it shows.
	keyUse           []string
	keyTest, keyNote string
}

// compatColumns orders the matrix's columns.
var compatColumns = []string{"versitygw", "moto", "moto-auth", "seaweedfs"}

// compatSummary is <slug>.json: what the matrix needs of one run.
type compatSummary struct {
	Slug       string            `json:"slug"`
	Column     string            `json:"column"`
	Title      string            `json:"title"`
	Date       string            `json:"date"`
	Requests   int64             `json:"requests"`
	DurationMS int64             `json:"duration_ms"`
	Verdicts   map[string]string `json:"verdicts"`
}

// runID is the run's id in the names it gives users; pages show <run>.
var runID = regexp.MustCompile(`keycontract-[0-9a-f]{8}-`)

// longRun is 24 or more of one character, as length breaks send them.
var longRun = regexp.MustCompile(`a{24,}|b{24,}`)

// excerpt is text as a page shows it: the run id and key ids rewritten,
// long runs of one character counted, cut at max characters.
func (r implementationRun) excerpt(s string, max int) string {
	s = awsKeyID.ReplaceAllString(s, r.idPrefix+"$1")
	s = runID.ReplaceAllString(s, "keycontract-<run>-")
	s = longRun.ReplaceAllStringFunc(s, func(m string) string { return fmt.Sprintf("<%d × %c>", len(m), m[0]) })
	if len(s) > max {
		s = s[:max] + " …"
	}
	return s
}

// findingsPage renders an implementation's findings page from its run.
func (r implementationRun) findingsPage(t *testing.T, rep contract.Report) string {
	t.Helper()
	p := r.page
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", p.title, strings.TrimSpace(p.about))
	makes := "`make compat`"
	if p.target != "compat" {
		makes = "`make " + p.target + "` (and `make compat`)"
	}
	fmt.Fprintf(&b, "The run: `keycontract run -endpoint URL -dialect iam -sign -seed 1`, %d requests in %.1f s on %s; its report is [%s.html](%s.html). %s writes this page and the report from the run that `%s` pins; [README.md](README.md) has every implementation's verdicts side by side, and the rules the findings cite.\n\n",
		rep.Requests, float64(rep.DurationMS)/1000, rep.Started.UTC().Format("2006-01-02"), p.slug, p.slug, makes, p.test)
	b.WriteString("| check | verdict |\n|---|---|\n")
	for _, c := range rep.Checks {
		v := verdictLine(c, r.findings)
		if c.Status == contract.Skip {
			v += ": " + r.excerpt(c.Reason, 200)
		}
		fmt.Fprintf(&b, "| %s | %s |\n", c.ID, v)
	}
	if k := strings.TrimSpace(p.keeps); k != "" {
		fmt.Fprintf(&b, "\n%s\n", k)
	}
	byID := map[string]contract.CheckResult{}
	for _, c := range rep.Checks {
		byID[string(c.ID)] = c
	}
	if len(r.findings) > 0 {
		b.WriteString("\n## Findings\n\nEach names the behaviour, the documented rule it breaks and exchanges that show it, as the run recorded them: redacted (`<secret-N>`), key ids rewritten `" + r.idPrefix + "...`, the run's id shown as `<run>`, long values counted (`<321 × a>`). A request is a `POST /` form body signed with SigV4 (service `iam`, region `us-east-1`; the data plane's GetCallerIdentity, service `sts`) unless it says unsigned.\n")
	}
	for _, f := range r.findings {
		fmt.Fprintf(&b, "\n### %s. %s\n\n", f.id, f.title)
		checks := make([]string, 0, len(f.checks()))
		for _, c := range f.checks() {
			checks = append(checks, "`"+c+"`")
		}
		kind := ""
		if f.setting {
			kind = " A setting, not a defect."
		}
		fmt.Fprintf(&b, "Checks: %s.%s Rule: %s\n", strings.Join(checks, ", "), kind, strings.TrimSpace(f.rule))
		if txt := strings.TrimSpace(f.text); txt != "" {
			fmt.Fprintf(&b, "\n%s\n", txt)
		}
		for _, s := range f.shows {
			ex, msg, ok := s.example(byID[s.check])
			require.True(t, ok, "%s: finding %s: no exchange of %s shows it (pinVerdicts says why)", r.impl, f.id, s.check)
			fmt.Fprintf(&b, "\n`%s`: %s\n\n```\n%s\n→ %s\n```\n", s.check, r.excerpt(firstLineOf(msg), 300),
				r.excerpt(requestText(ex), 700), r.excerpt(responseText(ex), 700))
		}
	}
	if len(p.keyUse) > 0 {
		fmt.Fprintf(&b, "\n## A user's key in use\n\nWith real clients (aws-sdk-go-v2's IAM and S3), an admin makes a bucket and a user under `/keycontract/` with a key; the key lists the bucket (S3 ListObjectsV2, path-style), asks who it is (STS GetCallerIdentity signed for `sts`, IAM GetUser with no `UserName`), before and after an inline policy allows its bucket and GetUser, with a wrong secret and unsigned, once Inactive (UpdateAccessKey) and once deleted. `%s` pins this transcript line by line:\n\n```\n%s\n```\n", p.keyTest, strings.Join(p.keyUse, "\n"))
		if n := strings.TrimSpace(p.keyNote); n != "" {
			fmt.Fprintf(&b, "\n%s\n", n)
		}
	}
	if a := strings.TrimSpace(p.allowed); a != "" {
		fmt.Fprintf(&b, "\n## Allowed, and passed\n\n%s\n", a)
	}
	if o := strings.TrimSpace(p.observed); o != "" {
		fmt.Fprintf(&b, "\n## Observed, not a check of this contract\n\n%s\n", o)
	}
	return b.String()
}

// summary is the run's <slug>.json.
func (r implementationRun) summary(rep contract.Report) compatSummary {
	s := compatSummary{Slug: r.page.slug, Column: r.page.column, Title: r.page.title,
		Date: rep.Started.UTC().Format("2006-01-02"), Requests: rep.Requests, DurationMS: rep.DurationMS,
		Verdicts: map[string]string{}}
	for _, c := range rep.Checks {
		s.Verdicts[string(c.ID)] = verdictLine(c, r.findings)
	}
	return s
}

// writeMatrix writes dir/README.md from every <slug>.json in dir.
func writeMatrix(t *testing.T, dir string) {
	t.Helper()
	var runs []compatSummary
	for _, slug := range compatColumns {
		b, err := os.ReadFile(filepath.Join(dir, slug+".json"))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		var s compatSummary
		require.NoError(t, json.Unmarshal(b, &s), slug+".json")
		runs = append(runs, s)
	}
	var b strings.Builder
	b.WriteString(strings.TrimSpace(compatIntro) + "\n\n| check |")
	for _, s := range runs {
		fmt.Fprintf(&b, " [%s](%s.md) |", s.Column, s.Slug)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(runs)) + "\n")
	for _, id := range contract.IDs() {
		fmt.Fprintf(&b, "| %s |", id)
		for _, s := range runs {
			v, ok := s.Verdicts[string(id)]
			if !ok {
				v = "not run"
			}
			fmt.Fprintf(&b, " %s |", v)
		}
		b.WriteString("\n")
	}
	b.WriteString("| requests, duration |")
	for _, s := range runs {
		fmt.Fprintf(&b, " %d in %.1f s |", s.Requests, float64(s.DurationMS)/1000)
	}
	b.WriteString("\n\n")
	for _, s := range runs {
		fmt.Fprintf(&b, "- [%s](%s.md), its run's report [%s.html](%s.html) (%s)\n", s.Title, s.Slug, s.Slug, s.Slug, s.Date)
	}
	fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(compatRules))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644))
	t.Logf("wrote %s", filepath.Join(dir, "README.md"))
}
