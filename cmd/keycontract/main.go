// Command keycontract checks an endpoint against the Lightsail bucket access
// key contract, runs the reference emulator, and sweeps up what earlier runs
// left behind.
//
//	keycontract run   [flags]   run the checks against a target (no -endpoint: the embedded emulator)
//	keycontract serve [flags]   run the reference emulator on an address
//	keycontract sweep [flags]   list buckets and keys that earlier runs left behind; -yes deletes them
//	keycontract bind  -spec FILE [-json]   infer a binding for a description and print it
//
// Exit status: 0 every check that ran passed; 1 at least one check failed;
// 2 the run could not be made (bad flags or document, unreachable endpoint,
// unusable bucket), with the reason in one line on stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const usage = `keycontract: contract tests and fuzzing for the Lightsail bucket access key API

Usage:
  keycontract run   [flags]   run the checks against a target (no -endpoint: the embedded emulator)
  keycontract serve [flags]   run the reference emulator on an address
  keycontract sweep [flags]   list buckets and keys that earlier runs left behind; -yes deletes them
  keycontract bind  -spec FILE [-json]   infer a binding for a description and print it

Run 'keycontract COMMAND -h' for a command's flags.

Exit status: 0 all checks that ran passed, 1 a check failed, 2 the run could not be made.
`

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr, tuning{}))
}

// tuning holds the settings of a run that no flag sets: the command uses
// the defaults (the zero tuning); the CLI's tests bound shrinking, so that
// a run against a faulty emulator stays quick.
type tuning struct {
	shrinkTime time.Duration // contract.Target.ShrinkTime (0: its default)
}

// dispatch runs a subcommand and returns the exit status. It never panics:
// a panic is reported as exit 2 in one line.
func dispatch(args []string, stdout, stderr io.Writer, tune tuning) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "keycontract: internal error: %v\n", p)
			code = 2
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runCmd(args[1:], stdout, stderr, tune)
	case "serve":
		return serveCmd(args[1:], stdout, stderr)
	case "sweep":
		return sweepCmd(args[1:], stdout, stderr)
	case "bind":
		return bindCmd(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "keycontract: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// parseFlags parses a command's flags. The flag package would print its
// error and the whole usage on stderr; exit 2 must say why in one line
// (prefixed with prefix, as fail does), and -h is asked-for output on
// stdout. done reports that the command must return code at once.
func parseFlags(fs *flag.FlagSet, prefix string, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return 0, true
		}
		return failWith(stderr, prefix, fmt.Errorf("%v (see %s -h)", err, fs.Name())), true
	}
	if fs.NArg() > 0 {
		return failWith(stderr, prefix, fmt.Errorf("unexpected argument %q (see %s -h)", fs.Arg(0), fs.Name())), true
	}
	return 0, false
}

// failWith prints the one-line reason for exit status 2.
func failWith(stderr io.Writer, prefix string, err error) int {
	fmt.Fprintf(stderr, "%s: %s\n", prefix, strings.ReplaceAll(err.Error(), "\n", "; "))
	return 2
}
