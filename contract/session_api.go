package contract

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/spec"
)

// Open sets up a run against t for code that drives its own requests, such
// as the property-based sequences of package fuzz: the buckets are created
// (or the given ones listed) and every key and bucket the run creates is
// tracked. Close deletes them all.
func Open(ctx context.Context, t Target) (*Session, error) {
	replay, err := openReplay(&t)
	if err != nil {
		return nil, err
	}
	if err := t.validate(); err != nil {
		return nil, &SetupError{err.Error()}
	}
	doc, err := t.document()
	if err != nil {
		return nil, &SetupError{err.Error()}
	}
	seed := t.Seed
	if seed == 0 {
		seed = mrand.Int64N(1<<31) + 1
	}
	s, err := newSession(&t, doc, seed)
	if err != nil {
		return nil, err
	}
	if err := s.startEvidence(replay); err != nil {
		return nil, err
	}
	if err := recovered("set-up", func() error { return s.setup(ctx) }); err != nil {
		s.safeCleanup()
		return nil, err
	}
	return &Session{s}, nil
}

// Close deletes everything the session created, then finishes its
// recording (without verdicts: a Go test has them) or checks that its
// replay asked for every recorded exchange.
func (x *Session) Close() error {
	err := x.s.safeCleanup()
	rep := Report{Started: time.Now().UTC(), Target: ReportTarget{Endpoint: x.s.t.Endpoint, Dialect: x.s.b.Dialect, Spec: x.s.doc.Name}}
	return errors.Join(err, x.s.finishEvidence(&rep, err))
}

// Doc is the description and binding the session runs with.
func (x *Session) Doc() *spec.Document { return x.s.doc }

// Target is the target the session runs against.
func (x *Session) Target() Target { return *x.s.t }

// ReplayCommand is the command line that reaches the same target with the
// same seed, followed by extra flags (for a replayed run: its -replay line).
func (x *Session) ReplayCommand(extra ...string) string { return x.s.replayCommand(extra...) }

// Seed is the run's seed.
func (x *Session) Seed() int64 { return x.s.seed }

// Buckets are the run's buckets: [A] or [A, B].
func (x *Session) Buckets() []string { return append([]string(nil), x.s.buckets...) }

// Foreign lists the keys bucket held before the run; they count towards the
// limit and are never deleted.
func (x *Session) Foreign(bucket string) []string {
	return append([]string(nil), x.s.foreign[bucket]...)
}

// MissingBucket is a well-formed bucket name that does not exist.
func (x *Session) MissingBucket() string { return x.s.missingBucket() }

// Selected reports whether check id is to run.
func (x *Session) Selected(id check.ID) bool { return x.s.t.selected(id) }

// Send sends a request the document's wire built (an Invalid's, say) to
// role's operation. The exchange is the caller's to judge: it stays out of
// the run's passive checks, but what it creates is still cleaned up.
func (x *Session) Send(ctx context.Context, role spec.Role, req spec.Request) (*Exchange, error) {
	return x.s.c.send(ctx, call{op: x.s.doc.Op(role), req: req, own: true})
}

// SendJSON sends role's operation with input (body members and
// parameters), encoded by the document's wire, as Send does.
func (x *Session) SendJSON(ctx context.Context, role spec.Role, input map[string]any) (*Exchange, error) {
	op := x.s.doc.Op(role)
	return x.s.c.send(ctx, call{op: op, req: x.s.doc.Encode(op, input), own: true})
}

// ListKeys lists bucket's keys, following every page (Binding.Pages), as
// SendJSON does: the exchanges (the first page's first) are the caller's
// to judge. ok is false when a page is not a success or holds no key list.
func (x *Session) ListKeys(ctx context.Context, bucket string) (exs []*Exchange, keys []spec.Key, ok bool, err error) {
	return x.ListKeysSized(ctx, bucket, 0)
}

// ListKeysSized is ListKeys asking for pages of size items where the
// binding says where a page size goes (pages.size); 0 asks for none.
func (x *Session) ListKeysSized(ctx context.Context, bucket string, size int) (exs []*Exchange, keys []spec.Key, ok bool, err error) {
	res := spec.Resources{Bucket: bucket}
	input := func() map[string]any { return x.s.listInput(spec.ListKeys, res, size) }
	first, err := x.SendJSON(ctx, spec.ListKeys, input())
	if err != nil {
		return nil, nil, false, err
	}
	exs = []*Exchange{first}
	keys, ok = x.s.b.ListedKeys(first.Reply)
	if !first.Reply.OK() || !ok {
		return exs, keys, false, nil
	}
	more, err := x.s.morePages(ctx, spec.ListKeys, input, first, x.SendJSON)
	exs = append(exs, more...)
	if err != nil {
		return exs, keys, false, err
	}
	for _, page := range more {
		pk, pok := x.s.b.ListedKeys(page.Reply)
		if !page.Reply.OK() || !pok {
			return exs, keys, false, nil
		}
		keys = append(keys, pk...)
	}
	return exs, keys, true, nil
}

// ListInput is the minimal input of role's list for res, with the page
// size size at the binding's pages.size when size > 0 and the binding
// names one: the first page's request of a list read page by page.
func (x *Session) ListInput(role spec.Role, res spec.Resources, size int) map[string]any {
	return x.s.listInput(role, res, size)
}

// Request builds the minimal body of role with res bound.
func (x *Session) Request(role spec.Role, res spec.Resources) map[string]any {
	return x.s.doc.Minimal(x.s.doc.Op(role), res)
}

// ShapeProblems judges one exchange on its own: success-envelope (a list
// page holding more items than its request's page size asked included),
// error-envelope, no-server-errors, and the limit in a list.
func (x *Session) ShapeProblems(ctx context.Context, ex *Exchange) []*Violation {
	return x.s.shapeProblems(ctx, ex)
}

// Code is the error code of a non-2xx reply.
func (x *Session) Code(ex *Exchange) string { return x.s.code(ex) }

// Is reports whether ex is a 4xx error of situation sit.
func (x *Session) Is(ex *Exchange, sit spec.Situation) bool { return x.s.is(ex, sit) }

// Outcome describes a reply for messages: "400 NotFoundException".
func (x *Session) Outcome(ex *Exchange) string { return x.s.outcome(ex) }

// Redact replaces every secret and credential the run has seen.
func (x *Session) Redact(s string) string { return x.s.red.String(s) }

// Record redacts an exchange for a report.
func (x *Session) Record(ex *Exchange) RecordedExchange { return ex.Record(x.s.red) }

// Fail records a violation of check, shown by exs.
func (x *Session) Fail(id check.ID, msg string, exs ...*Exchange) { x.s.fail(id, msg, exs...) }

// Skip marks check as skipped with a reason.
func (x *Session) Skip(id check.ID, reason string) { x.s.skip(id, reason) }

// Progress writes one progress line, when the target asked for them.
func (x *Session) Progress(format string, args ...any) { x.s.progress(format, args...) }

// SetVisualization keeps porcupine's HTML page of the concurrent history
// for the report (Report.Visualization).
func (x *Session) SetVisualization(page []byte) {
	x.s.mu.Lock()
	x.s.viz = page
	x.s.mu.Unlock()
}

// Settle is how long a new key may take to appear in a list.
func (x *Session) Settle() time.Duration { return x.s.t.Settle }

// Describe formats "Op(args) = got, want X" messages.
func Describe(op string, args []string, got, want string) string {
	return describe(op, args, got, want)
}

// Curl renders an exchange's request as a curl command with credentials
// left as placeholders and secrets redacted.
func (x *Session) Curl(ex *Exchange) string {
	rec := ex.Record(x.s.red)
	cmd := fmt.Sprintf("curl -sS -X %s '%s'", rec.Request.Method, rec.Request.URL)
	for _, k := range sortedKeys(rec.Request.Headers) {
		switch k {
		case "Content-Length", "Accept-Encoding", "User-Agent", "X-Amz-Date", "X-Amz-Content-Sha256":
			continue
		}
		cmd += fmt.Sprintf(" -H '%s: %s'", k, rec.Request.Headers[k])
	}
	return cmd + fmt.Sprintf(" --data-raw '%s'", rec.Request.Body)
}

// Adopt marks a bucket the endpoint created on the run's behalf (for
// example on a create to an unknown bucket) so that cleanup deletes it.
func (x *Session) Adopt(bucket string) { x.s.adopt(bucket) }

// Drove marks check id as driven in this run, by the caller.
func (x *Session) Drove(id check.ID) {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.ran[id] = true
	x.s.extended[id] = true
}

// FreshBucketNames reserves the names of two new buckets for the caller,
// named after the run so that sweep finds them; CreateBucket makes one when
// it is first needed and DropBuckets deletes them with their keys.
// Property-based sequences use them so that a fault that corrupts one
// sequence's state cannot leak into the next.
func (x *Session) FreshBucketNames() []string {
	x.s.mu.Lock()
	x.s.fresh++
	n := x.s.fresh
	x.s.mu.Unlock()
	return []string{fmt.Sprintf("%s%s-s%d-a", BucketPrefix, x.s.runID, n), fmt.Sprintf("%s%s-s%d-b", BucketPrefix, x.s.runID, n)}
}

// bucketCall sends a minimal request for a caller's fresh bucket. Its
// exchange stays out of the run's log, so that a long search holds no
// memory per sequence; its shape is judged on the spot instead (at most
// maxPerCheck violations per check).
func (x *Session) bucketCall(ctx context.Context, role spec.Role, name string) (*Exchange, error) {
	ex, err := x.SendJSON(ctx, role, x.s.doc.Minimal(x.s.doc.Op(role), spec.Resources{Bucket: name}))
	if err != nil {
		return nil, err
	}
	for _, v := range x.s.shapeProblems(ctx, ex) {
		x.s.failCapped(v.Check, v.Message, v.Exchanges...)
	}
	return ex, nil
}

// CreateBucket creates bucket name with a minimal request.
func (x *Session) CreateBucket(ctx context.Context, name string) error {
	ex, err := x.bucketCall(ctx, spec.CreateBucket, name)
	if err != nil {
		return err
	}
	if !ex.Reply.OK() {
		return &SetupError{fmt.Sprintf("cannot create bucket %s: %s answered %s", name, ex.Op.ID, x.s.outcome(ex))}
	}
	return nil
}

// DropBuckets force-deletes buckets made by CreateBucket. An endpoint that
// refuses to delete a bucket holding keys (IAM's DeleteConflict) has them
// deleted first, then the bucket once more.
func (x *Session) DropBuckets(ctx context.Context, names []string) error {
	for _, name := range names {
		ex, err := x.bucketCall(ctx, spec.DeleteBucket, name)
		if err != nil {
			return err
		}
		if ex.Reply.OK() || x.s.is(ex, spec.NotFound) {
			continue
		}
		if err := x.s.emptyBucket(ctx, name); err != nil {
			return err
		}
		if _, err := x.bucketCall(ctx, spec.DeleteBucket, name); err != nil {
			return err
		}
	}
	return nil
}
