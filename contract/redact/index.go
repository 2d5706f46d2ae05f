package redact

// The Redactor's index: one rolling scan of the text whatever the number
// of values. A bit filter keyed by the minSecret bytes at each position lets
// through the few positions where some spelling may start; a table of chains
// by those bytes names the values, and their spellings, to try there.

import "math/bits"

// prefixKey packs the first minSecret bytes of b into an integer.
func prefixKey(b []byte) uint64 {
	_ = b[5]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 |
		uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40
}

// Multiplicative hashes of a prefix key: the top bits of the product
// depend on every bit of the key. hashA places a prefix in heads and
// filter, hashB gives its two bits in the filter word.
const (
	hashA = 0x9e3779b97f4a7c15
	hashB = 0xc2b2ae3d27d4eb4f
)

// filterBits is the two bits a prefix key sets in its filter word.
func filterBits(k uint64) uint64 {
	g := k * hashB
	return 1<<(g>>58) | 1<<(g>>52&63)
}

// redactEntry is one link of a prefix's chain: value val, in the
// spellings of it that start with the prefix.
type redactEntry struct {
	key  uint64 // the prefix (prefixKey), kinds in the top byte
	val  int32
	next int32 // next entry with the same prefix, -1 at the end
}

func (e redactEntry) prefix() uint64 { return e.key & (1<<(8*minSecret) - 1) }
func (e redactEntry) kinds() uint8   { return uint8(e.key >> 56) }

// index links an entry for value val, spelled as kinds, into the chain of
// prefix k.
func (r *Redactor) index(k uint64, val int32, kinds uint8) {
	e := int32(len(r.entries))
	r.entries = append(r.entries, redactEntry{key: k | uint64(kinds)<<56, val: val, next: -1})
	mask := len(r.heads) - 1
	i := int(k * hashA >> r.hshift)
	for ; r.heads[i] != 0; i = (i + 1) & mask {
		if head := r.heads[i] - 1; r.entries[head].prefix() == k {
			r.entries[e].next = head
			r.heads[i] = e + 1
			return
		}
	}
	r.heads[i] = e + 1
	r.nheads++
	r.filter[k*hashA>>r.fshift] |= filterBits(k)
	switch {
	case 2*r.nheads > len(r.heads):
		r.rehash(2*len(r.heads), len(r.filter))
	case 16*r.nheads > 64*len(r.filter) && 64*len(r.filter) < maxFilterBits:
		r.rehash(len(r.heads), 2*len(r.filter))
	}
}

// rehash builds heads and filter at the given sizes, from heads.
func (r *Redactor) rehash(nheads, nwords int) {
	old := r.heads
	r.heads = make([]int32, nheads)
	r.hshift = uint(64 - bits.TrailingZeros(uint(nheads)))
	r.filter = make([]uint64, nwords)
	r.fshift = uint(64 - bits.TrailingZeros(uint(nwords)))
	mask := nheads - 1
	for _, head := range old {
		if head == 0 {
			continue
		}
		k := r.entries[head-1].prefix()
		i := int(k * hashA >> r.hshift)
		for r.heads[i] != 0 {
			i = (i + 1) & mask
		}
		r.heads[i] = head
		r.filter[k*hashA>>r.fshift] |= filterBits(k)
	}
}

// chain returns the first entry whose prefix is k, or -1.
func (r *Redactor) chain(k uint64) int32 {
	if r.heads == nil {
		return -1
	}
	mask := len(r.heads) - 1
	for i := int(k * hashA >> r.hshift); r.heads[i] != 0; i = (i + 1) & mask {
		if head := r.heads[i] - 1; r.entries[head].prefix() == k {
			return head
		}
	}
	return -1
}

// redactMatch is an occurrence of value val, spelled kind, at pos: len
// bytes of the text. find sets all but raw.
type redactMatch struct {
	pos  int
	val  int32
	len  int32 // of the spelling
	raw  int32 // length of the value as sent
	kind spelling
}

// find appends to ms every occurrence of every spelling of every value in
// b, overlapping ones included, in no particular order; with first, it
// stops at the first.
func (r *Redactor) find(ms []redactMatch, b []byte, first bool) []redactMatch {
	if len(b) < minSecret || r.heads == nil {
		return ms
	}
	for i := 0; ; i++ {
		i = r.nextCandidate(b, i)
		if i < 0 {
			return ms
		}
		for e := r.chain(prefixKey(b[i:])); e >= 0; e = r.entries[e].next {
			en := r.entries[e]
			v := r.valueBytes(en.val)
			for kinds := en.kinds(); kinds != 0; kinds &= kinds - 1 {
				k := spelling(bits.TrailingZeros8(kinds))
				if n := spelledAt(b[i:], v, k); n >= 0 {
					ms = append(ms, redactMatch{pos: i, val: en.val, len: int32(n), kind: k})
					if first {
						return ms
					}
				}
			}
		}
	}
}

// nextCandidate returns the first position from i on where the filter lets
// the minSecret bytes there through, or -1.
func (r *Redactor) nextCandidate(b []byte, i int) int {
	if i < 0 || i+minSecret > len(b) {
		return -1
	}
	filter, shift := r.filter, r.fshift&63
	k := prefixKey(b[i:]) << 8 // rolled right by a byte on entering the loop
	for j := i + minSecret - 1; j < len(b); j++ {
		k = k>>8 | uint64(b[j])<<40
		if m := filterBits(k); filter[k*hashA>>shift]&m == m {
			return j - (minSecret - 1)
		}
	}
	return -1
}
