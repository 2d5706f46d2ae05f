package infer

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// op is one operation of the document, as inference sees it: its name
// split into words, its verb, its input members and its success body.
type op struct {
	id     string
	method string
	path   string // as declared, fragment included
	tmpl   string // the path without its fragment
	name   string // the operation's name on the wire (target, Action) or its id
	// rule is the protocol whose way of naming operations the description
	// shows for this one (wire.go), namedBy the header or member that
	// names it there ("" where its method and path do), and prefix the
	// part of its name on the wire before name ("Lightsail_20161128").
	rule          wireRule
	namedBy       string
	prefix        string
	words         []string
	text          string // summary and description, lower-cased
	verb          string // create, read, delete, update or ""
	input         map[string]member
	success       *openapi3.Schema
	successStatus int
	successMedia  string
	o             *openapi3.Operation
}

// member is one input member: a body member or a path/query/header
// parameter, as spec.Operation's input holds them.
type member struct {
	name     string
	in       string // "body", or the parameter's location (openapi3.ParameterIn...)
	required bool
	schema   *openapi3.Schema
}

var fragmentRE = regexp.MustCompile(`^#?([A-Za-z0-9-]+)=([A-Za-z0-9_.-]+)$`)

// collect builds the document's operations, sorted by path and method,
// each claimed by the first of rules that recognises how it is named.
func collect(t *openapi3.T, rules []wireRule) []*op {
	var ops []*op
	for _, path := range t.Paths.InMatchingOrder() {
		item := t.Paths.Value(path)
		for method, o := range item.Operations() {
			if o == nil || o.OperationID == "" {
				continue
			}
			x := &op{id: o.OperationID, method: method, path: path, o: o, name: o.OperationID}
			tmpl, frag, _ := strings.Cut(path, "#")
			if tmpl == "" {
				tmpl = "/"
			}
			x.tmpl = tmpl
			if m := fragmentRE.FindStringSubmatch(frag); m != nil {
				for _, w := range rules {
					if w.fragment(x, m[1], m[2]) {
						break
					}
				}
			} else if n, ok := o.Extensions["x-aws-operation-name"].(string); ok && n != "" {
				x.name = n
			}
			params := append(openapi3.Parameters{}, item.Parameters...)
			params = append(params, o.Parameters...)
			x.input = map[string]member{}
			for _, ref := range params {
				if ref == nil || ref.Value == nil || ref.Value.In == openapi3.ParameterInCookie {
					continue
				}
				p := ref.Value
				s := schemaOf(p.Schema)
				wireSets := false
				for _, w := range rules {
					wireSets = w.param(x, p, s) || wireSets
				}
				if wireSets || p.In == openapi3.ParameterInHeader && (strings.HasPrefix(http.CanonicalHeaderKey(p.Name), "X-Amz-") || strings.EqualFold(p.Name, "Authorization")) {
					continue // set by the wire, or by the signer
				}
				x.input[p.Name] = member{name: p.Name, in: p.In, required: p.Required || p.In == openapi3.ParameterInPath, schema: s}
			}
			if x.rule == nil {
				x.claim(rules[len(rules)-1], "") // named by its method and path
			}
			if rb := o.RequestBody; rb != nil && rb.Value != nil {
				for _, mt := range sortedKeys(rb.Value.Content) {
					body := schemaOf(rb.Value.Content[mt].Schema)
					if body == nil {
						continue
					}
					req := map[string]bool{}
					for _, r := range allRequired(body) {
						req[r] = true
					}
					for name, s := range properties(body) {
						// A parameter named like a body member stands for
						// it (spec's buildInput), unless the wire says
						// otherwise.
						if _, dup := x.input[name]; x.rule.body(x, name, dup) {
							x.input[name] = member{name: name, in: "body", required: req[name], schema: s}
						}
					}
					break
				}
			}
			x.success, x.successStatus, x.successMedia = successOf(o)
			x.text = strings.ToLower(o.Summary + " " + o.Description)
			x.words = words(x.name)
			for _, seg := range strings.Split(tmpl, "/") {
				if seg == "" || strings.HasPrefix(seg, "{") || versionSeg.MatchString(seg) || seg == "api" {
					continue
				}
				for _, w := range words(seg) {
					if !contains(x.words, w) {
						x.words = append(x.words, w)
					}
				}
			}
			x.verb = verbOf(x)
			ops = append(ops, x)
		}
	}
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return ops[i].method < ops[j].method
	})
	return ops
}

var versionSeg = regexp.MustCompile(`^v[0-9]+(\.[0-9]+)?$`)

// words splits an identifier or path segment into lower-case words,
// singular: "CreateBucketAccessKey", "access-keys", "GET_ListUsers".
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, singular(strings.ToLower(string(cur))))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	// "GET_ListUsers": a method name in front of an operation's name.
	if len(out) > 1 && (out[0] == "get" || out[0] == "post" || out[0] == "put" || out[0] == "delete") && verbWord(out[1]) != "" {
		out = out[1:]
	}
	return out
}

func singular(w string) string {
	switch {
	case len(w) <= 3 || strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// verbWord maps a word to the kind of action it names.
func verbWord(w string) string {
	switch w {
	case "create", "add", "new", "generate", "issue", "make", "mint", "register", "provision":
		return "create"
	case "list", "get", "describe", "fetch", "read", "search", "query", "find", "show", "retrieve", "enumerate":
		return "read"
	case "delete", "remove", "revoke", "destroy", "purge", "drop", "deregister", "deprovision", "del":
		return "delete"
	case "update", "modify", "set", "patch", "put", "rotate", "replace", "change", "enable", "disable", "attach", "detach", "reset", "upload":
		return "update"
	}
	return ""
}

// verbOf is what an operation does: the first verb of its name, else its
// method (POST to a collection creates).
func verbOf(x *op) string {
	for _, w := range words(x.name) {
		if v := verbWord(w); v != "" {
			return v
		}
	}
	if x.named() {
		return ""
	}
	switch x.method {
	case http.MethodPost:
		if strings.HasSuffix(x.tmpl, "}") {
			return "update"
		}
		return "create"
	case http.MethodGet:
		return "read"
	case http.MethodDelete:
		return "delete"
	case http.MethodPut, http.MethodPatch:
		return "update"
	}
	return ""
}

// nouns are an operation's words that are not verbs.
func (x *op) nouns() []string {
	var out []string
	for _, w := range x.words {
		if verbWord(w) == "" {
			out = append(out, w)
		}
	}
	return out
}

// successOf returns the first 2xx response's body schema, status and
// media.
func successOf(o *openapi3.Operation) (*openapi3.Schema, int, string) {
	if o.Responses == nil {
		return nil, 0, ""
	}
	best := 0
	var schema *openapi3.Schema
	media := ""
	for code, r := range o.Responses.Map() {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 299 || (best != 0 && n > best) {
			continue
		}
		best, schema, media = n, nil, ""
		if r.Value == nil {
			continue
		}
		for _, mt := range sortedKeys(r.Value.Content) {
			if s := schemaOf(r.Value.Content[mt].Schema); s != nil {
				schema, media = s, mt
				break
			}
		}
	}
	// A reply that is a success or an error envelope (success.go) succeeds
	// with its success branch.
	if _, ok, _, found := successIn(schema); found && ok != nil {
		schema = schemaOf(ok)
	}
	return schema, best, media
}

// schemaOf resolves a schema reference, and a schema that only wraps
// another in allOf (as converters write a member with its description:
// allOf: [{$ref: X}, {}]) to the wrapped one.
func schemaOf(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil {
		return nil
	}
	return unwrap(ref.Value, 0)
}

func unwrap(s *openapi3.Schema, depth int) *openapi3.Schema {
	if s == nil || depth > 8 || len(s.AllOf) == 0 || (s.Type != nil && len(*s.Type) > 0) || len(s.Properties) > 0 || s.Items != nil {
		return s
	}
	var inner *openapi3.Schema
	for _, sub := range s.AllOf {
		if sub == nil || sub.Value == nil {
			continue
		}
		v := sub.Value
		if v.Type == nil && len(v.Properties) == 0 && v.Items == nil && len(v.AllOf) == 0 {
			continue // {} or a description alone
		}
		if inner != nil {
			return s
		}
		inner = v
	}
	if inner == nil {
		return s
	}
	return unwrap(inner, depth+1)
}

// properties are an object schema's members, allOf parts included.
func properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	var walk func(*openapi3.Schema, int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || depth > 8 {
			return
		}
		for name, p := range s.Properties {
			if v := schemaOf(p); v != nil {
				out[name] = v
			}
		}
		for _, sub := range s.AllOf {
			walk(schemaOf(sub), depth+1)
		}
	}
	walk(s, 0)
	return out
}

func allRequired(s *openapi3.Schema) []string {
	out := append([]string{}, s.Required...)
	for _, sub := range s.AllOf {
		if v := schemaOf(sub); v != nil {
			out = append(out, allRequired(v)...)
		}
	}
	return out
}

func isType(s *openapi3.Schema, t string) bool {
	if s == nil {
		return false
	}
	if s.Type != nil && s.Type.Is(t) {
		return true
	}
	for _, sub := range s.AllOf {
		if v := schemaOf(sub); v != nil && v.Type != nil && v.Type.Is(t) {
			return true
		}
	}
	return t == openapi3.TypeObject && (s.Type == nil || s.Type.Is("")) && len(properties(s)) > 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// pointer joins JSON pointer tokens, escaped.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
