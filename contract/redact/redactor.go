// Package redact keeps secrets out of everything the harness writes: the
// Redactor replaces secret values wherever they appear, by value, and the
// reply readers (CreateReply, ListedSecrets, Undecodable) say which values
// of a reply are secrets, whatever is wrong with the reply. It is the one
// place redaction lives.
package redact

import (
	"bytes"
	"slices"
	"strconv"
	"sync"
)

// Redactor replaces secret values wherever they appear, by value: in bodies,
// headers, URLs and messages, whatever field they stand in. Secret access
// keys become stable placeholders (<secret-1>, <secret-2>, ...), so a leaked
// secret is still visible as a leak after redaction; credentials and header
// values become <redacted>.
//
// Each value is recognised in several spellings (see spelling): as sent,
// JSON-, URL- and XML-escaped, and base64-encoded. Known false negative: a
// secret split, or encoded otherwise (base64 of a longer text that holds
// it, say), is not recognised.
//
// Every value is kept for the whole run (a secret must stay redacted), so
// it is kept once, as sent: its spellings are recognised in the text, not
// stored. What a value costs is its bytes and an index entry per distinct
// first minSecret bytes of its spellings (usually two or three).
type Redactor struct {
	mu sync.RWMutex

	// The values as sent lie back to back in arena, in registration
	// order: value i is arena[values[i].off:] up to the next one's.
	arena  []byte
	values []redactValue
	n      int // secrets registered: placeholders count secrets only

	// The index (index.go): the spellings of every value, by their first
	// minSecret bytes (their prefix). Bytes and Contains read the text
	// once, whatever the number of values: at each position the minSecret
	// bytes there are hashed into filter, and only when both their bits are
	// set is heads searched for the chain of entries with that prefix.
	entries []redactEntry
	scratch []byte   // indexSpellings' spellings of a value
	heads   []int32  // open addressing on the prefix: first entry of the chain + 1, 0 empty
	nheads  int      // prefixes in heads
	hshift  uint     // 64 - log2(len(heads))
	filter  []uint64 // two bits per prefix, in the same word
	fshift  uint     // 64 - log2(len(filter))
}

// redactValue is a registered value.
type redactValue struct {
	off uint32 // in arena
	num int32  // secret number, 0 for a credential
}

// New returns an empty Redactor. The zero Redactor is ready to use too.
func New() *Redactor { return &Redactor{} }

// minSecret is the shortest value redacted; shorter values would blank out
// ordinary text.
const minSecret = 6

const (
	// Filter sizes, in bits. It grows (rebuilt from heads) to keep at least
	// 16 bits per prefix, so that about 1% of positions look in heads.
	minFilterBits = 1 << 20
	maxFilterBits = 1 << 27
)

// AddSecret registers a secret access key and returns its placeholder.
func (r *Redactor) AddSecret(v string) string { return r.add(v, true) }

// AddCredential registers a credential (a signing secret, a session token, a
// -header value).
func (r *Redactor) AddCredential(v string) { r.add(v, false) }

func (r *Redactor) add(v string, secret bool) string {
	if len(v) < minSecret {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.heads == nil {
		r.rehash(64, minFilterBits/64)
	}
	if id := r.lookup(v); id >= 0 {
		return r.placeholder(id)
	}
	id := int32(len(r.values))
	val := redactValue{off: uint32(len(r.arena))}
	if secret {
		r.n++
		val.num = int32(r.n)
	}
	r.values = append(r.values, val)
	r.arena = append(r.arena, v...)

	r.indexSpellings(id)
	return r.placeholder(id)
}

// indexSpellings adds the entries of value id: one per distinct prefix of
// its spellings, naming the spellings that start with it. A spelling that
// is the same text as an earlier one is left out: it would only match
// where that one does.
func (r *Redactor) indexSpellings(id int32) {
	v := r.valueBytes(id)
	var ends [numSpellings + 1]int
	buf := r.scratch[:0]
	for k := range numSpellings {
		buf = appendSpelling(buf, k, v)
		ends[k+1] = len(buf)
	}
	r.scratch = buf
	text := func(k spelling) []byte { return buf[ends[k]:ends[k+1]] }
	var kinds [numSpellings]spelling
	n := 0
	for k := range numSpellings {
		if !slices.ContainsFunc(kinds[:n], func(j spelling) bool { return bytes.Equal(text(j), text(k)) }) {
			kinds[n] = k
			n++
		}
	}
	var done uint8
	for i, k := range kinds[:n] {
		if done&(1<<k) != 0 {
			continue
		}
		key := prefixKey(text(k))
		var mask uint8
		for _, j := range kinds[i:n] {
			if prefixKey(text(j)) == key {
				mask |= 1 << j
			}
		}
		done |= mask
		r.index(key, id, mask)
	}
}

// valueBytes returns value id as sent.
func (r *Redactor) valueBytes(id int32) []byte {
	end := uint32(len(r.arena))
	if int(id)+1 < len(r.values) {
		end = r.values[id+1].off
	}
	return r.arena[r.values[id].off:end:end]
}

// lookup returns the id of value v, or -1 if it is not registered.
func (r *Redactor) lookup(v string) int32 {
	for e := r.chain(prefixKey([]byte(v))); e >= 0; e = r.entries[e].next {
		if en := r.entries[e]; en.kinds()&(1<<spellRaw) != 0 && string(r.valueBytes(en.val)) == v {
			return en.val
		}
	}
	return -1
}

// placeholder returns the placeholder of value id.
func (r *Redactor) placeholder(id int32) string {
	if r.values[id].num == 0 {
		return "<redacted>"
	}
	return string(r.appendPlaceholder(nil, id))
}

// appendPlaceholder appends the placeholder of value id to dst.
func (r *Redactor) appendPlaceholder(dst []byte, id int32) []byte {
	num := r.values[id].num
	if num == 0 {
		return append(dst, "<redacted>"...)
	}
	dst = append(dst, "<secret-"...)
	dst = strconv.AppendInt(dst, int64(num), 10)
	return append(dst, '>')
}

func placeholderLen(num int32) int {
	if num == 0 {
		return len("<redacted>")
	}
	n := len("<secret->") + 1
	for ; num >= 10; num /= 10 {
		n++
	}
	return n
}

// redact returns b with every registered value replaced, and whether any
// was. Occurrences are chosen as replacing the spellings one after the other
// would: the spellings of longer values first (registration order among
// values of the same length, and the spelling order within a value), each
// at its leftmost occurrences that overlap none already chosen.
// So a secret containing another is replaced whole.
func (r *Redactor) redact(b []byte) ([]byte, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var buf [4]redactMatch
	ms := r.find(buf[:0], b, false)
	if len(ms) == 0 {
		return b, false
	}
	if len(ms) > 1 {
		for i := range ms {
			ms[i].raw = int32(len(r.valueBytes(ms[i].val)))
		}
		slices.SortFunc(ms, func(x, y redactMatch) int {
			switch {
			case x.raw != y.raw:
				return int(y.raw - x.raw)
			case x.val != y.val:
				return int(x.val - y.val)
			case x.kind != y.kind:
				return int(x.kind) - int(y.kind)
			}
			return x.pos - y.pos
		})
		covered := make([]uint64, (len(b)+63)/64)
		kept := ms[:0]
		for _, m := range ms {
			if end := m.pos + int(m.len); !anyBit(covered, m.pos, end) {
				setBits(covered, m.pos, end)
				kept = append(kept, m)
			}
		}
		ms = kept
		slices.SortFunc(ms, func(x, y redactMatch) int { return x.pos - y.pos })
	}
	size := len(b)
	for _, m := range ms {
		size += placeholderLen(r.values[m.val].num) - int(m.len)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, m := range ms {
		out = append(out, b[at:m.pos]...)
		out = r.appendPlaceholder(out, m.val)
		at = m.pos + int(m.len)
	}
	return append(out, b[at:]...), true
}

// anyBit reports whether any of the bits [from, to) is set.
func anyBit(set []uint64, from, to int) bool {
	for i := from; i < to; {
		if i&63 == 0 && i+64 <= to {
			if set[i>>6] != 0 {
				return true
			}
			i += 64
			continue
		}
		if set[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
		i++
	}
	return false
}

// setBits sets the bits [from, to).
func setBits(set []uint64, from, to int) {
	for i := from; i < to; i++ {
		set[i>>6] |= 1 << (i & 63)
	}
}

// Bytes returns b with every registered value replaced. b is not modified;
// when nothing matches, b itself is returned.
func (r *Redactor) Bytes(b []byte) []byte {
	out, _ := r.redact(b)
	return out
}

// String is Bytes for strings.
func (r *Redactor) String(s string) string {
	out, changed := r.redact([]byte(s))
	if !changed {
		return s
	}
	return string(out)
}

// Contains reports whether b holds any registered value, in any spelling.
func (r *Redactor) Contains(b []byte) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var buf [1]redactMatch
	return len(r.find(buf[:0], b, true)) > 0
}
