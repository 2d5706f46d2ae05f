// Package engine runs a check session against a Target: the buckets, the
// ledger of what the run created, the checks every exchange gets (the
// passive checks and the Checker), the violations and skips, set-up,
// cleanup and the report. The drivers of the named checks (package
// contract's scenarios, the property-based sequences and concurrent-limit
// of package fuzz's subpackages) drive a *Session through its methods.
package engine

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/internal/rapidsettings"
	"github.com/keycontract/keycontract/spec"
)

// Target is an endpoint under test and how to talk to it.
type Target struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:8080.
	Endpoint string
	// Doc is the description and its binding. Nil means the bundled
	// description of Dialect.
	Doc *spec.Document
	// Dialect names a bundled description (spec.Dialects; empty:
	// spec.DefaultDialect).
	Dialect string
	// Signer signs every request (SigV4); nil sends requests unsigned.
	Signer client.Signer
	// Headers are added to every request, e.g. a vendor's auth token. Their
	// values are secrets: they are redacted from everything written.
	Headers http.Header
	// Client sends the requests. Nil means a client of its own, with
	// keep-alive and Timeout. Redirects are never followed, whichever
	// client sends: the run uses a copy of Client with its own
	// CheckRedirect, and leaves Client as it was.
	Client *http.Client
	// Timeout bounds each request (default 10s).
	Timeout time.Duration
	// Buckets are existing buckets to use instead of creating them. The run
	// never deletes a key it did not create in them.
	Buckets []string
	// Checks selects check IDs to run; empty runs all.
	Checks []check.ID
	// Seed drives every random choice; 0 picks one (the report prints it).
	Seed int64
	// Rate caps requests per second (0: no cap).
	Rate float64
	// Settle bounds how long a new key may take to appear in a list.
	Settle time.Duration
	// DataEndpoint is where the data plane is (-data-endpoint): for
	// buckets a path-style S3 base, or a URL holding {bucket}; for IAM
	// users an STS endpoint. It wins over a bucket's url and the
	// binding's data section. Empty: those say.
	DataEndpoint string
	// Propagation is how long a new key may take to work on the data
	// plane, and Revocation how long a deleted key may keep working
	// (polled with backoff; 0: the first probe decides). The CLI's
	// defaults are 30s and 60s on amazonaws.com, else 0; here zero is 0.
	Propagation, Revocation time.Duration
	// Region is the SigV4 region keys sign with on the data plane
	// (-region). Empty: the Signer's, when it is a *SigV4, else
	// us-east-1.
	Region string
	// Sequences and Steps size the property-based search (0: its
	// defaults, 150 sequences of about 8 steps).
	Sequences, Steps int
	// ShrinkTime bounds how long a failing sequence is shrunk, from the
	// first failure on (0: 5s). StallRuns ends shrinking once that many
	// sequences in a row, run while shrinking, found no shorter failure
	// (0: 100): each costs a full HTTP sequence, and past that point
	// rapid's minimisation only confirms what it has. A replay stops where
	// its recording stopped, whatever these say.
	ShrinkTime time.Duration
	StallRuns  int
	// SharedBuckets makes every property-based sequence run in the run's
	// own buckets instead of two fresh ones: for real accounts, where
	// creating buckets is slow and limited. A fault that corrupts state
	// (keys that cannot be deleted) then shows in later sequences too.
	SharedBuckets bool
	// ReplayArgs are the CLI arguments that reach this target again (the
	// endpoint, dialect, spec...), for the replay lines of failures.
	ReplayArgs []string
	// VizFile, when set, receives porcupine's HTML visualisation of the
	// concurrent history.
	VizFile string
	// Progress, when set, receives one line per phase of the run.
	Progress io.Writer
	// Record, when set, is a directory that receives every exchange of the
	// run, redacted, and what the run was (see record.Meta).
	Record string
	// Replay, when set, is a recording to run against instead of an
	// endpoint: the recorded seed, checks and sizes are used, requests are
	// answered from the recording in process, and a request that does not
	// match it ends the run with an error wrapping record.ErrReplayMismatch.
	// Endpoint may be left empty.
	Replay string
	// RecordArgs are the CLI arguments kept in a recording (redacted).
	RecordArgs []string
}

// document resolves the target's description.
func (t *Target) document() (*spec.Document, error) {
	if t.Doc != nil {
		return t.Doc, nil
	}
	d := t.Dialect
	var doc *spec.Document
	var err error
	rapidsettings.Use(func() { doc, err = spec.Bundled(d) })
	return doc, err
}

func (t *Target) timeout() time.Duration {
	if t.Timeout <= 0 {
		return 10 * time.Second
	}
	return t.Timeout
}

// validate reports a target that cannot be run, in one line.
func (t *Target) validate() error {
	if t.Replay != "" && t.Record != "" && filepath.Clean(t.Replay) == filepath.Clean(t.Record) {
		return fmt.Errorf("-record and -replay name the same directory %s", t.Record)
	}
	u, err := url.Parse(t.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint %q is not an http(s) URL", t.Endpoint)
	}
	if t.DataEndpoint != "" {
		u, err := url.Parse(strings.NewReplacer("{bucket}", "b", "{region}", "r").Replace(t.DataEndpoint))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("data endpoint %q is not an http(s) URL", t.DataEndpoint)
		}
	}
	if t.Propagation < 0 || t.Revocation < 0 {
		return fmt.Errorf("the propagation and revocation windows must not be negative")
	}
	for _, id := range t.Checks {
		if _, err := check.Parse(string(id)); err != nil {
			return err
		}
	}
	return nil
}

// region is the SigV4 region of the data plane (Region).
func (t *Target) region() string {
	if t.Region != "" {
		return t.Region
	}
	if sv, ok := t.Signer.(*client.SigV4); ok && sv.Region != "" {
		return sv.Region
	}
	return "us-east-1"
}

func (t *Target) selected(id check.ID) bool {
	return len(t.Checks) == 0 || slices.Contains(t.Checks, id)
}
