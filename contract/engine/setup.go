package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/spec"
)

// SetupError says the run could not be made: the buckets could not be
// created or used. It ends a run with exit status 2.
type SetupError struct{ Reason string }

func (e *SetupError) Error() string { return e.Reason }

// BucketPrefix starts the name of every bucket a run creates; sweep finds
// leftovers by it.
const BucketPrefix = "keycontract-"

// setup makes the run's buckets ready: given buckets are listed and their
// pre-existing keys recorded (they count towards the limit and are never
// deleted); otherwise two buckets named keycontract-<run>-a and -b are
// created. Bucket A is created from a generated valid request with optional
// members (its rejection is a valid-input-accepted violation, after which a
// minimal request is tried), bucket B from a minimal one.
func (s *Session) setup(ctx context.Context) error {
	if len(s.t.Buckets) > 0 {
		for _, name := range s.t.Buckets {
			ex, keys, ok, err := s.ListKeys(ctx, name, nil)
			if err != nil {
				return err
			}
			if !ok {
				return &SetupError{fmt.Sprintf("bucket %s is not usable: %s answered %s", name, s.doc.Op(spec.ListKeys).ID, s.Outcome(ex))}
			}
			for _, k := range keys {
				s.foreign[name] = append(s.foreign[name], k.ID)
			}
			if len(keys) >= s.b.Limit {
				return &SetupError{fmt.Sprintf("bucket %s already holds %d keys (limit %d): no free slot for the run; delete one or give another -bucket", name, len(keys), s.b.Limit)}
			}
			s.buckets = append(s.buckets, name)
		}
		return nil
	}
	for i, suffix := range []string{"a", "b"} {
		name := fmt.Sprintf("%s%s-%s", BucketPrefix, s.runID, suffix)
		if err := s.createBucket(ctx, name, i == 0); err != nil {
			return err
		}
		s.buckets = append(s.buckets, name)
	}
	return s.waitReady(ctx)
}

func (s *Session) createBucket(ctx context.Context, name string, generated bool) error {
	op := s.doc.Op(spec.CreateBucket)
	res := spec.Resources{Bucket: name}
	if generated {
		body := s.Example(spec.CreateBucket, res, int(s.seed))
		ex, err := s.Do(ctx, spec.CreateBucket, body)
		if err != nil {
			return err
		}
		if ex.Reply.OK() {
			return nil
		}
		if s.t.selected(check.ValidInputAccepted) && s.Is(ex, spec.InvalidInput) {
			s.Fail(check.ValidInputAccepted, Describe(op.ID, []string{"generated valid request"}, s.Outcome(ex), "success"), ex)
		}
	}
	ex, err := s.Call(ctx, spec.CreateBucket, res)
	if err != nil {
		return err
	}
	if !ex.Reply.OK() {
		return &SetupError{fmt.Sprintf("cannot create bucket %s: %s answered %s", name, op.ID, s.Outcome(ex))}
	}
	return nil
}

// waitReady waits until every bucket answers a key list: new buckets on real
// endpoints take a while. It waits at most a minute, or the settle window.
func (s *Session) waitReady(ctx context.Context) error {
	wait := max(s.t.Settle, time.Second)
	if s.t.Settle > 0 {
		wait = time.Minute
	}
	for _, name := range s.buckets {
		deadline := time.Now().Add(wait)
		for {
			ex, _, ok, err := s.ListKeys(ctx, name, nil)
			if err != nil {
				return err
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				return &SetupError{fmt.Sprintf("bucket %s was created but %s answered %s", name, s.doc.Op(spec.ListKeys).ID, s.Outcome(ex))}
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	return nil
}

// cleanup deletes every key the run created and every bucket it created,
// whatever happened before. It runs on a context of its own, so that an
// interrupted run still cleans up, and stops at the first request the
// endpoint cannot answer. Keys in buckets the run did not create are found
// both from the ledger and from a fresh list (a key reported deleted may
// linger); only keys the run created are deleted. It returns what it could
// not delete.
func (s *Session) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), max(30*time.Second, 3*s.c.Timeout()))
	defer cancel()
	s.mu.Lock()
	var owned, kept []string
	for b := range s.owned {
		owned = append(owned, b)
	}
	for _, b := range s.buckets {
		if !s.owned[b] {
			kept = append(kept, b)
		}
	}
	for _, b := range s.created {
		if !s.owned[b] && !slices.Contains(kept, b) {
			kept = append(kept, b)
		}
	}
	s.mu.Unlock()
	sort.Strings(owned)
	sort.Strings(kept)
	var errs []error
	for _, bucket := range kept {
		ids := s.Ours(bucket)
		if _, keys, ok, err := s.ListKeys(ctx, bucket, nil); err == nil && ok {
			for _, k := range keys {
				if s.EverCreated(k.ID) == bucket && !slices.Contains(ids, k.ID) {
					ids = append(ids, k.ID)
				}
			}
		}
		for _, id := range ids {
			if _, err := s.DeleteKey(ctx, bucket, id); err != nil {
				return errors.Join(append(errs, fmt.Errorf("key %s in bucket %s: %w", id, bucket, err))...)
			}
		}
	}
	for _, bucket := range owned {
		ex, err := s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket})
		if err == nil && !ex.Reply.OK() && !s.Is(ex, spec.NotFound) {
			// An endpoint that will not delete a bucket holding keys (IAM's
			// DeleteConflict): its keys first, then once more.
			if err = s.EmptyBucket(ctx, bucket); err == nil {
				ex, err = s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket})
			}
		}
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("bucket %s: %w", bucket, err))...)
		}
		if !ex.Reply.OK() && !s.Is(ex, spec.NotFound) {
			errs = append(errs, fmt.Errorf("bucket %s: %s answered %s", bucket, ex.Op.ID, s.Outcome(ex)))
		}
	}
	return errors.Join(errs...)
}

// DropBucket deletes a bucket the run created, its keys first when the
// endpoint will not delete a bucket holding keys.
func (s *Session) DropBucket(ctx context.Context, bucket string) error {
	ex, err := s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket})
	if err != nil || ex.Reply.OK() || s.Is(ex, spec.NotFound) {
		return err
	}
	if err := s.EmptyBucket(ctx, bucket); err != nil {
		return err
	}
	_, err = s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket})
	return err
}

// EmptyBucket deletes every key a bucket the run created holds (all of
// them are the run's), following every page of its list.
func (s *Session) EmptyBucket(ctx context.Context, bucket string) error {
	_, keys, _, err := s.ListKeys(ctx, bucket, nil)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s.DeleteKey(ctx, bucket, k.ID); err != nil {
			return err
		}
	}
	return nil
}
