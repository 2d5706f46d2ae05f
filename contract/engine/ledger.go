package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
)

// The ledger: what the run created, so that every scenario starts from the
// same state and cleanup deletes everything.

// MissingBucket is a well-formed bucket name that no run creates.
func (s *Session) MissingBucket() string {
	return fmt.Sprintf("%s%s-missing", BucketPrefix, s.runID)
}

// Adopt marks a bucket the endpoint created on the run's behalf (for
// example on a create to an unknown bucket) so that cleanup deletes it.
func (s *Session) Adopt(bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owned[bucket] = true
}

// Ours returns the live keys this run created in bucket, sorted.
func (s *Session) Ours(bucket string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, b := range s.created {
		if b == bucket {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Free is how many keys the run may create in bucket.
func (s *Session) Free(bucket string) int {
	return s.b.Limit - len(s.foreign[bucket]) - len(s.Ours(bucket))
}

// ClearKeys deletes every key the run created in bucket, so that the next
// scenario starts from the same state.
//
// A create that succeeded without a key the binding can read (a mistyped
// id, a body that does not decode) still made a key: the bucket is listed
// then, and every key in it that was not there before the run is taken
// as the run's, so that a broken create does not leave the bucket full
// for the scenarios after it.
func (s *Session) ClearKeys(ctx context.Context, bucket string) error {
	s.mu.Lock()
	unread := s.unread[bucket]
	s.mu.Unlock()
	if unread > 0 {
		if _, keys, ok, err := s.ListKeys(ctx, bucket, nil); err != nil {
			return err
		} else if ok {
			s.mu.Lock()
			foreign := s.foreign[bucket]
			for _, k := range keys {
				if !slices.Contains(foreign, k.ID) {
					s.created[k.ID] = bucket
				}
			}
			delete(s.unread, bucket)
			s.mu.Unlock()
		}
	}
	for _, id := range s.Ours(bucket) {
		if _, err := s.DeleteKey(ctx, bucket, id); err != nil {
			return err
		}
	}
	return nil
}

// EverCreated is the bucket the run created key id in ("" when it did
// not, or the bucket is gone).
func (s *Session) EverCreated(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ever[id]
}

// isBucket reports whether name is one of the run's buckets: a name the
// run chose, never a secret, whatever member a reply shows it in.
func (s *Session) isBucket(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.buckets, name) || s.owned[name]
}
