package redact

// The Redactor's index, used once more than a few values are registered:
// one rolling scan of the text whatever their number. A bit filter keyed by
// the minSecret bytes at each position lets through the few positions where
// some form may start; a table of chains by those bytes names the forms to
// try there.

import (
	"bytes"
	"math/bits"
)

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

// buildIndex indexes every form, once the set is no longer small.
func (r *Redactor) buildIndex() {
	n := 64
	for n < 4*len(r.forms) {
		n *= 2
	}
	r.rehash(n, minFilterBits/64)
	for f := range r.forms {
		r.index(int32(f))
	}
}

// index links form f into the chain of its prefix.
func (r *Redactor) index(f int32) {
	k := prefixKey(r.formBytes(f))
	mask := len(r.heads) - 1
	i := int(k * hashA >> r.hshift)
	for ; r.heads[i] != 0; i = (i + 1) & mask {
		if head := r.heads[i] - 1; prefixKey(r.formBytes(head)) == k {
			r.forms[f].next = head
			r.heads[i] = f + 1
			return
		}
	}
	r.forms[f].next = -1
	r.heads[i] = f + 1
	r.nheads++
	r.filter[k*hashA>>r.fshift] |= filterBits(k)
	switch {
	case 2*r.nheads > len(r.heads):
		r.rehash(2*len(r.heads), len(r.filter))
	case 16*r.nheads > 64*len(r.filter) && 64*len(r.filter) < maxFilterBits:
		r.rehash(len(r.heads), 2*len(r.filter))
	}
}

// rehash rebuilds heads and filter at the given sizes, from heads.
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
		k := prefixKey(r.formBytes(head - 1))
		i := int(k * hashA >> r.hshift)
		for r.heads[i] != 0 {
			i = (i + 1) & mask
		}
		r.heads[i] = head
		r.filter[k*hashA>>r.fshift] |= filterBits(k)
	}
}

// chain returns the first form whose prefix is k, or -1.
func (r *Redactor) chain(k uint64) int32 {
	mask := len(r.heads) - 1
	for i := int(k * hashA >> r.hshift); r.heads[i] != 0; i = (i + 1) & mask {
		if head := r.heads[i] - 1; prefixKey(r.arena[r.forms[head].off:]) == k {
			return head
		}
	}
	return -1
}

// redactMatch is an occurrence of form at pos. find sets pos and form,
// redact the rest.
type redactMatch struct {
	pos  int
	form int32
	len  int32 // of the form
	val  int32 // the value of the form
	raw  int32 // length of the value as sent
}

// find appends to ms every occurrence of every form in b, overlapping ones
// included, in no particular order; with first, it stops at the first.
func (r *Redactor) find(ms []redactMatch, b []byte, first bool) []redactMatch {
	if len(b) < minSecret {
		return ms
	}
	if r.heads == nil {
		for f := range int32(len(r.forms)) {
			fb := r.formBytes(f)
			for at := 0; ; at++ {
				i := bytes.Index(b[at:], fb)
				if i < 0 {
					break
				}
				at += i
				ms = append(ms, redactMatch{pos: at, form: f})
				if first {
					return ms
				}
			}
		}
		return ms
	}
	for i := 0; ; i++ {
		i = r.nextCandidate(b, i)
		if i < 0 {
			return ms
		}
		for f := r.chain(prefixKey(b[i:])); f >= 0; f = r.forms[f].next {
			if bytes.HasPrefix(b[i:], r.formBytes(f)) {
				ms = append(ms, redactMatch{pos: i, form: f})
				if first {
					return ms
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
