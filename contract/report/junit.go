package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteJUnit writes the report as JUnit XML: one testsuite, one testcase
// per check; a failing check carries its failures and their redacted
// exchanges, a skipped one its reason. The testsuite's properties carry the
// run's request count and how many attempts were retried (throttling and
// transient network errors, never failures): "requests" and "retries".
func (r *Report) WriteJUnit(w io.Writer) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
	}
	type property struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	type testsuite struct {
		XMLName   xml.Name   `xml:"testsuite"`
		Name      string     `xml:"name,attr"`
		Tests     int        `xml:"tests,attr"`
		Failures  int        `xml:"failures,attr"`
		Errors    int        `xml:"errors,attr"`
		Skipped   int        `xml:"skipped,attr"`
		Time      string     `xml:"time,attr"`
		Timestamp string     `xml:"timestamp,attr"`
		Props     []property `xml:"properties>property"`
		Cases     []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Suites  []testsuite `xml:"testsuite"`
	}
	suite := testsuite{
		Name: "keycontract " + r.Target.Endpoint, Tests: len(r.Checks),
		Failures: r.Summary.Failed, Skipped: r.Summary.Skipped,
		Time: fmt.Sprintf("%.3f", float64(r.DurationMS)/1000), Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
		Props: []property{{"retries", fmt.Sprint(r.Retries)}, {"requests", fmt.Sprint(r.Requests)}},
	}
	for _, c := range r.Checks {
		tc := testcase{Name: string(c.ID), Classname: "keycontract." + r.Target.Dialect, Time: "0"}
		switch c.Status {
		case Fail:
			var text strings.Builder
			for i, f := range c.Failures {
				fmt.Fprintf(&text, "%d. %s\n", i+1, f.Message)
				for _, ex := range f.Exchanges {
					b, _ := json.MarshalIndent(ex, "   ", "  ")
					fmt.Fprintf(&text, "   %s\n", b)
				}
			}
			tc.Failure = &failure{Message: firstLine(c.Failures[0].Message), Type: string(c.ID), Text: text.String()}
		case Skip:
			tc.Skipped = &skipped{Message: c.Reason}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(testsuites{Suites: []testsuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
