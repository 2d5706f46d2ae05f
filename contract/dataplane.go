package contract

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// dataPlane drives key-works, key-scoped and key-revoked (docs/DESIGN.md,
// "The key works: the data plane") on the keys it creates: one in each of
// the run's buckets whose data plane the run can locate, each alone in
// its bucket (a deleted key's revocation is judged with no other key of
// its bucket alive: the fault that keeps a key alive while its bucket
// holds another is a sequence's to find).
//
//   - key-works: each key is used on its own bucket (with iam: asks who
//     the caller is) until it works, within -propagation (0: the first
//     use decides); how long it took is measured.
//   - key-scoped: each key is used on the other bucket and must be
//     refused (with iam, instead: the key's use names its own user, and
//     no other); a request without credentials, and one signed with a
//     key's id and a wrong secret, on bucket A must be refused.
//   - key-revoked: each key is deleted and used until it is refused,
//     within -revocation (measured), then used once more at the end, and
//     must still be refused.
//
// The three checks are skipped, with the reason, when the run cannot
// locate the data plane or it does not answer at all; the parts a check
// could not judge (one bucket only, a reply that names no caller, a key
// that could not be created or deleted) are its remarks. Known false
// negatives: one key per bucket is used, once per property (the
// property-based sequences use keys in other orders); a key refused on
// the other bucket for another reason (that bucket's data plane refusing
// everything) passes key-scoped.
func dataPlane(ctx context.Context, s *engine.Session) error {
	if err := s.LearnBucketURLs(ctx); err != nil {
		return err
	}
	r := &dataRun{s: s}
	defer func() {
		ctx := context.WithoutCancel(ctx)
		for _, b := range s.Buckets() {
			s.ClearKeys(ctx, b)
		}
	}()
	err := r.run(ctx)
	var down *engine.DataUnavailable
	if errors.As(err, &down) {
		for _, id := range check.DataPlane {
			s.Skip(id, down.Reason)
		}
		return nil
	}
	return err
}

// heldKey is a key the scenario created, and what its uses showed.
type heldKey struct {
	bucket  string
	key     spec.Key
	created *exchange.Exchange
	worked  *engine.Probed // its first use that worked (nil: none did)
	refused bool           // refused after its delete
	deleted *exchange.Exchange
}

type dataRun struct {
	s    *engine.Session
	keys []*heldKey
}

func (r *dataRun) run(ctx context.Context) error {
	s := r.s
	// The first bucket's data plane must be found; another's that cannot
	// be is left out, and said so.
	if _, err := s.DataPlace(s.Buckets()[0]); err != nil {
		return err
	}
	for _, b := range s.Buckets() {
		if _, err := s.DataPlace(b); err != nil {
			s.Remark(check.KeyScoped, fmt.Sprintf("bucket %s left out: %v", b, err))
			continue
		}
		ex, k, ok, err := s.CreateKey(ctx, b)
		if err != nil {
			return err
		}
		if !ok || k.Secret == "" {
			why := fmt.Sprintf("%s answered %s", ex.Describe(), s.Outcome(ex))
			if ok {
				why = fmt.Sprintf("its create showed no secret to sign with at %s; success-envelope judges it", s.Binding().Response.KeySecret)
			}
			for _, id := range check.DataPlane {
				s.Remark(id, fmt.Sprintf("no key could be created in %s to use (%s)", b, why))
			}
			continue
		}
		r.keys = append(r.keys, &heldKey{bucket: b, key: k, created: ex})
	}
	if len(r.keys) == 0 {
		return &engine.DataUnavailable{Reason: "no key could be created to use on the data plane (valid-input-accepted and two-key-limit judge the creates)"}
	}
	for _, step := range []func(context.Context) error{r.works, r.scoped, r.revoked} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// use is a key's use on bucket, signed with it.
func use(k *heldKey, bucket string) engine.KeyUse {
	return engine.KeyUse{Key: k.key, Bucket: bucket, Auth: client.AsConfigured}
}

// works: each key works on its own bucket within -propagation.
func (r *dataRun) works(ctx context.Context) error {
	s, window := r.s, r.s.Target().Propagation
	for _, k := range r.keys {
		p, took, ok, err := s.Await(ctx, use(k, k.bucket), k.created.End(), window, func(u spec.Use) bool { return u.Outcome == spec.Works })
		if err != nil {
			return err
		}
		if ok {
			s.Measure(engine.Propagation, took)
			k.worked = &p
			continue
		}
		s.Fail(check.KeyWorks, engine.Describe(p.Ask, []string{"key " + k.key.ID + " of " + k.bucket, "on its own " + r.parent()},
			got(p, took, "its create"), "a success "+within("-propagation", window)), trail(k.created, p)...)
	}
	return nil
}

// scoped: a key opens its own bucket only (with iam: acts as its own
// user); unsigned and wrongly signed requests are refused.
func (r *dataRun) scoped(ctx context.Context) error {
	s := r.s
	const id = check.KeyScoped
	if s.Opens() == spec.OpensUser {
		r.ownUser()
	} else if len(r.keys) < 2 {
		s.Remark(id, "no key was used on another bucket: the run has one bucket whose data plane it found (give -bucket twice)")
	}
	refused := func(u engine.KeyUse, what string) error {
		p, err := s.Probe(ctx, u)
		if err != nil {
			return err
		}
		if p.Outcome != spec.Refused {
			s.Fail(id, engine.Describe(p.Ask, []string{what}, p.Why, "a refusal (403)"), trail(nil, p)...)
		}
		return nil
	}
	if s.Opens() == spec.OpensBucket {
		for _, k := range r.keys {
			for _, other := range r.keys {
				if other.bucket != k.bucket {
					if err := refused(use(k, other.bucket), "key "+k.key.ID+" of "+k.bucket+", on "+other.bucket); err != nil {
						return err
					}
				}
			}
		}
	}
	first := r.keys[0]
	if err := refused(engine.KeyUse{Bucket: first.bucket, Auth: client.NoCredentials}, "without credentials, on "+first.bucket); err != nil {
		return err
	}
	wrong := engine.KeyUse{Key: first.key, Bucket: first.bucket, Auth: client.WrongSecret}
	return refused(wrong, "key "+first.key.ID+" signed with a wrong secret, on "+first.bucket)
}

// ownUser: each key that worked acted as its own user, by what its use
// named; a use that named no caller (AccessDenied) is a remark.
func (r *dataRun) ownUser() {
	s := r.s
	for _, k := range r.keys {
		switch {
		case k.worked == nil:
			s.Remark(check.KeyScoped, fmt.Sprintf("key %s of %s never worked: which user it acts as was not judged", k.key.ID, k.bucket))
		case k.worked.Caller == "":
			s.Remark(check.KeyScoped, fmt.Sprintf("key %s of %s: %s answered %s, which names no caller: which user it acts as was not judged", k.key.ID, k.bucket, k.worked.Ask, k.worked.Why))
		case k.worked.Caller != k.bucket:
			s.Fail(check.KeyScoped, engine.Describe(k.worked.Ask, []string{"key " + k.key.ID + " of user " + k.bucket}, k.worked.Why,
				"the key's own user "+k.bucket+" named, and no other"), trail(k.created, *k.worked)...)
		}
	}
}

// revoked: each key, once deleted, is refused within -revocation, and
// still refused at the end.
func (r *dataRun) revoked(ctx context.Context) error {
	s, window := r.s, r.s.Target().Revocation
	const id = check.KeyRevoked
	refused := func(u spec.Use) bool { return u.Outcome == spec.Refused }
	for _, k := range r.keys {
		dex, err := s.DeleteKey(ctx, k.bucket, k.key.ID)
		if err != nil {
			return err
		}
		if !dex.Reply.OK() {
			s.Remark(id, fmt.Sprintf("key %s of %s could not be deleted (%s answered %s; key-lifecycle judges it)", k.key.ID, k.bucket, dex.Describe(), s.Outcome(dex)))
			continue
		}
		k.deleted = dex
		p, took, ok, err := s.Await(ctx, use(k, k.bucket), dex.End(), window, refused)
		if err != nil {
			return err
		}
		if !ok {
			s.Fail(id, engine.Describe(p.Ask, []string{"deleted key " + k.key.ID + " of " + k.bucket}, got(p, took, "its delete"),
				"a refusal "+within("-revocation", window)), trail(dex, p)...)
			continue
		}
		k.refused = true
		if k.worked != nil {
			s.Measure(engine.Revocation, took)
		}
	}
	for _, k := range r.keys {
		if !k.refused {
			continue
		}
		p, err := s.Probe(ctx, use(k, k.bucket))
		if err != nil {
			return err
		}
		if !refused(p.Use) {
			s.Fail(id, engine.Describe(p.Ask, []string{"deleted key " + k.key.ID + " of " + k.bucket, "a later use"}, p.Why,
				"a refusal still: a deleted key, once refused, stays refused"), trail(k.deleted, p)...)
		}
	}
	return nil
}

// parent names what a key opens, for messages.
func (r *dataRun) parent() string {
	if r.s.Opens() == spec.OpensUser {
		return "user"
	}
	return "bucket"
}

// got describes the last use of an Await, and when it was answered.
func got(p engine.Probed, took time.Duration, since string) string {
	if p.Ex == nil || p.Ex.Reply == nil {
		return p.Why
	}
	return fmt.Sprintf("%s %v after %s", p.Why, took.Round(time.Millisecond), since)
}

// within names a window in messages.
func within(flag string, window time.Duration) string {
	if window == 0 {
		return fmt.Sprintf("on the first use (%s 0: the first use decides)", flag)
	}
	return fmt.Sprintf("within the %s window of %v", flag, window)
}

// trail is the exchanges that show a finding: the key's create or delete
// (when given), then the use's.
func trail(first *exchange.Exchange, p engine.Probed) []*exchange.Exchange {
	var out []*exchange.Exchange
	if first != nil {
		out = append(out, first)
	}
	out = append(out, p.Trail...)
	if len(p.Trail) == 0 && p.Ex != nil {
		out = append(out, p.Ex)
	}
	return out
}
