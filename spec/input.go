package spec

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Param is a path, query or header parameter an operation declares.
type Param struct {
	Name     string
	In       string // openapi3.ParameterInPath, ParameterInQuery or ParameterInHeader
	Required bool
	Schema   *openapi3.Schema
}

// param returns op's parameter called name.
func (op *Operation) param(name string) (Param, bool) {
	for _, p := range op.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// IsParam reports whether the input member name is one of op's parameters
// (rather than a body member).
func (op *Operation) IsParam(name string) bool {
	_, ok := op.param(name)
	return ok
}

// signingHeader reports header parameters the harness sets itself (a
// description may declare the signature's headers): they are never
// generated.
func signingHeader(name string) bool {
	n := http.CanonicalHeaderKey(name)
	return n == "Authorization" || strings.HasPrefix(n, "X-Amz-")
}

// ParamText is a parameter value as text: strings as they are, numbers in
// their JSON spelling, booleans as true or false, anything else as JSON.
func ParamText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}
