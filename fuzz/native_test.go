package fuzz

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/contract/redact"
	"github.com/keycontract/keycontract/spec"
)

// FuzzDecode feeds arbitrary responses to the decoding, error-type
// extraction and validation of both dialects: none may panic, and an aws
// error type is always trimmed to a bare name.
func FuzzDecode(f *testing.F) {
	f.Add(400, "", []byte(`{"__type":"com.amazonaws.lightsail#NotFoundException:http://x","message":"m","code":"DoesNotExist"}`))
	f.Add(400, "InvalidInputException:http://internal", []byte(`{"message":"m"}`))
	f.Add(200, "", []byte(`{"accessKey":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"s","status":"Active","createdAt":1.5}}`))
	f.Add(200, "", []byte(`{"accessKeys":[{"accessKeyId":"A","createdAt":"2025-01-01T00:00:00Z"}]}`))
	f.Add(404, "", []byte(`{"success":false,"error":{"code":"NOT_FOUND","message":"m"}}`))
	f.Add(200, "", []byte(`{"success":true,"data":{"access_keys":[{"id":"abc","created_at":"2025-01-01T00:00:00Z","status":"Active"}]}}`))
	f.Add(500, "", []byte(`{"__type":["not","a","string"]}`))
	f.Add(200, "", []byte(`{"accessKey":{"createdAt":1e999}}`))
	f.Add(400, "#:", []byte(`not json`))
	docs := map[string]*spec.Document{}
	for _, d := range spec.Dialects {
		doc, err := spec.Bundled(d)
		if err != nil {
			f.Fatal(err)
		}
		docs[d] = doc
	}
	f.Fuzz(func(t *testing.T, status int, errType string, body []byte) {
		if status < 100 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		h := http.Header{"Content-Type": {"application/json"}}
		if errType != "" {
			h.Set("X-Amzn-ErrorType", errType)
		}
		r := spec.NewReply(status, h, body)
		for name, doc := range docs {
			b := doc.Binding
			if code, ok := b.ErrorCode(r); ok && b.Errors.Trim == "aws-type" && strings.ContainsAny(code, "#:") {
				t.Fatalf("%s: ErrorCode = %q, want the name without '#' or ':'", name, code)
			}
			b.CreatedKey(r)
			b.ListedKeys(r)
			b.ListedBuckets(r)
			for _, role := range spec.Roles {
				op := doc.Op(role)
				if r.OK() {
					doc.ValidateSuccess(context.Background(), op, r)
				} else {
					doc.ValidateError(context.Background(), op, r)
				}
			}
		}
	})
}

// FuzzRedact: a secret placed anywhere in a body, in any spelling the
// redactor knows (raw, JSON-escaped, with `\/`, URL query- and
// path-escaped, base64 in both alphabets; XML-escaping leaves these
// characters alone), survives in no spelling in any output form: the
// redacted bytes, a report's JSON, a header value.
func FuzzRedact(f *testing.F) {
	f.Add("keycontractFakeSecretForFuzzSeed00000000", []byte(`{"accessKeys":[]}`), 3)
	f.Add("abc/def+ghi/jkl+mno/pqr", []byte(`{"a":"b"}`), 0)
	f.Add("AAAAAAAAAAAAAAAAAAAA", []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 10)
	f.Fuzz(func(t *testing.T, secret string, body []byte, at int) {
		secret = realisticSecret(secret)
		if len(secret) < 16 {
			return
		}
		esc, _ := json.Marshal(secret)
		forms := [][]byte{[]byte(secret), esc[1 : len(esc)-1], []byte(strings.ReplaceAll(secret, "/", `\/`)),
			[]byte(url.QueryEscape(secret)), []byte(url.PathEscape(secret)),
			[]byte(base64.RawStdEncoding.EncodeToString([]byte(secret))), []byte(base64.RawURLEncoding.EncodeToString([]byte(secret)))}
		red := redact.New()
		red.AddSecret(secret)
		for _, form := range forms {
			i := 0
			if len(body) > 0 {
				i = (at%len(body) + len(body)) % len(body)
			}
			leaked := append(append(append([]byte{}, body[:i]...), form...), body[i:]...)
			ex := &exchange.Exchange{Method: "POST", URL: "http://x/", Body: leaked,
				Header: http.Header{"X-Echo": {string(leaked)}},
				Reply:  spec.NewReply(200, http.Header{"X-Echo": {string(leaked)}}, leaked)}
			rec, err := json.Marshal(ex.Record(red))
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range [][]byte{red.Bytes(leaked), []byte(red.String(string(leaked))), rec} {
				for _, f := range forms {
					if bytes.Contains(out, f) {
						t.Fatalf("a secret survived redaction in one output form")
					}
				}
			}
		}
	})
}

// realisticSecret keeps the characters AWS secrets are made of.
func realisticSecret(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
