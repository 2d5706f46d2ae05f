package sequence

// Benchmarks of issue 6 for the property-based sequences: steps per second,
// the search's time to each sequence fault, and the heap over a long run.
// make bench runs them (with fuzz's BenchmarkDetection) and
// internal/benchsum summarises them.

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
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
func openCounted(b *testing.B, seed int64, faults ...emulator.Fault) (*engine.Session, *stepCounter) {
	b.Helper()
	ts, _ := emulator.NewTestServer(b, emulator.Options{Dialect: "aws", Faults: faults})
	return openCountedAt(b, ts.URL, seed)
}

// openCountedAt is openCounted against an endpoint already running.
func openCountedAt(b *testing.B, endpoint string, seed int64) (*engine.Session, *stepCounter) {
	b.Helper()
	sc := &stepCounter{base: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}}
	sess, err := engine.Open(context.Background(), engine.Target{
		Endpoint: endpoint, Dialect: "aws", Seed: seed, Client: &http.Client{Transport: sc},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sess.Close() })
	doc := sess.Doc()
	sc.header = doc.OperationHeader()
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

// searchSeeds are the seeds BenchmarkSearch runs for every sequence fault,
// as BenchmarkDetection does for every fault.
const searchSeeds = 10

// BenchmarkSearch: for each fault only a sequence reveals, the time the
// property-based search alone takes (engine.Open, then the search with
// the default budget) to its shrunk failure, over seeds 1..10, and the
// shrunk length: detection by the sequences, without the fixed scenarios
// that BenchmarkDetection's runs also have. It runs its seeds once whatever
// b.N: make bench runs it with -benchtime 1x.
func BenchmarkSearch(b *testing.B) {
	for _, tc := range sequenceFaults {
		b.Run(string(tc.fault), func(b *testing.B) {
			var secs, steps []float64
			for seed := int64(1); seed <= searchSeeds; seed++ {
				ts, _ := emulator.NewTestServer(b, emulator.Options{Dialect: "aws", Faults: []emulator.Fault{tc.fault}})
				start := time.Now()
				sess, err := engine.Open(context.Background(), engine.Target{Endpoint: ts.URL, Dialect: "aws", Seed: seed})
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
				case m.found.check != tc.check && m.found.check != alsoBreaks[tc.fault]:
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
			b.ReportMetric(testutil.Median(secs), "median-s")
			b.ReportMetric(slices.Max(secs), "max-s")
			b.ReportMetric(testutil.Median(steps), "median-steps")
		})
	}
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
			writeHeapProfile(b, "heap20k.pprof")
		case memLast:
			last = heapMB()
			writeHeapProfile(b, "heap200k.pprof")
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

// writeHeapProfile writes the heap profile (after heapMB's collections) as
// name in the folder $KEYCONTRACT_HEAP_PROFILES names, if it is set: compare
// the two with go tool pprof -base heap20k.pprof heap200k.pprof.
func writeHeapProfile(b *testing.B, name string) {
	dir := os.Getenv("KEYCONTRACT_HEAP_PROFILES")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		b.Error(err)
	}
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
