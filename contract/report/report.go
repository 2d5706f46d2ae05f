// Package report holds the outcome of a run (Report: the JSON report's
// fields, as the README and docs/DESIGN.md fix them) and writes it as JSON,
// JUnit XML, a terminal table and a self-contained HTML page. Every
// exchange in a report is redacted.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/exchange"
)

// Report is the outcome of a run, with exactly the fields the JSON report
// fixes. Every exchange in it is redacted.
type Report struct {
	Tool       string        `json:"tool"`
	Version    string        `json:"version"`
	Target     Target        `json:"target"`
	Seed       int64         `json:"seed"`
	Started    time.Time     `json:"started"`
	DurationMS int64         `json:"duration_ms"`
	Requests   int64         `json:"requests"`
	Checks     []CheckResult `json:"checks"`
	Summary    Summary       `json:"summary"`
	// Measured is how long the keys the run probed took to work and to
	// stop working on the data plane; nil (no field) when no data plane
	// was probed.
	Measured *Measured `json:"measured,omitempty"`

	// Retries counts throttled and transient attempts that were retried;
	// Cleanup says what cleanup could not delete. Neither is a report field:
	// the CLI prints them.
	Retries int64  `json:"-"`
	Cleanup string `json:"-"`
	// Visualization is porcupine's HTML page of the concurrent history
	// (nil when concurrent-limit did not run); Replay is the command line
	// that runs the same checks again with the same seed. Neither is a
	// JSON field: the HTML report shows them.
	Visualization []byte `json:"-"`
	Replay        string `json:"-"`
}

// Target says what was checked.
type Target struct {
	Endpoint string `json:"endpoint"`
	Dialect  string `json:"dialect"`
	Spec     string `json:"spec"`
}

// Status values of a check.
const (
	Pass = "pass"
	Fail = "fail"
	Skip = "skip"
)

// CheckResult is one check's verdict.
type CheckResult struct {
	ID       check.ID  `json:"id"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason"`
	Failures []Failure `json:"failures"`
}

// Failure is one violation with the exchanges that show it.
type Failure struct {
	Message   string              `json:"message"`
	Exchanges []exchange.Recorded `json:"exchanges"`
}

// Measured is the report's measured: for every key the run probed on the
// data plane, how long after its create it first worked
// (key_propagation_ms) and after its delete it was first refused
// (key_revocation_ms). Each is an upper bound, to within the backoff
// between uses (and the first use's round trip); keys that never worked,
// or never stopped working, within their window are not counted.
type Measured struct {
	Propagation Stat `json:"key_propagation_ms"`
	Revocation  Stat `json:"key_revocation_ms"`
}

// Stat is a count, and the median and max in milliseconds.
type Stat struct {
	N      int   `json:"n"`
	Median int64 `json:"median"`
	Max    int64 `json:"max"`
}

// String is the table's and the HTML report's reading of s.
func (s Stat) String() string {
	if s.N == 0 {
		return "(no key measured)"
	}
	return fmt.Sprintf("median %d ms, max %d ms (%d keys)", s.Median, s.Max, s.N)
}

// Summary counts the verdicts.
type Summary struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return r.Summary.Failed > 0 }

// Check returns the result of check id.
func (r *Report) Check(id check.ID) (CheckResult, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return CheckResult{}, false
}

// Err joins every failure of the report, each wrapping its check's
// sentinel, so that callers can use errors.Is(err, check.ErrTwoKeyLimit).
func (r *Report) Err() error {
	var errs []error
	for _, c := range r.Checks {
		for _, f := range c.Failures {
			errs = append(errs, fmt.Errorf("%w: %s", c.ID.Err(), f.Message))
		}
	}
	return errors.Join(errs...)
}

// Version is the tool's version: the module version when built by go
// install, otherwise "devel".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes one row per check: a readable summary for a terminal.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "keycontract %s  target %s  dialect %s  seed %d\n", r.Version, r.Target.Endpoint, r.Target.Dialect, r.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range r.Checks {
		detail := c.Reason
		if len(c.Failures) > 0 {
			detail = firstLine(c.Failures[0].Message)
			if n := len(c.Failures); n > 1 {
				detail += fmt.Sprintf(" (+%d more)", n-1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, strings.ToUpper(c.Status), detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if m := r.Measured; m != nil {
		fmt.Fprintf(w, "data plane: key propagation %s; key revocation %s\n", m.Propagation, m.Revocation)
	}
	_, err := fmt.Fprintf(w, "%d passed, %d failed, %d skipped; %d requests (%d retried) in %.1fs\n",
		r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped, r.Requests, r.Retries, float64(r.DurationMS)/1000)
	return err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
