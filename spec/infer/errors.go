package infer

import (
	"fmt"
	"slices"
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

// errorResponses lists the bound operations' documented errors: their 4xx
// and 5xx responses, their default one, and the errors their 2xx replies
// declare in the body (success.go).
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
			if e, ok := inBodyError(n, resp); ok {
				out = append(out, e)
				continue
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

	b.Errors.Accept = x.situations(statuses, hasOwn)
}

// inBodyError is the error a 2xx response declares in its body, where it
// declares one (successIn): its error branch, or the whole schema.
func inBodyError(status int, resp *openapi3.ResponseRef) (errResp, bool) {
	if status < 200 || status > 299 || resp == nil || resp.Value == nil {
		return errResp{}, false
	}
	for _, mt := range sortedKeys(resp.Value.Content) {
		ref := resp.Value.Content[mt].Schema
		if ref == nil {
			continue
		}
		_, _, branch, ok := successIn(schemaOf(ref))
		if !ok {
			return errResp{}, false
		}
		if branch == nil {
			branch = ref
		}
		e := errResp{status: status, schema: branch.Value, ref: branch.Ref[strings.LastIndexByte(branch.Ref, '/')+1:]}
		if resp.Value.Description != nil {
			e.desc = *resp.Value.Description
		}
		return e, true
	}
	return errResp{}, false
}
