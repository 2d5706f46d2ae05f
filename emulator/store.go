package emulator

import (
	"crypto/rand"
	"time"
)

// KeyLimit is the number of access keys a bucket may hold.
const KeyLimit = 2

// KeyInfo is one access key as stored by the emulator.
type KeyInfo struct {
	ID        string
	Secret    string
	Status    string
	CreatedAt time.Time
}

// Tag is a bucket tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// bucket is one stored bucket. keys are in creation order.
type bucket struct {
	name       string
	arnID      string // random part of the ARN
	bundleID   string
	createdAt  time.Time
	tags       []Tag
	versioning bool
	keys       []KeyInfo
	ghosts     int    // deleted keys still counted (fault deleted-still-counts)
	path       string // the user's path, where buckets are IAM users ("" means "/")
	boundary   string // the user's permissions boundary ARN, if any
	// race is the barrier of fault limit-race (race.go).
	race raceState
}

// state is everything the emulator stores; guarded by Server.mu.
type state struct {
	buckets map[string]*bucket
	order   []string            // bucket names in creation order
	ids     map[string]struct{} // every key id ever issued
	secrets []string            // every secret ever issued
	seen    map[string]struct{} // set of secrets, for uniqueness
}

func newState() *state {
	return &state{
		buckets: map[string]*bucket{},
		ids:     map[string]struct{}{},
		seen:    map[string]struct{}{},
	}
}

// now returns the current time truncated to milliseconds, so every
// rendering of a timestamp agrees.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// addBucket stores a new bucket; false if the name is taken.
func (st *state) addBucket(name, bundleID string, tags []Tag, versioning bool) (*bucket, bool) {
	if _, ok := st.buckets[name]; ok {
		return nil, false
	}
	if tags == nil {
		tags = []Tag{}
	}
	b := &bucket{name: name, arnID: newUUID(), bundleID: bundleID, createdAt: now(), tags: tags, versioning: versioning}
	st.buckets[name] = b
	st.order = append(st.order, name)
	return b, true
}

// removeBucket deletes a bucket and its keys.
func (st *state) removeBucket(name string) {
	delete(st.buckets, name)
	for i, n := range st.order {
		if n == name {
			st.order = append(st.order[:i:i], st.order[i+1:]...)
			break
		}
	}
}

// newKey issues a fresh key: a unique 20-character [A-Z0-9] id and a unique
// 40-character secret, both from crypto/rand, and records the secret. Ids
// start with EMUL rather than AWS's AKIA, so that recordings and fixtures
// of the emulator never look like real AWS key ids to secret scanners.
func (st *state) newKey() KeyInfo {
	var id, secret string
	for {
		id = "EMUL" + randomString(16, idAlphabet)
		if _, dup := st.ids[id]; !dup {
			break
		}
	}
	for {
		secret = randomString(40, secretAlphabet)
		if _, dup := st.seen[secret]; !dup {
			break
		}
	}
	st.ids[id] = struct{}{}
	st.seen[secret] = struct{}{}
	st.secrets = append(st.secrets, secret)
	return KeyInfo{ID: id, Secret: secret, Status: "Active", CreatedAt: now()}
}

// userPath is the bucket's path, "/" unless one was given (an IAM user's
// path; GetBuckets filters by its prefix).
func (b *bucket) userPath() string {
	if b.path == "" {
		return "/"
	}
	return b.path
}

// count is the number of keys that count towards the limit.
func (b *bucket) count() int { return len(b.keys) + b.ghosts }

// keyIndex returns the index of id in b.keys, or -1.
func (b *bucket) keyIndex(id string) int {
	for i, k := range b.keys {
		if k.ID == id {
			return i
		}
	}
	return -1
}

// removeKey deletes keys[i].
func (b *bucket) removeKey(i int) KeyInfo {
	k := b.keys[i]
	b.keys = append(b.keys[:i:i], b.keys[i+1:]...)
	return k
}

// snapshot copies the keys per bucket.
func (st *state) snapshot() map[string][]KeyInfo {
	out := make(map[string][]KeyInfo, len(st.buckets))
	for name, b := range st.buckets {
		out[name] = append([]KeyInfo{}, b.keys...)
	}
	return out
}

const (
	idAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	hexAlphabet    = "0123456789abcdef"
)

// randomString draws n characters uniformly from alphabet with crypto/rand
// (rejection sampling avoids modulo bias).
func randomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// newUUID returns a random version-4 style identifier for operations and
// ARNs.
func newUUID() string {
	s := randomString(32, hexAlphabet)
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-a" + s[17:20] + "-" + s[20:32]
}
