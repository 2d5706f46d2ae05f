package contract

import (
	"context"
	"fmt"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// A scenario drives the endpoint for one check and records what it sees
// (a driver of the plan, in check.go). It starts and ends with no key of the
// run in the buckets, and returns an error only when the endpoint cannot be
// talked to.

// tour exercises every operation once, success and error, so that the
// passive checks (the envelopes, no-server-errors) have every kind of reply
// to judge even when run alone.
func tour(ctx context.Context, s *engine.Session) error {
	a := s.Buckets()[0]
	if _, err := s.Call(ctx, spec.ListBuckets, spec.Resources{}); err != nil {
		return err
	}
	_, k, ok, err := s.CreateKey(ctx, a)
	if err != nil {
		return err
	}
	if _, _, _, err := s.ListKeys(ctx, a, nil); err != nil {
		return err
	}
	if err := pagedTour(ctx, s, a); err != nil {
		return err
	}
	if ok {
		for range 2 { // the second delete is an error reply
			if _, err := s.DeleteKey(ctx, a, k.ID); err != nil {
				return err
			}
		}
	}
	if _, err := s.Call(ctx, spec.ListKeys, spec.Resources{Bucket: s.MissingBucket()}); err != nil {
		return err
	}
	return s.ClearKeys(ctx, a)
}

// pagedTour sends lists a page size of 1 where the binding names where a
// page size goes (pages.size), so that success-envelope judges their
// replies against the size asked (a page holding more items than that fails
// it; see engine.Session.ShapeProblems): bucket A's keys, with two keys in it when there
// is room for a second, and the buckets. The tour created one key in A;
// the tour's clearKeys deletes what this adds.
func pagedTour(ctx context.Context, s *engine.Session, a string) error {
	if s.Binding().Pages[spec.ListKeys].Size != "" {
		if s.Free(a) > 0 {
			if _, _, _, err := s.CreateKey(ctx, a); err != nil {
				return err
			}
		}
		if _, _, _, err := s.ListKeysSized(ctx, a, 1, nil); err != nil {
			return err
		}
	}
	if s.Binding().Pages[spec.ListBuckets].Size != "" {
		if _, _, _, err := s.ListBuckets(ctx, 1); err != nil {
			return err
		}
	}
	return nil
}

// missingKey is a well-formed key id that no endpoint issued.
const missingKey = "KEYCONTRACT000000000"

// twoKeyLimit fills bucket A to the limit, then asks for one more key: it
// must be refused with the limit error, and the list must be unchanged.
func twoKeyLimit(ctx context.Context, s *engine.Session) error {
	const id = check.TwoKeyLimit
	a := s.Buckets()[0]
	defer s.ClearKeys(context.WithoutCancel(ctx), a)
	for n := s.Free(a); n > 0; n-- {
		ex, _, ok, err := s.CreateKey(ctx, a)
		if err != nil {
			return err
		}
		if !ok {
			s.Fail(id, engine.Describe(ex.Describe(), []string{a}, s.Outcome(ex), fmt.Sprintf("a new key (bucket below the limit of %d)", s.Binding().Limit)), ex)
			return nil
		}
	}
	before, keysBefore, _, err := s.ListKeys(ctx, a, func(k []spec.Key) bool { return len(k) >= s.Binding().Limit })
	if err != nil {
		return err
	}
	extra, _, _, err := s.CreateKey(ctx, a)
	if err != nil {
		return err
	}
	if !s.Is(extra, spec.LimitExceeded) {
		s.Fail(id, engine.Describe(extra.Describe(), []string{a}, s.Outcome(extra), "the limit error "+s.Want(spec.LimitExceeded)+" (bucket at the limit)"), before, extra)
	}
	after, keysAfter, _, err := s.ListKeys(ctx, a, nil)
	if err != nil {
		return err
	}
	if len(keysAfter) > s.Binding().Limit || len(keysAfter) != len(keysBefore) {
		s.Fail(id, engine.Describe(after.Describe(), []string{a}, fmt.Sprintf("%d keys", len(keysAfter)),
			fmt.Sprintf("the same %d keys as before the refused create", len(keysBefore))), before, extra, after)
	}
	return nil
}

// keyLifecycle fills bucket A, finds every new key listed with the id,
// status and timestamp its create returned, deletes the first, finds it gone
// and the others still there, deletes it again (not-found), and creates a
// key in the freed slot.
func keyLifecycle(ctx context.Context, s *engine.Session) error {
	const id = check.KeyLifecycle
	a := s.Buckets()[0]
	defer s.ClearKeys(context.WithoutCancel(ctx), a)
	var created []spec.Key
	var trail []*exchange.Exchange
	for n := s.Free(a); n > 0; n-- {
		cex, k, ok, err := s.CreateKey(ctx, a)
		if err != nil {
			return err
		}
		trail = append(trail, cex)
		if !ok {
			s.Fail(id, engine.Describe(cex.Describe(), []string{a}, s.Outcome(cex), "a new key (bucket below the limit)"), trail...)
			return nil
		}
		created = append(created, k)
	}
	all := func(keys []spec.Key) bool {
		for _, k := range created {
			if !hasKey(keys, k.ID) {
				return false
			}
		}
		return true
	}
	lex, keys, _, err := s.ListKeys(ctx, a, all)
	if err != nil {
		return err
	}
	trail = append(trail, lex)
	for _, k := range created {
		listed, found := findKey(keys, k.ID)
		switch {
		case !found:
			s.Fail(id, engine.Describe(lex.Describe(), []string{a}, "a list without key "+k.ID, "every key created"), trail...)
		case listed.Status != k.Status:
			s.Fail(id, engine.Describe(lex.Describe(), []string{a}, fmt.Sprintf("key %s with status %q", k.ID, listed.Status), fmt.Sprintf("status %q as created", k.Status)), trail...)
		case k.HasTime != listed.HasTime || k.HasTime && absDiff(k, listed) > 1:
			s.Fail(id, engine.Describe(lex.Describe(), []string{a}, fmt.Sprintf("key %s created at %v", k.ID, listed.CreatedAt), fmt.Sprintf("%v as created", k.CreatedAt)), trail...)
		}
	}
	gone := created[0].ID
	dex, err := s.DeleteKey(ctx, a, gone)
	if err != nil {
		return err
	}
	trail = append(trail, dex)
	if !dex.Reply.OK() {
		s.Fail(id, engine.Describe(dex.Describe(), []string{a, gone}, s.Outcome(dex), "success for a live key"), trail...)
		return nil
	}
	gex, keys, _, err := s.ListKeys(ctx, a, func(keys []spec.Key) bool { return !hasKey(keys, gone) })
	if err != nil {
		return err
	}
	trail = append(trail, gex)
	if hasKey(keys, gone) {
		s.Fail(id, engine.Describe(gex.Describe(), []string{a}, "a list with deleted key "+gone, "the key gone"), trail...)
	}
	for _, k := range created[1:] {
		if !hasKey(keys, k.ID) {
			s.Fail(id, engine.Describe(gex.Describe(), []string{a}, "a list without key "+k.ID, "the keys not deleted still listed"), trail...)
		}
	}
	again, err := s.DeleteKey(ctx, a, gone)
	if err != nil {
		return err
	}
	if !s.Is(again, spec.NotFound) {
		s.Fail(id, engine.Describe(again.Describe(), []string{a, gone}, s.Outcome(again), "the not-found error "+s.Want(spec.NotFound)+" (deleted twice)"), dex, again)
	}
	ex, _, ok, err := s.CreateKey(ctx, a)
	if err != nil {
		return err
	}
	if !ok {
		s.Fail(id, engine.Describe(ex.Describe(), []string{a}, s.Outcome(ex), "a new key in the slot the delete freed"), append(trail, ex)...)
	}
	return nil
}

// hasKey reports whether keys holds key id.
func hasKey(keys []spec.Key, id string) bool {
	for _, k := range keys {
		if k.ID == id {
			return true
		}
	}
	return false
}

func findKey(keys []spec.Key, id string) (spec.Key, bool) {
	for _, k := range keys {
		if k.ID == id {
			return k, true
		}
	}
	return spec.Key{}, false
}

func absDiff(a, b spec.Key) float64 {
	d := a.CreatedAt.Sub(b.CreatedAt).Seconds()
	if d < 0 {
		d = -d
	}
	return d
}
