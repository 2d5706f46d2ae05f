package infer

import (
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// found is an object or array found in a response body schema.
type found struct {
	ptr    string
	schema *openapi3.Schema // the object, or the array's item schema
}

// objects lists the object schemas in a body, the body itself first, down
// to depth 3, never into arrays (a created key is one object).
func objects(s *openapi3.Schema) []found {
	var out []found
	var walk func(ptr string, s *openapi3.Schema, depth int)
	walk = func(ptr string, s *openapi3.Schema, depth int) {
		if s == nil || depth > 3 || !isType(s, openapi3.TypeObject) {
			return
		}
		out = append(out, found{ptr, s})
		props := properties(s)
		for _, name := range sortedKeys(props) {
			walk(ptr+pointer(name), props[name], depth+1)
		}
	}
	walk("", s, 0)
	return out
}

// arrays lists the arrays of objects in a body, down to depth 3.
func arrays(s *openapi3.Schema) []found {
	var out []found
	var walk func(ptr string, s *openapi3.Schema, depth int)
	walk = func(ptr string, s *openapi3.Schema, depth int) {
		if s == nil || depth > 3 {
			return
		}
		if isType(s, openapi3.TypeArray) {
			if it := schemaOf(s.Items); it != nil && isType(it, openapi3.TypeObject) {
				out = append(out, found{ptr, it})
			}
			return
		}
		props := properties(s)
		for _, name := range sortedKeys(props) {
			walk(ptr+pointer(name), props[name], depth+1)
		}
	}
	walk("", s, 0)
	return out
}

// norm lower-cases a member name and drops everything but letters and
// digits: "secret_access_key" and "SecretAccessKey" are alike.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// secretScore says how much a string member looks like a secret, and why.
func secretScore(name string, s *openapi3.Schema) (float64, string) {
	if s == nil || !isType(s, openapi3.TypeString) || s.Format == "date-time" || s.Format == "date" {
		return 0, ""
	}
	n := norm(name)
	for _, not := range []string{"last", "used", "date", "time", "created", "policy", "required", "reset", "enabled", "changed", "hint", "mask", "last4", "lastfour", "prefix", "suffix", "hash", "fingerprint", "length", "expir", "type", "status", "page", "next", "continuation", "cursor", "url", "name"} {
		if strings.Contains(n, not) {
			return 0, ""
		}
	}
	if strings.HasSuffix(n, "id") {
		return 0, ""
	}
	switch {
	case s.Format == "password":
		return 4, "format: password"
	case s.WriteOnly:
		return 4, "writeOnly"
	}
	for _, w := range []string{"secret", "password", "privatekey", "passphrase"} {
		if strings.Contains(n, w) {
			return 4, ""
		}
	}
	for _, w := range []string{"token", "apikey", "credential", "keymaterial", "plaintext"} {
		if strings.Contains(n, w) {
			return 2.5, ""
		}
	}
	return 0, ""
}

// secretIn finds the most secret-like string member of obj; listed, when
// not nil, is the listed item schema: a member absent from it counts more.
func secretIn(obj *openapi3.Schema, listed *openapi3.Schema) (name string, score float64, why string) {
	props := properties(obj)
	var lp map[string]*openapi3.Schema
	if listed != nil {
		lp = properties(listed)
	}
	for _, m := range sortedKeys(props) {
		sc, how := secretScore(m, props[m])
		if sc == 0 {
			continue
		}
		if lp != nil {
			if _, in := lp[m]; in {
				sc -= 1.5
			} else {
				sc += 0.5
			}
		}
		if sc > score {
			name, score, why = m, sc, how
		}
	}
	return name, score, why
}

// idMember picks the member of obj that identifies it: "id", or a member
// ending in id whose other words name the resource (nouns), never one of
// skip. Its score is 0 when there is none.
func idMember(obj *openapi3.Schema, nouns []string, skip ...string) (string, float64) {
	props := properties(obj)
	best, bestScore := "", 0.0
	for _, m := range sortedKeys(props) {
		s := props[m]
		if contains(skip, m) || (!isType(s, openapi3.TypeString) && !isType(s, openapi3.TypeInteger)) {
			continue
		}
		ws := words(m)
		n := norm(m)
		sc := 0.0
		switch {
		case n == "id":
			sc = 3
		case strings.HasSuffix(n, "id"):
			sc = 1.5 + overlap(ws, nouns)
		case n == "name" || n == "key":
			sc = 0.8
		case strings.HasSuffix(n, "name"):
			sc = 0.5 + overlap(ws, nouns)
		}
		if sc > bestScore {
			best, bestScore = m, sc
		}
	}
	return best, bestScore
}

// memberLike picks the member of obj whose normalised name matches one of
// the tests, in order of preference.
func memberLike(obj *openapi3.Schema, tests ...func(string, *openapi3.Schema) bool) string {
	props := properties(obj)
	for _, test := range tests {
		for _, m := range sortedKeys(props) {
			if test(norm(m), props[m]) {
				return m
			}
		}
	}
	return ""
}

func statusMember(obj *openapi3.Schema) string {
	return memberLike(obj,
		func(n string, s *openapi3.Schema) bool { return n == "status" || n == "state" },
		func(n string, s *openapi3.Schema) bool {
			return (strings.HasSuffix(n, "status") || strings.HasSuffix(n, "state")) && isType(s, openapi3.TypeString)
		})
}

func createdMember(obj *openapi3.Schema) string {
	return memberLike(obj,
		func(n string, s *openapi3.Schema) bool {
			return n == "createdat" || n == "created" || n == "createdate" || n == "creationdate" || n == "createtime" || n == "creationtime" || n == "createdon"
		},
		func(n string, s *openapi3.Schema) bool {
			return strings.HasPrefix(n, "creat") && (s.Format == "date-time" || isType(s, openapi3.TypeNumber) || isType(s, openapi3.TypeInteger))
		})
}

// overlap is the share of a's words found in b (0..1).
func overlap(a, b []string) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for _, w := range a {
		if contains(b, w) {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// shared is how alike two objects' members are (Jaccard, skip left out),
// and the members they share.
func shared(obj, other *openapi3.Schema, skip string) (float64, []string) {
	a, b := properties(obj), properties(other)
	var common []string
	union := map[string]bool{}
	for m := range a {
		if m == skip {
			continue
		}
		union[m] = true
		if _, ok := b[m]; ok {
			common = append(common, m)
		}
	}
	for m := range b {
		if m != skip {
			union[m] = true
		}
	}
	sort.Strings(common)
	if len(union) == 0 {
		return 0, nil
	}
	return float64(len(common)) / float64(len(union)), common
}
