package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// console is the run's stderr as a person reads it: the progress lines
// (contract.Target.Progress) and the long phases of the run
// (contract.Target.Meter: the property-based sequences, shrinking a
// failure). On a terminal a phase is a progress bar (sequences done of the
// total, elapsed time, an estimate, and the requests sent), redrawn every
// second so that it moves while a slow endpoint answers; elsewhere (CI
// logs) it is a plain line every few seconds. Either way the requests sent,
// and how many in the last interval, tell a slow endpoint (they rise) from
// a hung one (none, for -timeout at most). Nothing of it reaches stdout.
type console struct {
	w     io.Writer
	tty   bool
	every time.Duration    // how often a plain line is written
	now   func() time.Time // the clock (tests set their own)
	// ticker ticks every period until stopped (tests tick by hand).
	ticker func(period time.Duration) (ticks <-chan time.Time, stop func())

	mu       sync.Mutex
	phase    string
	total    int
	done     int
	start    time.Time
	requests func() int64
	lastN    int64 // requests at the last plain line
	bar      *progressbar.ProgressBar
	stop     chan struct{}
	ticking  sync.WaitGroup
}

// plainEvery is how often a plain progress line is written during a long
// phase when stderr is not a terminal.
const plainEvery = 5 * time.Second

// newConsole writes to w, drawing bars when w is a terminal.
func newConsole(w io.Writer) *console {
	f, ok := w.(*os.File)
	return &console{w: w, tty: ok && term.IsTerminal(int(f.Fd())), every: plainEvery, now: time.Now, ticker: realTicker}
}

func realTicker(period time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(period)
	return t.C, t.Stop
}

// Write writes progress lines, above the bar when one is drawn.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != nil {
		c.bar.Clear()
		defer c.bar.RenderBlank()
	}
	return c.w.Write(p)
}

// Begin starts a phase (engine.Meter).
func (c *console) Begin(phase string, total int, requests func() int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.phase, c.total, c.done, c.start, c.requests = phase, total, 0, c.now(), requests
	c.lastN = requests()
	c.stop = make(chan struct{})
	period := c.every
	if c.tty {
		max := total
		if max == 0 {
			max = -1 // a spinner: no total known
		}
		c.bar = progressbar.NewOptions(max, progressbar.OptionSetWriter(c.w), progressbar.OptionSetDescription(c.describe()),
			progressbar.OptionShowCount(), progressbar.OptionSetElapsedTime(true), progressbar.OptionSetPredictTime(total > 0),
			progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetWidth(30))
		c.bar.RenderBlank()
		period = time.Second
	}
	c.ticking.Add(1)
	go c.tick(c.stop, period)
}

// tick redraws the bar, or writes a plain line, every period until stop.
func (c *console) tick(stop chan struct{}, period time.Duration) {
	defer c.ticking.Done()
	ticks, stopTicks := c.ticker(period)
	defer stopTicks()
	for {
		select {
		case <-stop:
			return
		case <-ticks:
			c.mu.Lock()
			if c.bar != nil {
				c.bar.Describe(c.describe())
			} else {
				fmt.Fprintln(c.w, c.line())
			}
			c.mu.Unlock()
		}
	}
}

// describe is the bar's description: the phase and the requests sent.
func (c *console) describe() string {
	return fmt.Sprintf("%s (%d requests)", c.phase, c.requests())
}

// line is a plain progress line: the phase, how far it is, the time it
// took and an estimate of what is left, and the requests sent, in all and
// since the last line. Called with c.mu held.
func (c *console) line() string {
	elapsed := c.now().Sub(c.start).Round(time.Second)
	n := c.requests()
	since := n - c.lastN
	c.lastN = n
	s := "keycontract: " + c.phase
	if c.total > 0 {
		s += fmt.Sprintf(" %d/%d", min(c.done, c.total), c.total)
	} else {
		s += fmt.Sprintf(": %d run", c.done)
	}
	s += fmt.Sprintf(", %v elapsed", elapsed)
	if c.total > 0 && c.done > 0 && c.done < c.total {
		left := time.Duration(float64(c.now().Sub(c.start)) * float64(c.total-c.done) / float64(c.done)).Round(time.Second)
		s += fmt.Sprintf(", about %v left", left)
	}
	if since == 0 {
		return s + fmt.Sprintf("; %d requests, none answered in the last %v (waiting on the endpoint)", n, c.every)
	}
	return s + fmt.Sprintf("; %d requests, %d in the last %v", n, since, c.every)
}

// Advance sets the steps done (engine.Meter).
func (c *console) Advance(done int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = done
	if c.bar != nil {
		if c.total > 0 {
			c.bar.Set(min(done, c.total))
		} else {
			c.bar.Add(1)
		}
	}
}

// End ends the phase (engine.Meter): the bar is cleared, and a plain
// phase ends with its last line.
func (c *console) End() {
	c.mu.Lock()
	stop := c.stop
	c.stop = nil
	c.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	c.ticking.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != nil {
		c.bar.Finish()
		c.bar.Clear()
		c.bar = nil
		return
	}
	fmt.Fprintf(c.w, "keycontract: %s: %d done in %v; %d requests\n", c.phase, c.done, c.now().Sub(c.start).Round(100*time.Millisecond), c.requests())
}
