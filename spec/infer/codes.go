package infer

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Codes: which words are error codes, where a description's error schemas
// keep the code, and the codes its response descriptions write with their
// statuses.

var (
	snakeCode = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b`)
	camelCode = regexp.MustCompile(`\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b`)
)

// codeish reports whether a word from a description names an error code.
func codeish(w string) bool {
	if _, ok := situationOf(w); ok {
		return true
	}
	n := norm(w)
	return strings.HasSuffix(n, "exception") || strings.HasSuffix(n, "error") || strings.HasSuffix(n, "fault") || strings.HasSuffix(n, "failure")
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
