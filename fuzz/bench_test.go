package fuzz

// Benchmarks of issue 6 for the property-based sequences: steps per second,
// time to detect each emulator fault, and the heap over a long run. make
// bench runs them and internal/benchsum summarises them.

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/spec"
)

// stepCounter counts the state machine's steps as they go on the wire: the
// requests to the key operations (create, list, delete key). Bucket
// set-up and teardown are not steps. The only key request a sequence sends
// outside its steps (the list that attributes a refused create, after a
// limit error below the limit) needs a faulty endpoint.
type stepCounter struct {
	base   http.RoundTripper
	header string
	keyOps map[string]bool // targets of the key operations; nil: not counting yet
	n      atomic.Int64
	// at, when set, is called before step n is sent.
	at func(n int64)
}

func (c *stepCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if c.keyOps != nil && c.keyOps[req.Header.Get(c.header)] {
		n := c.n.Add(1)
		if c.at != nil {
			c.at(n)
		}
	}
	return c.base.RoundTrip(req)
}

// openCounted starts an emulator with faults and opens a session on it
// whose steps are counted from now on. The session's client is the one it
// would make itself: keep-alive, 16 idle connections.
func openCounted(b *testing.B, seed int64, faults ...emulator.Fault) (*contract.Session, *stepCounter) {
	b.Helper()
	ts, _ := emulator.NewTestServer(b, emulator.Options{Dialect: "aws", Faults: faults})
	return openCountedAt(b, ts.URL, seed)
}

// openCountedAt is openCounted against an endpoint already running.
func openCountedAt(b *testing.B, endpoint string, seed int64) (*contract.Session, *stepCounter) {
	b.Helper()
	sc := &stepCounter{base: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}}
	sess, err := contract.Open(context.Background(), contract.Target{
		Endpoint: endpoint, Dialect: "aws", Seed: seed, Client: &http.Client{Transport: sc},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sess.Close() })
	doc := sess.Doc()
	sc.header = doc.Binding.Target.Header
	sc.keyOps = map[string]bool{}
	for _, r := range []spec.Role{spec.CreateKey, spec.ListKeys, spec.DeleteKey} {
		sc.keyOps[doc.Op(r).Target] = true
	}
	return sess, sc
}

// BenchmarkSequences: state-machine steps per second against the correct
// emulator, DefaultSequences sequences of DefaultSteps per search, in one
// session.
func BenchmarkSequences(b *testing.B) {
	sess, sc := openCounted(b, 1)
	for b.Loop() {
		m, tb, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
		if err != nil || m.found != nil || tb.failed {
			b.Fatalf("search on the correct emulator: err %v, found %v, %s", err, m.found, tb.msg)
		}
	}
	b.ReportMetric(float64(sc.n.Load())/b.Elapsed().Seconds(), "steps/s")
}

// detectionSeeds are the seeds BenchmarkDetection runs for every fault on
// every dialect, and BenchmarkSearch for every sequence fault.
const detectionSeeds = 10

// Credentials of BenchmarkDetection's emulators, so that auth-required
// runs too: SigV4 for aws and iam, a bearer token for envelope and rest.
const (
	benchKeyID  = "AKIDKEYCONTRACTBENCH"
	benchSecret = "keycontractBenchSigningSecret0123456789a"
	benchToken  = "keycontract-bench-bearer-token-0123456789"
)

// withAuth sets credentials on an emulator of dialect and the target that
// runs against it.
func withAuth(dialect string, opts *emulator.Options, tgt *contract.Target) {
	switch dialect {
	case "aws", "iam":
		opts.Credentials = map[string]string{benchKeyID: benchSecret}
		tgt.Signer = contract.NewSigV4(credentials.NewStaticCredentialsProvider(benchKeyID, benchSecret, ""), emulator.DefaultRegion)
	default:
		opts.Token = benchToken
		tgt.Headers = map[string][]string{"Authorization": {"Bearer " + benchToken}}
	}
}

// failWatch is a run's progress writer that notes when the run first
// reports a failure of check, and then stops the run.
type failWatch struct {
	start  time.Time
	prefix string
	stop   context.CancelFunc
	mu     sync.Mutex
	at     time.Duration
}

func (w *failWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at == 0 && strings.Contains(string(p), w.prefix) {
		w.at = time.Since(w.start)
		w.stop()
	}
	return len(p), nil
}

// BenchmarkDetection: for every dialect (spec.Dialects) and every emulator
// fault that breaks a check (legal variations break none and are skipped),
// the time from the start of a run of the check it breaks (contract.Check
// with that check selected, the sequences and concurrent-limit included,
// credentials configured) to the moment the run reports the failure (its
// "[check] FAIL" progress line: for a sequence finding, after shrinking),
// over seeds 1..10, and the length of that first failure (its exchanges:
// the shrunk sequence for a sequence finding). The run is stopped once the
// failure is reported. limit-race keeps the emulator's default RaceHold
// (500 ms): a run of concurrent-limit alone fills no bucket sequentially,
// so its barrier is released by the count of racing creates, never by the
// hold (its detection times are those of a one-minute hold, well under
// 500 ms). Sub-benchmarks are named dialect/fault; a fault runs on every
// dialect where it has an effect (emulator.Fault.In: list-ignores-page-size
// on iam only, the one dialect whose lists take a page size). It runs its seeds once whatever b.N: make bench
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
	var secs, lengths []float64
	for seed := int64(1); seed <= detectionSeeds; seed++ {
		opts := emulator.Options{Dialect: dialect, Faults: []emulator.Fault{fault}}
		tgt := contract.Target{Dialect: dialect, Seed: seed, Checks: []contract.ID{check}}
		withAuth(dialect, &opts, &tgt)
		ts, _ := emulator.NewTestServer(b, opts)
		ctx, stop := context.WithCancel(context.Background())
		w := &failWatch{start: time.Now(), prefix: "[" + string(check) + "] FAIL", stop: stop}
		tgt.Endpoint, tgt.Progress = ts.URL, w
		rep, _ := contract.Check(ctx, tgt)
		stop()
		c, _ := rep.Check(check)
		if w.at == 0 || c.Status != contract.Fail {
			b.Errorf("seed %d: %s did not make %s fail (%s)", seed, fault, check, c.Status)
			continue
		}
		secs = append(secs, w.at.Seconds())
		lengths = append(lengths, float64(len(c.Failures[0].Exchanges)))
		b.Logf("seed %2d: %s reported after %.3fs, shown by %d exchanges", seed, check, w.at.Seconds(), len(c.Failures[0].Exchanges))
	}
	if len(secs) == 0 {
		return // no metrics: benchsum names the fault as missing
	}
	b.ReportMetric(median(secs), "median-s")
	b.ReportMetric(slices.Max(secs), "max-s")
	b.ReportMetric(median(lengths), "median-steps")
}

// BenchmarkSearch: for each fault only a sequence reveals, the time the
// property-based search alone takes (contract.Open, then the search with
// the default budget) to its shrunk failure, over seeds 1..10, and the
// shrunk length: detection by the sequences, without the fixed scenarios
// that BenchmarkDetection's runs also have. It runs its seeds once whatever
// b.N: make bench runs it with -benchtime 1x.
func BenchmarkSearch(b *testing.B) {
	for _, tc := range sequenceFaults {
		b.Run(string(tc.fault), func(b *testing.B) {
			var secs, steps []float64
			for seed := int64(1); seed <= detectionSeeds; seed++ {
				ts, _ := emulator.NewTestServer(b, emulator.Options{Dialect: "aws", Faults: []emulator.Fault{tc.fault}})
				start := time.Now()
				sess, err := contract.Open(context.Background(), contract.Target{Endpoint: ts.URL, Dialect: "aws", Seed: seed})
				if err != nil {
					b.Fatal(err)
				}
				m, _, err := search(context.Background(), sess, DefaultSequences, DefaultSteps)
				took := time.Since(start)
				sess.Close()
				switch {
				case err != nil:
					b.Fatalf("seed %d: %v", seed, err)
				case m.found == nil:
					b.Errorf("seed %d: %s not found in %.2fs", seed, tc.fault, took.Seconds())
					continue
				case m.found.check != tc.check:
					b.Errorf("seed %d: %s reported as %s, want %s: %s", seed, tc.fault, m.found.check, tc.check, m.found.msg)
					continue
				}
				secs = append(secs, took.Seconds())
				steps = append(steps, float64(m.foundSteps))
				b.Logf("seed %2d: %.2fs, shrunk to %d steps (minimal %d)", seed, took.Seconds(), m.foundSteps, tc.minimal)
			}
			if len(secs) == 0 {
				return // no metrics: benchsum names the fault as missing
			}
			b.ReportMetric(median(secs), "median-s")
			b.ReportMetric(slices.Max(secs), "max-s")
			b.ReportMetric(median(steps), "median-steps")
		})
	}
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Step counts at which BenchmarkMemory reads the heap.
const (
	memFirst = 20_000
	memLast  = 200_000
)

// BenchmarkMemory: the live heap of the harness after 20,000 and after
// 200,000 steps of one continuous search (one session, one machine)
// against the correct emulator, run as `keycontract serve` in a process of
// its own so that its store (every key and secret it ever issued) is not
// counted. The heap is read, after a collection, just before the step is
// sent; the search is then cancelled. It runs once whatever b.N.
func BenchmarkMemory(b *testing.B) {
	sess, sc := openCountedAt(b, serveProcess(b), 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first, last float64
	var firstAt time.Duration
	start := time.Now()
	sc.at = func(n int64) {
		switch n {
		case memFirst:
			first, firstAt = heapMB(), time.Since(start)
		case memLast:
			last = heapMB()
			cancel()
		}
	}
	// Far more sequences than the steps need: the cancellation ends it.
	m, _, err := search(ctx, sess, 1<<20, DefaultSteps)
	took := time.Since(start)
	sc.at = nil
	switch {
	case m != nil && m.found != nil:
		b.Fatalf("finding on the correct emulator: %s", m.found.msg)
	case err == nil || !errors.Is(err, context.Canceled):
		b.Fatalf("search ended before %d steps (%d sent): %v", memLast, sc.n.Load(), err)
	}
	b.Logf("%d steps in %.1fs (%d at %.1fs); heap %.2f MB -> %.2f MB", memLast, took.Seconds(), memFirst, firstAt.Seconds(), first, last)
	b.ReportMetric(first, "heap20k-MB")
	b.ReportMetric(last, "heap200k-MB")
	b.ReportMetric(last-first, "growth-MB")
	b.ReportMetric(took.Seconds(), "run-s")
}

// heapMB is the live heap after a full collection, in MB (2^20 bytes).
func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// serveProcess builds keycontract and starts `keycontract serve` on a free
// loopback port, stopped when the benchmark ends; it returns the URL.
func serveProcess(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "keycontract")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/keycontract/keycontract/cmd/keycontract").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v: %s", err, out)
	}
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(line)
	if err != nil || m == nil {
		b.Fatalf("keycontract serve: %q, %v", line, err)
	}
	return m[1]
}
