package emulator

import "fmt"

// The limit family: faults in how a create at the limit is answered. Only
// the two-key-limit scenario's own checks (the extra create must get the
// limit error) see these: nothing extra is stored, so no list ever shows
// more than the limit.
const (
	// FaultLimitWrongError breaks two-key-limit: a create at the limit is
	// answered with the dialect's not-found error, and nothing is stored.
	FaultLimitWrongError Fault = "limit-wrong-error"
	// FaultLimitPhantomOK breaks two-key-limit: a create at the limit is
	// answered with success and a well-formed new key (id and secret), but
	// nothing is stored.
	FaultLimitPhantomOK Fault = "limit-phantom-ok"
)

var limitFaults = []faultInfo{
	{FaultLimitWrongError, "a create at the limit gets the not-found error; nothing is stored", "two-key-limit"},
	{FaultLimitPhantomOK, "a create at the limit answers success with a new key that is never stored", "two-key-limit"},
}

// atLimit answers a create on bucket b, which holds KeyLimit keys already,
// with s.mu held.
func (s *Server) atLimit(b *bucket) (*result, *apiError) {
	switch {
	case s.has(FaultRejectedCreateStored):
		b.keys = append(b.keys, s.st.newKey())
	case s.has(FaultLimitWrongError):
		return nil, s.notFoundBucket(b.name)
	case s.has(FaultLimitPhantomOK):
		k := s.st.newKey() // issued (its secret counts as issued), never stored
		return &result{op: opCreateBucketAccessKey, bucketName: b.name, key: &k, at: k.CreatedAt}, nil
	}
	return nil, newErr(errLimit, fmt.Sprintf("The %s %s already has the maximum of %d access keys", s.d.entity, s.safeName(b.name), KeyLimit))
}
