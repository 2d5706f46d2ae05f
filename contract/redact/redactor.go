// Package redact keeps secrets out of everything the harness writes: the
// Redactor replaces secret values wherever they appear, by value, and the
// reply readers (CreateReply, ListedSecrets, Undecodable) say which values
// of a reply are secrets, whatever is wrong with the reply. It is the one
// place redaction lives.
package redact

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"hash/maphash"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Redactor replaces secret values wherever they appear, by value: in bodies,
// headers, URLs and messages, whatever field they stand in. Secret access
// keys become stable placeholders (<secret-1>, <secret-2>, ...), so a leaked
// secret is still visible as a leak after redaction; credentials and header
// values become <redacted>.
//
// Each value is searched for in several spellings (valueForms): as sent,
// JSON-, URL- and XML-escaped, and base64-encoded. Known false negative: a
// secret split, or encoded otherwise (base64 of a longer text that holds
// it, say), is not recognised.
type Redactor struct {
	mu sync.RWMutex

	// Every value is stored as its forms (valueForms), the value as sent
	// first. Forms are numbered in registration order and their bytes
	// lie back to back in arena, so form f is arena[forms[f].off:] up to
	// the next form's offset.
	arena  []byte
	forms  []redactForm
	values []redactValue // in registration order
	n      int           // secrets registered: placeholders count secrets only

	// dedup finds a value already registered: open addressing on the
	// maphash of the value, holding value index + 1 (0 is an empty slot).
	seed  maphash.Seed
	dedup []int32

	// Beyond smallSet values, the forms are indexed by their first
	// minSecret bytes (their prefix), and Bytes and Contains read the text
	// once, whatever the number of values: at each position the minSecret
	// bytes there are hashed into filter, and only when both their bits are
	// set is heads searched for the chain of forms with that prefix.
	heads  []int32  // open addressing on the prefix: first form of the chain + 1, 0 empty
	nheads int      // prefixes in heads
	hshift uint     // 64 - log2(len(heads))
	filter []uint64 // two bits per prefix, in the same word
	fshift uint     // 64 - log2(len(filter))
}

// redactForm is one form of a value.
type redactForm struct {
	off  uint32 // in arena
	next int32  // next form with the same prefix, -1 at the end; set once indexed
}

// redactValue is a registered value.
type redactValue struct {
	form int32 // its first form, the value as sent; its others follow
	num  int32 // secret number, 0 for a credential
}

// New returns an empty Redactor. The zero Redactor is ready to use too.
func New() *Redactor { return &Redactor{} }

// minSecret is the shortest value redacted; shorter values would blank out
// ordinary text.
const minSecret = 6

const (
	// smallSet is the number of values up to which each form is searched for
	// on its own: bytes.Index is vectorised and beats the indexed scan there.
	smallSet = 10
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
	if r.dedup == nil {
		r.seed = maphash.MakeSeed()
		r.dedup = make([]int32, 16)
	}
	slot := r.findValue(v, maphash.String(r.seed, v))
	if id := r.dedup[slot]; id != 0 {
		return r.placeholder(id - 1)
	}
	id := int32(len(r.values))
	val := redactValue{form: int32(len(r.forms))}
	if secret {
		r.n++
		val.num = int32(r.n)
	}
	r.values = append(r.values, val)
	r.dedup[slot] = id + 1

	for _, f := range valueForms(v) {
		r.forms = append(r.forms, redactForm{off: uint32(len(r.arena)), next: -1})
		r.arena = append(r.arena, f...)
	}

	if 2*len(r.values) > len(r.dedup) {
		r.growDedup()
	}
	switch {
	case r.heads != nil:
		for f := val.form; f < int32(len(r.forms)); f++ {
			r.index(f)
		}
	case len(r.values) > smallSet:
		r.buildIndex()
	}
	return r.placeholder(id)
}

// valueForms returns the spellings of v that are redacted, the value as
// sent first: JSON-escaped, with "/" written as `\/`, URL-encoded (query
// and path), XML-escaped, and base64 (standard and URL alphabets, without
// padding: a padded encoding begins with it), each when it differs from
// those before it.
func valueForms(v string) []string {
	forms := []string{v}
	add := func(f string) {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	if jsonEscapes(v) {
		esc, _ := json.Marshal(v) // a string always marshals
		add(string(esc[1 : len(esc)-1]))
	}
	add(strings.ReplaceAll(v, "/", `\/`))
	add(url.QueryEscape(v))
	add(url.PathEscape(v))
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(v)) // a strings.Builder never fails
	add(x.String())
	// Unpadded base64 only: a padded encoding starts with it, so replacing
	// it leaves at most the "=" padding, which tells nothing. Every form is
	// kept for the whole run (a secret must stay redacted), so fewer forms
	// keep a long run's memory down.
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(v)))
	}
	return forms
}

// jsonEscapes reports whether json.Marshal may escape some byte of v.
func jsonEscapes(v string) bool {
	for i := range len(v) {
		if c := v[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return true
		}
	}
	return false
}

// formBytes returns form f.
func (r *Redactor) formBytes(f int32) []byte {
	end := uint32(len(r.arena))
	if int(f)+1 < len(r.forms) {
		end = r.forms[f+1].off
	}
	return r.arena[r.forms[f].off:end:end]
}

// valueOf returns the value form f belongs to.
func (r *Redactor) valueOf(f int32) int32 {
	i, found := slices.BinarySearchFunc(r.values, f, func(v redactValue, f int32) int { return int(v.form) - int(f) })
	if !found {
		i--
	}
	return int32(i)
}

// findValue returns the dedup slot holding v, or the empty slot where it
// would go.
func (r *Redactor) findValue(v string, h uint64) int {
	mask := len(r.dedup) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		id := r.dedup[i]
		if id == 0 || string(r.formBytes(r.values[id-1].form)) == v {
			return i
		}
	}
}

func (r *Redactor) growDedup() {
	t := make([]int32, 2*len(r.dedup))
	mask := len(t) - 1
	for id := range r.values {
		i := int(maphash.Bytes(r.seed, r.formBytes(r.values[id].form))) & mask
		for t[i] != 0 {
			i = (i + 1) & mask
		}
		t[i] = int32(id) + 1
	}
	r.dedup = t
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
// was. Occurrences are chosen as replacing the forms one after the other
// would: the forms of longer values first (registration order among values
// of the same length, and as sent, JSON-escaped, slashes-escaped within a
// value), each at its leftmost occurrences that overlap none already chosen.
// So a secret containing another is replaced whole.
func (r *Redactor) redact(b []byte) ([]byte, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var buf [4]redactMatch
	ms := r.find(buf[:0], b, false)
	if len(ms) == 0 {
		return b, false
	}
	for i := range ms {
		m := &ms[i]
		m.len = int32(len(r.formBytes(m.form)))
		m.val = r.valueOf(m.form)
		m.raw = int32(len(r.formBytes(r.values[m.val].form)))
	}
	if len(ms) > 1 {
		slices.SortFunc(ms, func(x, y redactMatch) int {
			switch {
			case x.raw != y.raw:
				return int(y.raw - x.raw)
			case x.form != y.form:
				return int(x.form - y.form)
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

// Contains reports whether b holds any registered value, in any form.
func (r *Redactor) Contains(b []byte) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var buf [1]redactMatch
	return len(r.find(buf[:0], b, true)) > 0
}
