package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const throughput = `goos: linux
goarch: amd64
pkg: github.com/keycontract/keycontract/contract
cpu: AMD EPYC
BenchmarkRatio-2   	      22	 171873328 ns/op	      1504 harness-req/s	         0.2860 ratio	      5258 raw-req/s
PASS
ok  	github.com/keycontract/keycontract/contract	10.548s
pkg: github.com/keycontract/keycontract/fuzz
BenchmarkSequences-2   	       8	 377244142 ns/op	      2842 steps/s
PASS
`

const fuzzOut = `pkg: github.com/keycontract/keycontract/fuzz
BenchmarkDetection/deleted-still-counts-2         	       1	2746007200 ns/op	         0.5584 max-s	         0.2764 median-s	         4.000 median-steps
--- BENCH: BenchmarkDetection/deleted-still-counts-2
    bench_test.go:116: seed  1: 0.16s, shrunk to 4 steps (minimal 4)
BenchmarkDetection/secret-repeated-2              	
emulator: a line printed while the benchmark ran
       1	 964350771 ns/op	         0.1605 max-s	         0.08663 median-s	         2.000 median-steps
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
	res := parsed(t, throughput, fuzzOut)
	for _, c := range []struct {
		bench, unit string
		want        float64
	}{
		{"BenchmarkRatio", "ratio", 0.2860},
		{"BenchmarkRatio", "raw-req/s", 5258},
		{"BenchmarkSequences", "steps/s", 2842},
		{"BenchmarkDetection/deleted-still-counts", "median-s", 0.2764},
		{"BenchmarkDetection/secret-repeated", "median-steps", 2}, // figures on a later line
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
	out, err := parsed(t, throughput, fuzzOut).summary(7.34)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := "ratio harness/raw: 0.29; make-run seconds: 7.3; detection median max: 0.31 s; heap growth 20k->200k: 441.5 MB" // BenchmarkSearch's median counts too
	if last := lines[len(lines)-1]; last != want {
		t.Errorf("last line\n got %q\nwant %q", last, want)
	}
	if !strings.Contains(out, "secret-repeated") {
		t.Errorf("no per-fault row:\n%s", out)
	}
}

func TestMissingIsAnError(t *testing.T) {
	_, err := parsed(t, throughput).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkMemory heap20k-MB") || !strings.Contains(err.Error(), "BenchmarkDetection") {
		t.Errorf("err = %v, want one naming the Memory and Detection metrics", err)
	}
	// A fault whose benchmark failed prints no figures: it is named.
	failed := fuzzOut + "--- FAIL: BenchmarkDetection/list-drops-newest\n    bench_test.go:107: seed 3: not found\n--- FAIL: BenchmarkDetection\n"
	_, err = parsed(t, throughput, failed).summary(7)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkDetection/list-drops-newest median-s") {
		t.Errorf("err = %v, want one naming list-drops-newest", err)
	}
}

func TestRunNeedsMakeRun(t *testing.T) {
	f := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(f, []byte(throughput+fuzzOut), 0o644); err != nil {
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
