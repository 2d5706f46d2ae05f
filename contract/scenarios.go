package contract

import (
	"context"
	"fmt"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/spec"
)

// A scenario drives the endpoint for one check and records what it sees. It
// starts and ends with no key of the run in the buckets. It returns an error
// only when the endpoint cannot be talked to.
type scenario func(ctx context.Context, s *session) error

// tour exercises every operation once, success and error, so that the
// passive checks (the envelopes, no-server-errors) have every kind of reply
// to judge even when run alone.
func tour(ctx context.Context, s *session) error {
	a := s.buckets[0]
	if _, err := s.call(ctx, spec.ListBuckets, spec.Resources{}); err != nil {
		return err
	}
	_, k, ok, err := s.createKey(ctx, a)
	if err != nil {
		return err
	}
	if _, _, _, err := s.listKeys(ctx, a, nil); err != nil {
		return err
	}
	if err := s.pagedTour(ctx, a); err != nil {
		return err
	}
	if ok {
		for range 2 { // the second delete is an error reply
			if _, err := s.deleteKey(ctx, a, k.ID); err != nil {
				return err
			}
		}
	}
	if _, err := s.call(ctx, spec.ListKeys, spec.Resources{Bucket: s.missingBucket()}); err != nil {
		return err
	}
	return s.clearKeys(ctx, a)
}

// missingBucket is a well-formed bucket name that no run creates.
func (s *session) missingBucket() string {
	return fmt.Sprintf("%s%s-missing", BucketPrefix, s.runID)
}

// missingKey is a well-formed key id that no endpoint issued.
const missingKey = "KEYCONTRACT000000000"

// twoKeyLimit fills bucket A to the limit, then asks for one more key: it
// must be refused with the limit error, and the list must be unchanged.
func twoKeyLimit(ctx context.Context, s *session) error {
	const id = check.TwoKeyLimit
	a := s.buckets[0]
	defer s.clearKeys(context.WithoutCancel(ctx), a)
	for n := s.free(a); n > 0; n-- {
		ex, _, ok, err := s.createKey(ctx, a)
		if err != nil {
			return err
		}
		if !ok {
			s.fail(id, describe(ex.Describe(), []string{a}, s.outcome(ex), fmt.Sprintf("a new key (bucket below the limit of %d)", s.b.Limit)), ex)
			return nil
		}
	}
	before, keysBefore, _, err := s.listKeys(ctx, a, func(k []spec.Key) bool { return len(k) >= s.b.Limit })
	if err != nil {
		return err
	}
	extra, _, _, err := s.createKey(ctx, a)
	if err != nil {
		return err
	}
	if !s.is(extra, spec.LimitExceeded) {
		s.fail(id, describe(extra.Describe(), []string{a}, s.outcome(extra), "the limit error "+s.want(spec.LimitExceeded)+" (bucket at the limit)"), before, extra)
	}
	after, keysAfter, _, err := s.listKeys(ctx, a, nil)
	if err != nil {
		return err
	}
	if len(keysAfter) > s.b.Limit || len(keysAfter) != len(keysBefore) {
		s.fail(id, describe(after.Describe(), []string{a}, fmt.Sprintf("%d keys", len(keysAfter)),
			fmt.Sprintf("the same %d keys as before the refused create", len(keysBefore))), before, extra, after)
	}
	return nil
}

// keyLifecycle fills bucket A, finds every new key listed with the id,
// status and timestamp its create returned, deletes the first, finds it gone
// and the others still there, deletes it again (not-found), and creates a
// key in the freed slot.
func keyLifecycle(ctx context.Context, s *session) error {
	const id = check.KeyLifecycle
	a := s.buckets[0]
	defer s.clearKeys(context.WithoutCancel(ctx), a)
	var created []spec.Key
	var trail []*Exchange
	for n := s.free(a); n > 0; n-- {
		cex, k, ok, err := s.createKey(ctx, a)
		if err != nil {
			return err
		}
		trail = append(trail, cex)
		if !ok {
			s.fail(id, describe(cex.Describe(), []string{a}, s.outcome(cex), "a new key (bucket below the limit)"), trail...)
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
	lex, keys, _, err := s.listKeys(ctx, a, all)
	if err != nil {
		return err
	}
	trail = append(trail, lex)
	for _, k := range created {
		listed, found := findKey(keys, k.ID)
		switch {
		case !found:
			s.fail(id, describe(lex.Describe(), []string{a}, "a list without key "+k.ID, "every key created"), trail...)
		case listed.Status != k.Status:
			s.fail(id, describe(lex.Describe(), []string{a}, fmt.Sprintf("key %s with status %q", k.ID, listed.Status), fmt.Sprintf("status %q as created", k.Status)), trail...)
		case k.HasTime != listed.HasTime || k.HasTime && absDiff(k, listed) > 1:
			s.fail(id, describe(lex.Describe(), []string{a}, fmt.Sprintf("key %s created at %v", k.ID, listed.CreatedAt), fmt.Sprintf("%v as created", k.CreatedAt)), trail...)
		}
	}
	gone := created[0].ID
	dex, err := s.deleteKey(ctx, a, gone)
	if err != nil {
		return err
	}
	trail = append(trail, dex)
	if !dex.Reply.OK() {
		s.fail(id, describe(dex.Describe(), []string{a, gone}, s.outcome(dex), "success for a live key"), trail...)
		return nil
	}
	gex, keys, _, err := s.listKeys(ctx, a, func(keys []spec.Key) bool { return !hasKey(keys, gone) })
	if err != nil {
		return err
	}
	trail = append(trail, gex)
	if hasKey(keys, gone) {
		s.fail(id, describe(gex.Describe(), []string{a}, "a list with deleted key "+gone, "the key gone"), trail...)
	}
	for _, k := range created[1:] {
		if !hasKey(keys, k.ID) {
			s.fail(id, describe(gex.Describe(), []string{a}, "a list without key "+k.ID, "the keys not deleted still listed"), trail...)
		}
	}
	again, err := s.deleteKey(ctx, a, gone)
	if err != nil {
		return err
	}
	if !s.is(again, spec.NotFound) {
		s.fail(id, describe(again.Describe(), []string{a, gone}, s.outcome(again), "the not-found error "+s.want(spec.NotFound)+" (deleted twice)"), dex, again)
	}
	ex, _, ok, err := s.createKey(ctx, a)
	if err != nil {
		return err
	}
	if !ok {
		s.fail(id, describe(ex.Describe(), []string{a}, s.outcome(ex), "a new key in the slot the delete freed"), append(trail, ex)...)
	}
	return nil
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
