package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const throughput = `goos: linux
goarch: amd64
pkg: github.com/keycontract/keycontract/contract
cpu: AMD EPYC
BenchmarkRatio/aws-2   	      22	 171873328 ns/op	      1504 harness-req/s	         0.2860 ratio	      5258 raw-req/s
BenchmarkRatio/iam-2   	      22	 171873328 ns/op	      1404 harness-req/s	         0.2400 ratio	      5850 raw-req/s
PASS
ok  	github.com/keycontract/keycontract/contract	10.548s
pkg: github.com/keycontract/keycontract/fuzz
BenchmarkSequences-2   	       8	 377244142 ns/op	      2842 steps/s
PASS
`

// detectionOut is BenchmarkDetection's output: two faults on every
// dialect, one of them logging between its name and its figures.
var detectionOut = func() string {
	var b strings.Builder
	b.WriteString("pkg: github.com/keycontract/keycontract/fuzz\n")
	for i, d := range []string{"aws", "envelope", "rest", "iam"} {
		fmt.Fprintf(&b, "BenchmarkDetection/%s/deleted-still-counts-2         \t       1\t2746007200 ns/op\t         0.%d584 max-s\t         0.%d764 median-s\t         4.000 median-steps\t        %d.000 median-requests\t        %d.000 median-requests-p1\n", d, i+5, i+2, 20+i, 10+i)
		fmt.Fprintf(&b, "--- BENCH: BenchmarkDetection/%s/deleted-still-counts-2\n    bench_test.go:116: seed  1: 0.16s\n", d)
		fmt.Fprintf(&b, "BenchmarkDetection/%s/secret-repeated-2              \t\nemulator: a line printed while the benchmark ran\n       1\t 964350771 ns/op\t         0.1605 max-s\t         0.08663 median-s\t         2.000 median-steps\t         7.000 median-requests\t         7.000 median-requests-p1\n", d)
	}
	return b.String()
}()

const fuzzOut = `BenchmarkLatency/parallel-1-2   	       1	         0 ns/op	      1756 requests	        93.04 run-s
BenchmarkLatency/default-2      	       1	         0 ns/op	      1757 requests	        13.30 run-s
BenchmarkLatency/buckets-2-2    	       1	         0 ns/op	      1980 requests	       101.5 run-s
BenchmarkSearch/secret-repeated-2              	       1	 964350771 ns/op	         0.6605 max-s	         0.3100 median-s	         2.000 median-steps
BenchmarkMemory-2   	       1	104865179374 ns/op	       441.5 growth-MB	       496.7 heap200k-MB	        55.20 heap20k-MB	       104.8 run-s
PASS
`

func parsed(t *testing.T, outs ...string) *results {
	t.Helper()
	res := newResults()
	for _, o := range outs {
		if err := res.parse(strings.NewReader(o)); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

func TestParse(t *testing.T) {
	res := parsed(t, throughput, detectionOut, fuzzOut)
	for _, c := range []struct {
		bench, unit string
		want        float64
	}{
		{"BenchmarkRatio/aws", "ratio", 0.2860},
		{"BenchmarkRatio/iam", "raw-req/s", 5850},
		{"BenchmarkSequences", "steps/s", 2842},
		{"BenchmarkDetection/aws/deleted-still-counts", "median-s", 0.2764},
		{"BenchmarkDetection/iam/deleted-still-counts", "median-s", 0.5764},
		{"BenchmarkDetection/rest/secret-repeated", "median-steps", 2}, // figures on a later line
		{"BenchmarkMemory", "growth-MB", 441.5},
	} {
		if got := res.metrics[c.bench][c.unit]; len(got) != 1 || got[0] != c.want {
			t.Errorf("%s %s = %v, want [%v]", c.bench, c.unit, got, c.want)
		}
	}
}

func TestProcsSuffixOnlyWhenCommon(t *testing.T) {
	// GOMAXPROCS=1: no suffix, and a fault's own digits stay.
	res := parsed(t, "BenchmarkDetection/getbuckets-500   \t1\t5 ns/op\t0.1 median-s\n"+
		"BenchmarkDetection/limit-race   \t1\t5 ns/op\t0.2 median-s\n")
	if _, ok := res.metrics["BenchmarkDetection/getbuckets-500"]; !ok {
		t.Errorf("names: %v", res.metrics)
	}
}

func TestSummaryLastLine(t *testing.T) {
	out, err := parsed(t, throughput, detectionOut, fuzzOut).summary(7.34)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// iam's 0.24 is 0.84 of aws's 0.286: within 20%. The detection figure
	// is iam's deleted-still-counts, above BenchmarkSearch's 0.31.
	want := "ratio harness/raw: 0.29 (iam 0.24, within 20%: yes); make-run seconds: 7.3; detection median max: 0.58 s; heap growth 20k->200k: 441.5 MB; 50 ms run: 13.3 s (-parallel 1: 93.0 s)"
	if last := lines[len(lines)-1]; last != want {
		t.Errorf("last line\n got %q\nwant %q", last, want)
	}
	for _, row := range []string{
		"raw net/http loop, iam                   5850 req/s",
		"harness, iam                             1404 req/s  (harness/raw 0.24)",
		"iam ratio / aws ratio                    0.84       (within 20% of aws: yes)",
		// median of 0.0866 and 0.5764; slowest and max, with their faults
		"  iam                             2   0.332s    0.576s deleted-still-counts       0.858s deleted-still-counts",
		"  rest                            2   0.282s    0.476s deleted-still-counts       0.758s deleted-still-counts",
		"  secret-repeated ",
		// requests per kill: the median of the faults' and the most
		"0.758s deleted-still-counts         14.5     22.0 deleted-still-counts",
		"  deleted-still-counts                   10/20       11/21       12/22       13/23",
		"  -parallel 1                         93.0s      1756  one request at a time",
		"  -bucket twice                      101.5s      1980  the sequences share",
	} {
		if !strings.Contains(out, row) {
			t.Errorf("no row %q in\n%s", row, out)
		}
	}
}

func TestSummaryIAMNotWithin(t *testing.T) {
	slow := strings.Replace(throughput, "0.2400 ratio", "0.2200 ratio", 1) // 0.77 of aws's
	out, err := parsed(t, slow, detectionOut, fuzzOut).summary(7)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "(within 20% of aws: no)") || !strings.Contains(out, "(iam 0.22, within 20%: no)") {
		t.Errorf("iam at 0.77 of aws reported within 20%%:\n%s", out)
	}
}

func TestMissingIsAnError(t *testing.T) {
	_, err := parsed(t, throughput).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkMemory heap20k-MB") || !strings.Contains(err.Error(), "BenchmarkDetection") {
		t.Errorf("err = %v, want one naming the Memory and Detection metrics", err)
	}
	// A fault whose benchmark failed prints no figures: it is named.
	failed := detectionOut + "--- FAIL: BenchmarkDetection/iam/list-drops-newest\n    bench_test.go:107: seed 3: not found\n--- FAIL: BenchmarkDetection\n"
	_, err = parsed(t, throughput, failed, fuzzOut).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkDetection/iam/list-drops-newest median-s") {
		t.Errorf("err = %v, want one naming iam's list-drops-newest", err)
	}
	// Every dialect reports every fault: one that another dialect reports
	// and this one does not is missing, as is a dialect with none.
	var noRest []string
	for _, l := range strings.SplitAfter(detectionOut, "\n") {
		if !strings.Contains(l, "/rest/secret-repeated") {
			noRest = append(noRest, l)
		}
	}
	_, err = parsed(t, throughput, strings.Join(noRest, ""), fuzzOut).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkDetection/rest/secret-repeated median-s") {
		t.Errorf("err = %v, want one naming rest's secret-repeated", err)
	}
	awsOnly := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(detectionOut, "/iam/", "/aws/"), "/rest/", "/aws/"), "/envelope/", "/aws/")
	_, err = parsed(t, throughput, awsOnly, fuzzOut).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkDetection/iam/deleted-still-counts median-s") {
		t.Errorf("err = %v, want one naming iam's faults", err)
	}
	// Both ratios are needed.
	noIAM := strings.Replace(throughput, "BenchmarkRatio/iam", "BenchmarkOther/iam", 1)
	_, err = parsed(t, noIAM, detectionOut, fuzzOut).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkRatio/iam ratio") {
		t.Errorf("err = %v, want one naming the iam ratio", err)
	}
}

func TestRunNeedsMakeRun(t *testing.T) {
	f := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(f, []byte(throughput+detectionOut+fuzzOut), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(-1, []string{f}, &out); err == nil || !strings.Contains(err.Error(), "-make-run") {
		t.Errorf("err = %v, want missing -make-run", err)
	}
	if err := run(3, []string{f}, &out); err != nil {
		t.Fatal(err)
	}
}

// TestDialectOnlyFault: a fault with an effect in some dialects only
// (list-ignores-page-size: iam's) is expected there only; elsewhere its
// absence is no missing figure, and iam without it still is.
func TestDialectOnlyFault(t *testing.T) {
	iamOnly := detectionOut + "BenchmarkDetection/iam/list-ignores-page-size-2   \t       1\t 5 ns/op\t         0.0300 max-s\t         0.0100 median-s\t         2.000 median-steps\t         5.000 median-requests\t         5.000 median-requests-p1\n"
	out, err := parsed(t, throughput, iamOnly, fuzzOut).summary(7)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "  iam                             3 ") || !strings.Contains(out, "  aws                             2 ") {
		t.Errorf("iam should count 3 faults and aws 2:\n%s", out)
	}
	elsewhere := detectionOut + "BenchmarkDetection/aws/list-ignores-page-size-2   \t       1\t 5 ns/op\t         0.0300 max-s\t         0.0100 median-s\t         2.000 median-steps\n"
	_, err = parsed(t, throughput, elsewhere, fuzzOut).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkDetection/iam/list-ignores-page-size median-s") {
		t.Errorf("err = %v, want one naming iam's list-ignores-page-size", err)
	}
}
