package fuzz_test

// BenchmarkLatency (issue 20): a whole default run against an emulator 50
// ms away (emulator.Options.Latency on every request), at -parallel 1 (one
// request at a time, as before), at the default -parallel, and with
// -bucket twice (two existing buckets, as nightly runs against a real
// account use them). make bench runs it once; internal/benchsum prints
// the rows.

import (
	"context"
	"testing"
	"time"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// benchLatency is the latency BenchmarkLatency adds to every request: a
// cloud region seen from a CI runner.
const benchLatency = 50 * time.Millisecond

// BenchmarkLatency reports the seconds and requests of one whole default
// run (every check, seed 1) of the aws dialect per sub-benchmark:
// parallel-1, default, and buckets-2 (-bucket twice, the default
// -parallel: its sequences share the two buckets, so they run one at a
// time; the fixed scenarios run beside nothing either, since they share
// those buckets with the sequences). Every check must pass.
func BenchmarkLatency(b *testing.B) {
	for _, tc := range []struct {
		name     string
		parallel int
		buckets  []string
	}{
		{"parallel-1", 1, nil},
		{"default", 0, nil},
		{"buckets-2", 0, []string{"keycontract-nightly-a", "keycontract-nightly-b"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ts, srv := emulator.NewTestServer(b, emulator.Options{Dialect: "aws", Latency: benchLatency})
			for _, name := range tc.buckets {
				if err := srv.AddBucket(name); err != nil {
					b.Fatal(err)
				}
			}
			tgt := contract.Target{Endpoint: ts.URL, Dialect: "aws", Seed: 1, Parallel: tc.parallel, Buckets: tc.buckets}
			start := time.Now()
			rep, err := contract.Check(context.Background(), tgt)
			secs := time.Since(start).Seconds()
			if err != nil {
				b.Fatalf("run: %v", err)
			}
			if rep.Summary.Failed > 0 {
				b.Fatalf("%d checks failed against a correct emulator", rep.Summary.Failed)
			}
			b.ReportMetric(secs, "run-s")
			b.ReportMetric(float64(rep.Requests), "requests")
			b.ReportMetric(0, "ns/op")
		})
	}
}
