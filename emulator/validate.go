package emulator

import (
	"fmt"
	"regexp"
)

// memberRule checks one present, non-null member value and returns a
// problem ("" when valid). Problems never quote the value.
type memberRule func(s *Server, v any) string

type member struct {
	name     string
	required bool
	rule     memberRule
}

// validateInput checks in against op's members in the dialect (in the
// model's order) and returns the first problem as an invalid-input error.
// Otherwise it returns the input it validated: only the members the
// dialect declares for op, the others being ignored.
func (s *Server) validateInput(op string, in map[string]any) (map[string]any, *apiError) {
	if op == opCreateBucket && s.has(FaultRejectValidInput) {
		// permissionsBoundary: IAM's CreateUser option. Not path: the
		// bundled iam binding fixes it (/keycontract/) on every CreateUser,
		// the run's own setup included.
		for _, name := range []string{"tags", "enableObjectVersioning", "permissionsBoundary"} {
			if v, ok := in[name]; ok && v != nil {
				return nil, newErr(errInvalidInput, fmt.Sprintf("1 validation error detected: Value at '%s' is not supported", name))
			}
		}
	}
	// iam's valid CreateUser requests carry no optional member the run
	// varies (Path fixed, the others left out by the bundled binding), so
	// there the fault also rejects ListUsers' optional PathPrefix, which
	// the run's own lists never send.
	if op == opGetBuckets && s.has(FaultRejectValidInput) {
		if v, ok := in["pathPrefix"]; ok && v != nil {
			return nil, newErr(errInvalidInput, "1 validation error detected: Value at 'pathPrefix' is not supported")
		}
	}
	declared := map[string]any{}
	for _, m := range s.d.inputs[op] {
		label := s.d.label(m.name)
		v, ok := in[m.name]
		if !ok || v == nil {
			if m.required {
				return nil, newErr(errInvalidInput, fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not be null", label))
			}
			continue
		}
		if problem := m.rule(s, v); problem != "" {
			return nil, newErr(errInvalidInput, fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", label, problem))
		}
		declared[m.name] = v
	}
	return declared, nil
}

func ruleString(_ *Server, v any) string {
	if _, ok := v.(string); !ok {
		return "Member must be a string"
	}
	return ""
}

func ruleBoolean(_ *Server, v any) string {
	if _, ok := v.(bool); !ok {
		return "Member must be a boolean"
	}
	return ""
}

var nonEmptyPattern = regexp.MustCompile(`\S`)

func ruleNonEmptyString(_ *Server, v any) string {
	s, ok := v.(string)
	if !ok {
		return "Member must be a string"
	}
	if !nonEmptyPattern.MatchString(s) {
		return "Member must satisfy regular expression pattern: .*\\S.*"
	}
	return ""
}

// str returns in[name] as a string ("" when absent or not a string).
func str(in map[string]any, name string) string {
	s, _ := in[name].(string)
	return s
}

// boolean returns in[name] as a bool (false when absent or not a bool).
func boolean(in map[string]any, name string) bool {
	b, _ := in[name].(bool)
	return b
}

// tagsOf returns the validated tags of a CreateBucket request.
func tagsOf(in map[string]any) []Tag {
	list, _ := in["tags"].([]any)
	tags := make([]Tag, 0, len(list))
	for _, item := range list {
		obj, _ := item.(map[string]any)
		tags = append(tags, Tag{Key: str(obj, "key"), Value: str(obj, "value")})
	}
	return tags
}
