package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/keycontract/keycontract/emulator"
)

const serveUsage = `Usage: keycontract serve [flags]

Run the reference emulator of the Lightsail bucket access key API on an
address, in the aws dialect (the real Lightsail wire), the envelope
dialect (the seed's envelope over the same RPC wire), the rest dialect
(the envelope over resource paths under /v1/buckets) or the iam dialect
(IAM user access keys over the AWS query wire: form-encoded POST /, XML
responses; a user is a bucket). It prints two lines to stdout,

  keycontract serve: listening on http://ADDR (dialect D)
  keycontract serve: data plane on http://DATA (...)

then logs one line per request to stderr (method, operation, status,
duration, bucket; never a secret, token, signature or Authorization
header). SIGINT or SIGTERM shuts it down gracefully, exit 0.

The data plane is where the keys it issues work (docs/DESIGN.md, "The
key works: the data plane"). For aws, envelope and rest it is an S3
subset (ListObjectsV2, PutObject, GetObject; path-style,
http://DATA/{bucket}, SigV4 service s3) on a listener of its own
(-data-addr), and every bucket object the API returns carries its url
there; each key opens its own bucket only. For iam it is the IAM
endpoint itself: GetUser, signed with a user's key, names that user.

Secrets are never taken from flags: SigV4 credentials come from the
environment (-credentials-env), a bearer token from a named variable
(-token-env).

Flags:
`

const serveExamples = `
Examples:
  keycontract serve -addr 127.0.0.1:8080
  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=... keycontract serve -credentials-env
  KC_TOKEN=... keycontract serve -dialect envelope -token-env KC_TOKEN
  KC_TOKEN=... keycontract serve -dialect rest -token-env KC_TOKEN
  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=... keycontract serve -dialect iam -credentials-env
  keycontract serve -fault no-key-limit -fault secret-in-list
  keycontract serve -addr 127.0.0.1:8080 -data-addr 127.0.0.1:8081
  keycontract serve -fault key-late -fault-delay 5s
  keycontract serve -fault list

Exit status: 0 after a clean shutdown (or -h, -fault list); 2 for bad flags,
an unknown fault or an address (-addr, -data-addr) that cannot be listened on.
`

// serveOptions are the parsed flags of serve.
type serveOptions struct {
	addr, dataAddr, dialect, region, tokenEnv string
	credentialsEnv                            bool
	latency, raceHold, faultDelay             time.Duration
	throttle                                  int
	faults                                    faultFlag
}

// faultFlag is the repeatable -fault flag; "list" asks for the catalogue.
type faultFlag struct {
	faults []emulator.Fault
	list   bool
}

func (f *faultFlag) String() string {
	names := make([]string, len(f.faults))
	for i, x := range f.faults {
		names[i] = string(x)
	}
	return strings.Join(names, ",")
}

func (f *faultFlag) Set(v string) error {
	if v == "list" {
		f.list = true
		return nil
	}
	x, err := emulator.ParseFault(v)
	if err != nil {
		return errors.New("unknown fault (run keycontract serve -fault list)")
	}
	f.faults = append(f.faults, x)
	return nil
}

func serveFlags(o *serveOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("keycontract serve", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free port)")
	fs.StringVar(&o.dataAddr, "data-addr", "",
		"serve the S3 data plane (aws, envelope, rest) on `HOST:PORT` (default: -addr's host, a free port)")
	fs.StringVar(&o.dialect, "dialect", emulator.Dialects()[0], "wire dialect: `aws|envelope|rest|iam`")
	fs.StringVar(&o.region, "region", emulator.DefaultRegion, "SigV4 `region` requests must be signed for")
	fs.BoolVar(&o.credentialsEnv, "credentials-env", false,
		"verify SigV4 signatures (service lightsail; iam with -dialect iam) against AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment")
	fs.StringVar(&o.tokenEnv, "token-env", "",
		"require \"Authorization: Bearer <token>\", the token read from environment variable `NAME`")
	fs.DurationVar(&o.latency, "latency", 0, "add this `duration` to every request")
	fs.DurationVar(&o.raceHold, "race-hold", emulator.DefaultRaceHold,
		"with -fault limit-race: how long a create for a bucket's last free slot waits for racing creates before it goes through alone")
	fs.DurationVar(&o.faultDelay, "fault-delay", emulator.DefaultFaultDelay,
		"with -fault key-late or revoke-late: how long a new key takes to work, or a deleted one keeps working")
	fs.IntVar(&o.throttle, "throttle", 0, "answer this `percent` (0-100) of requests with the throttling error")
	fs.Var(&o.faults, "fault", "inject a named fault (`NAME`, repeatable); -fault list prints them")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, serveUsage)
		fs.PrintDefaults()
		fmt.Fprint(out, serveExamples)
	}
	return fs
}

// serveCmd is "keycontract serve". It returns the exit status.
func serveCmd(args []string, stdout, stderr io.Writer) int {
	var o serveOptions
	fs := serveFlags(&o)
	if code, done := parseFlags(fs, "keycontract serve", args, stdout, stderr); done {
		return code
	}
	if o.faults.list {
		for _, f := range emulator.Faults() {
			fmt.Fprintf(stdout, "%-26s %s\n", f, f.Description())
		}
		return 0
	}
	errOut := &lockedWriter{w: stderr}
	opts, err := o.emulatorOptions(os.Getenv, errOut)
	if err != nil {
		return serveFail(stderr, err)
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return serveFail(stderr, err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return serveFail(stderr, fmt.Errorf("cannot listen on %s: %v", o.addr, err))
	}
	var data net.Listener
	if srv.DataHandler() != nil {
		addr := o.dataAddr
		if addr == "" {
			host, _, _ := net.SplitHostPort(ln.Addr().String())
			addr = net.JoinHostPort(host, "0")
		}
		if data, err = net.Listen("tcp", addr); err != nil {
			ln.Close()
			return serveFail(stderr, fmt.Errorf("cannot listen on %s (-data-addr): %v", addr, err))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveOn(ctx, ln, data, srv, stdout, errOut)
}

// emulatorOptions turns the flags and environment into emulator options.
// Secrets come only from the environment and are never printed.
func (o *serveOptions) emulatorOptions(getenv func(string) string, logTo io.Writer) (emulator.Options, error) {
	opts := emulator.Options{
		Dialect:         o.dialect,
		Region:          o.region,
		Latency:         o.latency,
		RaceHold:        o.raceHold,
		FaultDelay:      o.faultDelay,
		ThrottlePercent: o.throttle,
		Faults:          o.faults.faults,
		Log:             logTo,
	}
	if !slices.Contains(emulator.Dialects(), o.dialect) {
		return opts, fmt.Errorf("-dialect %q: want %s", o.dialect, strings.Join(emulator.Dialects(), ", "))
	}
	if o.throttle < 0 || o.throttle > 100 {
		return opts, fmt.Errorf("-throttle %d: want a percentage 0-100", o.throttle)
	}
	if o.latency < 0 {
		return opts, errors.New("-latency: want a non-negative duration")
	}
	if o.raceHold < 0 {
		return opts, errors.New("-race-hold: want a non-negative duration")
	}
	if o.faultDelay < 0 {
		return opts, errors.New("-fault-delay: want a non-negative duration")
	}
	if o.credentialsEnv {
		id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return opts, errors.New("-credentials-env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set")
		}
		opts.Credentials = map[string]string{id: secret}
	}
	if o.tokenEnv != "" {
		opts.Token = getenv(o.tokenEnv)
		if opts.Token == "" {
			return opts, fmt.Errorf("-token-env %s: the environment variable is empty or unset", o.tokenEnv)
		}
	}
	if o.credentialsEnv && o.tokenEnv != "" {
		return opts, errors.New("-credentials-env and -token-env both use the Authorization header; choose one")
	}
	return opts, nil
}

// serveOn serves srv's API on api, and its data plane on data where the
// dialect has one of its own (data nil otherwise), until ctx ends, then
// shuts both down gracefully and returns 0. It returns 2 if serving
// fails. It prints where each plane is: the API's line first, then the
// data plane's.
func serveOn(ctx context.Context, api, data net.Listener, srv *emulator.Server, stdout, stderr io.Writer) int {
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(stderr, "keycontract serve: ", 0)}
	}
	servers := []*http.Server{newServer(srv)}
	listeners := []net.Listener{api}
	fmt.Fprintf(stdout, "keycontract serve: listening on http://%s (dialect %s)\n", api.Addr(), srv.Dialect())
	if data != nil {
		base := "http://" + data.Addr().String()
		srv.SetDataURL(base)
		servers = append(servers, newServer(srv.DataHandler()))
		listeners = append(listeners, data)
		fmt.Fprintf(stdout, "keycontract serve: data plane on %s (S3, path-style: %s/{bucket})\n", base, base)
	} else if srv.DataHandler() == nil {
		fmt.Fprintf(stdout, "keycontract serve: data plane on http://%s (GetUser as the caller, on the API endpoint)\n", api.Addr())
	}
	errc := make(chan error, len(servers))
	for i, hs := range servers {
		go func() { errc <- hs.Serve(listeners[i]) }()
	}
	code := 0
	select {
	case err := <-errc:
		code = serveFail(stderr, fmt.Errorf("serving: %v", err))
	case <-ctx.Done():
		fmt.Fprintln(stderr, "keycontract serve: shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range servers {
		if err := hs.Shutdown(sctx); err != nil {
			_ = hs.Close()
		}
	}
	return code
}

// serveFail prints the one-line reason for exit status 2.
func serveFail(stderr io.Writer, err error) int { return failWith(stderr, "keycontract serve", err) }

// lockedWriter serializes writes from the request log and the HTTP
// server's error log.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
