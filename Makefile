# keycontract: the two commands a fresh machine needs are `make run` (the main
# job: every check against the embedded emulator, every dialect) and
# `make test` (vet and the race-enabled test suite).
GO ?= go
BIN := bin/keycontract
FUZZTIME ?= 20s

.PHONY: build run test lint fuzz bench recordings moto-report versitygw-report clean

build:
	$(GO) build -o $(BIN) ./cmd/keycontract

run: build
	./$(BIN) run -dialect aws
	./$(BIN) run -dialect envelope
	./$(BIN) run -dialect rest
	./$(BIN) run -dialect iam

test:
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...

# The tree stays clean: staticcheck, deadcode (no function nothing calls,
# tests included), gofmt (no file it would change) and go vet. Versions are
# pinned; go run fetches them from the module proxy the first time.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE := golang.org/x/tools/cmd/deadcode@v0.52.0
lint:
	$(GO) run $(STATICCHECK) ./...
	@out=$$($(GO) run $(DEADCODE) -test ./...); if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: unreachable functions" >&2; exit 1; fi
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "$$out"; echo "gofmt: these files need formatting" >&2; exit 1; fi
	$(GO) vet ./...

# Each native fuzz target for a bounded time (FUZZTIME each). Their seed
# corpora (testdata/fuzz) run in make test.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./emulator/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./fuzz/
	$(GO) test -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime $(FUZZTIME) ./fuzz/

# Issues 6, 12, 13 and 20's figures, in one run on this machine (about 7
# minutes): the wall time of make run (after a warm build), the harness
# against a plain net/http loop on the aws and the iam wires (BenchmarkRatio
# interleaves the two), state-machine steps per second, each fault's
# detection time and requests per kill over 10 seeds on every dialect, the
# heap over 200,000 steps, and a whole run against an emulator 50 ms away
# at -parallel 1, at the default and with -bucket twice (BenchmarkLatency,
# about 4 of the 7 minutes). The outputs are kept in bin/; internal/benchsum prints the
# summary, whose last line is the headline, and fails on a missing figure.
bench:
	@mkdir -p bin
	@$(MAKE) -s build
	@start=$$(date +%s.%N); \
	if ! $(MAKE) -s run >bin/make-run.log 2>&1; then echo "make run failed: see bin/make-run.log" >&2; exit 1; fi; \
	end=$$(date +%s.%N); \
	awk -v s=$$start -v e=$$end 'BEGIN { printf "%.2f\n", e - s }' >bin/make-run-seconds; \
	echo "make run: $$(cat bin/make-run-seconds) s"
	$(GO) test -run '^$$' -bench '^Benchmark(Ratio|RatioRecording|Sequences)$$' -benchtime 3s ./fuzz/... | tee bin/bench-throughput.txt
	$(GO) test -run '^$$' -bench '^Benchmark(Detection|Search|Memory|Latency)$$' -benchtime 1x -timeout 30m ./fuzz/... | tee bin/bench-fuzz.txt
	@echo
	@$(GO) run ./internal/benchsum -make-run $$(cat bin/make-run-seconds) bin/bench-*.txt

# fixtures/recorded: a recorded run of the embedded emulator per dialect,
# replayed by the fixtures tests. Regenerate when the harness changes what it
# sends (the replay then stops with a mismatch naming the request).
recordings: build
	rm -rf fixtures/recorded/aws fixtures/recorded/envelope fixtures/recorded/rest fixtures/recorded/iam
	./$(BIN) run -dialect aws -seed 1 -sequences 20 -record fixtures/recorded/aws >/dev/null
	./$(BIN) run -dialect envelope -seed 1 -sequences 20 -record fixtures/recorded/envelope >/dev/null
	./$(BIN) run -dialect rest -seed 1 -sequences 20 -record fixtures/recorded/rest >/dev/null
	./$(BIN) run -dialect iam -seed 1 -sequences 20 -record fixtures/recorded/iam >/dev/null

clean:
	rm -rf bin

# docs/moto-iam-report.html and docs/moto-iam-auth-report.html: every
# check against moto_server as it starts (authentication off, its documented
# default) and with its authentication on; docs/versitygw-iam-report.html:
# every check against versitygw's IAM. docs/README.md tells the findings.
# The reports are those of the very runs TestMoto and TestVersitygw make and
# pin (through a proxy that keeps the secrets they issue), written when
# KEYCONTRACT_DOCS names a directory: access key ids (AKIA...) are rewritten
# MOTO... and VGWK... so that no committed file looks like an AWS key id;
# every secret is redacted by the run, and the test scans each file for
# every secret the implementation issued. CI=1: a missing implementation
# fails rather than skips (.ci/run installs both).
moto-report:
	CI=1 KEYCONTRACT_DOCS=$(CURDIR)/docs $(GO) test -count=1 -run '^TestMoto$$' ./cmd/keycontract/
	@ls -l docs/moto-iam-report.html docs/moto-iam-auth-report.html

versitygw-report:
	CI=1 KEYCONTRACT_DOCS=$(CURDIR)/docs $(GO) test -count=1 -run '^TestVersitygw$$' ./cmd/keycontract/
	@ls -l docs/versitygw-iam-report.html
