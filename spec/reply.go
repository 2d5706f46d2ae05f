package spec

import (
	"bytes"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Reply is one response as the checks see it: the status, headers and body
// bytes as received, and the body decoded at most once, when first asked
// for (a check that needs only the status or a header never pays for it;
// a check on another goroutine may pay for it instead), by the document's
// wire (Wire.Decode: JSON, XML...), or as JSON for a reply made without a
// document.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte

	once      sync.Once
	value     any
	decodeErr error

	// wire decodes the body as a reply to op (Document.NewReply); nil:
	// decoder, or JSON.
	wire Wire
	op   *Operation
	// decoder decodes the body of a reply no wire of the document reads
	// (a data plane's: Probe.Reply).
	decoder func([]byte) (any, error)
	// ok is whether the reply is a success, decided once when it is made.
	ok bool
}

// NewReply keeps a response to op (nil when the request addressed no
// operation the binding names): its body is decoded by the document's
// wire, as op's documented response for the status describes it, and
// whether it is a success is the wire's decision, by the status and what
// the description declares (Binding.Response.Success), taken now.
func (d *Document) NewReply(op *Operation, status int, header http.Header, body []byte) *Reply {
	r := &Reply{Status: status, Header: header, Body: body, wire: d.wire, op: op}
	r.ok = d.wire.Succeeded(r)
	return r
}

// NewReply keeps a response made without a document: its body is decoded
// as JSON, and it is a success when its status is 2xx.
func NewReply(status int, header http.Header, body []byte) *Reply {
	return &Reply{Status: status, Header: header, Body: body, ok: status2xx(status)}
}

// Value is the decoded body: nil when the body is empty or does not decode
// (DecodeErr says why). Numbers are json.Number, so that timestamps and
// ids keep their exact spelling.
func (r *Reply) Value() any {
	r.once.Do(r.decode)
	return r.value
}

// DecodeErr is why the body could not be decoded (nil when it could, or is
// empty).
func (r *Reply) DecodeErr() error {
	r.once.Do(r.decode)
	return r.decodeErr
}

func (r *Reply) decode() {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return
	}
	switch {
	case r.wire != nil:
		r.value, r.decodeErr = r.wire.Decode(r.op, r.Status, r.Body)
	case r.decoder != nil:
		r.value, r.decodeErr = r.decoder(r.Body)
	default:
		r.value, r.decodeErr = decodeJSON(r.Body)
	}
	if r.decodeErr != nil {
		r.value = nil
	}
}

// OK reports whether the reply is a success: for a reply to a document,
// what its wire decided when the reply was made (Document.NewReply); else
// a 2xx status.
func (r *Reply) OK() bool { return r.ok }

func status2xx(status int) bool { return status >= 200 && status < 300 }

// MediaType is the response's media type without parameters, lower-cased.
func (r *Reply) MediaType() string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type")))
	}
	return mt
}

// Pointer resolves an RFC 6901 JSON pointer in a decoded JSON value.
func Pointer(v any, p string) (any, bool) {
	if p == "" {
		return v, true
	}
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// ErrorCode reads the error code of a reply as the binding says: from the
// first source that has one, trimmed. It never reads a code from anywhere
// else (in particular not Lightsail's own "code" sub-code on the aws wire).
func (b Binding) ErrorCode(r *Reply) (string, bool) {
	for _, src := range b.Errors.Code {
		var code string
		if name, ok := strings.CutPrefix(src, "header:"); ok {
			code = r.Header.Get(name)
		} else if p, ok := strings.CutPrefix(src, "body:"); ok {
			v, found := Pointer(r.Value(), p)
			if s, isString := v.(string); found && isString {
				code = s
			}
		}
		if trim, ok := trimNamed(b.Errors.Trim); ok {
			code = trim(code)
		}
		if code = strings.TrimSpace(code); code != "" {
			return code, true
		}
	}
	return "", false
}

// Accepts reports whether code is one a correct endpoint may answer in
// situation s.
func (b Binding) Accepts(s Situation, code string) bool {
	for _, c := range b.Errors.Accept[s] {
		if c == code {
			return true
		}
	}
	return false
}

// Key is one access key as a response shows it.
type Key struct {
	ID        string
	Secret    string // empty when the response carries none
	Status    string
	CreatedAt time.Time
	HasTime   bool
}

// KeyFrom reads one key object with the binding's key pointers.
func (b Binding) KeyFrom(obj any) (Key, bool) {
	var k Key
	id, ok := Pointer(obj, b.Response.KeyID)
	if k.ID, _ = id.(string); !ok || k.ID == "" {
		return k, false
	}
	if s, ok := Pointer(obj, b.Response.KeySecret); ok {
		k.Secret, _ = s.(string)
	}
	if b.Response.KeyStatus != "" {
		if s, ok := Pointer(obj, b.Response.KeyStatus); ok {
			k.Status, _ = s.(string)
		}
	}
	if b.Response.KeyCreatedAt != "" {
		if v, ok := Pointer(obj, b.Response.KeyCreatedAt); ok {
			k.CreatedAt, k.HasTime = ParseTimestamp(v)
		}
	}
	return k, true
}

// CreatedKey reads the key of a createKey success reply.
func (b Binding) CreatedKey(r *Reply) (Key, bool) {
	obj, ok := Pointer(r.Value(), b.Response.Key)
	if !ok {
		return Key{}, false
	}
	return b.KeyFrom(obj)
}

// ListedKeys reads the keys of a listKeys success reply. ok is false when
// the list itself is missing or not an array.
func (b Binding) ListedKeys(r *Reply) (keys []Key, ok bool) {
	v, found := Pointer(r.Value(), b.Response.Keys)
	items, isArray := v.([]any)
	if !found || !isArray {
		return nil, false
	}
	for _, it := range items {
		if k, ok := b.KeyFrom(it); ok {
			keys = append(keys, k)
		}
	}
	return keys, true
}

// ListedBuckets reads the bucket names of a listBuckets success reply.
func (b Binding) ListedBuckets(r *Reply) ([]string, bool) {
	v, found := Pointer(r.Value(), b.Response.Buckets)
	items, isArray := v.([]any)
	if !found || !isArray {
		return nil, false
	}
	var names []string
	for _, it := range items {
		if n, ok := Pointer(it, b.Response.BucketName); ok {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}
	return names, true
}

// ParseTimestamp reads epoch seconds (a JSON number, maybe fractional) or
// an RFC 3339 string.
func ParseTimestamp(v any) (time.Time, bool) {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, false
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	case float64:
		sec, frac := math.Modf(t)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	case string:
		ts, err := time.Parse(time.RFC3339Nano, t)
		return ts, err == nil
	}
	return time.Time{}, false
}
