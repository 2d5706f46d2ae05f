package redact

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spellingNames names redactForms' spellings, in its order.
var spellingNames = []string{"raw", "json", "slash", "query", "path", "xml", "base64", "base64url"}

// spellingValues are values whose spellings differ from each other in
// every way the spellings have: a secret as AWS makes them ('/' and '+'),
// every character JSON, URL and XML escape, bytes that are not UTF-8, a
// multi-byte rune, control characters.
var spellingValues = []string{
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"abc/def+ghi/jkl+mno/pqr",
	`a/b"c<d>e&f\g h;i,j?k=l:m@n$o'p`,
	"caf\u00e9-\u2028-\xff\xfe-secret",
	"tab\there\nnew\rline\x00nul\x7f",
}

// TestRedactorEachSpelling: each value, in each spelling (written by the
// standard library, redactForms), is replaced by its placeholder in the
// middle, at the start and at the end of a text, and Contains finds it;
// the spelling less its last byte is not replaced. With no other value
// registered, and with fillerValues before it.
func TestRedactorEachSpelling(t *testing.T) {
	for _, filler := range []int{0, fillerValues} {
		r := New()
		for i := range filler {
			r.AddSecret(fmt.Sprintf("filler-%d-value", i))
		}
		for vi, v := range spellingValues {
			p := r.AddSecret(v)
			require.NotEmpty(t, p)
			for i, f := range redactForms(v) {
				t.Run(fmt.Sprintf("filler=%d/value=%d/%s", filler, vi, spellingNames[i]), func(t *testing.T) {
					assert.Equal(t, `{"k":"`+p+`"}`, r.String(`{"k":"`+f+`"}`))
					assert.Equal(t, p+" "+p, r.String(f+" "+f))
					assert.True(t, r.Contains([]byte("..."+f+"...")))
					cut := f[:len(f)-1]
					assert.False(t, r.Contains([]byte(cut)), "Contains(%q)", cut)
					assert.Equal(t, cut, r.String(cut))
				})
			}
			// Padded base64 starts with the unpadded spelling: only the
			// padding is left.
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
				padded := enc.EncodeToString([]byte(v))
				out := r.String(padded)
				assert.Equal(t, p, strings.TrimRight(out, "="), "padded base64 of value %d", vi)
			}
		}
	}
}

// TestSpelledAt holds spelledAt and appendSpelling, which spell byte by
// byte from tables, to the standard library's spelling of the whole value
// (stdSpelling): every single byte, and random values of every kind of
// byte. A text starting with the spelling matches it, whatever follows; a
// text with any one byte of it changed does not.
func TestSpelledAt(t *testing.T) {
	var values []string
	for c := range 256 {
		values = append(values, string([]byte{byte(c)}))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		b := make([]byte, 0, 64)
		for n := rng.IntN(40); len(b) < n; {
			switch rng.IntN(4) {
			case 0:
				b = append(b, byte(rng.IntN(256)))
			case 1:
				b = utf8.AppendRune(b, rune(rng.IntN(0x3000)))
			default:
				b = append(b, redactJSONChars[rng.IntN(len(redactJSONChars))])
			}
		}
		values = append(values, string(b))
	}
	values = append(values, spellingValues...)
	for _, v := range values {
		for k := range numSpellings {
			s := stdSpelling(k, v)
			require.Equal(t, s, string(appendSpelling([]byte("x"), k, []byte(v))[1:]), "appendSpelling %d of %q", k, v)
			require.Equal(t, len(s), spelledAt([]byte(s), []byte(v), k), "spelling %d of %q is %q", k, v, s)
			require.Equal(t, len(s), spelledAt([]byte(s+"tail"), []byte(v), k), "spelling %d of %q, then more", k, v)
			if len(s) == 0 {
				continue
			}
			require.Equal(t, -1, spelledAt([]byte(s[:len(s)-1]), []byte(v), k), "spelling %d of %q cut short", k, v)
			i := rng.IntN(len(s))
			changed := []byte(s)
			changed[i] ^= byte(1 + rng.IntN(255))
			require.Equal(t, -1, spelledAt(changed, []byte(v), k), "spelling %d of %q with byte %d changed: %q", k, v, i, changed)
		}
	}
}

// TestRedactorKeepsValuesOnce: a value is stored once, as sent, however
// many spellings it has; the index holds one entry per distinct prefix of
// its spellings, at most one per spelling.
func TestRedactorKeepsValuesOnce(t *testing.T) {
	r := New()
	secrets := redactBenchSecrets(10_000)
	size := 0
	for _, s := range secrets {
		r.AddSecret(s)
		size += len(s)
	}
	for _, s := range secrets[:100] {
		r.AddCredential(s) // already registered: nothing more is kept
	}
	assert.Len(t, r.values, len(secrets))
	assert.Len(t, r.arena, size, "every value once, as sent")
	assert.LessOrEqual(t, len(r.entries), int(numSpellings)*len(secrets))
	assert.Less(t, float64(len(r.entries))/float64(len(secrets)), 3.5,
		"entries per value: 40 base64 characters have 2 or 3 distinct prefixes")
}
