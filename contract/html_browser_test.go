package contract_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHTMLReportInBrowser opens the HTML report of a failing run in a real
// headless Chromium: the page raises no console error or exception, every
// row shows the report's status, and a failure's exchanges are collapsed
// until their summary is clicked. With KEYCONTRACT_SCREENSHOT set, a full
// page screenshot of the report is written there.
func TestHTMLReportInBrowser(t *testing.T) {
	browser := findBrowser(t)
	rep, doc, secrets := failingHTMLRun(t)
	assertNoSecretInHTML(t, doc, secrets)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))...)
	defer cancelAlloc()

	t.Run("report", func(t *testing.T) {
		bctx, problems := openReport(t, actx, doc)

		// Every row, in order, carries the report's status, in words too.
		type row struct{ Check, Status, Text string }
		rows, err := chromedp.Run(bctx, chromedp.Evaluate[[]row](`[...document.querySelectorAll('tr[data-check]')].map(tr => {
			const td = tr.querySelector('td[data-status]');
			return {check: tr.dataset.check, status: td.dataset.status, text: td.innerText};
		})`))
		require.NoError(t, err)
		require.Len(t, rows, len(rep.Checks))
		for i, c := range rep.Checks {
			assert.Equal(t, string(c.ID), rows[i].Check, "row %d", i)
			assert.Equal(t, c.Status, rows[i].Status, "status of %s", c.ID)
			assert.Contains(t, strings.ToLower(rows[i].Text), c.Status, "%s: the status is not in words", c.ID)
		}

		// A failure's exchanges are collapsed, then shown by a click.
		c, _ := rep.Check("secret-only-once")
		ex := c.Failures[0].Exchanges[0]
		details := `#fail-secret-only-once details.exchanges`
		closed := exchangesState(t, bctx, details)
		assert.False(t, closed.Open, "the exchanges start open")
		assert.False(t, closed.Visible, "the exchanges are visible before the click")
		assert.Empty(t, closed.Text)
		require.NoError(t, chromedp.Do(bctx, chromedp.Click(chromedp.CSS(details+" > summary"))))
		opened := exchangesState(t, bctx, details)
		assert.True(t, opened.Open, "the click did not open the exchanges")
		assert.True(t, opened.Visible, "the exchanges are not visible after the click")
		assert.Greater(t, opened.Height, closed.Height+50, "the exchanges take no room after the click")
		assert.Contains(t, opened.Text, ex.Request.Method+" "+ex.Request.URL)
		assert.Contains(t, opened.Text, "<secret-", "the leaked secret is not shown as a placeholder")

		if rep.Visualization == nil {
			note, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("no-viz")))
			require.NoError(t, err)
			assert.Contains(t, note, "did not run")
		} else {
			drawn, vizProblems := vizText(t, bctx)
			assert.NotEmpty(t, drawn, "porcupine drew nothing")
			assert.Empty(t, vizProblems, "console errors or exceptions in the visualization")
		}

		// A viewport as tall as the page, so that the screenshot holds the
		// visualization's iframe too (Chromium leaves an out-of-process
		// iframe blank beyond the viewport).
		h, err := chromedp.Run(bctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(bctx, chromedp.EmulateViewport(1280, h)))
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		if p := os.Getenv("KEYCONTRACT_SCREENSHOT"); p != "" {
			require.NoError(t, os.WriteFile(p, shot, 0o644))
			t.Logf("screenshot written to %s", p)
		}
		assert.Empty(t, problems(), "console errors or exceptions")
	})

	// The same report with a known porcupine page, as runs that import
	// package fuzz (the CLI) have it.
	t.Run("visualization", func(t *testing.T) {
		rep.Visualization = porcupinePage(t)
		var buf bytes.Buffer
		require.NoError(t, rep.WriteHTML(&buf))
		bctx, problems := openReport(t, actx, buf.String())
		drawn, vizProblems := vizText(t, bctx)
		assert.Equal(t, 3, strings.Count(drawn, "create() -> ok=true"), "porcupine did not draw the history")
		assert.Empty(t, vizProblems, "console errors or exceptions in the visualization")
		assert.Empty(t, problems(), "console errors or exceptions")
	})
}

// vizText returns the text porcupine drew in the report's iframe, and the
// console errors and exceptions of its page. Porcupine shows endpoint
// strings through innerHTML, so the report sandboxes its page; Chromium
// then runs the iframe in a process, and as a target, of its own, whose
// console is watched from a reload on.
func vizText(t *testing.T, bctx context.Context) (string, []string) {
	t.Helper()
	infos, err := chromedp.Targets(bctx)
	require.NoError(t, err)
	for _, info := range infos {
		if info.Type == "iframe" && info.ParentID == chromedp.FromContext(bctx).Target.TargetID {
			fctx, cancel := chromedp.NewContext(bctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
			defer cancel()
			problems := watchConsole(fctx)
			_, err := chromedp.Run(fctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](`location.reload()`)))
			require.NoError(t, err)
			require.NoError(t, chromedp.Do(fctx, chromedp.WaitReady(chromedp.CSS("#canvas svg"))))
			text, err := chromedp.Run(fctx, chromedp.Text(chromedp.ID("canvas")))
			require.NoError(t, err)
			return text, problems()
		}
	}
	t.Fatal("no iframe target for the visualization")
	return "", nil
}

// findBrowser returns the path of Chromium or Chrome, or skips the test.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const why = "no chromium, chromium-browser or google-chrome on PATH: apt-get install -y chromium"
	if os.Getenv("CI") != "" {
		t.Fatal(why + " (.ci/run installs it; in CI a missing browser is a failure, not a skip)")
	}
	t.Skip(why)
	return ""
}

// openReport writes doc to a temporary file and opens it in a new tab of
// the browser of actx. problems returns the console errors, uncaught
// exceptions and browser log errors seen so far.
func openReport(t *testing.T, actx context.Context, doc string) (context.Context, func() []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)

	problems := watchConsole(bctx)
	u := url.URL{Scheme: "file", Path: path}
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(u.String()), chromedp.WaitReady(chromedp.CSS("footer"))))
	return bctx, problems
}

// watchConsole collects the console errors, uncaught exceptions and browser
// log errors of the target of ctx, from now on.
func watchConsole(ctx context.Context) func() []string {
	var mu sync.Mutex
	var seen []string
	messages := chromedp.Console(ctx) // console API, exceptions, browser log
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				seen = append(seen, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

type exchanges struct {
	Open, Visible bool
	Height        int
	Text          string
}

// exchangesState reads a <details class="exchanges"> as the user sees it.
func exchangesState(t *testing.T, ctx context.Context, sel string) exchanges {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[exchanges](fmt.Sprintf(`(() => {
		const d = document.querySelector(%q), list = d.querySelector('.exchange-list');
		return {open: d.open, visible: list.checkVisibility(), height: d.offsetHeight,
			text: list.checkVisibility() ? list.innerText : ''};
	})()`, sel)))
	require.NoError(t, err)
	return s
}
