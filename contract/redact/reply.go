package redact

// What a reply's secrets are: the values redaction hides, read from a
// createKey or listKeys reply whatever is wrong with it. Nothing here
// depends on the reply being valid: a nightly run against a broken release
// is exactly when a create answers with a mistyped id, a wrong content
// type, extra members or a truncated body, and its secret must still never
// be written.

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/keycontract/keycontract/spec"
)

// ListedSecrets is every value at the binding's secret location in the
// items of a listKeys reply, whatever else the items hold: Binding.ListedKeys
// skips an item whose id is missing or mistyped, and a secret such an item
// shows (of a key the run did not create, say) must still be redacted.
func ListedSecrets(b spec.Binding, r *spec.Reply) []string {
	v, _ := spec.Pointer(r.Value(), b.Response.Keys)
	items, _ := v.([]any)
	var secrets []string
	for _, it := range items {
		if s, ok := b.KeySecret(it); ok {
			secrets = append(secrets, s)
		}
	}
	return secrets
}

// Hidden is what redaction must hide of a createKey reply: Secrets are
// shown as numbered placeholders (<secret-N>), Others as <redacted>.
// Undecodable says the body did not decode at all: it must then be withheld
// from every output, in full and in part.
type Hidden struct {
	Secrets     []string
	Others      []string
	Undecodable bool
}

// CreateReply returns what redaction must hide of a createKey reply of
// document d, whatever its status, content type or shape:
//
//   - the value at the binding's secret location (Binding.CreatedSecret),
//     first;
//   - every string member of the created key object that is not a declared
//     non-secret field (and, in its nested objects and lists, every string
//     that looks like a credential, SecretLike): the binding's id, status and timestamp members,
//     members the description declares with an enum or a date-time format,
//     and a member whose value plain says is plain (the parent's name). An
//     endpoint's undeclared member (a secret under another name, say) is
//     thus hidden too;
//   - when the key object is missing or not an object, every string in the
//     body that looks like a credential (SecretLike), as Others: a create
//     whose body is shaped wrongly may hold its secret anywhere;
//   - when the body does not decode, what Undecodable finds, as
//     Others.
//
// This wider set is for redaction only: secret-only-once tracks
// Binding.CreatedSecret, so an endpoint's extra members never raise a false
// alarm.
func CreateReply(d *spec.Document, r *spec.Reply, plain func(string) bool) Hidden {
	var h Hidden
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return h
	}
	if r.DecodeErr() != nil {
		h.Undecodable = true
		h.Others = Undecodable(r.Body)
		return h
	}
	b := d.Binding
	if s, ok := b.CreatedSecret(r); ok {
		h.Secrets = append(h.Secrets, s)
	}
	obj, _ := spec.Pointer(r.Value(), b.Response.Key)
	m, isObject := obj.(map[string]any)
	if !isObject {
		walkStrings(r.Value(), func(s string) {
			if !plain(s) && SecretLike(s) {
				h.Others = append(h.Others, s)
			}
		})
		return h
	}
	plainMember := map[string]bool{}
	for _, p := range []string{b.Response.KeyID, b.Response.KeyStatus, b.Response.KeyCreatedAt} {
		if name, top := topMember(p); top {
			plainMember[name] = true
		}
	}
	if op := d.Op(spec.CreateKey); op != nil {
		if ks := op.SuccessSchemaAt(b.Response.Key); ks != nil {
			for name, p := range ks.Properties {
				if p.Value != nil && (len(p.Value.Enum) > 0 || p.Value.Format == "date-time") {
					plainMember[name] = true
				}
			}
		}
	}
	secretName, _ := topMember(b.Response.KeySecret)
	for name, v := range m {
		s, ok := v.(string)
		if !ok {
			// A member nested in the key (an object, a list) may hold the
			// secret too: its credential-like strings are hidden.
			walkStrings(v, func(s string) {
				if !plain(s) && SecretLike(s) {
					h.Others = append(h.Others, s)
				}
			})
			continue
		}
		if name == secretName || plainMember[name] || plain(s) {
			continue
		}
		h.Secrets = append(h.Secrets, s)
	}
	return h
}

// topMember returns the member name of a one-token pointer ("/id" -> "id").
func topMember(p string) (string, bool) {
	name, ok := strings.CutPrefix(p, "/")
	if !ok || strings.Contains(name, "/") {
		return "", false
	}
	return strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~"), true
}

// walkStrings calls f with every string in a decoded value, members' names
// excepted.
func walkStrings(v any, f func(string)) {
	switch c := v.(type) {
	case string:
		f(c)
	case map[string]any:
		for _, e := range c {
			walkStrings(e, f)
		}
	case []any:
		for _, e := range c {
			walkStrings(e, f)
		}
	}
}

// Undecodable finds what may be a secret in a body that does not
// decode (truncated, not JSON, another encoding): every string value a
// tolerant JSON scan reads before the body breaks, and every run of at
// least minTokenRun characters of the base64 alphabet that mixes letters
// and digits (a secret in a form-encoded or text body). The body itself is
// withheld from every output; these values are redacted from every other
// response and message, in case one shows them. Known false negative: a
// secret shorter than minTokenRun, or without a digit, in a body that is
// not JSON, shown again elsewhere.
func Undecodable(body []byte) []string {
	var out []string
	type frame struct{ object, key bool }
	var stack []frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			break // the end, or where the body breaks
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, key: true})
			case '[':
				stack = append(stack, frame{})
			default:
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].key {
				stack[n-1].key = false // a member name
				continue
			}
			out = append(out, t)
			valueDone()
		default:
			valueDone()
		}
	}
	return append(out, tokenRuns(body)...)
}

// SecretLike reports whether s looks like a credential rather than prose,
// a code, a name or a timestamp: at least minTokenRun characters, all of
// the base64 and URL-safe alphabets ("+/=_-."), letters and digits both.
func SecretLike(s string) bool {
	if len(s) < minTokenRun {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !isTokenByte(c) && c != '=' && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, isLetter) >= 0
}

// minTokenRun is the shortest run of secret-like characters taken from a
// body that does not decode. AWS secret access keys have 40.
const minTokenRun = 16

// tokenRuns returns the runs of [A-Za-z0-9+/] that are SecretLike ("="
// ends a run: it joins names and values in a form-encoded body).
func tokenRuns(body []byte) []string {
	var out []string
	start := -1
	for i := 0; i <= len(body); i++ {
		if i < len(body) && isTokenByte(body[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && SecretLike(string(body[start:i])) {
			out = append(out, string(body[start:i]))
		}
		start = -1
	}
	return out
}

func isTokenByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

func isLetter(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }
