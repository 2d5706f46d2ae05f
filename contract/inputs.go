package contract

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// validPerRole is how many generated valid requests each role gets.
const validPerRole = 6

// validInput sends generated valid requests, with resources bound to the
// run's bucket A (and a live key for deletes): every one must succeed.
// Creating buckets from generated requests is judged in setup (bucket A)
// and here, with a few more buckets deleted at once; with -bucket, or
// against a real account (SharedBuckets: buckets are slow and cost money),
// only bucket A's request is judged, or none: a known false negative.
func validInput(ctx context.Context, s *engine.Session) error {
	const id = check.ValidInputAccepted
	a := s.Buckets()[0]
	defer s.ClearKeys(context.WithoutCancel(ctx), a)
	expectOK := func(ex *exchange.Exchange, body map[string]any) {
		if !ex.Reply.OK() {
			s.Fail(id, engine.Describe(ex.Describe(), []string{"generated valid request " + members(body)}, s.Outcome(ex), "success"), ex)
		}
	}
	if err := validBuckets(ctx, s, expectOK); err != nil {
		return err
	}
	for i := range validPerRole {
		seed := int(s.Seed()) + i
		for _, role := range []spec.Role{spec.CreateKey, spec.ListKeys, spec.ListBuckets} {
			body := s.Example(role, spec.Resources{Bucket: a}, seed)
			ex, err := s.Do(ctx, role, body)
			if err != nil {
				return err
			}
			expectOK(ex, body)
			if err := s.ClearKeys(ctx, a); err != nil {
				return err
			}
		}
		_, k, ok, err := s.CreateKey(ctx, a)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		body := s.Example(spec.DeleteKey, spec.Resources{Bucket: a, KeyID: k.ID}, seed)
		ex, err := s.Do(ctx, spec.DeleteKey, body)
		if err != nil {
			return err
		}
		expectOK(ex, body)
	}
	return nil
}

// validBuckets creates buckets from generated valid requests (bucket A's
// was the first example), each deleted right after it is made.
func validBuckets(ctx context.Context, s *engine.Session, expectOK func(*exchange.Exchange, map[string]any)) error {
	if tgt := s.Target(); len(tgt.Buckets) > 0 || tgt.SharedBuckets {
		return nil
	}
	for i := 1; i < validPerRole; i++ {
		name := fmt.Sprintf("%s%s-v%d", BucketPrefix, s.RunID(), i)
		body := s.Example(spec.CreateBucket, spec.Resources{Bucket: name}, int(s.Seed())+i)
		ex, err := s.Do(ctx, spec.CreateBucket, body)
		if err != nil {
			return err
		}
		expectOK(ex, body)
		if ex.Reply.OK() {
			if _, err := s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: name}); err != nil {
				return err
			}
		}
	}
	return nil
}

func members(body map[string]any) string {
	names := make([]string, 0, len(body))
	for k := range body {
		names = append(names, k)
	}
	sort.Strings(names)
	return "{" + strings.Join(names, ", ") + "}"
}

// invalidKeyInput and invalidBucketInput send, for every operation,
// requests that each break one constraint (spec.Document.Invalid): each
// must get a 4xx with an error of the situations the case allows, never a
// 2xx or 5xx. What a wrongly accepted request created is cleaned up like
// any other key or bucket. invalidKeyInput has the cases of the key
// operations, which act on bucket A's keys alone (and the unknown
// operations, sent once): a parallel run gives it a bucket of its own and
// runs it beside the other scenarios. invalidBucketInput has those of
// CreateBucket: a faulty endpoint that accepts an invalid name makes a
// bucket of a name fixed by the description ("aa", 55 a's), which the
// invalid requests of invalidKeyInput and of the sequences name too, so a
// parallel run sends them before anything else runs beside (see
// runOverlapped). Together with invalidBucketOtherInput they send what
// one step did before, in the same order.
func invalidKeyInput(ctx context.Context, s *engine.Session) error {
	a := s.Buckets()[0]
	defer s.ClearKeys(context.WithoutCancel(ctx), a)
	return invalidCases(ctx, s, false, []invalidBase{
		{spec.CreateKey, spec.Resources{Bucket: a}},
		{spec.ListKeys, spec.Resources{Bucket: a}},
		{spec.DeleteKey, spec.Resources{Bucket: a, KeyID: missingKey}},
	})
}

func invalidBucketInput(ctx context.Context, s *engine.Session) error {
	return invalidCases(ctx, s, true, []invalidBase{
		{spec.CreateBucket, spec.Resources{Bucket: fmt.Sprintf("%s%s-invalid", BucketPrefix, s.RunID())}},
	})
}

// invalidBucketOtherInput has the cases of the other bucket operations,
// after invalidBucketInput's, as one step sent them before.
func invalidBucketOtherInput(ctx context.Context, s *engine.Session) error {
	return invalidCases(ctx, s, true, []invalidBase{
		{spec.DeleteBucket, spec.Resources{Bucket: s.MissingBucket()}},
		{spec.ListBuckets, spec.Resources{Bucket: s.Buckets()[0]}},
	})
}

// invalidBase is an operation and the resources its invalid cases break.
type invalidBase struct {
	role spec.Role
	res  spec.Resources
}

// invalidCases sends the invalid cases of bases; seenOtherCases: the
// cases naming no operation were sent already.
func invalidCases(ctx context.Context, s *engine.Session, seenOtherCases bool, bases []invalidBase) error {
	const id = check.InvalidInputRejected
	a := s.Buckets()[0]
	for _, base := range bases {
		op := s.Doc().Op(base.role)
		for _, inv := range s.Invalid(base.role, base.res) {
			cl := client.Call{Op: op, Req: inv.Request}
			if inv.OtherOperation {
				if seenOtherCases {
					continue // unknown operations: once is enough
				}
				cl.Op = nil
			}
			ex, err := s.SendCall(ctx, cl)
			if err != nil {
				return err
			}
			if !s.IsAny(ex, inv.Expect) {
				want := make([]string, 0, len(inv.Expect))
				for _, sit := range inv.Expect {
					want = append(want, fmt.Sprint(s.Binding().Errors.Accept[sit]))
				}
				s.Fail(id, engine.Describe(ex.Describe(), []string{inv.Name}, s.Outcome(ex), "a 4xx error of "+strings.Join(want, " or ")), ex)
			}
			switch {
			case base.role == spec.CreateKey:
				if err := s.ClearKeys(ctx, a); err != nil {
					return err
				}
			case base.role == spec.CreateBucket && ex.Reply.OK():
				// A wrongly accepted create made the bucket it named (the
				// base name, or the invalid one the case put there: "aa"):
				// delete it now, or every later case would meet a name
				// already taken, and the run would leave it behind.
				if err := dropNamed(ctx, s, inv, base.res.Bucket); err != nil {
					return err
				}
			}
		}
		seenOtherCases = true
	}
	return nil
}

// dropNamed deletes the bucket an accepted invalid create made: base, or
// the invalid name the case put in its input's bucket member (the empty
// one too: IAM's UserName "", too short), sent as it is.
func dropNamed(ctx context.Context, s *engine.Session, inv spec.Invalid, base string) error {
	member := strings.TrimPrefix(s.Binding().Request.Bucket, "/")
	name, ok := inv.Request.Input[member].(string)
	if !ok || name == base {
		return s.DropBucket(ctx, base)
	}
	body := s.Request(spec.DeleteBucket, spec.Resources{Bucket: name})
	body[member] = name
	_, err := s.SendJSON(ctx, spec.DeleteBucket, body)
	return err
}
