package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The six operations, as named after "Lightsail_20161128." in X-Amz-Target.
const (
	opCreateBucket          = "CreateBucket"
	opDeleteBucket          = "DeleteBucket"
	opGetBuckets            = "GetBuckets"
	opCreateBucketAccessKey = "CreateBucketAccessKey"
	opGetBucketAccessKeys   = "GetBucketAccessKeys"
	opDeleteBucketAccessKey = "DeleteBucketAccessKey"
)

// TargetPrefix is the X-Amz-Target prefix of every operation.
const TargetPrefix = "Lightsail_20161128."

var (
	bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$`)
	nonEmptyPattern   = regexp.MustCompile(`\S`)
)

// validBucketName reports whether name satisfies the model's BucketName
// shape (length 3-54 and pattern).
func validBucketName(name string) bool {
	return len(name) >= 3 && len(name) <= 54 && bucketNamePattern.MatchString(name)
}

// labeler is a wire whose members are named otherwise on its wire than in
// the input map (iam: bucketName is userName); messages use the label.
type labeler interface {
	label(name string) string
}

// memberRule checks one present, non-null member value and returns a
// problem ("" when valid). Problems never quote the value.
type memberRule func(s *Server, v any) string

type member struct {
	name     string
	required bool
	rule     memberRule
}

// inputs is the request shape of each operation, from the Lightsail model.
// Members not listed are ignored; JSON null counts as absent.
var inputs = map[string][]member{
	opCreateBucket: {
		{"bucketName", true, ruleBucketName},
		{"bundleId", true, ruleNonEmptyString},
		{"tags", false, ruleTagList},
		{"enableObjectVersioning", false, ruleBoolean},
	},
	opDeleteBucket: {
		{"bucketName", true, ruleBucketName},
		{"forceDelete", false, ruleBoolean},
	},
	opGetBuckets: {
		{"bucketName", false, ruleBucketName},
		{"pageToken", false, ruleString},
		{"includeConnectedResources", false, ruleBoolean},
		{"includeCors", false, ruleBoolean},
	},
	opCreateBucketAccessKey: {
		{"bucketName", true, ruleBucketName},
	},
	opGetBucketAccessKeys: {
		{"bucketName", true, ruleBucketName},
	},
	opDeleteBucketAccessKey: {
		{"bucketName", true, ruleBucketName},
		{"accessKeyId", true, ruleNonEmptyString},
	},
}

// knownOperation returns the operation named by an X-Amz-Target value.
func knownOperation(target string) (string, bool) {
	op, ok := strings.CutPrefix(target, TargetPrefix)
	if !ok {
		return "", false
	}
	_, known := inputs[op]
	return op, known
}

// parseBody decodes a request body that must be one JSON object. It
// returns errSerialization for malformed JSON and errInvalidInput for an
// empty body or a JSON value that is not an object.
func parseBody(body []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newErr(errInvalidInput, "The request body is empty; expected a JSON object")
	}
	if !json.Valid(body) {
		return nil, newErr(errSerialization, "")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newErr(errSerialization, "")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, newErr(errInvalidInput, "The request body must be a JSON object")
	}
	return obj, nil
}

// validateInput checks in against op's members in the wire (model order
// for aws and envelope) and returns the first problem as an invalid-input
// error.
func (s *Server) validateInput(op string, in map[string]any) *apiError {
	if op == opCreateBucket && s.has(FaultRejectValidInput) {
		// path and permissionsBoundary: iam's CreateUser options.
		for _, name := range []string{"tags", "enableObjectVersioning", "path", "permissionsBoundary"} {
			if v, ok := in[name]; ok && v != nil {
				return newErr(errInvalidInput, fmt.Sprintf("1 validation error detected: Value at '%s' is not supported", name))
			}
		}
	}
	for _, m := range s.wire.members(op) {
		label := m.name
		if l, ok := s.wire.(labeler); ok {
			label = l.label(m.name)
		}
		v, ok := in[m.name]
		if !ok || v == nil {
			if m.required {
				return newErr(errInvalidInput, fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not be null", label))
			}
			continue
		}
		if problem := m.rule(s, v); problem != "" {
			return newErr(errInvalidInput, fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", label, problem))
		}
	}
	return nil
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

func ruleBucketName(s *Server, v any) string {
	name, ok := v.(string)
	if !ok {
		return "Member must be a string"
	}
	if s.has(FaultAcceptInvalidInput) {
		return ""
	}
	if len(name) < 3 || len(name) > 54 {
		return "Member must have length between 3 and 54"
	}
	if !bucketNamePattern.MatchString(name) {
		return "Member must satisfy regular expression pattern: ^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$"
	}
	return ""
}

// ruleTagList checks a TagList: an array of {key, value} objects whose
// present members are strings.
func ruleTagList(_ *Server, v any) string {
	list, ok := v.([]any)
	if !ok {
		return "Member must be a list"
	}
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return "Member must be a list of tag structures"
		}
		for _, k := range []string{"key", "value"} {
			if x, present := obj[k]; present && x != nil {
				if _, isStr := x.(string); !isStr {
					return "Tag key and value must be strings"
				}
			}
		}
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
