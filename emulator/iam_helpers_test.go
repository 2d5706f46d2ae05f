package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const ctForm = "application/x-www-form-urlencoded; charset=utf-8"

// iamCall sends one iam request (POST / with a form body) straight to the
// handler.
func iamCall(t testing.TB, s *Server, form string, hdr ...string) resp {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
	req.Header.Set("Content-Type", ctForm)
	return do(t, s, req, hdr...)
}

// iamAction builds a well-formed form: Action, Version, then name/value
// pairs.
func iamAction(action string, pairs ...string) string {
	v := url.Values{"Action": {action}, "Version": {IAMVersion}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v.Encode()
}

// iamForm is the iam form of an RPC-style request (target and JSON body),
// so the dialect-neutral tests can drive iam: the operation's IAM action,
// bucketName as UserName, accessKeyId as AccessKeyId and tags as
// Tags.member.N; other members have no IAM form and are dropped. A body
// that is not JSON becomes a malformed form (its Action still readable);
// a JSON value that is not an object becomes an empty body.
func iamForm(t testing.TB, target, body string) string {
	t.Helper()
	name := strings.TrimPrefix(target, TargetPrefix)
	action, ok := iamActionOf[name]
	if !ok {
		action = name
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return iamAction(action, "UserName", "malformed-user") + "&%zz=%"
	}
	in, isObject := v.(map[string]any)
	if !isObject {
		return ""
	}
	var pairs []string
	for k, field := range map[string]string{"bucketName": "UserName", "accessKeyId": "AccessKeyId"} {
		if x, present := in[k]; present {
			pairs = append(pairs, field, fmt.Sprint(x))
		}
	}
	tags, _ := in["tags"].([]any)
	for i, tg := range tags {
		m, _ := tg.(map[string]any)
		pairs = append(pairs, fmt.Sprintf("Tags.member.%d.Key", i+1), fmt.Sprint(m["key"]),
			fmt.Sprintf("Tags.member.%d.Value", i+1), fmt.Sprint(m["value"]))
	}
	return iamAction(action, pairs...)
}

// xmlToMap decodes an XML document into {root: content}: an element with
// children is an object of its children by local name (a repeated name
// becomes an array), a leaf is its text, except that a leaf of digits
// (and an optional fraction) is a json.Number and an empty leaf is nil, so
// shape() tells a mistyped, empty or nested element from a well-formed
// one. nil when the body is not XML.
func xmlToMap(raw []byte) map[string]any {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		name     string
		text     strings.Builder
		children map[string]any
	}
	var stack []*frame
	var root map[string]any
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			stack = append(stack, &frame{name: tk.Name.Local})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(tk)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			var v any
			switch text := strings.TrimSpace(f.text.String()); {
			case f.children != nil:
				v = f.children
			case text == "":
				v = nil
			case numberText.MatchString(text):
				v = json.Number(text)
			default:
				v = text
			}
			if len(stack) == 0 {
				root = map[string]any{f.name: v}
				continue
			}
			parent := stack[len(stack)-1]
			if parent.children == nil {
				parent.children = map[string]any{}
			}
			switch prev := parent.children[f.name].(type) {
			case nil:
				if _, dup := parent.children[f.name]; dup {
					parent.children[f.name] = []any{nil, v}
				} else {
					parent.children[f.name] = v
				}
			case []any:
				parent.children[f.name] = append(prev, v)
			default:
				parent.children[f.name] = []any{prev, v}
			}
		}
	}
	return root
}

var numberText = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// at walks an iam body by element names; nil when a step is missing.
func at(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// members is a list element's <member> items (one item is an object, more
// an array).
func members(v any) []map[string]any {
	var out []map[string]any
	switch x := at(v, "member").(type) {
	case map[string]any:
		out = append(out, x)
	case []any:
		for _, e := range x {
			m, _ := e.(map[string]any)
			out = append(out, m)
		}
	}
	return out
}

// iamResult is the <{Action}Result> of a success.
func (r resp) iamResult(action string) map[string]any {
	m, _ := at(r.body, action+"Response", action+"Result").(map[string]any)
	return m
}

// iamCreateKey creates a key for user and returns its id and secret.
func iamCreateKey(t testing.TB, s *Server, user string, hdr ...string) (id, secret string) {
	t.Helper()
	r := mustOK(t, iamCall(t, s, iamAction("CreateAccessKey", "UserName", user), hdr...))
	k := at(r.iamResult("CreateAccessKey"), "AccessKey")
	id, _ = at(k, "AccessKeyId").(string)
	secret, _ = at(k, "SecretAccessKey").(string)
	return id, secret
}

// iamListedIDs lists the key ids of user (one page of up to 100).
func iamListedIDs(t testing.TB, s *Server, user string, hdr ...string) []string {
	t.Helper()
	r := mustOK(t, iamCall(t, s, iamAction("ListAccessKeys", "UserName", user), hdr...))
	ids := []string{}
	for _, m := range members(r.iamResult("ListAccessKeys")["AccessKeyMetadata"]) {
		ids = append(ids, m["AccessKeyId"].(string))
	}
	return ids
}
