package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed report.html
var reportHTML string

// htmlReport is the page template. It loads nothing from outside: the CSS
// is inline, there is no script of its own, and porcupine's visualization
// sits in a sandboxed srcdoc iframe. A Content-Security-Policy meta tag
// holds the page to that.
var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"body": prettyBody,
	"inc":  func(i int) int { return i + 1 },
}).Parse(reportHTML))

// htmlView is what the template shows: the report, with each check's
// meaning and the failing checks gathered.
type htmlView struct {
	R        *Report
	Started  string
	Duration string
	Verdict  string
	Rows     []htmlRow
	Failing  []htmlRow
	Viz      string
}

type htmlRow struct {
	CheckResult
	Meaning string
	Status  string // "pass", "fail" or "skip": the data-status value
	Label   string // the status in words, so color is never the only cue
	Icon    string
}

// WriteHTML writes the report as one self-contained HTML page, for a vendor
// to publish: the target and run, a pass/fail/skip matrix with each check's
// meaning, every failure with its redacted exchanges (collapsed), porcupine's
// visualization of the concurrent history and the replay command. Like every
// report, it holds only redacted exchanges.
func (r *Report) WriteHTML(w io.Writer) error {
	v := htmlView{
		R:        r,
		Started:  r.Started.UTC().Format("2006-01-02 15:04:05 UTC"),
		Duration: (time.Duration(r.DurationMS) * time.Millisecond).Round(100 * time.Millisecond).String(),
		Viz:      string(r.Visualization),
	}
	if r.Started.IsZero() {
		v.Started = "unknown"
	}
	for _, c := range r.Checks {
		row := htmlRow{CheckResult: c, Meaning: c.ID.Meaning()}
		switch c.Status {
		case Pass:
			row.Status, row.Label, row.Icon = Pass, "Pass", "✓"
		case Fail:
			row.Status, row.Label, row.Icon = Fail, "Fail", "✗"
		default:
			row.Status, row.Label, row.Icon = Skip, "Skip", "–"
		}
		v.Rows = append(v.Rows, row)
		if row.Status == Fail {
			v.Failing = append(v.Failing, row)
		}
	}
	switch n := r.Summary.Failed; {
	case n > 0:
		v.Verdict = fmt.Sprintf("%d of %d checks failed", n, len(r.Checks))
	case r.Summary.Skipped > 0:
		v.Verdict = fmt.Sprintf("No check failed (%d skipped)", r.Summary.Skipped)
	default:
		v.Verdict = "Every check passed"
	}
	// Render to memory first, so that a template error never leaves half a
	// page behind.
	var buf bytes.Buffer
	if err := htmlReport.Execute(&buf, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// prettyBody indents a JSON body for reading; anything else is shown as is.
func prettyBody(s string) string {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return s
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(t), "", "  "); err != nil {
		return s
	}
	return out.String()
}
