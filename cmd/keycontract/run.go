package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/internal/rapidsettings"
	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runOptions are the parsed flags of run, as docs/DESIGN.md fixes them.
type runOptions struct {
	endpoint, dialect, specFile, binding, region, profile string
	buckets, headers                                      listFlag
	sign, signSet                                         bool
	checks                                                string
	seed                                                  int64
	sequences, steps                                      int
	jsonFile, junitFile, htmlFile, vizFile                string
	recordDir, replayDir                                  string
	timeout, settle                                       time.Duration
	settleSet                                             bool
	rate                                                  float64
	parallel                                              int
	dataEndpoint                                          string
	propagation, revocation                               time.Duration
	propagationSet, revocationSet                         bool
}

func runFlags(o *runOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("keycontract run", flag.ContinueOnError)
	targetFlags(fs, o, "the target's base `URL`; absent: start the embedded emulator in-process")
	fs.Var(&o.buckets, "bucket", "use this existing bucket `NAME` instead of creating one (repeatable); keys the run did not create are never deleted")
	fs.StringVar(&o.checks, "checks", "", "run only these check `IDs`, comma-separated: "+strings.Join(check.Names(), ","))
	fs.Int64Var(&o.seed, "seed", 0, "seed for every random choice (0: pick one; the report prints it)")
	fs.IntVar(&o.sequences, "sequences", 0, "number of property-based sequences (0: the default)")
	fs.IntVar(&o.steps, "steps", 0, "steps per sequence (0: the default)")
	fs.IntVar(&o.parallel, "parallel", contract.DefaultParallel, "how many pieces of independent work send at once: the fixed scenarios (one after another), invalid-input's key cases in a bucket of their own, and the property-based sequences, each in buckets of its own (1: one request at a time, as before; with -bucket, on amazonaws.com for buckets, and with -record or -replay the run is one request at a time: see README)")
	fs.StringVar(&o.jsonFile, "json", "", "write the JSON report to `FILE`")
	fs.StringVar(&o.junitFile, "junit", "", "write the JUnit XML report to `FILE`")
	fs.DurationVar(&o.settle, "settle", 0, "how long a new key may take to appear in a list (default 0, or 5s on amazonaws.com)")
	fs.StringVar(&o.recordDir, "record", "", "write every exchange of the run, redacted, to `DIR`")
	fs.StringVar(&o.replayDir, "replay", "", "run against the recording in `DIR` instead of an endpoint")
	fs.StringVar(&o.htmlFile, "html", "", "write the self-contained HTML compatibility report to `FILE`")
	fs.StringVar(&o.vizFile, "viz", "", "write porcupine's visualisation of the concurrent history to `FILE`")
	fs.StringVar(&o.dataEndpoint, "data-endpoint", "", "the data plane's `URL`: for buckets a path-style S3 base, or a URL with {bucket} in it (it wins over a bucket's url); for IAM users an STS endpoint")
	fs.DurationVar(&o.propagation, "propagation", 0, "how long a new key may take to work on the data plane (default 0, or 30s on amazonaws.com; 0: the first use decides)")
	fs.DurationVar(&o.revocation, "revocation", 0, "how long a deleted key may keep working on the data plane (default 0, or 60s on amazonaws.com; 0: the first use decides)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: keycontract run [flags]

Runs every check (or those named by -checks) against -endpoint, or against
the embedded emulator when -endpoint is absent, and prints one row per check.
Check IDs: %s.

-record DIR writes every exchange, redacted, with what the run was, to DIR;
-replay DIR runs the same checks offline against it (the recording fixes the
seed, checks and sizes) and says whether every verdict matched; a request the
recording does not hold stops the replay (exit 2), naming the request.
-html FILE writes a self-contained report for publishing.

Exit status: 0 every check that ran passed; 1 a check failed; 2 the run could
not be made (bad flags or document, unreachable endpoint, unusable bucket, a
replay that does not match its recording).

Flags:
`, strings.Join(check.Names(), ", "))
		fs.PrintDefaults()
	}
	return fs
}

// targetFlags declares the flags that say which endpoint to talk to and
// how, shared by run and sweep so that both build their target with the
// same code (runOptions.target).
func targetFlags(fs *flag.FlagSet, o *runOptions, endpointHelp string) {
	fs.StringVar(&o.endpoint, "endpoint", "", endpointHelp)
	fs.StringVar(&o.dialect, "dialect", spec.DefaultDialect, "which bundled description to use: aws (awsJson1_1), envelope (the seed's envelope over a target header), rest (the envelope over resource paths), iam (IAM user access keys over AWS query)")
	fs.StringVar(&o.specFile, "spec", "", "use this OpenAPI `FILE` instead; its binding comes from its x-keycontract extension or -binding, else it is inferred (see keycontract bind -h)")
	fs.StringVar(&o.binding, "binding", "", "binding overlay `FILE` (YAML or JSON) for -spec; a partial one completes the inferred binding")
	fs.StringVar(&o.region, "region", "us-east-1", "signing region")
	fs.Var(&o.headers, "header", "extra header `'Name: value'` on every request, e.g. an auth token (repeatable); its value is never printed")
	fs.BoolVar(&o.sign, "sign", false, "sign requests with SigV4 from the AWS credential chain (default: on when the host ends in amazonaws.com)")
	fs.StringVar(&o.profile, "profile", "", "AWS shared-config profile to take credentials from")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.Float64Var(&o.rate, "rate", 0, "at most `N` requests per second (0: no cap)")
}

// iam reports whether the run is on IAM users: -dialect iam, or a
// description whose binding says so.
func (o *runOptions) iam() bool { return o.dialect == "iam" }

func runCmd(args []string, stdout, stderr io.Writer, tune tuning) int {
	var o runOptions
	fs := runFlags(&o)
	if code, done := parseFlags(fs, "keycontract", args, stdout, stderr); done {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.signSet, o.settleSet = set["sign"], set["settle"]
	o.propagationSet, o.revocationSet = set["propagation"], set["revocation"]
	ctx, stop := interruptible(stderr)
	defer stop()
	var (
		target   contract.Target
		shutdown = func() {}
		err      error
	)
	if o.replayDir != "" {
		target, err = o.replayTarget(ctx, set)
		target.Progress = stderr
	} else {
		target, shutdown, err = o.target(ctx, stderr)
		target.Record, target.RecordArgs = o.recordDir, recordArgs(fs)
	}
	if err != nil {
		return fail(stderr, err)
	}
	defer shutdown()
	target.ShrinkTime = tune.shrinkTime
	con := newConsole(stderr)
	target.Progress, target.Meter = con, con
	rep, runErr := contract.Check(ctx, target)
	if rep.Tool != "" {
		if err := writeReports(&o, &rep, stdout); err != nil {
			return fail(stderr, err)
		}
		if o.replayDir != "" && runErr == nil {
			compareVerdicts(stderr, &rep, o.replayDir)
		}
	}
	if rep.Cleanup != "" {
		fmt.Fprintf(stderr, "keycontract: %s\n", rep.Cleanup)
	}
	switch {
	case runErr != nil && ctx.Err() != nil:
		// The error is only the request the interrupt stopped.
		return fail(stderr, errors.New("interrupted: the run was stopped before its end"))
	case runErr != nil:
		return fail(stderr, runErr)
	case rep.Failed():
		return 1
	}
	return 0
}

// fail prints the one-line reason for exit status 2.
func fail(stderr io.Writer, err error) int { return failWith(stderr, "keycontract", err) }

// interruptible cancels its context on the first SIGINT or SIGTERM, so that
// the run stops and cleans up; a second signal exits at once.
func interruptible(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sig; !ok {
			return
		}
		fmt.Fprintln(stderr, "keycontract: interrupted; cleaning up (interrupt again to exit at once)")
		cancel()
		if _, ok := <-sig; ok {
			fmt.Fprintln(stderr, "keycontract: interrupted twice; exiting without cleanup (run keycontract sweep)")
			os.Exit(2)
		}
	}()
	return ctx, func() { signal.Stop(sig); close(sig); cancel() }
}

// target builds the contract.Target from the flags; shutdown stops the
// embedded emulator, if one was started.
func (o *runOptions) target(ctx context.Context, stderr io.Writer) (contract.Target, func(), error) {
	t := contract.Target{
		Endpoint: o.endpoint, Dialect: o.dialect, Buckets: o.buckets, Seed: o.seed,
		Timeout: o.timeout, Rate: o.rate, Settle: o.settle, Progress: stderr, Parallel: o.parallel,
		Sequences: o.sequences, Steps: o.steps, VizFile: o.vizPath(), ReplayArgs: o.replayArgs(),
		DataEndpoint: o.dataEndpoint, Propagation: o.propagation, Revocation: o.revocation, Region: o.region,
	}
	nothing := func() {}
	if o.sequences < 0 || o.steps < 0 {
		return t, nothing, errors.New("-sequences and -steps must not be negative")
	}
	if o.parallel < 0 { // 0: sweep, which has no -parallel, and run's -parallel 0 alike take the default
		return t, nothing, fmt.Errorf("-parallel %d: want at least 1 (1: one request at a time)", o.parallel)
	}
	if !slices.Contains(spec.Dialects, o.dialect) {
		return t, nothing, fmt.Errorf("-dialect %q: want one of %s", o.dialect, strings.Join(spec.Dialects, ", "))
	}
	if o.checks != "" {
		for _, id := range strings.Split(o.checks, ",") {
			t.Checks = append(t.Checks, check.ID(strings.TrimSpace(id)))
		}
	}
	if o.timeout <= 0 {
		return t, nothing, fmt.Errorf("-timeout %v: want a positive duration", o.timeout)
	}
	headers, err := parseHeaders(o.headers)
	if err != nil {
		return t, nothing, err
	}
	t.Headers = headers
	if o.specFile != "" {
		doc, err := o.loadSpec(ctx, stderr)
		if err != nil {
			return t, nothing, err
		}
		t.Doc = doc
	} else if o.binding != "" {
		return t, nothing, errors.New("-binding needs -spec")
	}
	aws := false
	if o.endpoint != "" {
		u, err := url.Parse(o.endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return t, nothing, fmt.Errorf("-endpoint %q: want an http:// or https:// URL", o.endpoint)
		}
		aws = strings.HasSuffix(u.Hostname(), "amazonaws.com")
	}
	if !o.settleSet && aws {
		t.Settle = 5 * time.Second
	}
	if o.propagation < 0 || o.revocation < 0 {
		return t, nothing, errors.New("-propagation and -revocation must not be negative")
	}
	if o.dataEndpoint != "" {
		u, err := url.Parse(strings.NewReplacer("{bucket}", "b", "{region}", "r").Replace(o.dataEndpoint))
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return t, nothing, fmt.Errorf("-data-endpoint %q: want an http:// or https:// URL", o.dataEndpoint)
		}
	}
	// The data plane's windows (docs/DESIGN.md): real Lightsail and IAM
	// keys take a while to work and to die.
	if !o.propagationSet && aws {
		t.Propagation = 30 * time.Second
	}
	if !o.revocationSet && aws {
		t.Revocation = 60 * time.Second
	}
	// On a real account, sequences share the run's buckets: creating two
	// per sequence would be slow and run into the account's bucket quota.
	// IAM users are free and quick to make, so iam's sequences keep users
	// of their own there too (and run in parallel).
	t.SharedBuckets = aws && !o.iam()
	if o.sign || (!o.signSet && aws) {
		signer, err := loadSigner(ctx, o.region, o.profile)
		if err != nil {
			return t, nothing, err
		}
		t.Signer = signer
	}
	if o.endpoint != "" {
		return t, nothing, nil
	}
	dialect := o.dialect
	if t.Doc != nil && t.Doc.Binding.Dialect != "" {
		dialect = t.Doc.Binding.Dialect
	}
	stop, err := startEmbedded(ctx, &t, dialect)
	if err != nil {
		return t, nothing, err
	}
	return t, stop, nil
}

// loadSpec loads -spec with its binding: the document's x-keycontract, a
// complete -binding, or else one inferred from the document (completed by
// a partial -binding), whose roles it prints on stderr.
func (o *runOptions) loadSpec(ctx context.Context, stderr io.Writer) (*spec.Document, error) {
	data, err := os.ReadFile(o.specFile)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	var overlay []byte
	if o.binding != "" {
		if overlay, err = os.ReadFile(o.binding); err != nil {
			return nil, fmt.Errorf("binding: %w", err)
		}
	}
	// Loading generates values (a pattern's examples): see rapidsettings.
	var doc *spec.Document
	var res *infer.Result
	rapidsettings.Use(func() { doc, res, err = infer.Load(ctx, o.specFile, data, overlay) })
	if res != nil && err == nil {
		fmt.Fprintf(stderr, "keycontract: %s has no binding: inferred one (keycontract bind -spec %s prints it)\n", o.specFile, o.specFile)
		for _, line := range slices.Concat(res.Lines(), res.PageLines(), res.DataLines()) {
			fmt.Fprintf(stderr, "keycontract: %s\n", line)
		}
	}
	return doc, err
}

func parseHeaders(list []string) (map[string][]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	h := map[string][]string{}
	for _, raw := range list {
		name, value, ok := strings.Cut(raw, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("-header %q: want 'Name: value'", redactHeaderArg(raw))
		}
		key := textprotoKey(name)
		h[key] = append(h[key], strings.TrimSpace(value))
	}
	return h, nil
}

// redactHeaderArg keeps only the header name of a malformed -header for the
// error message: its value may be a token.
func redactHeaderArg(raw string) string {
	if name, _, ok := strings.Cut(raw, ":"); ok {
		return name + ": <redacted>"
	}
	if len(raw) > 12 {
		return raw[:4] + "..."
	}
	return "<redacted>"
}

func writeReports(o *runOptions, rep *contract.Report, stdout io.Writer) error {
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	write := func(path string, fn func(io.Writer) error) error {
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return f.Close()
	}
	if err := write(o.jsonFile, rep.WriteJSON); err != nil {
		return err
	}
	if err := write(o.htmlFile, rep.WriteHTML); err != nil {
		return err
	}
	return write(o.junitFile, rep.WriteJUnit)
}

// vizPath is where porcupine's visualisation goes: -viz FILE, or beside the
// -json report (report.json -> report.concurrent.html).
func (o *runOptions) vizPath() string {
	switch {
	case o.vizFile != "":
		return o.vizFile
	case o.jsonFile != "":
		return strings.TrimSuffix(o.jsonFile, filepath.Ext(o.jsonFile)) + ".concurrent.html"
	}
	return ""
}

// replayArgs are the flags that reach the same target again, for the replay
// lines of failures. Header values are never repeated.
func (o *runOptions) replayArgs() []string {
	var args []string
	add := func(name, value string) {
		if value != "" {
			args = append(args, name, shellQuote(value))
		}
	}
	add("-endpoint", o.endpoint)
	if o.dialect != spec.DefaultDialect {
		add("-dialect", o.dialect)
	}
	add("-spec", o.specFile)
	add("-binding", o.binding)
	if o.region != "us-east-1" {
		add("-region", o.region)
	}
	add("-data-endpoint", o.dataEndpoint)
	if o.propagationSet {
		add("-propagation", o.propagation.String())
	}
	if o.revocationSet {
		add("-revocation", o.revocation.String())
	}
	add("-profile", o.profile)
	for _, b := range o.buckets {
		add("-bucket", b)
	}
	for _, h := range o.headers {
		name, _, _ := strings.Cut(h, ":")
		add("-header", strings.TrimSpace(name)+": <value>")
	}
	if o.signSet && o.sign {
		args = append(args, "-sign")
	}
	return args
}

func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"$`\\<>|&;*?") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
