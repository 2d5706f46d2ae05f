// Command benchsum summarises the output of make bench (issues 6, 12 and
// 13): it reads `go test -bench` output files, picks out the metrics of
// BenchmarkRatio/{aws,iam}, BenchmarkSequences,
// BenchmarkDetection/<dialect>/<fault>, BenchmarkSearch/<fault>,
// BenchmarkMemory and BenchmarkLatency/<row>, and prints a short table
// (detection: one row per dialect, the median of its faults' medians, the
// worst median and the worst max, naming their faults, and the requests
// per kill, the median of the faults' and the most; then the requests per
// kill fault by fault; then a whole run 50 ms from the endpoint, seconds
// and requests, at -parallel 1, at the default and with -bucket twice,
// with what limits each) whose last line is
//
//	ratio harness/raw: X.XX (iam Y.YY, within 20%: yes); make-run seconds: S; detection median max: M s; heap growth 20k->200k: G MB; 50 ms run: D s (-parallel 1: P s)
//
// where X.XX is aws's ratio, "within 20%" says whether iam's is at least
// 0.8 times it, and the detection figure is the largest of the faults'
// medians, every dialect's and the search's. A missing metric is an error
// that names it (exit 1), never a zero: every dialect must report every
// detection fault any dialect reports that has an effect there
// (emulator.Fault.In; the page faults and the form readings act in iam
// only). A metric reported more than once
// (-count) is summarised by its median.
//
//	go run ./internal/benchsum -make-run 7.3 bin/bench-*.txt
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/spec"
)

// results maps a benchmark's name (without the -GOMAXPROCS suffix) to its
// metrics by unit, every value reported.
type results struct {
	metrics map[string]map[string][]float64
	failed  []string // benchmarks reported as --- FAIL
}

func newResults() *results { return &results{metrics: map[string]map[string][]float64{}} }

var procsSuffix = regexp.MustCompile(`-(\d+)$`)

type line struct {
	name   string
	fields []string // value, unit, value, unit... after the iteration count
}

// parse reads one go test -bench output. A result line is
// "BenchmarkName-P <tab> N <tab> value unit <tab> value unit..."; when a
// benchmark logs while it runs, its name and its figures can land on two
// lines. The -P suffix is removed when every result line of the output
// carries the same one (GOMAXPROCS 1 prints none, and a name may end in
// digits of its own).
func (res *results) parse(r io.Reader) error {
	var lines []line
	pending := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		if name, ok := strings.CutPrefix(strings.TrimSpace(text), "--- FAIL: "); ok && strings.HasPrefix(name, "Benchmark") {
			name, _, _ = strings.Cut(name, " ")
			res.failed = append(res.failed, name)
			continue
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if strings.HasPrefix(f[0], "Benchmark") {
			pending, f = f[0], f[1:]
			if len(f) == 0 {
				continue // the figures follow on a later line
			}
		}
		if pending == "" {
			continue
		}
		if _, err := strconv.Atoi(f[0]); err != nil || len(f)%2 != 1 {
			continue // not the figures
		}
		lines = append(lines, line{pending, f[1:]})
		pending = ""
	}
	if err := sc.Err(); err != nil {
		return err
	}
	suffix := commonSuffix(lines)
	for _, l := range lines {
		name := strings.TrimSuffix(l.name, suffix)
		if res.metrics[name] == nil {
			res.metrics[name] = map[string][]float64{}
		}
		for i := 0; i+1 < len(l.fields); i += 2 {
			v, err := strconv.ParseFloat(l.fields[i], 64)
			if err != nil {
				return fmt.Errorf("%s: metric %s: %v", name, l.fields[i+1], err)
			}
			res.metrics[name][l.fields[i+1]] = append(res.metrics[name][l.fields[i+1]], v)
		}
	}
	return nil
}

func commonSuffix(lines []line) string {
	suffix := ""
	for i, l := range lines {
		m := procsSuffix.FindString(l.name)
		if m == "" || i > 0 && m != suffix {
			return ""
		}
		suffix = m
	}
	return suffix
}

// missing collects what the summary needs and did not find.
type missing []string

// get is the median of a metric's values, noting it as missing if absent.
func (res *results) get(miss *missing, bench, unit string) float64 {
	vs := res.metrics[bench][unit]
	if len(vs) == 0 {
		*miss = append(*miss, bench+" "+unit)
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// faults are the sub-benchmarks of family (BenchmarkSearch) seen, with or
// without figures (a failed one prints none), in name order.
func (res *results) faults(family string) []string {
	seen := map[string]bool{}
	for _, name := range res.names() {
		if f, ok := strings.CutPrefix(name, family+"/"); ok {
			seen[f] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// names are the benchmarks seen, with figures or failed.
func (res *results) names() []string {
	return append(slices.Collect(maps.Keys(res.metrics)), res.failed...)
}

// detectionFaults are BenchmarkDetection's faults seen (its sub-benchmarks
// are dialect/fault), in name order, over every dialect: each dialect is
// to report every one of them.
func (res *results) detectionFaults() []string {
	seen := map[string]bool{}
	for _, name := range res.names() {
		if rest, ok := strings.CutPrefix(name, "BenchmarkDetection/"); ok {
			if _, fault, ok := strings.Cut(rest, "/"); ok {
				seen[fault] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// detectionRow is one dialect's detection figures over its faults.
type detectionRow struct {
	faults                int
	medianOfMedians       float64
	requests              float64 // the median of the faults' median requests per kill
	worstRequests         float64
	worstRequestsFault    string
	worstMedian, worstMax float64
	worstMedianFault      string
	worstMaxFault         string
}

// detection summarises BenchmarkDetection/<dialect>/<fault> for dialect.
func (res *results) detection(miss *missing, dialect string, faults []string) detectionRow {
	var row detectionRow
	var medians, requests []float64
	for _, f := range faults {
		if !emulator.Fault(f).In(dialect) {
			continue // no effect there: BenchmarkDetection runs it elsewhere only
		}
		name := "BenchmarkDetection/" + dialect + "/" + f
		med, max := res.get(miss, name, "median-s"), res.get(miss, name, "max-s")
		res.get(miss, name, "median-steps")
		req := res.get(miss, name, "median-requests")
		if len(res.metrics[name]["median-s"]) == 0 {
			continue
		}
		row.faults++
		medians = append(medians, med)
		requests = append(requests, req)
		if req > row.worstRequests {
			row.worstRequests, row.worstRequestsFault = req, f
		}
		if med > row.worstMedian {
			row.worstMedian, row.worstMedianFault = med, f
		}
		if max > row.worstMax {
			row.worstMax, row.worstMaxFault = max, f
		}
	}
	row.medianOfMedians = medianOf(medians)
	row.requests = medianOf(requests)
	return row
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// withinOf is how far iam's harness/raw ratio may fall below aws's (issue
// 13: XML decoding must not make iam the slow dialect).
const withinOf = 0.20

// summary renders the table and the final line, or an error naming every
// missing metric and failed benchmark.
func (res *results) summary(makeRun float64) (string, error) {
	var miss missing
	var b strings.Builder
	ratios := map[string]float64{}
	for _, d := range ratioDialects {
		name := "BenchmarkRatio/" + d
		raw := res.get(&miss, name, "raw-req/s")
		harness := res.get(&miss, name, "harness-req/s")
		ratios[d] = res.get(&miss, name, "ratio")
		fmt.Fprintf(&b, "%-34s %10.0f req/s\n", "raw net/http loop, "+d, raw)
		fmt.Fprintf(&b, "%-34s %10.0f req/s  (harness/raw %.2f)\n", "harness, "+d, harness, ratios[d])
	}
	within := ratios["iam"] >= (1-withinOf)*ratios["aws"]
	fmt.Fprintf(&b, "%-34s %10.2f       (within 20%% of aws: %s)\n", "iam ratio / aws ratio", safeDiv(ratios["iam"], ratios["aws"]), yesNo(within))
	if rec := res.metrics["BenchmarkRatioRecording"]; len(rec["ratio"]) > 0 && len(rec["harness-req/s"]) > 0 {
		// Informative: the headline ratio is a run without -record.
		fmt.Fprintf(&b, "%-34s %10.0f req/s  (harness/raw %.2f)\n", "harness with -record, aws", rec["harness-req/s"][0], rec["ratio"][0])
	}
	steps := res.get(&miss, "BenchmarkSequences", "steps/s")
	fmt.Fprintf(&b, "%-34s %10.0f steps/s\n", "state machine", steps)
	// The headline is the worst median of both: a whole run to its first
	// report of each fault (every dialect), and the sequences alone (find
	// and shrink, aws).
	worst := 0.0
	faults := res.detectionFaults()
	if len(faults) == 0 {
		miss = append(miss, "BenchmarkDetection/<dialect>/<fault> (no fault reported)")
	}
	// One row per dialect: the median of its faults' medians, the largest
	// median (the slowest fault's) and the largest max, with their faults.
	fmt.Fprintf(&b, "%-28s %6s %8s  %8s %-24s %8s %-24s %8s %8s %s\n", "detection in a run, 10 seeds", "faults", "median", "slowest", "(fault)", "max", "(fault)", "req/kill", "most", "(fault)")
	for _, d := range detectionDialects {
		row := res.detection(&miss, d, faults)
		worst = maxf(worst, row.worstMedian)
		fmt.Fprintf(&b, "  %-26s %6d %7.3fs  %7.3fs %-24s %7.3fs %-24s %8.1f %8.1f %s\n", d, row.faults, row.medianOfMedians,
			row.worstMedian, row.worstMedianFault, row.worstMax, row.worstMaxFault, row.requests, row.worstRequests, row.worstRequestsFault)
	}
	// Requests per kill, fault by fault (the median over the seeds), at
	// -parallel 1 and at the default.
	fmt.Fprintf(&b, "%-34s", "requests per kill (-parallel 1/default)")
	for _, d := range detectionDialects {
		fmt.Fprintf(&b, " %11s", d)
	}
	fmt.Fprintln(&b)
	for _, f := range faults {
		fmt.Fprintf(&b, "  %-32s", f)
		for _, d := range detectionDialects {
			m := res.metrics["BenchmarkDetection/"+d+"/"+f]
			if vs, p1 := m["median-requests"], m["median-requests-p1"]; len(vs) > 0 && len(p1) > 0 && emulator.Fault(f).In(d) {
				fmt.Fprintf(&b, " %11s", fmt.Sprintf("%.0f/%.0f", medianOf(p1), medianOf(vs)))
			} else {
				fmt.Fprintf(&b, " %11s", "-")
			}
		}
		fmt.Fprintln(&b)
	}
	// A whole default run 50 ms from the endpoint (BenchmarkLatency).
	fmt.Fprintf(&b, "%-34s %8s %9s\n", "whole run, aws, 50 ms a request", "seconds", "requests")
	latency := map[string]float64{}
	for _, l := range latencyRows {
		name := "BenchmarkLatency/" + l.name
		latency[l.name] = res.get(&miss, name, "run-s")
		fmt.Fprintf(&b, "  %-32s %7.1fs %9.0f  %s\n", l.label, latency[l.name], res.get(&miss, name, "requests"), l.limit)
	}
	search := res.faults("BenchmarkSearch")
	if len(search) == 0 {
		miss = append(miss, "BenchmarkSearch/<fault> (no fault reported)")
	}
	fmt.Fprintf(&b, "%-34s %8s %8s %8s\n", "sequences alone, find + shrink", "median", "max", "steps")
	for _, f := range search {
		name := "BenchmarkSearch/" + f
		med, max, n := res.get(&miss, name, "median-s"), res.get(&miss, name, "max-s"), res.get(&miss, name, "median-steps")
		worst = maxf(worst, med)
		fmt.Fprintf(&b, "  %-32s %7.3fs %7.3fs %8.1f\n", f, med, max, n)
	}
	h20 := res.get(&miss, "BenchmarkMemory", "heap20k-MB")
	h200 := res.get(&miss, "BenchmarkMemory", "heap200k-MB")
	growth := res.get(&miss, "BenchmarkMemory", "growth-MB")
	fmt.Fprintf(&b, "%-34s %10.1f MB\n", "heap after 20,000 steps", h20)
	fmt.Fprintf(&b, "%-34s %10.1f MB\n", "heap after 200,000 steps", h200)
	fmt.Fprintf(&b, "%-34s %10.1f s\n", "make run", makeRun)
	fmt.Fprintf(&b, "ratio harness/raw: %.2f (iam %.2f, within 20%%: %s); make-run seconds: %.1f; detection median max: %.2f s; heap growth 20k->200k: %.1f MB; 50 ms run: %.1f s (-parallel 1: %.1f s)\n",
		ratios["aws"], ratios["iam"], yesNo(within), makeRun, worst, growth, latency["default"], latency["parallel-1"])
	var errs []error
	for _, f := range res.failed {
		errs = append(errs, fmt.Errorf("%s failed", f))
	}
	if len(miss) > 0 {
		errs = append(errs, fmt.Errorf("missing metrics: %s", strings.Join(miss, ", ")))
	}
	return b.String(), errors.Join(errs...)
}

// latencyRows are BenchmarkLatency's sub-benchmarks, with what limits
// each.
var latencyRows = []struct{ name, label, limit string }{
	{"parallel-1", "-parallel 1", "one request at a time"},
	{"default", "default -parallel", "the fixed scenarios, one after another on the run's buckets, beside the key cases and the sequences"},
	{"buckets-2", "-bucket twice", "the sequences share the two buckets: one at a time"},
}

// ratioDialects are BenchmarkRatio's sub-benchmarks: aws first, the
// headline.
var ratioDialects = []string{"aws", "iam"}

// detectionDialects are BenchmarkDetection's: every bundled dialect.
var detectionDialects = spec.Dialects

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func maxf(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

func main() {
	makeRun := flag.Float64("make-run", -1, "wall-clock `seconds` of make run, as make bench measured them")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: benchsum -make-run SECONDS FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*makeRun, flag.Args(), os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "benchsum: %v\n", err)
		os.Exit(1)
	}
}

func run(makeRun float64, files []string, out io.Writer) error {
	if makeRun < 0 {
		return errors.New("missing -make-run SECONDS")
	}
	if len(files) == 0 {
		return errors.New("no go test -bench output files given")
	}
	res := newResults()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = res.parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	s, err := res.summary(makeRun)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, s)
	return err
}
