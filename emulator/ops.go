package emulator

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// result is the dialect-neutral outcome of a successful operation; the
// server's wire writes it in its dialect.
type result struct {
	op          string
	bucket      *bucket   // CreateBucket: the new bucket (a copy)
	buckets     []bucket  // GetBuckets (copies)
	bucketName  string    // every operation on one bucket
	key         *KeyInfo  // CreateBucketAccessKey: the new key, with its secret
	keys        []KeyInfo // GetBucketAccessKeys
	listSecrets bool      // GetBucketAccessKeys: fault secret-in-list
	deletedID   string    // DeleteBucketAccessKey
	leaked      string    // DeleteBucketAccessKey: fault secret-repeated
	// wrongTimestamps asks for the create-key timestamps in the other
	// form (fault timestamp-wrong-type); set by Server.success.
	wrongTimestamps bool
	at              time.Time // when the operation happened
	// nextMarker is the marker of the next page of a paged list
	// (pages.go); "" on the last page.
	nextMarker string
	requestID  string // the response's request id; set by the server
	// dataURL is the data plane's base URL where it is served (bucket
	// objects carry their url under it), "" where not; set by the server.
	dataURL string
}

// dispatch runs a validated request. It is the only place that reads or
// changes the state, always under s.mu. ctx is the request's: a create held
// by fault limit-race gives up when it ends.
func (s *Server) dispatch(ctx context.Context, op string, in map[string]any) (*result, *apiError) {
	switch op {
	case opCreateBucket:
		return s.createBucket(in)
	case opDeleteBucket:
		return s.deleteBucket(in)
	case opGetBuckets:
		return s.getBuckets(in)
	case opCreateBucketAccessKey:
		return s.createKey(ctx, in)
	case opGetBucketAccessKeys:
		return s.listKeys(in)
	case opDeleteBucketAccessKey:
		return s.deleteKey(in)
	}
	return nil, newErr(errUnknownOperation, "")
}

func (s *Server) notFoundBucket(name string) *apiError {
	return newErr(errNotFound, fmt.Sprintf("The %s %s does not exist", s.d.entity, s.safeName(name)))
}

// safeName quotes a bucket name in messages only when it is well formed,
// so a message never echoes arbitrary request text. Where a well-formed
// name may look like anything (dialect.opaqueNames: a secret, even), it
// quotes only the name of an existing bucket. Called with s.mu held.
func (s *Server) safeName(name string) string {
	if s.d.validName(name) && (!s.d.opaqueNames || s.st.buckets[name] != nil) {
		return "'" + name + "'"
	}
	return "named in the request"
}

func (s *Server) createBucket(in map[string]any) (*result, *apiError) {
	name := str(in, "bucketName")
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.st.addBucket(name, str(in, "bundleId"), tagsOf(in), boolean(in, "enableObjectVersioning"))
	if !ok {
		return nil, newErr(errAlreadyExists, fmt.Sprintf("The %s name %s is already in use", s.d.entity, s.safeName(name)))
	}
	b.path, b.boundary = str(in, "path"), str(in, "permissionsBoundary")
	cp := *b
	return &result{op: opCreateBucket, bucket: &cp, bucketName: name, at: b.createdAt}, nil
}

func (s *Server) deleteBucket(in map[string]any) (*result, *apiError) {
	name := str(in, "bucketName")
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.buckets[name]
	if b == nil {
		return nil, s.notFoundBucket(name)
	}
	if len(b.keys) > 0 && !boolean(in, "forceDelete") {
		return nil, newErr(errDeleteConflict, s.d.deleteConflict)
	}
	s.st.removeBucket(name)
	return &result{op: opDeleteBucket, bucketName: name, at: now()}, nil
}

// getBuckets answers the bucket named by bucketName (not found when it
// does not exist), else every bucket whose path starts with pathPrefix
// (absent: every bucket), in creation order, one page of them where the
// dialect's lists page.
func (s *Server) getBuckets(in map[string]any) (*result, *apiError) {
	if s.has(FaultGetBuckets500) {
		return nil, newErr(errInternal, "")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &result{op: opGetBuckets, buckets: []bucket{}, at: now()}
	if name, ok := in["bucketName"].(string); ok {
		b := s.st.buckets[name]
		if b == nil {
			return nil, s.notFoundBucket(name)
		}
		r.buckets = append(r.buckets, *b)
		return r, nil
	}
	prefix := str(in, "pathPrefix")
	for _, n := range s.st.order {
		if b := s.st.buckets[n]; strings.HasPrefix(b.userPath(), prefix) {
			r.buckets = append(r.buckets, *b)
		}
	}
	if s.d.pagesLists {
		from, to, next, e := s.page(in, len(r.buckets))
		if e != nil {
			return nil, e
		}
		r.buckets, r.nextMarker = r.buckets[from:to], next
	}
	return r, nil
}

// createKey enforces the two-key limit atomically unless a fault says
// otherwise.
func (s *Server) createKey(ctx context.Context, in map[string]any) (*result, *apiError) {
	name := str(in, "bucketName")
	s.mu.Lock()
	b := s.st.buckets[name]
	if b == nil {
		if !s.has(FaultUnknownBucketCreates) {
			err := s.notFoundBucket(name) // reads the buckets: under s.mu
			s.mu.Unlock()
			return nil, err
		}
		b, _ = s.st.addBucket(name, "small_1_0", nil, false)
	}
	if b.count() >= KeyLimit && !s.has(FaultNoKeyLimit) {
		r, e := s.atLimit(b) // limit_faults.go
		s.mu.Unlock()
		return r, e
	}
	if s.has(FaultLimitRace) && !s.holdForRace(ctx, b) {
		s.mu.Unlock()
		return nil, newErr(errInternal, "The request ended while it was held")
	}
	k := s.st.newKey()
	b.keys = append(b.keys, k)
	s.mu.Unlock()
	return &result{op: opCreateBucketAccessKey, bucketName: name, key: &k, at: k.CreatedAt}, nil
}

func (s *Server) listKeys(in map[string]any) (*result, *apiError) {
	name := str(in, "bucketName")
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.buckets[name]
	if b == nil {
		return nil, s.notFoundBucket(name)
	}
	keys := append([]KeyInfo{}, b.keys...)
	if s.has(FaultListDropsNewest) && len(keys) >= 2 {
		keys = keys[:len(keys)-1]
	}
	r := &result{op: opGetBucketAccessKeys, bucketName: name, keys: keys, listSecrets: s.has(FaultSecretInList), at: now()}
	if s.d.pagesLists {
		from, to, next, e := s.page(in, len(keys))
		if e != nil {
			return nil, e
		}
		r.keys, r.nextMarker = keys[from:to], next
	}
	return r, nil
}

func (s *Server) deleteKey(in map[string]any) (*result, *apiError) {
	name, id := str(in, "bucketName"), str(in, "accessKeyId")
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.buckets[name]
	if b == nil {
		return nil, s.notFoundBucket(name)
	}
	r := &result{op: opDeleteBucketAccessKey, bucketName: name, deletedID: id, at: now()}
	i := b.keyIndex(id)
	if i < 0 && s.has(FaultCrossBucketDelete) {
		for _, other := range s.st.buckets {
			if j := other.keyIndex(id); j >= 0 {
				b, i = other, j
				break
			}
		}
	}
	if i < 0 {
		if s.has(FaultDoubleDeleteSucceeds) {
			return r, nil
		}
		return nil, newErr(errNotFound, fmt.Sprintf("The access key does not exist on the %s %s", s.d.entity, s.safeName(name)))
	}
	k := b.keys[i]
	if !s.has(FaultDeleteKeepsKey) {
		gone := b.removeKey(i)
		s.st.revoke(b.name, gone, b.keys)
		if s.has(FaultDeletedStillCounts) {
			b.ghosts++
		}
	}
	if s.has(FaultSecretRepeated) {
		r.leaked = k.Secret
	}
	return r, nil
}
