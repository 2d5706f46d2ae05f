package engine

import (
	"context"
	"fmt"

	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// Fresh buckets: the property-based sequences run each sequence in two new
// buckets, so that a fault that corrupts one sequence's state cannot leak
// into the next. Their exchanges stay out of the run's passive checks and
// are judged on the spot instead (at most maxPerCheck violations per check),
// so that a long search holds no memory per sequence.

// FreshBucketNames reserves the names of two new buckets for the caller,
// named after the run so that sweep finds them; CreateBucket makes one when
// it is first needed and DropBuckets deletes them with their keys.
func (s *Session) FreshBucketNames() []string {
	s.mu.Lock()
	s.fresh++
	n := s.fresh
	s.mu.Unlock()
	return []string{fmt.Sprintf("%s%s-s%d-a", BucketPrefix, s.runID, n), fmt.Sprintf("%s%s-s%d-b", BucketPrefix, s.runID, n)}
}

// bucketCall sends a minimal request for a caller's fresh bucket and
// judges its shape on the spot.
func (s *Session) bucketCall(ctx context.Context, role spec.Role, name string) (*exchange.Exchange, error) {
	ex, err := s.SendJSON(ctx, role, s.Request(role, spec.Resources{Bucket: name}))
	if err != nil {
		return nil, err
	}
	for _, v := range s.ShapeProblems(ctx, ex) {
		s.failCapped(v.Check, v.Message, v.Exchanges...)
	}
	return ex, nil
}

// CreateBucket creates bucket name with a minimal request.
func (s *Session) CreateBucket(ctx context.Context, name string) error {
	ex, err := s.bucketCall(ctx, spec.CreateBucket, name)
	if err != nil {
		return err
	}
	if !ex.Reply.OK() {
		return &SetupError{fmt.Sprintf("cannot create bucket %s: %s answered %s", name, ex.Op.ID, s.Outcome(ex))}
	}
	return nil
}

// DropBuckets force-deletes buckets made by CreateBucket. An endpoint that
// refuses to delete a bucket holding keys (IAM's DeleteConflict) has them
// deleted first, then the bucket once more; so does one that answers the
// refusal with a 2xx (see gone). known, when not nil, names the keys the
// caller knows a bucket holds: after a refusal those are deleted without
// listing the bucket (listed only if the bucket is refused again), and the
// buckets after it have theirs deleted before they are: an endpoint that
// refused one bucket with keys refuses the next.
func (s *Session) DropBuckets(ctx context.Context, names []string, known func(bucket string) []string) error {
	emptyFirst := false
	deleteKnown := func(name string) error {
		if known == nil {
			return nil
		}
		for _, id := range known(name) {
			if _, err := s.DeleteKey(ctx, name, id); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range names {
		if emptyFirst {
			if err := deleteKnown(name); err != nil {
				return err
			}
		}
		ex, err := s.bucketCall(ctx, spec.DeleteBucket, name)
		if err != nil {
			return err
		}
		if s.gone(ex) {
			continue
		}
		if known != nil && !emptyFirst {
			emptyFirst = true
			if err := deleteKnown(name); err != nil {
				return err
			}
			if ex, err = s.bucketCall(ctx, spec.DeleteBucket, name); err != nil {
				return err
			}
			if s.gone(ex) {
				continue
			}
		}
		emptyFirst = known != nil
		if err := s.EmptyBucket(ctx, name); err != nil {
			return err
		}
		if _, err := s.bucketCall(ctx, spec.DeleteBucket, name); err != nil {
			return err
		}
	}
	return nil
}

// gone reports whether a bucket delete's reply says the bucket is gone: a
// success that carries no error code, or not-found. A 2xx that carries one
// (an endpoint that answers its errors with 200, as the emulator's
// errors-with-200 fault does) deleted nothing: success-envelope judges the
// reply, and the bucket is emptied and deleted again.
func (s *Session) gone(ex *exchange.Exchange) bool {
	if ex.Reply.OK() {
		code, _ := s.b.ErrorCode(ex.Reply)
		return code == ""
	}
	return s.Is(ex, spec.NotFound)
}
