# keycontract: the two commands a fresh machine needs are `make run` (the main
# job: every check against the embedded emulator, both dialects) and
# `make test` (vet and the race-enabled test suite).
GO ?= go
BIN := bin/keycontract
FUZZTIME ?= 20s

.PHONY: build run test fuzz bench clean

build:
	$(GO) build -o $(BIN) ./cmd/keycontract

run: build
	./$(BIN) run -dialect aws
	./$(BIN) run -dialect envelope

test:
	$(GO) vet ./...
	$(GO) test -race ./...

# Each native fuzz target for a bounded time (FUZZTIME each). Their seed
# corpora (testdata/fuzz) run in make test.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./emulator/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./fuzz/
	$(GO) test -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime $(FUZZTIME) ./fuzz/

clean:
	rm -rf bin
