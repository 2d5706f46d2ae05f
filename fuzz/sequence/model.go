// Package sequence searches for contract violations that single requests
// cannot show: random sequences of creates, lists and deletes checked step
// by step against a model of keys per bucket (a rapid state machine,
// shrunk on failure). Run is a step of every contract.Check run; Test runs
// the same search under rapid's go test integration (package fuzz's Run).
package sequence

import (
	"slices"
	"sort"
)

// Model is the contract's view of the run's buckets: which keys each holds,
// which were deleted, and the limit. It is what a correct endpoint's
// answers must agree with.
type Model struct {
	Limit   int
	buckets map[string]*bucketState
	owner   map[string]string // every key id ever seen -> its bucket
}

type bucketState struct {
	pre     []string // keys present when the sequence began (never deleted by it)
	live    []string // keys the sequence created and has not deleted, oldest first
	deleted []string // keys the sequence deleted
	deletes int
	refused int // creates refused with the limit error
}

// NewModel returns a model of buckets, each holding the keys pre gives.
func NewModel(limit int, pre map[string][]string) *Model {
	m := &Model{Limit: limit, buckets: map[string]*bucketState{}, owner: map[string]string{}}
	for b, ids := range pre {
		m.buckets[b] = &bucketState{pre: slices.Clone(ids)}
		for _, id := range ids {
			m.owner[id] = b
		}
	}
	return m
}

func (m *Model) bucket(b string) *bucketState {
	if s, ok := m.buckets[b]; ok {
		return s
	}
	s := &bucketState{}
	m.buckets[b] = s
	return s
}

// Count is how many keys bucket b holds.
func (m *Model) Count(b string) int { s := m.bucket(b); return len(s.pre) + len(s.live) }

// Full reports whether bucket b is at the limit.
func (m *Model) Full(b string) bool { return m.Count(b) >= m.Limit }

// Deletes is how many deletes bucket b has seen in this sequence.
func (m *Model) Deletes(b string) int { return m.bucket(b).deletes }

// Refused records a create refused with the limit error.
func (m *Model) Refused(b string) { m.bucket(b).refused++ }

// Refusals is how many creates on b were refused with the limit error.
func (m *Model) Refusals(b string) int { return m.bucket(b).refused }

// Keys is the set of keys bucket b holds, sorted.
func (m *Model) Keys(b string) []string {
	s := m.bucket(b)
	out := append(slices.Clone(s.pre), s.live...)
	sort.Strings(out)
	return out
}

// Live is the keys the sequence created in b and has not deleted.
func (m *Model) Live(b string) []string { return slices.Clone(m.bucket(b).live) }

// Deleted is the keys the sequence deleted from b.
func (m *Model) Deleted(b string) []string { return slices.Clone(m.bucket(b).deleted) }

// Owner returns the bucket a key id was created in ("" when unknown).
func (m *Model) Owner(id string) string { return m.owner[id] }

// Known reports whether id was ever seen.
func (m *Model) Known(id string) bool { _, ok := m.owner[id]; return ok }

// Created records a key the endpoint created in b.
func (m *Model) Created(b, id string) {
	s := m.bucket(b)
	s.live = append(s.live, id)
	m.owner[id] = b
}

// Removed records a delete of id from b.
func (m *Model) Removed(b, id string) {
	s := m.bucket(b)
	if i := slices.Index(s.live, id); i >= 0 {
		s.live = slices.Delete(s.live, i, i+1)
		s.deleted = append(s.deleted, id)
	}
	s.deletes++
}

// WasDeleted reports whether the sequence deleted id from b.
func (m *Model) WasDeleted(b, id string) bool { return slices.Contains(m.bucket(b).deleted, id) }

// Holds reports whether b holds id.
func (m *Model) Holds(b, id string) bool {
	s := m.bucket(b)
	return slices.Contains(s.pre, id) || slices.Contains(s.live, id)
}
