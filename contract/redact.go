package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Redactor replaces secret values wherever they appear, by value: in bodies,
// headers, URLs and messages, whatever field they stand in. Secret access
// keys become stable placeholders (<secret-1>, <secret-2>, ...), so a leaked
// secret is still visible as a leak after redaction; credentials and header
// values become <redacted>.
//
// Known false negative: a secret split or re-encoded beyond JSON string
// escaping (base64 of it, say) is not recognised.
type Redactor struct {
	mu      sync.RWMutex
	secrets []redaction
	index   map[string]int
	n       int // secrets registered: placeholders count secrets only
}

type redaction struct {
	forms       [][]byte // the value as sent and as JSON may escape it
	placeholder []byte
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor { return &Redactor{index: map[string]int{}} }

// minSecret is the shortest value redacted; shorter values would blank out
// ordinary text.
const minSecret = 6

// AddSecret registers a secret access key and returns its placeholder.
func (r *Redactor) AddSecret(v string) string {
	return r.add(v, func() string { r.n++; return fmt.Sprintf("<secret-%d>", r.n) })
}

// AddCredential registers a credential (a signing secret, a session token, a
// -header value).
func (r *Redactor) AddCredential(v string) {
	r.add(v, func() string { return "<redacted>" })
}

func (r *Redactor) add(v string, name func() string) string {
	if len(v) < minSecret {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.index[v]; ok {
		return string(r.secrets[i].placeholder)
	}
	red := redaction{placeholder: []byte(name()), forms: [][]byte{[]byte(v)}}
	if esc, err := json.Marshal(v); err == nil {
		if e := esc[1 : len(esc)-1]; !bytes.Equal(e, []byte(v)) {
			red.forms = append(red.forms, e)
		}
	}
	if s := strings.ReplaceAll(v, "/", `\/`); s != v {
		red.forms = append(red.forms, []byte(s))
	}
	r.index[v] = len(r.secrets)
	r.secrets = append(r.secrets, red)
	// Longer values first, so that a secret containing another is replaced whole.
	for i := len(r.secrets) - 1; i > 0 && len(r.secrets[i].forms[0]) > len(r.secrets[i-1].forms[0]); i-- {
		r.secrets[i], r.secrets[i-1] = r.secrets[i-1], r.secrets[i]
		r.index[string(r.secrets[i].forms[0])] = i
		r.index[string(r.secrets[i-1].forms[0])] = i - 1
	}
	return string(red.placeholder)
}

// Bytes returns b with every registered value replaced. b is not modified;
// when nothing matches, b itself is returned.
func (r *Redactor) Bytes(b []byte) []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := b
	for _, s := range r.secrets {
		for _, f := range s.forms {
			if bytes.Contains(out, f) {
				out = bytes.ReplaceAll(out, f, s.placeholder)
			}
		}
	}
	return out
}

// String is Bytes for strings.
func (r *Redactor) String(s string) string { return string(r.Bytes([]byte(s))) }

// Contains reports whether b holds any registered value, in any form.
func (r *Redactor) Contains(b []byte) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, s := range r.secrets {
		for _, f := range s.forms {
			if bytes.Contains(b, f) {
				return true
			}
		}
	}
	return false
}
