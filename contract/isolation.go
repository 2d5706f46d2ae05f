package contract

import (
	"context"
	"fmt"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/spec"
)

// bucketIsolation fills bucket A, then checks that bucket B still takes a
// key, that B's list shows none of A's keys, and that A's key cannot be
// deleted through B's name.
func bucketIsolation(ctx context.Context, s *session) error {
	const id = check.BucketIsolation
	if len(s.buckets) < 2 {
		s.skip(id, "needs two buckets; give -bucket twice")
		return nil
	}
	a, b := s.buckets[0], s.buckets[1]
	defer func() {
		ctx := context.WithoutCancel(ctx)
		s.clearKeys(ctx, a)
		s.clearKeys(ctx, b)
	}()
	var trail []*Exchange
	for n := s.free(a); n > 0; n-- {
		ex, _, ok, err := s.createKey(ctx, a)
		if err != nil {
			return err
		}
		trail = append(trail, ex)
		if !ok {
			return nil // two-key-limit and valid-input-accepted judge this
		}
	}
	inA := s.ours(a)
	if s.free(b) > 0 {
		ex, _, ok, err := s.createKey(ctx, b)
		if err != nil {
			return err
		}
		if !ok {
			s.fail(id, describe(ex.Describe(), []string{b}, s.outcome(ex), fmt.Sprintf("a new key (bucket %s is full, %s is not)", a, b)), append(trail, ex)...)
		}
	}
	lex, keys, _, err := s.listKeys(ctx, b, nil)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if owner := s.everCreated(k.ID); owner != "" && owner != b {
			s.fail(id, describe(lex.Describe(), []string{b}, fmt.Sprintf("a list with key %s of bucket %s", k.ID, owner), "only keys of "+b), append(trail, lex)...)
		}
	}
	if len(inA) == 0 {
		return nil
	}
	victim := inA[0]
	dex, err := s.deleteKey(ctx, b, victim)
	if err != nil {
		return err
	}
	if !s.is(dex, spec.NotFound) {
		s.fail(id, describe(dex.Describe(), []string{b, victim}, s.outcome(dex), "the not-found error "+s.want(spec.NotFound)+" (the key belongs to "+a+")"), dex)
	}
	aex, keysA, _, err := s.listKeys(ctx, a, nil)
	if err != nil {
		return err
	}
	if !hasKey(keysA, victim) {
		s.fail(id, describe(aex.Describe(), []string{a}, "a list without key "+victim, "the key still there after a delete through bucket "+b), dex, aex)
	}
	return nil
}

// unknownBucket sends every key operation to a well-formed bucket name that
// does not exist: each must get the not-found error, and afterwards the
// bucket must still not exist.
func unknownBucket(ctx context.Context, s *session) error {
	const id = check.UnknownBucket
	missing := s.missingBucket()
	res := spec.Resources{Bucket: missing, KeyID: missingKey}
	var trail []*Exchange
	for _, role := range []spec.Role{spec.CreateKey, spec.ListKeys, spec.DeleteKey} {
		ex, err := s.call(ctx, role, res)
		if err != nil {
			return err
		}
		trail = append(trail, ex)
		if !s.is(ex, spec.NotFound) {
			s.fail(id, describe(ex.Describe(), []string{missing}, s.outcome(ex), "the not-found error "+s.want(spec.NotFound)), ex)
		}
		if ex.Reply.OK() && role == spec.CreateKey {
			s.adopt(missing) // the endpoint made it: the run must delete it
		}
	}
	// Every page: the bucket may be listed on any of them. What the pages
	// that were read show is judged even when a later one fails.
	exs, names, _, err := s.listBuckets(ctx, 0)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == missing {
			s.fail(id, describe(exs[0].Describe(), nil, "a list with bucket "+missing, "no such bucket: operations on an unknown bucket create nothing"), append(trail, exs...)...)
			s.adopt(missing)
		}
	}
	return nil
}

// adopt marks a bucket the endpoint created on the run's behalf, so that
// cleanup deletes it.
func (s *session) adopt(bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owned[bucket] = true
}
