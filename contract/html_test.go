package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// failingHTMLRun runs every check against an aws emulator that lists keys
// with their secrets (secret-only-once fails, with exchanges) and returns
// the report, its HTML and every secret the page must not hold. Only the
// check statuses are ever logged: the page may hold a leak.
func failingHTMLRun(t *testing.T) (contract.Report, string, map[string]string) {
	t.Helper()
	tgt, srv := target(t, "aws", emulator.FaultSecretInList)
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	c, ok := rep.Check("secret-only-once")
	require.True(t, ok)
	require.Equal(t, contract.Fail, c.Status, "the fault did not break secret-only-once")
	require.NotEmpty(t, c.Failures[0].Exchanges)

	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf))
	issued := srv.IssuedSecrets()
	require.NotEmpty(t, issued, "the emulator issued no secret: the scan would prove nothing")
	secrets := map[string]string{"the SigV4 signing secret": testutil.Secret}
	for i, s := range issued {
		secrets[fmt.Sprintf("issued secret access key #%d of %d", i+1, len(issued))] = s
	}
	return rep, buf.String(), secrets
}

// statusCell finds a check's row in the matrix and its data-status.
var statusCell = regexp.MustCompile(`<tr data-check="([^"]+)">\s*<td class="id">.*?</td>\s*<td class="status" data-status="([^"]*)"`)

// externalRef matches anything that would make the page load from outside.
var externalRef = regexp.MustCompile(`(?i)\b(src|href|srcset|action|poster|data)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import`)

func TestHTMLReport(t *testing.T) {
	rep, page, secrets := failingHTMLRun(t)
	// Compare text after undoing the escaping, whatever entities were used.
	text := html.UnescapeString(page)

	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
	assert.Contains(t, page, `<meta charset="utf-8">`)
	assert.Contains(t, text, "<title>keycontract report: "+rep.Target.Endpoint+"</title>")
	for _, want := range []string{rep.Target.Dialect, rep.Target.Spec, rep.Version, fmt.Sprint(rep.Seed), rep.Started.Format("2006-01-02")} {
		assert.Contains(t, text, want)
	}
	assert.Contains(t, page, fmt.Sprintf(`<b id="count-failed">%d</b>`, rep.Summary.Failed))
	assert.Contains(t, page, fmt.Sprintf("%d requests", rep.Requests))

	// One row per check, in order, with its status and meaning.
	rows := statusCell.FindAllStringSubmatch(page, -1)
	require.Len(t, rows, len(rep.Checks))
	require.Len(t, rep.Checks, len(contract.IDs()))
	for i, c := range rep.Checks {
		assert.Equal(t, string(c.ID), rows[i][1], "row %d", i)
		assert.Equal(t, c.Status, rows[i][2], "status of %s", c.ID)
		if c.Status == contract.Skip {
			assert.Contains(t, text, c.Reason, "skip reason of %s", c.ID)
		}
	}
	for _, info := range check.All() {
		assert.Contains(t, text, info.Meaning)
	}

	// Each failure: its message, and its exchanges in a collapsed <details>,
	// each with the request id its endpoint gave it (the emulator gives one).
	ids := 0
	for _, c := range rep.Checks {
		for _, f := range c.Failures {
			assert.Contains(t, text, `<pre class="message">`+f.Message+`</pre>`, "message of %s", c.ID)
			for _, ex := range f.Exchanges {
				require.NotEmpty(t, ex.Response.RequestID, "%s: an exchange without its request id", c.ID)
				assert.Contains(t, text, "request id <code>"+ex.Response.RequestID+"</code>")
				ids++
			}
		}
	}
	require.Positive(t, ids, "no exchange to show a request id")
	c, _ := rep.Check("secret-only-once")
	start := strings.Index(page, `id="fail-secret-only-once"`)
	require.Positive(t, start)
	section := page[start:]
	open := strings.Index(section, `<details class="exchanges">`)
	require.GreaterOrEqual(t, open, 0, "no collapsed exchanges for secret-only-once")
	details := html.UnescapeString(section[open : open+strings.Index(section[open:], "</details>")])
	ex := c.Failures[0].Exchanges[len(c.Failures[0].Exchanges)-1]
	assert.Contains(t, details, ex.Request.URL)
	assert.Contains(t, details, `<span class="method">`+ex.Request.Method+`</span>`)
	assert.Contains(t, details, fmt.Sprint(ex.Response.Status))
	for k, v := range ex.Response.Headers {
		assert.Contains(t, details, "<td>"+k+"</td><td>"+v+"</td>")
	}
	// Redacted by value, the leak shows as a placeholder.
	assert.Contains(t, details, "<secret-", "the leaked secret is not shown as a placeholder")

	assert.Contains(t, text, `<code>`+rep.Replay+`</code>`)
	if rep.Visualization == nil {
		assert.Contains(t, page, `id="no-viz"`)
	} else {
		assert.Contains(t, text, `sandbox="allow-scripts" srcdoc="`+string(rep.Visualization)+`"`)
	}

	assert.Empty(t, externalRef.FindAllString(page, -1), "the page refers to something outside it")
	assert.Empty(t, externalRef.FindAllString(text, -1), "the embedded page refers to something outside it")
	assertNoSecretInHTML(t, page, secrets)
}

// assertNoSecretInHTML scans the page, as written and unescaped, for each
// secret as is and JSON-escaped. It names the secret, never its value.
func assertNoSecretInHTML(t *testing.T, page string, secrets map[string]string) {
	t.Helper()
	for what, v := range secrets {
		require.GreaterOrEqual(t, len(v), 6, "%s is too short to scan for", what)
		b, _ := json.Marshal(v)
		forms := []string{v, string(b[1 : len(b)-1]), strings.ReplaceAll(v, "/", `\/`)}
		for _, out := range []string{page, html.UnescapeString(page)} {
			for _, f := range forms {
				if strings.Contains(out, f) {
					t.Errorf("%s was written to the HTML report", what)
				}
			}
		}
	}
}

// TestHTMLReportEscapes feeds the page hostile text: everything is escaped,
// and porcupine's page goes into the iframe's srcdoc as text.
func TestHTMLReportEscapes(t *testing.T) {
	evil := `</pre><script>alert("x")</script><img src=x onerror=alert(1)>`
	rep := contract.Report{
		Tool: "keycontract", Version: "devel", Seed: 3, Replay: "keycontract run -endpoint 'http://x/?a=<b>' -seed 3",
		Target: contract.ReportTarget{Endpoint: "http://example.test/" + evil, Dialect: "aws", Spec: "lightsail"},
		Checks: []contract.CheckResult{
			{ID: "two-key-limit", Status: contract.Fail, Failures: []contract.Failure{{Message: "limit broken " + evil, Exchanges: []contract.RecordedExchange{{
				Request:  contract.RecordedRequest{Method: "POST", URL: "http://example.test/", Headers: map[string]string{"X-Evil": evil}, Body: `{"a":"` + evil + `"}`},
				Response: contract.RecordedResponse{Status: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: evil},
			}}}}},
			{ID: "auth-required", Status: contract.Skip, Reason: "no credentials " + evil},
		},
		Summary:       contract.Summary{Failed: 1, Skipped: 1},
		Visualization: porcupinePage(t),
	}
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf))
	page := buf.String()
	assert.NotContains(t, page, "<script>")
	assert.NotContains(t, page, "<img")
	assert.Equal(t, 1, strings.Count(page, "<iframe"), "the only iframe is the visualization")
	m := regexp.MustCompile(`srcdoc="([^"]*)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "no srcdoc iframe")
	assert.Equal(t, string(rep.Visualization), html.UnescapeString(m[1]), "the srcdoc attribute does not give back porcupine's page")
	assert.Contains(t, html.UnescapeString(page), "limit broken "+evil)
	assert.Contains(t, html.UnescapeString(page), "no credentials "+evil)
	assert.Contains(t, page, `data-status="fail"`)
}

// porcupinePage draws a small non-linearizable history of the two-key
// model with porcupine: three racing creates that all succeed.
func porcupinePage(t *testing.T) []byte {
	t.Helper()
	model := porcupine.Model{ // every create here succeeds
		Init:              func() any { return 0 },
		Step:              func(state, _, _ any) (bool, any) { return state.(int) < 2, state.(int) + 1 },
		DescribeOperation: func(_, _ any) string { return "create() -> ok=true" },
		DescribeState:     func(state any) string { return fmt.Sprintf("%d keys", state) },
	}
	var ops []porcupine.Operation
	for i := range 3 {
		ops = append(ops, porcupine.Operation{ClientId: i, Call: int64(i), Return: int64(10 + i)})
	}
	res, info := porcupine.CheckOperationsVerbose(model, ops, 5*time.Second)
	require.Equal(t, porcupine.Illegal, res)
	var out bytes.Buffer
	require.NoError(t, porcupine.Visualize(model, info, &out))
	return out.Bytes()
}
