package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/keycontract/keycontract/internal/rapidsettings"
	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

func bindCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keycontract bind", flag.ContinueOnError)
	specFile := fs.String("spec", "", "the OpenAPI `FILE` (YAML or JSON) to infer a binding for")
	asJSON := fs.Bool("json", false, `print {"x-keycontract": BINDING} as JSON instead of the commented YAML overlay`)
	partial := fs.String("binding", "", "a partial overlay `FILE`: the fields it names are kept (e.g. operations: {listKeys: ListTheKeys}), the rest is inferred")
	verbose := fs.Bool("v", false, "also print, on stderr, each role's winner and nearest rival with both scores")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: keycontract bind -spec FILE [-json] [-binding PARTIAL] [-v]

Infers the binding the checks need from the description alone: which
operations create, list and delete keys and their parent resource
(createKey, listKeys, deleteKey, createBucket, deleteBucket, listBuckets),
where the parent's name and the key id go in requests, where the key, its
id, secret, status and timestamp are in responses, how the error code is
read and which codes mean which situation, and the wire (a target header,
a form Action member, or each operation's method and path).

It prints the binding as an overlay file with a comment giving the reason
for each choice and the runner-up; save it, check it, and pass it to
'keycontract run -spec FILE -binding OVERLAY'. A document's own
x-keycontract extension is ignored here: bind always infers. On stderr it
prints one line per role with its reason, and names what the description
cannot state (the key limit, a required set-up value such as Lightsail's
bundle id): give those in the partial overlay.

The roles are chosen together: a key create is judged with the list, the
delete and the parent it implies (the list returns the created key's
members without its secret, the delete takes its id, the key operations
share the parent member, another create makes the parent), so other
operations that return a secret (key pairs, service passwords) lose to
the key family.

When two operations fit a role about equally well, bind names both with
their reasons and exits 2: pick one with a partial overlay, e.g.
  operations: {listKeys: ListBucketKeys}
passed with -binding; every field it names is kept and the rest inferred.
When the description has no operation for a role (no delete, say) bind says
so and exits 2.

'keycontract run -spec FILE' with no extension and no -binding infers the
binding the same way and prints one line per role before it runs.

Exit status: 0 the binding was printed; 2 bad flags, an unreadable
description, an ambiguous role or one the description cannot express (the
reason on stderr).

Flags:
`)
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, "keycontract bind", args, stdout, stderr); done {
		return code
	}
	fail := func(err error) int { return failWith(stderr, "keycontract bind", err) }
	if *specFile == "" {
		return fail(errors.New("-spec FILE is required (see keycontract bind -h)"))
	}
	data, err := os.ReadFile(*specFile)
	if err != nil {
		return fail(err)
	}
	var overlay []byte
	if *partial != "" {
		if overlay, err = os.ReadFile(*partial); err != nil {
			return fail(err)
		}
	}
	t, err := spec.Parse(context.Background(), *specFile, data)
	if err != nil {
		return fail(err)
	}
	delete(t.Extensions, spec.ExtensionName)
	res, err := infer.Infer(t, overlay)
	if err != nil {
		return fail(err)
	}
	if err := res.Err(); err != nil {
		for _, line := range res.Lines() {
			fmt.Fprintf(stderr, "keycontract bind: inferred %s\n", line)
		}
		for _, p := range res.Problems {
			fmt.Fprintln(stderr, "keycontract bind: "+(&infer.Result{Problems: []infer.Problem{p}}).Err().Error())
		}
		return 2
	}
	// The binding must load: the same check run makes.
	rapidsettings.Use(func() { _, err = spec.LoadBound(*specFile, t, res.Binding) })
	if err != nil {
		return fail(err)
	}
	for _, line := range slices.Concat(res.Lines(), res.PageLines(), res.DataLines()) {
		fmt.Fprintf(stderr, "keycontract bind: %s\n", line)
	}
	for _, line := range res.Unstated() {
		fmt.Fprintf(stderr, "keycontract bind: cannot infer from the description: %s\n", line)
	}
	if *verbose {
		fmt.Fprintf(stderr, "keycontract bind: margins (winner, nearest rival, scores; createKey's are its family's):\n%s", res.MarginTable())
	}
	var out []byte
	if *asJSON {
		out, err = res.JSON()
	} else {
		out, err = res.YAML(*specFile)
	}
	if err != nil {
		return fail(err)
	}
	_, err = stdout.Write(out)
	if err != nil {
		return fail(err)
	}
	return 0
}
