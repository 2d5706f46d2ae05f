package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/keycontract/keycontract/contract"
)

// sweepFlags declares sweep's flags. The target flags mean what they mean
// for run and fill the same runOptions, so that the target, its signer and
// its headers are built by the same code (runOptions.target).
func sweepFlags(o *runOptions, prefix *string, yes *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("keycontract sweep", flag.ContinueOnError)
	targetFlags(fs, o, "the target's base `URL` (required)")
	fs.StringVar(prefix, "prefix", contract.BucketPrefix, "sweep buckets whose names start with this `PREFIX`")
	fs.BoolVar(yes, "yes", false, "delete the buckets found, with their keys (default: only list them)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: keycontract sweep -endpoint URL [flags]

Lists the buckets whose names start with -prefix (default %q, the prefix of
every bucket a run creates) and how many keys each holds: what earlier runs
left behind when they were killed. With -yes, deletes them (force delete,
keys included). Buckets of other names are never touched; never give your
own buckets names with the prefix.

Exit status: 0 the sweep was made (whether or not anything was found); 2 it
could not be made, or a bucket could not be deleted.

Flags:
`, contract.BucketPrefix)
		fs.PrintDefaults()
	}
	return fs
}

// sweepCmd lists (and with -yes deletes) what earlier runs left behind. It
// prints one line per bucket (name, key count, and what -yes did) and a
// summary line; exit 0 on success, 2 with a one-line reason otherwise.
func sweepCmd(args []string, stdout, stderr io.Writer) int {
	var (
		o      runOptions
		prefix string
		yes    bool
	)
	fs := sweepFlags(&o, &prefix, &yes)
	if code, done := parseFlags(fs, "keycontract", args, stdout, stderr); done {
		return code
	}
	if o.endpoint == "" {
		return fail(stderr, errors.New("sweep needs -endpoint: the embedded emulator starts empty, so there is nothing to sweep"))
	}
	if prefix == "" {
		return fail(stderr, errors.New("-prefix must not be empty: sweep would touch every bucket"))
	}
	fs.Visit(func(f *flag.Flag) { o.signSet = o.signSet || f.Name == "sign" })
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	target, _, err := o.target(ctx, nil)
	if err != nil {
		return fail(stderr, err)
	}
	res, err := contract.Sweep(ctx, target, prefix, yes, stdout)
	if err != nil {
		return fail(stderr, err)
	}
	deleted := 0
	for _, b := range res.Buckets {
		if b.Deleted {
			deleted++
		}
	}
	switch {
	case len(res.Buckets) == 0:
		fmt.Fprintf(stdout, "nothing left behind (no bucket named %s*)\n", prefix)
	case yes:
		fmt.Fprintf(stdout, "%d buckets deleted; %d requests (%d retried)\n", deleted, res.Requests, res.Retries)
	default:
		fmt.Fprintf(stdout, "%d buckets left behind; keycontract sweep -yes deletes them\n", len(res.Buckets))
	}
	return 0
}
