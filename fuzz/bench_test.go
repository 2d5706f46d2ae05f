package fuzz_test

// BenchmarkDetection (issue 6): the time a run takes to report each
// emulator fault, on every dialect. make bench runs it with the
// benchmarks of fuzz/sequence; internal/benchsum summarises them.

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
)

// detectionSeeds are the seeds BenchmarkDetection runs for every fault on
// every dialect, and BenchmarkSearch for every sequence fault.
const detectionSeeds = 10

// failWatch is a run's progress writer that notes when the run first
// reports a failure of check, and then stops the run.
type failWatch struct {
	start    time.Time
	prefix   string
	stop     context.CancelFunc
	sent     *counting // the run's requests so far
	mu       sync.Mutex
	at       time.Duration
	requests int64 // sent when the failure was reported
}

func (w *failWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at == 0 && strings.Contains(string(p), w.prefix) {
		w.at = time.Since(w.start)
		w.requests = w.sent.n.Load()
		w.stop()
	}
	return len(p), nil
}

// counting is a transport that counts the requests a run sends (retries
// included: each costs a round trip).
type counting struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// BenchmarkDetection: for every dialect (spec.Dialects) and every emulator
// fault that breaks a check (legal variations break none and are skipped),
// the time from the start of a run of the check it breaks (contract.Check
// with that check selected, the sequences and concurrent-limit included,
// credentials configured) to the moment the run reports the failure (its
// "[check] FAIL" progress line: for a sequence finding, after shrinking),
// over seeds 1..10, the requests the run sent until then (requests per
// kill: the cost of finding it, set-up and shrinking included; also at
// -parallel 1, median-requests-p1, where no lane sends beside), and the
// length of that first failure (its exchanges: the shrunk sequence for a
// sequence finding). The run is stopped once the
// failure is reported. limit-race keeps the emulator's default RaceHold
// (500 ms): a run of concurrent-limit alone fills no bucket sequentially,
// so its barrier is released by the count of racing creates, never by the
// hold (its detection times are those of a one-minute hold, well under
// 500 ms). Sub-benchmarks are named dialect/fault; a fault runs on every
// dialect where it has an effect (emulator.Fault.In: list-ignores-page-size
// and accept-out-of-range on iam only, the one dialect whose lists take a
// page size). It runs its seeds once whatever b.N: make bench
// runs it with -benchtime 1x.
func BenchmarkDetection(b *testing.B) {
	for _, dialect := range spec.Dialects {
		b.Run(dialect, func(b *testing.B) {
			for _, fault := range emulator.Faults() {
				check := contract.ID(fault.Breaks())
				if check == "" {
					continue // a legal variation: no check may fail
				}
				if !fault.In(dialect) {
					continue // no effect there (list-ignores-page-size: iam's lists only)
				}
				b.Run(string(fault), func(b *testing.B) { detect(b, dialect, fault, check) })
			}
		})
	}
}

// detect times check's report of fault on dialect over seeds
// 1..detectionSeeds and reports the figures.
func detect(b *testing.B, dialect string, fault emulator.Fault, check contract.ID) {
	var secs, lengths, requests, serial []float64
	for seed := int64(1); seed <= detectionSeeds; seed++ {
		// At -parallel 1: the requests it takes to find the fault, one at
		// a time (what a run sent before -parallel existed).
		if w, _ := detectOnce(b, dialect, fault, check, seed, 1); w != nil {
			serial = append(serial, float64(w.requests))
		}
		// At the default: the time to the report, and what the run has
		// sent by then, the lanes beside the one that found it included.
		w, c := detectOnce(b, dialect, fault, check, seed, 0)
		if w == nil {
			continue
		}
		secs = append(secs, w.at.Seconds())
		lengths = append(lengths, float64(len(c.Failures[0].Exchanges)))
		requests = append(requests, float64(w.requests))
		b.Logf("seed %2d: %s reported after %.3fs and %d requests, shown by %d exchanges", seed, check, w.at.Seconds(), w.requests, len(c.Failures[0].Exchanges))
	}
	if len(secs) == 0 || len(serial) == 0 {
		return // no metrics: benchsum names the fault as missing
	}
	b.ReportMetric(testutil.Median(secs), "median-s")
	b.ReportMetric(slices.Max(secs), "max-s")
	b.ReportMetric(testutil.Median(lengths), "median-steps")
	b.ReportMetric(testutil.Median(requests), "median-requests")
	b.ReportMetric(testutil.Median(serial), "median-requests-p1")
}

// detectOnce runs check against an emulator with fault at -parallel
// parallel (0: the default) until the run reports the fault; nil when it
// does not (an error of b).
func detectOnce(b *testing.B, dialect string, fault emulator.Fault, check contract.ID, seed int64, parallel int) (*failWatch, contract.CheckResult) {
	opts := emulator.Options{Dialect: dialect, Faults: []emulator.Fault{fault}}
	tgt := contract.Target{Dialect: dialect, Seed: seed, Checks: []contract.ID{check}, Parallel: parallel}
	testutil.WithCredentials(dialect, &opts, &tgt)
	ts, _ := emulator.NewTestServer(b, opts)
	ctx, stop := context.WithCancel(context.Background())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	sent := &counting{next: tr}
	w := &failWatch{start: time.Now(), prefix: "[" + string(check) + "] FAIL", stop: stop, sent: sent}
	tgt.Endpoint, tgt.Progress, tgt.Client = ts.URL, w, &http.Client{Transport: sent}
	rep, _ := contract.Check(ctx, tgt)
	stop()
	tr.CloseIdleConnections()
	c, _ := rep.Check(check)
	if w.at == 0 || c.Status != contract.Fail {
		b.Errorf("seed %d, -parallel %d: %s did not make %s fail (%s)", seed, parallel, fault, check, c.Status)
		return nil, c
	}
	return w, c
}
