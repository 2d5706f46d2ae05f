package contract

import (
	"context"
	"fmt"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// bucketIsolation fills bucket A, then checks that bucket B still takes a
// key, that B's list shows none of A's keys, and that A's key cannot be
// deleted through B's name.
func bucketIsolation(ctx context.Context, s *engine.Session) error {
	const id = check.BucketIsolation
	if len(s.Buckets()) < 2 {
		s.Skip(id, "needs two buckets; give -bucket twice")
		return nil
	}
	a, b := s.Buckets()[0], s.Buckets()[1]
	defer func() {
		ctx := context.WithoutCancel(ctx)
		s.ClearKeys(ctx, a)
		s.ClearKeys(ctx, b)
	}()
	var trail []*exchange.Exchange
	for n := s.Free(a); n > 0; n-- {
		ex, _, ok, err := s.CreateKey(ctx, a)
		if err != nil {
			return err
		}
		trail = append(trail, ex)
		if !ok {
			return nil // two-key-limit and valid-input-accepted judge this
		}
	}
	inA := s.Ours(a)
	if s.Free(b) > 0 {
		ex, _, ok, err := s.CreateKey(ctx, b)
		if err != nil {
			return err
		}
		if !ok {
			s.Fail(id, engine.Describe(ex.Describe(), []string{b}, s.Outcome(ex), fmt.Sprintf("a new key (bucket %s is full, %s is not)", a, b)), append(trail, ex)...)
		}
	}
	lex, keys, _, err := s.ListKeys(ctx, b, nil)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if owner := s.EverCreated(k.ID); owner != "" && owner != b {
			s.Fail(id, engine.Describe(lex.Describe(), []string{b}, fmt.Sprintf("a list with key %s of bucket %s", k.ID, owner), "only keys of "+b), append(trail, lex)...)
		}
	}
	if len(inA) == 0 {
		return nil
	}
	victim := inA[0]
	dex, err := s.DeleteKey(ctx, b, victim)
	if err != nil {
		return err
	}
	if !s.Is(dex, spec.NotFound) {
		s.Fail(id, engine.Describe(dex.Describe(), []string{b, victim}, s.Outcome(dex), "the not-found error "+s.Want(spec.NotFound)+" (the key belongs to "+a+")"), dex)
	}
	aex, keysA, _, err := s.ListKeys(ctx, a, nil)
	if err != nil {
		return err
	}
	if !hasKey(keysA, victim) {
		s.Fail(id, engine.Describe(aex.Describe(), []string{a}, "a list without key "+victim, "the key still there after a delete through bucket "+b), dex, aex)
	}
	return nil
}

// unknownBucket sends every key operation to a well-formed bucket name that
// does not exist: each must get the not-found error, and afterwards the
// bucket must still not exist.
func unknownBucket(ctx context.Context, s *engine.Session) error {
	const id = check.UnknownBucket
	missing := s.MissingBucket()
	res := spec.Resources{Bucket: missing, KeyID: missingKey}
	var trail []*exchange.Exchange
	for _, role := range []spec.Role{spec.CreateKey, spec.ListKeys, spec.DeleteKey} {
		ex, err := s.Call(ctx, role, res)
		if err != nil {
			return err
		}
		trail = append(trail, ex)
		if !s.Is(ex, spec.NotFound) {
			s.Fail(id, engine.Describe(ex.Describe(), []string{missing}, s.Outcome(ex), "the not-found error "+s.Want(spec.NotFound)), ex)
		}
		if ex.Reply.OK() && role == spec.CreateKey {
			s.Adopt(missing) // the endpoint made it: the run must delete it
		}
	}
	// Every page: the bucket may be listed on any of them. What the pages
	// that were read show is judged even when a later one fails.
	exs, names, _, err := s.ListBuckets(ctx, 0)
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == missing {
			s.Fail(id, engine.Describe(exs[0].Describe(), nil, "a list with bucket "+missing, "no such bucket: operations on an unknown bucket create nothing"), append(trail, exs...)...)
			s.Adopt(missing)
		}
	}
	return nil
}
