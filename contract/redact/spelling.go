package redact

// The spellings a value is redacted in. The Redactor stores each value once,
// as sent; a spelling is never stored but recognised where it stands in the
// text (spelledAt), byte by byte against the value, from tables the
// standard library's encoders fill.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
)

// spelling is one way a value is written out.
type spelling uint8

// The spellings, in the order redaction prefers them at the same place
// (the value as sent first; see Redactor.redact).
const (
	spellRaw       spelling = iota // as sent
	spellJSON                      // json.Marshal's string escapes (HTML-safe: \u003c, \u0026...)
	spellSlash                     // every "/" written `\/`, as JSON may
	spellQuery                     // url.QueryEscape
	spellPath                      // url.PathEscape
	spellXML                       // xml.EscapeText
	spellBase64                    // standard base64, unpadded
	spellBase64URL                 // URL-alphabet base64, unpadded
	numSpellings
)

// Unpadded base64 only: a padded encoding starts with the unpadded one, so
// replacing it leaves at most the "=" padding, which tells nothing.
var spellEncodings = [numSpellings]*base64.Encoding{
	spellBase64:    base64.RawStdEncoding,
	spellBase64URL: base64.RawURLEncoding,
}

// stdSpelling is spelling k of v as the standard library writes it: the
// definition the byte tables and spelledAt follow.
func stdSpelling(k spelling, v string) string {
	switch k {
	case spellJSON:
		esc, _ := json.Marshal(v) // a string always marshals
		return string(esc[1 : len(esc)-1])
	case spellSlash:
		return strings.ReplaceAll(v, "/", `\/`)
	case spellQuery:
		return url.QueryEscape(v)
	case spellPath:
		return url.PathEscape(v)
	case spellXML:
		var x strings.Builder
		_ = xml.EscapeText(&x, []byte(v)) // a strings.Builder never fails
		return x.String()
	case spellBase64, spellBase64URL:
		return spellEncodings[k].EncodeToString([]byte(v))
	}
	return v
}

// byteSpellings[k][c] is how spelling k writes byte c, for the escaping
// spellings. Each escapes byte by byte (JSON and XML: rune by rune, which
// is byte by byte below utf8.RuneSelf), so a value's spelling is its
// bytes' spellings back to back; asciiOnly[k] says JSON's and XML's table
// stops at 0x7f (a value with other bytes is spelled whole, stdSpelling).
var (
	byteSpellings [numSpellings][256]string
	asciiOnly     = [numSpellings]bool{spellJSON: true, spellXML: true}
)

func init() {
	for k := spellJSON; k <= spellXML; k++ {
		for c := range 256 {
			if c < 0x80 || !asciiOnly[k] {
				byteSpellings[k][c] = stdSpelling(k, string([]byte{byte(c)}))
			}
		}
	}
}

// appendSpelling appends spelling k of v to dst.
func appendSpelling(dst []byte, k spelling, v []byte) []byte {
	switch {
	case k == spellRaw:
		return append(dst, v...)
	case k == spellBase64 || k == spellBase64URL:
		return spellEncodings[k].AppendEncode(dst, v)
	case asciiOnly[k] && !isASCII(v):
		return append(dst, stdSpelling(k, string(v))...)
	}
	table := &byteSpellings[k]
	for _, c := range v {
		dst = append(dst, table[c]...)
	}
	return dst
}

// spelledAt returns the length of spelling k of v if text starts with it,
// or -1.
func spelledAt(text, v []byte, k spelling) int {
	switch {
	case k == spellRaw:
		if bytes.HasPrefix(text, v) {
			return len(v)
		}
		return -1
	case k == spellBase64 || k == spellBase64URL:
		return base64At(text, v, spellEncodings[k])
	case asciiOnly[k] && !isASCII(v):
		s := stdSpelling(k, string(v))
		if len(text) >= len(s) && string(text[:len(s)]) == s {
			return len(s)
		}
		return -1
	}
	table := &byteSpellings[k]
	at := 0
	for _, c := range v {
		s := table[c]
		if len(text)-at < len(s) || string(text[at:at+len(s)]) != s {
			return -1
		}
		at += len(s)
	}
	return at
}

// base64At is spelledAt for a base64 spelling, three bytes (four
// characters) at a time.
func base64At(text, v []byte, enc *base64.Encoding) int {
	var buf [4]byte
	at := 0
	for i := 0; i < len(v); i += 3 {
		chunk := v[i:min(i+3, len(v))]
		n := enc.EncodedLen(len(chunk))
		enc.Encode(buf[:n], chunk)
		if len(text)-at < n || !bytes.Equal(text[at:at+n], buf[:n]) {
			return -1
		}
		at += n
	}
	return at
}

func isASCII(v []byte) bool {
	for _, c := range v {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
