package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/internal/rapidsettings"
	"github.com/keycontract/keycontract/spec"
)

// fixedByRecording are the run flags a recording fixes: a replay takes
// them from the recording, and giving them is an error rather than a
// silently different run.
var fixedByRecording = []string{"endpoint", "bucket", "header", "sign", "profile", "region", "seed", "sequences", "steps", "checks", "rate", "settle",
	"data-endpoint", "propagation", "revocation"}

// replayTarget builds the target of -replay DIR: everything comes from the
// recording except the description, which is the bundled one the recording
// names, or -spec/-binding (by default those the recorded run was given).
func (o *runOptions) replayTarget(ctx context.Context, set map[string]bool) (contract.Target, error) {
	t := contract.Target{Replay: o.replayDir, Timeout: o.timeout, VizFile: o.vizPath()}
	if set["record"] {
		return t, fmt.Errorf("-record cannot be combined with -replay: a replay sends nothing new to record")
	}
	for _, name := range fixedByRecording {
		if set[name] {
			return t, fmt.Errorf("-%s cannot be combined with -replay: the recording fixes it", name)
		}
	}
	rec, err := contract.LoadRecording(o.replayDir)
	if err != nil {
		return t, err
	}
	specFile, binding := o.specFile, o.binding
	if specFile == "" && !set["dialect"] {
		specFile, binding = flagValue(rec.Meta.Args, "spec"), flagValue(rec.Meta.Args, "binding")
	}
	switch {
	case specFile != "":
		var doc *spec.Document
		var err error
		rapidsettings.Use(func() { doc, err = spec.LoadFile(ctx, specFile, binding) })
		if err != nil {
			return t, fmt.Errorf("the description of the recorded run: %w", err)
		}
		t.Doc = doc
	case set["dialect"]:
		t.Dialect = o.dialect
	default:
		t.Dialect = rec.Meta.Target.Dialect
	}
	t.ReplayArgs = []string{"-replay", shellQuote(o.replayDir)}
	return t, nil
}

// flagValue finds -name VALUE or -name=VALUE in recorded args.
func flagValue(args []string, name string) string {
	for i, a := range args {
		a = "-" + strings.TrimLeft(a, "-")
		switch {
		case a == "-"+name && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "-"+name+"="):
			return strings.TrimPrefix(a, "-"+name+"=")
		}
	}
	return ""
}

// recordArgs are the run's flags as a recording keeps them: -header values
// are never kept.
func recordArgs(fs *flag.FlagSet) []string {
	var args []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "header" {
			for _, h := range *f.Value.(*listFlag) {
				name, _, _ := strings.Cut(h, ":")
				args = append(args, "-header", strings.TrimSpace(name)+": <redacted>")
			}
			return
		}
		if lf, ok := f.Value.(*listFlag); ok {
			for _, v := range *lf {
				args = append(args, "-"+f.Name, v)
			}
			return
		}
		args = append(args, "-"+f.Name, f.Value.String())
	})
	return args
}

// compareVerdicts says on w whether a replay reached the recorded verdicts.
func compareVerdicts(w io.Writer, rep *contract.Report, replayDir string) {
	rec, err := contract.LoadRecording(replayDir)
	if err != nil {
		return
	}
	var diffs []string
	for _, c := range rep.Checks {
		if was, ok := rec.Meta.Verdicts[c.ID]; ok && was != c.Status {
			diffs = append(diffs, fmt.Sprintf("%s %s (recorded %s)", c.ID, c.Status, was))
		}
	}
	slices.Sort(diffs)
	if len(diffs) == 0 {
		fmt.Fprintf(w, "keycontract: replay reached the recorded verdict of every check\n")
		return
	}
	fmt.Fprintf(w, "keycontract: replay differs from the recording: %s\n", strings.Join(diffs, "; "))
}
