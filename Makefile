# keycontract: the two commands a fresh machine needs are `make run` (the main
# job: every check against the embedded emulator, every dialect) and
# `make test` (vet and the race-enabled test suite).
GO ?= go
BIN := bin/keycontract
FUZZTIME ?= 20s

.PHONY: build run test lint fuzz bench recordings moto-report versitygw-report seaweedfs compat clean

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

# docs/compat/: every check against the IAM implementations nobody here
# wrote, their findings and the matrix of implementation x check
# (docs/compat/README.md tells how it is made). Each page and report is that
# of the very run its test pins (TestMoto, TestVersitygw, TestSeaweedfs),
# written when KEYCONTRACT_DOCS names a directory; CI=1: a missing
# implementation fails rather than skips (.ci/run installs moto and
# versitygw). make moto-report and make versitygw-report write those alone.
COMPAT := $(CURDIR)/docs/compat
moto-report:
	@mkdir -p $(COMPAT)
	CI=1 KEYCONTRACT_DOCS=$(COMPAT) $(GO) test -count=1 -run '^TestMoto$$' ./cmd/keycontract/
	@ls -l $(COMPAT)/moto.* $(COMPAT)/moto-auth.*

versitygw-report:
	@mkdir -p $(COMPAT)
	CI=1 KEYCONTRACT_DOCS=$(COMPAT) $(GO) test -count=1 -run '^TestVersitygw$$' ./cmd/keycontract/
	@ls -l $(COMPAT)/versitygw.*

# SeaweedFS, pinned: TestSeaweedfs's verdicts are this build's. go install
# refuses the module (its go.mod has a replace directive), so ./weed is
# built from a copy of it, with the Go its go.mod asks for (1.26; about 7
# minutes on an idle machine and 2 GB of modules), into a cache named after
# the commit; a binary already there is reused. weed.version, beside it,
# records what was built, and TestSeaweedfs checks it.
SEAWEEDFS_MODULE := github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6
SEAWEEDFS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/keycontract/seaweedfs-7506e5f91cd6
WEED := $(SEAWEEDFS_CACHE)/weed

seaweedfs: $(WEED).version

$(WEED):
	@echo "building $(SEAWEEDFS_MODULE) into $(SEAWEEDFS_CACHE) (about 7 minutes, 2 GB of modules)"
	@mkdir -p $(SEAWEEDFS_CACHE)
	@src=$$($(GO) mod download -json $(SEAWEEDFS_MODULE) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	if [ -z "$$src" ]; then echo "go mod download $(SEAWEEDFS_MODULE) gave no directory" >&2; exit 1; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp -R "$$src" "$$tmp/seaweedfs" && chmod -R u+w "$$tmp/seaweedfs" && \
	(cd "$$tmp/seaweedfs" && $(GO) build -o "$(WEED).partial" ./weed) && mv "$(WEED).partial" "$(WEED)"

$(WEED).version: $(WEED)
	@printf '%s' '$(SEAWEEDFS_MODULE)' > $@
	@echo "SeaweedFS: $(WEED) ($(SEAWEEDFS_MODULE))"

# Every implementation: versitygw, moto both ways, SeaweedFS (built first,
# or reused from the cache), each run pinned by its test, and docs/compat/
# written from those runs.
compat: seaweedfs
	@mkdir -p $(COMPAT)
	CI=1 KEYCONTRACT_DOCS=$(COMPAT) KEYCONTRACT_WEED=$(WEED) $(GO) test -count=1 -timeout 30m -run '^(TestVersitygw|TestMoto|TestSeaweedfs)$$' ./cmd/keycontract/
	@ls -l $(COMPAT)
