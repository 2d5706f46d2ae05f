package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/exchange"
)

// Checker judges exchanges on a goroutine of its own while its caller
// sends the next request: the checks every response gets on its own
// (ShapeProblems) and a search for secrets returned earlier. A caller that
// waits for each answer (a property-based sequence) leaves a core idle
// during the round trip; the checks run there instead of on its path.
//
// Findings come back in submission order, redacted, tagged as the caller
// tagged the exchange (a step number), so that a violation is reported
// against the step that showed it, one step later than an inline check
// would.
type Checker struct {
	s    *Session
	jobs chan checkJob

	mu      sync.Mutex
	pending int
	done    *sync.Cond
	found   []Finding
	closed  bool
}

// Finding is a violation a Checker found, with the tag of its exchange.
type Finding struct {
	Tag int
	Violation
}

// PriorSecret is a secret returned earlier that no later response may show,
// and a description of where it was returned ("step 2").
type PriorSecret struct {
	Value, Origin string
}

type checkJob struct {
	ex      *exchange.Exchange
	tag     int
	secrets []PriorSecret
}

// NewChecker starts a Checker; Close stops it.
func (s *Session) NewChecker() *Checker {
	c := &Checker{s: s, jobs: make(chan checkJob, 64)}
	c.done = sync.NewCond(&c.mu)
	go c.run()
	return c
}

func (c *Checker) run() {
	for j := range c.jobs {
		var out []Finding
		for _, p := range j.secrets {
			if ContainsSecret(j.ex.Reply, p.Value) {
				out = append(out, Finding{j.tag, Violation{Check: check.SecretOnlyOnce, Exchanges: []*exchange.Exchange{j.ex},
					Message: Describe(j.ex.Describe(), []string{fmt.Sprintf("step %d", j.tag+1)},
						"a response showing the secret created at "+p.Origin, "the secret returned once, at creation, and never again")}})
			}
		}
		for _, v := range c.s.ShapeProblems(context.Background(), j.ex) {
			out = append(out, Finding{j.tag, *v})
		}
		for i := range out {
			out[i].Message = c.s.red.String(out[i].Message)
		}
		c.mu.Lock()
		c.found = append(c.found, out...)
		c.pending--
		c.done.Broadcast()
		c.mu.Unlock()
	}
}

// Check submits ex, tagged tag, to be judged; secrets are the earlier
// secrets its response must not show. It does not wait.
func (c *Checker) Check(ex *exchange.Exchange, tag int, secrets []PriorSecret) {
	c.mu.Lock()
	c.pending++
	c.mu.Unlock()
	c.jobs <- checkJob{ex, tag, secrets}
}

// Findings waits until every exchange submitted so far is judged and
// returns what was found since the last call, in submission order.
func (c *Checker) Findings() []Finding {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.pending > 0 {
		c.done.Wait()
	}
	out := c.found
	c.found = nil
	return out
}

// Close waits for the pending checks and stops the Checker.
func (c *Checker) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	close(c.jobs)
}
