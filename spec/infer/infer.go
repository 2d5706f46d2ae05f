// Package infer finds a binding (spec.Binding) in an OpenAPI description
// that carries none: which operations create, list and delete keys under
// which parent, where the names and ids go, where the secret comes back,
// how errors are read and what wire the document speaks.
//
// Every role is scored over every operation with lexical evidence (words
// of the operation's name and path, its verb or method) and structural
// evidence (a success body with a secret-like string member, a list whose
// items share the created key's members without its secret, a delete that
// takes the key's id, paths nested under the parent's parameter). The best
// candidate wins only when no other comes within Margin points: otherwise
// the role is ambiguous, and Result.Err says so, naming both.
//
// The key roles are chosen together (family.go): each createKey candidate
// is judged with the list, delete and parent it implies, so in a whole API
// the key family wins over other operations that return a secret (key
// pairs, service passwords) when its list shares the created key's members
// without the secret, its delete takes the key's id, and its operations
// share a parent that another create makes. GET and POST variants of one
// AWS query action are one operation (preferred). Result.Margins gives each
// role's winner and nearest rival with both scores. How each list pages
// (Binding.Pages) is inferred from its shapes too (pages.go), and where the
// keys are used (Binding.Data, data.go).
//
// Known limits: scores are heuristics over names and shapes. Two families
// that differ only in words (IAM's access keys and service-specific
// credentials are the same shape) are told apart by the words of their
// names ("access key" over "credential") and by what else the create
// requires; where nothing tells them apart the role is ambiguous.
package infer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// Note is one inferred field: its value, the reason in one line, and the
// runner-up where there was one.
type Note struct {
	Field    string // "operations.createKey", "response.keySecret", ...
	Value    string
	Reason   string
	RunnerUp string
	// For a scored role: the winner's score, and the nearest rival's
	// operationId and score ("" when none scored).
	Score      float64
	Rival      string
	RivalScore float64
	RivalWhy   string // why the rival could not play the role, if it could not
	scored     bool
	// Unstated: the description cannot state this field; the value is a
	// default or an assumption, for -binding to correct (see Unstated).
	Unstated bool
}

// Candidate is an operation considered for an ambiguous role.
type Candidate struct {
	OperationID string
	Route       string
	Reason      string
	Score       float64
}

// Problem is a role (or field) inference could not settle.
type Problem struct {
	Field      string
	Ambiguous  bool // two candidates too close; else the document cannot express it
	Message    string
	Candidates []Candidate
}

// Result is an inferred binding and how it was found.
type Result struct {
	Binding  spec.Binding
	Notes    []Note
	Problems []Problem
	// Routes maps each role to how its operation is addressed, for the
	// per-role lines of run.
	Routes map[spec.Role]string
}

// ErrAmbiguous marks a role with two close candidates, and ErrMissing one
// the document cannot express.
var (
	ErrAmbiguous = errors.New("ambiguous binding")
	ErrMissing   = errors.New("the description cannot express the binding")
)

// Err joins the problems, one line each; nil when there are none.
func (r *Result) Err() error {
	var errs []error
	for _, p := range r.Problems {
		kind := ErrMissing
		if p.Ambiguous {
			kind = ErrAmbiguous
		}
		msg := p.Message
		if len(p.Candidates) > 0 {
			var cs []string
			for _, c := range p.Candidates {
				cs = append(cs, fmt.Sprintf("%s = %s (%s)", c.OperationID, c.Route, c.Reason))
			}
			msg += ": " + strings.Join(cs, " or ")
		}
		errs = append(errs, fmt.Errorf("%w: %s: %s", kind, p.Field, msg))
	}
	return errors.Join(errs...)
}

// Note returns the note of a field.
func (r *Result) Note(field string) (Note, bool) {
	for _, n := range r.Notes {
		if n.Field == field {
			return n, true
		}
	}
	return Note{}, false
}

func (r *Result) note(field, value, reason string, runnerUp ...string) {
	n := Note{Field: field, Value: value, Reason: reason}
	if len(runnerUp) > 0 {
		n.RunnerUp = runnerUp[0]
	}
	r.Notes = append(r.Notes, n)
}

// Load parses a description and binds it: with its x-keycontract extension
// or a complete overlay as spec.Load does, else with an inferred binding
// that the overlay, when given, completes field by field. res is nil when
// nothing was inferred.
func Load(ctx context.Context, name string, data, overlay []byte) (doc *spec.Document, res *Result, err error) {
	t, err := spec.Parse(ctx, name, data)
	if err != nil {
		return nil, nil, err
	}
	if overlay == nil && spec.HasExtension(t) {
		doc, err := spec.Load(ctx, name, data, nil)
		return doc, nil, err
	}
	if overlay != nil {
		raw, err := spec.OverlayJSON(overlay)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if b, err := spec.ParseBinding(raw); err == nil && b.Validate() == nil {
			doc, err := spec.LoadBound(name, t, b)
			return doc, nil, err
		}
	}
	res, err = Infer(t, overlay)
	if err != nil {
		return nil, res, fmt.Errorf("%s: %w", name, err)
	}
	if err := res.Err(); err != nil {
		return nil, res, fmt.Errorf("%s: %w", name, err)
	}
	doc, err = spec.LoadBound(name, t, res.Binding)
	return doc, res, err
}

// Infer infers a binding for t. overlay (YAML or JSON, may be nil) names
// fields the user chose: they are kept, and roles it names are not scored.
// Problems are in the Result, not the error, which is only for a malformed
// overlay.
func Infer(t *openapi3.T, overlay []byte) (*Result, error) {
	var ov spec.Binding
	var ovJSON []byte
	if overlay != nil {
		var err error
		if ovJSON, err = spec.OverlayJSON(overlay); err != nil {
			return nil, err
		}
		if ov, err = spec.MergeBinding(spec.Binding{}, ovJSON); err != nil {
			return nil, err
		}
	}
	r := &Result{Routes: map[spec.Role]string{}}
	b := &r.Binding
	b.Operations = map[spec.Role]string{}
	rules := newWireRules()
	ops := collect(t, rules)
	if len(ops) == 0 {
		r.Problems = append(r.Problems, Problem{Field: "operations", Message: "the description has no operation with an operationId"})
		return r, nil
	}
	x := &inference{r: r, t: t, ops: ops, ov: ov, rules: rules}
	x.roles()
	if len(r.Problems) == 0 {
		x.wire()
		x.pointers()
		x.success()
		x.errors()
		x.serverCodes()
		x.request()
		x.pages()
		x.data()
	}
	if ovJSON != nil {
		merged, err := spec.MergeBinding(*b, ovJSON)
		if err != nil {
			return nil, err
		}
		*b = merged
	}
	if b.Limit == 0 {
		b.Limit = spec.DefaultLimit
		r.note("limit", "2", "the contract's default; no description states a key limit the harness can read")
		r.Notes[len(r.Notes)-1].Unstated = true
	}
	return r, nil
}

// inference holds the state of one Infer.
type inference struct {
	r          *Result
	t          *openapi3.T
	ops        []*op
	ov         spec.Binding
	chosen     map[spec.Role]*cand
	pending    map[spec.Role]Note // scores for the next take, see margin
	p          parent
	rules      []wireRule // newWireRules, the operations' rules
	rule       wireRule   // createKey's: the binding's protocol
	pseudoErrs bool
}

func (x *inference) roles() {
	x.chosen = map[spec.Role]*cand{}
	ops := preferred(x.rules, x.ops)
	ck := x.chooseKey(ops)
	if ck == nil {
		return
	}
	if ck.obj == nil { // named by the overlay: find its key object anyway
		for _, c := range scoreCreateKey([]*op{ck.op}) {
			ck.ptr, ck.obj, ck.secret = c.ptr, c.obj, c.secret
		}
		if ck.obj == nil {
			ck.obj = ck.op.success
		}
	}
	lk := x.choose(spec.ListKeys, scoreListKeys(ops, ck))
	dk := x.choose(spec.DeleteKey, scoreDeleteKey(ops, ck))
	if lk == nil || dk == nil {
		return
	}
	var why string
	x.p, why = findParent(ck.op, lk.op, dk.op)
	if name := strings.TrimPrefix(x.ov.Request.Bucket, "/"); name != "" {
		x.p.member, why = name, "named by -binding"
	}
	if x.p.member == "" {
		x.r.Problems = append(x.r.Problems, Problem{Field: "request.bucket", Message: ck.op.id + " takes no member that could name the parent resource"})
		return
	}
	x.r.Binding.Request.Bucket = pointer(x.p.member)
	x.r.note("request.bucket", x.r.Binding.Request.Bucket, why)
	for _, role := range []spec.Role{spec.CreateBucket, spec.DeleteBucket, spec.ListBuckets} {
		c := x.choose(role, scoreParentOps(ops, role, x.p))
		if c == nil || role == spec.ListBuckets {
			continue
		}
		// One pointer names the parent in every request: an operation that
		// calls it otherwise cannot be bound.
		if _, ok := c.op.input[x.p.member]; !ok {
			x.r.Problems = append(x.r.Problems, Problem{Field: "request.bucket", Message: fmt.Sprintf(
				"%s takes no %s, which the key operations use for the %s: the binding has one pointer for it (rename in the description, or bind by hand)", c.op.id, x.p.member, strings.Join(x.p.nouns, " "))})
		}
	}
}
