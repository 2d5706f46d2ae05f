package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// written is a buffer (not a terminal) that says when it was written to.
type written struct {
	bytes.Buffer
	wrote chan struct{}
}

func (w *written) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	w.wrote <- struct{}{}
	return n, err
}

// handConsole is a console on a buffer whose clock and ticks the test
// moves by hand: tick sends a tick and waits for the line it writes.
func handConsole() (c *console, out *written, clock *time.Time, tick func()) {
	out = &written{wrote: make(chan struct{}, 16)}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock = &now
	ticks := make(chan time.Time)
	c = newConsole(out)
	c.now = func() time.Time { return *clock }
	c.ticker = func(time.Duration) (<-chan time.Time, func()) { return ticks, func() {} }
	return c, out, clock, func() {
		ticks <- *clock
		<-out.wrote
	}
}

// TestConsolePlainLines: off a terminal, a long phase is a plain line at
// every tick, saying how far it is, the elapsed time, an estimate, and
// the requests sent in all and since the last line; a tick with no new
// request says the run is waiting on the endpoint; End writes the last
// line. Progress lines pass through unchanged.
func TestConsolePlainLines(t *testing.T) {
	c, out, clock, tick := handConsole()
	require.False(t, c.tty)
	requests := int64(10)
	c.Write([]byte("keycontract: running property-based sequences\n"))
	<-out.wrote
	c.Begin("sequences", 150, func() int64 { return requests })
	for i := range 30 {
		c.Advance(i + 1)
	}
	*clock = clock.Add(10 * time.Second)
	requests = 300
	tick()
	*clock = clock.Add(5 * time.Second)
	tick() // no request since: waiting
	c.Advance(150)
	c.End()
	c.End() // a second End does nothing
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 4, out.String())
	assert.Equal(t, "keycontract: running property-based sequences", lines[0])
	assert.Equal(t, "keycontract: sequences 30/150, 10s elapsed, about 40s left; 300 requests, 290 in the last 5s", lines[1])
	assert.Equal(t, "keycontract: sequences 30/150, 15s elapsed, about 1m0s left; 300 requests, none answered in the last 5s (waiting on the endpoint)", lines[2])
	assert.Equal(t, "keycontract: sequences: 150 done in 15s; 300 requests", lines[3])
}

// TestConsoleUnknownTotal: a phase of unknown length (shrinking) counts
// what it ran.
func TestConsoleUnknownTotal(t *testing.T) {
	c, out, clock, tick := handConsole()
	n := int64(7)
	c.Begin("shrinking a failure", 0, func() int64 { return n })
	c.Advance(4)
	n = 19
	*clock = clock.Add(2 * time.Second)
	tick()
	c.End()
	assert.Equal(t, "keycontract: shrinking a failure: 4 run, 2s elapsed; 19 requests, 12 in the last 5s\n"+
		"keycontract: shrinking a failure: 4 done in 2s; 19 requests\n", out.String())
}
