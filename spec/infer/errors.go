package infer

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// errorRule is how a protocol's errors are read (each wireRule is one).
type errorRule interface {
	// errorSource is where the protocol reads an error's code, with the
	// errors.trim it needs and the reason; nil where the description's
	// error schemas say.
	errorSource(x *inference) (sources []string, trim, why string)
	// codeName is a documented code as the protocol sends it.
	codeName(code string) string
	// refIsCode reports whether an error schema's component name is its
	// code.
	refIsCode() bool
	// ownCodes are the protocol's own errors, which its services document
	// once for all (so descriptions leave them out), sent with 400, and
	// the reason.
	ownCodes() (codes []string, from string)
	// ownStatuses gives the statuses the protocol sends each code with, in
	// place of the description's, where it has its own.
	ownStatuses() (func(code string) []int, bool)
	// limitBy409 reports whether, where no code is named for the limit,
	// the codes under 409 are the limit's.
	limitBy409() bool
	// invalidInput adds the protocol's own invalid-input codes, with the
	// reason.
	invalidInput(statuses map[string][]int, accept map[spec.Situation][]string, whys map[spec.Situation]string)
	// unknownOperation returns the codes, beyond the invalid-input ones,
	// an unknown operation may get, and the reason's end.
	unknownOperation(accept map[spec.Situation][]string) ([]string, string)
}

// errResp is one documented error response of a bound operation.
type errResp struct {
	status int
	pseudo bool
	desc   string
	schema *openapi3.Schema
	ref    string // the schema's component name
}

func (x *inference) errorResponses() []errResp {
	var out []errResp
	for _, role := range spec.Roles {
		c := x.chosen[role]
		if c == nil || c.op.o.Responses == nil {
			continue
		}
		for _, code := range sortedKeys(c.op.o.Responses.Map()) {
			resp := c.op.o.Responses.Value(code)
			n, err := strconv.Atoi(code)
			if code == "default" {
				n, err = 0, nil // any status: see narrow
			}
			if err != nil || n < 400 && n != 0 || resp == nil || resp.Value == nil {
				continue
			}
			e := errResp{status: n, pseudo: pseudoStatus(n)}
			if resp.Value.Description != nil {
				e.desc = *resp.Value.Description
			}
			for _, mt := range sortedKeys(resp.Value.Content) {
				if ref := resp.Value.Content[mt].Schema; ref != nil {
					e.schema = ref.Value
					e.ref = ref.Ref[strings.LastIndexByte(ref.Ref, '/')+1:]
					break
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// mentions reports whether an error schema of the bound operations has
// the member name.
func (x *inference) mentions(name string) bool {
	for _, f := range x.errorSchemas() {
		if _, ok := properties(f)[name]; ok {
			return true
		}
	}
	return false
}

func (x *inference) errorSchemas() []*openapi3.Schema {
	var out []*openapi3.Schema
	for _, e := range x.errorResponses() {
		if e.schema != nil && !slices.Contains(out, e.schema) {
			out = append(out, e.schema)
		}
	}
	return out
}

var (
	snakeCode = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b`)
	camelCode = regexp.MustCompile(`\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b`)
)

// situationOf classifies an error code by its name.
func situationOf(code string) (spec.Situation, bool) {
	n := norm(code)
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(n, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("throttl", "ratelimit", "toomanyrequest", "slowdown", "requestlimitexceeded"):
		return spec.Throttled, true
	case has("auth", "accessdenied", "forbidden", "signature", "unrecognizedclient", "clienttoken", "credential", "permission", "denied", "expiredtoken", "invalidtoken"):
		return spec.AuthFailed, true
	case has("unknownoperation", "invalidaction", "missingaction", "methodnotallowed", "notimplemented", "unsupportedoperation", "unknownmethod", "routenotfound", "unknownaction"):
		return spec.UnknownOperation, true
	case has("notfound", "nosuch", "doesnotexist", "notexist", "unknownbucket", "unknownuser"):
		return spec.NotFound, true
	case has("limit", "quota", "toomany", "exceeded"):
		return spec.LimitExceeded, true
	case has("invalid", "validation", "malformed", "serialization", "badrequest", "missingparameter", "unprocessable", "missinginput"):
		return spec.InvalidInput, true
	}
	return "", false
}

func situationOfStatus(status int) (spec.Situation, bool) {
	switch status {
	case 400, 422:
		return spec.InvalidInput, true
	case 401, 403:
		return spec.AuthFailed, true
	case 404:
		return spec.NotFound, true
	case 405, 501:
		return spec.UnknownOperation, true
	case 409:
		return spec.LimitExceeded, true
	case 429:
		return spec.Throttled, true
	}
	return "", false
}

// codeish reports whether a word from a description names an error code.
func codeish(w string) bool {
	if _, ok := situationOf(w); ok {
		return true
	}
	n := norm(w)
	return strings.HasSuffix(n, "exception") || strings.HasSuffix(n, "error") || strings.HasSuffix(n, "fault") || strings.HasSuffix(n, "failure")
}

// errors infers the error code's source, the documented codes and their
// statuses, and the codes accepted per situation.
func (x *inference) errors() {
	b, r := &x.r.Binding, x.r
	resps := x.errorResponses()

	// Where the code is read: where the protocol says, else where the
	// description's error schemas have a code member.
	if src, trim, why := x.rule.errorSource(x); src != nil {
		b.Errors.Code, b.Errors.Trim = src, trim
		note := strings.Join(src, ", ")
		if trim != "" {
			note += " (trim " + trim + ")"
		}
		r.note("errors.code", note, why)
	} else {
		src, why := codeSource(resps)
		if src == "" {
			x.r.Problems = append(x.r.Problems, Problem{Field: "errors.code", Message: "no error response schema has a code member (code, error.code, errorCode, type)"})
			return
		}
		b.Errors.Code = []string{"body:" + src}
		r.note("errors.code", "body:"+src, why)
	}
	codePtr := strings.TrimPrefix(b.Errors.Code[len(b.Errors.Code)-1], "body:")

	// The documented codes, with the statuses they come under.
	statuses := map[string][]int{}
	seen := map[string]string{}
	addCode := func(code string, status int, from string) {
		code = x.rule.codeName(code)
		if _, ok := seen[code]; !ok {
			seen[code] = from
		}
		if !slices.Contains(statuses[code], status) {
			statuses[code] = append(statuses[code], status)
		}
	}
	paired := map[string]bool{}
	for _, e := range resps {
		for code, st := range pairedStatuses(e.desc) {
			paired[code] = true
			for _, n := range st {
				addCode(code, n, fmt.Sprintf("described with status %d", n))
			}
		}
	}
	for _, e := range resps {
		if e.schema != nil && codePtr != "" {
			if s := schemaAt(e.schema, codePtr); s != nil {
				for _, v := range s.Enum {
					if !paired[fmt.Sprint(v)] {
						addCode(fmt.Sprint(v), e.status, fmt.Sprintf("enum of %s under %d", codePtr, e.status))
					}
				}
			}
		}
		for _, w := range append(snakeCode.FindAllString(e.desc, -1), camelCode.FindAllString(e.desc, -1)...) {
			if codeish(w) && !paired[w] {
				addCode(w, e.status, fmt.Sprintf("described under %d", e.status))
			}
		}
		if e.ref != "" && codeish(e.ref) && x.rule.refIsCode() {
			addCode(e.ref, e.status, fmt.Sprintf("schema %s under %d", e.ref, e.status))
		}
	}
	if codes, from := x.rule.ownCodes(); codes != nil {
		for _, c := range codes {
			addCode(c, 400, from)
		}
	}
	narrow(statuses, resps)
	own, hasOwn := x.rule.ownStatuses()
	if hasOwn || x.pseudoErrs {
		// The document's statuses are not the wire's: the protocol's are.
		if !hasOwn {
			own = namedStatuses
		}
		for code := range statuses {
			statuses[code] = own(code)
		}
		r.note("errors.statuses", fmt.Sprintf("%d codes", len(statuses)), "codes from the error responses and the protocol; statuses are the protocol's (400, 500 for service failures; 401/403 for auth, 404 not found and 409 limits on AWS query)")
	} else {
		r.note("errors.statuses", fmt.Sprintf("%d codes", len(statuses)), "each code with the statuses of the responses that document it")
	}
	b.Errors.Statuses = statuses

	// Situations.
	accept := map[spec.Situation][]string{}
	for _, code := range sortedKeys(statuses) {
		if s, ok := situationOf(code); ok {
			accept[s] = append(accept[s], code)
			continue
		}
		if hasOwn || x.pseudoErrs {
			continue
		}
		if n := norm(code); strings.Contains(n, "exist") || strings.Contains(n, "conflict") || strings.Contains(n, "internal") || strings.Contains(n, "server") || strings.Contains(n, "service") || strings.Contains(n, "unavailable") {
			continue
		}
		for _, st := range statuses[code] {
			if s, ok := situationOfStatus(st); ok && !slices.Contains(accept[s], code) {
				accept[s] = append(accept[s], code)
			}
		}
	}
	whys := map[spec.Situation]string{}
	if len(accept[spec.LimitExceeded]) == 0 {
		for _, code := range sortedKeys(statuses) {
			if slices.Contains(statuses[code], 409) && !slices.Contains(accept[spec.NotFound], code) && x.rule.limitBy409() {
				accept[spec.LimitExceeded] = append(accept[spec.LimitExceeded], code)
			}
		}
		whys[spec.LimitExceeded] = "no code names a limit: the codes under 409"
		if len(accept[spec.LimitExceeded]) == 0 {
			accept[spec.LimitExceeded] = append(accept[spec.LimitExceeded], accept[spec.InvalidInput]...)
			for _, code := range sortedKeys(statuses) {
				if n := norm(code); strings.Contains(n, "operationfailure") || strings.Contains(n, "conflict") {
					accept[spec.LimitExceeded] = append(accept[spec.LimitExceeded], code)
				}
			}
			whys[spec.LimitExceeded] = "no code names a limit: the invalid-input codes and any operation-failure or conflict code, as AWS answers a third key"
		}
	}
	x.rule.invalidInput(statuses, accept, whys)
	unknown := accept[spec.UnknownOperation]
	for _, c := range accept[spec.InvalidInput] {
		if !slices.Contains(unknown, c) {
			unknown = append(unknown, c)
		}
	}
	more, why := x.rule.unknownOperation(accept)
	accept[spec.UnknownOperation] = append(unknown, more...)
	whys[spec.UnknownOperation] = "codes naming an unknown operation, and the invalid-input codes" + why
	for _, s := range []spec.Situation{spec.AuthFailed, spec.Throttled} {
		if len(accept[s]) == 0 {
			code, st := "UNAUTHENTICATED", []int{401, 403}
			if s == spec.Throttled {
				code, st = "TOO_MANY_REQUESTS", []int{429}
			}
			statuses[code] = st
			accept[s] = []string{code}
			whys[s] = fmt.Sprintf("the description documents no such error; assumed %s %v", code, st)
		}
	}
	for _, s := range []spec.Situation{spec.NotFound, spec.InvalidInput} {
		if len(accept[s]) == 0 {
			x.r.Problems = append(x.r.Problems, Problem{Field: "errors.accept." + string(s), Message: "no documented error code fits " + string(s)})
		}
	}
	for _, s := range spec.Situations {
		sort.Strings(accept[s])
		accept[s] = slices.Compact(accept[s])
		why := whys[s]
		if why == "" {
			why = "codes named for it" + map[bool]string{true: " or documented under its status"}[!hasOwn]
		}
		r.note("errors.accept."+string(s), strings.Join(accept[s], ", "), why)
	}
	b.Errors.Accept = accept
}

// namedStatuses are the statuses a code's name implies where its
// protocol sends errors with 400 whatever a description lists
// (wire_rpc.go), or the description hides them under pseudo-statuses: 500 for service
// failures, 400 or 401 or 403 for auth, 400 or 429 for throttling, 400
// or 404 for an unknown operation, else 400.
func namedStatuses(code string) []int {
	n := norm(code)
	if strings.Contains(n, "service") || strings.Contains(n, "internal") {
		return []int{500}
	}
	s, _ := situationOf(code)
	switch s {
	case spec.AuthFailed:
		return []int{400, 401, 403}
	case spec.Throttled:
		return []int{400, 429}
	case spec.UnknownOperation:
		return []int{400, 404}
	}
	return []int{400}
}

// codeSource finds the error code member in the documented error schemas.
func codeSource(resps []errResp) (string, string) {
	best, bestScore, from := "", 0, ""
	for _, e := range resps {
		for _, f := range objects(e.schema) {
			for name, s := range properties(f.schema) {
				if !isType(s, openapi3.TypeString) {
					continue
				}
				sc := 0
				switch norm(name) {
				case "code":
					sc = 4
				case "errorcode":
					sc = 3
				case "type", "errortype":
					sc = 2
				}
				if strings.Contains(strings.ToLower(f.ptr), "error") {
					sc++
				}
				if sc > bestScore {
					best, bestScore, from = f.ptr+pointer(name), sc, fmt.Sprintf("the error schema %s (under %d) has a string %s", e.ref, e.status, name)
				}
			}
		}
	}
	return best, from
}

// schemaAt resolves a pointer in a schema, through properties.
func schemaAt(s *openapi3.Schema, p string) *openapi3.Schema {
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if s = properties(s)[tok]; s == nil {
			return nil
		}
	}
	return s
}

var statusInText = regexp.MustCompile(`\((\d{3})\)`)

// pairedStatuses reads "NOT_FOUND (404), KEY_LIMIT or EXISTS (409)" in a
// description: each code with the status written after it.
func pairedStatuses(desc string) map[string][]int {
	out := map[string][]int{}
	prev := 0
	for _, m := range statusInText.FindAllStringSubmatchIndex(desc, -1) {
		n, _ := strconv.Atoi(desc[m[2]:m[3]])
		seg := desc[prev:m[0]]
		for _, w := range append(snakeCode.FindAllString(seg, -1), camelCode.FindAllString(seg, -1)...) {
			if (codeish(w) || strings.Contains(w, "_")) && !slices.Contains(out[w], n) {
				out[w] = append(out[w], n)
			}
		}
		prev = m[1]
	}
	return out
}

// narrow gives each code the statuses its situation implies, when one
// error response is shared by several statuses (or is the default): a
// NOT_FOUND listed under 400, 404 and 409 is a 404. A code with no status
// left (only under default) takes its situation's usual one.
func narrow(statuses map[string][]int, resps []errResp) {
	for code, sts := range statuses {
		s, named := situationOf(code)
		var keep []int
		for _, st := range sts {
			if ss, ok := situationOfStatus(st); ok && named && ss == s {
				keep = append(keep, st)
			}
		}
		if len(keep) == 0 {
			for _, st := range sts {
				if st != 0 {
					keep = append(keep, st)
				}
			}
			if len(keep) > 1 {
				keep = nil // the shared response says nothing of this code
			}
		}
		if len(keep) == 0 {
			keep = usualStatus(code, s, named)
		}
		slices.Sort(keep)
		statuses[code] = keep
	}
}

func usualStatus(code string, s spec.Situation, named bool) []int {
	n := norm(code)
	switch {
	case strings.Contains(n, "internal") || strings.Contains(n, "server") || strings.Contains(n, "service"):
		return []int{500}
	case strings.Contains(n, "unavailable"):
		return []int{503}
	case strings.Contains(n, "exist") || strings.Contains(n, "conflict"):
		return []int{409}
	case !named:
		return []int{400}
	}
	switch s {
	case spec.AuthFailed:
		return []int{401, 403}
	case spec.NotFound:
		return []int{404}
	case spec.LimitExceeded:
		return []int{409}
	case spec.Throttled:
		return []int{429}
	case spec.UnknownOperation:
		return []int{404, 405}
	}
	return []int{400}
}
