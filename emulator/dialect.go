package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// A dialect is everything the emulator knows about one way of speaking the
// API: its wire (how a request names its operation and input, how results
// and errors are written, with its own error mapping), its names, the
// SigV4 service its requests are signed for, where a response carries its
// request id, and where its behaviour differs from the others'.
//
// Shared code (the store, the operations, the faults, SigV4 verification,
// the race barrier) asks the server's dialect and never names one. A
// dialect lives in its own files, dialect_<name>*.go (two of them share
// the RPC wire of wire_rpc.go), and joins the registry below with one
// line. A dialect's data plane (the S3 subset for buckets, the caller's
// identity for users; docs/DESIGN.md, "The key works: the data plane")
// belongs here too, when there is one, as one more thing a dialect knows.
type dialect struct {
	// name is the Options.Dialect value that chooses the dialect.
	name string
	// wire builds the dialect's wire for a server's normalized options
	// (some wires depend on them: a region in resource names, how a form
	// is read).
	wire func(Options) wire
	// inputs is each operation's input shape, for validation. Members an
	// operation does not declare are ignored: validation drops them.
	inputs map[string][]member
	// labels name the input map's members in messages, where the wire
	// names them otherwise (nil: as they are).
	labels map[string]string
	// actions name the store's operations in log lines, where the wire
	// names them otherwise (nil: as they are).
	actions map[string]string
	// entity is what the dialect calls a bucket in messages.
	entity string
	// validName reports whether a name is a well-formed bucket name.
	validName func(string) bool
	// opaqueNames is set when a well-formed name may be any word (a
	// secret sent as a name, even): messages and log lines then name
	// only a bucket that exists (or was just deleted).
	opaqueNames bool
	// deleteConflict is DeleteBucket's message for a bucket that still
	// holds keys.
	deleteConflict string
	// pagesLists is set when the lists page: GetBuckets and
	// GetBucketAccessKeys answer at most a page of MaxItems (and
	// Options.PageSize) items, with a Marker for the next (pages.go).
	pagesLists bool
	// readsForms is set when requests are forms, whose undecodable
	// escapes the reading faults read otherwise (reading_faults.go).
	readsForms bool
	// signingService is the SigV4 service requests are signed for.
	signingService string
	// requestIDHeader carries every response's request id.
	requestIDHeader string
	// createdKey is where a create success holds the new key, for the
	// redaction faults to corrupt (redaction_faults.go).
	createdKey keyForm
	// mediaSynonyms map each content type the wire writes to another
	// spelling of the same media type, for fault media-type-synonym.
	mediaSynonyms map[string]string
	// data is the dialect's data plane (data.go): how the keys it issues
	// are used; nil for none.
	data *dataPlane
}

// dialects is the registry: every dialect the emulator serves, the first
// the default. A dialect is its own files and one line here.
var dialects = []*dialect{
	awsDialect,
	envelopeDialect,
	restDialect,
	iamDialect,
}

// dialectNamed returns the registered dialect called name; "" is the
// default.
func dialectNamed(name string) (*dialect, error) {
	if name == "" {
		return dialects[0], nil
	}
	names := make([]string, len(dialects))
	for i, d := range dialects {
		if d.name == name {
			return d, nil
		}
		names[i] = d.name
	}
	return nil, fmt.Errorf("emulator: unknown dialect %q (want %s)", name, orList(names))
}

// Dialects are the names of the emulator's dialects, in registry order (the
// first is the default).
func Dialects() []string { return dialectsWhere(func(*dialect) bool { return true }) }

// orList joins names as "a, b, c or d".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// dialectsWhere lists, in registry order, the names of the dialects for
// which has is true.
func dialectsWhere(has func(*dialect) bool) []string {
	var out []string
	for _, d := range dialects {
		if has(d) {
			out = append(out, d.name)
		}
	}
	return out
}

// onlyWhere says, for a fault that has an effect only in some dialects,
// which: those that have what it changes.
var onlyWhere = map[Fault]func(*dialect) bool{
	FaultListIgnoresPageSize:  pagesLists,
	FaultAcceptOutOfRange:     pagesLists,
	FaultFormSkipsUndecodable: readsForms,
	FaultFormKeepsEscapes:     readsForms,
	FaultFormNamePercent:      readsForms,
	// The other data-plane faults bend what every plane does, and every
	// dialect has a plane (TestEveryDialectIsComplete).
	FaultKeyAnyBucket: opens(opensBucket),
	FaultKeyWrongUser: opens(opensUser),
}

func pagesLists(d *dialect) bool { return d.pagesLists }
func readsForms(d *dialect) bool { return d.readsForms }

// opens is true of the dialects whose data plane's keys open what.
func opens(what string) func(*dialect) bool {
	return func(d *dialect) bool { return d.data != nil && d.data.opens == what }
}

// Dialects are the names of the dialects in which the fault changes
// anything, in the registry's order: nil for every dialect. A fault
// outside its dialects is accepted and has no effect.
func (f Fault) Dialects() []string {
	has, ok := onlyWhere[f]
	if !ok {
		return nil
	}
	return dialectsWhere(has)
}

// In reports whether the fault has an effect in the dialect called name.
func (f Fault) In(name string) bool {
	ds := f.Dialects()
	return ds == nil || slices.Contains(ds, name)
}

// label is how messages name the input member name.
func (d *dialect) label(name string) string {
	if l, ok := d.labels[name]; ok {
		return l
	}
	return name
}

// action is how log lines name the store's operation op.
func (d *dialect) action(op string) string {
	if a, ok := d.actions[op]; ok {
		return a
	}
	return op
}
