package emulator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The iam dialect's input shapes, from the IAM model
// (fixtures/reference/iam-model.json). Members keep the Lightsail names of
// the shared store in the input map (UserName is bucketName, AccessKeyId
// is accessKeyId) and IAM's lowerCamel names in messages (iamLabels).
// Lengths count characters; patterns must match the whole value. Form
// values are always strings: MaxItems is an integer in text.

var (
	userNamePattern   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamKeyIDPattern   = regexp.MustCompile(`^\w+$`)
	pathPattern       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	pathPrefixPattern = regexp.MustCompile(`^/[\x21-\x7F]*$`)
	markerPattern     = regexp.MustCompile(`^[\x{20}-\x{FF}]+$`)
	tagKeyPattern     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

const (
	maxIAMTags         = 50
	iamUserNameMaxLen  = 64  // userNameType (CreateUser)
	iamExistingNameLen = 128 // existingUserNameType (every other operation)
)

// validUserName reports whether name is a well-formed existing user name
// (existingUserNameType), safe to quote in messages and logs.
func validUserName(name string) bool {
	n := utf8.RuneCountInString(name)
	return n >= 1 && n <= iamExistingNameLen && userNamePattern.MatchString(name)
}

var iamInputs = map[string][]member{
	opCreateBucket: { // CreateUser
		{"path", false, stringRule(1, 512, pathPattern, `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)},
		{"bucketName", true, userNameRule(iamUserNameMaxLen)},
		{"permissionsBoundary", false, stringRule(20, 2048, nil, "")},
		{"tags", false, ruleIAMTags},
	},
	opDeleteBucket: { // DeleteUser
		{"bucketName", true, userNameRule(iamExistingNameLen)},
	},
	opGetBuckets: { // ListUsers
		{"pathPrefix", false, stringRule(1, 512, pathPrefixPattern, `\u002F[\u0021-\u007F]*`)},
		{"marker", false, stringRule(1, 320, markerPattern, `[\u0020-\u00FF]+`)},
		{"maxItems", false, ruleMaxItems},
	},
	// IAM acts on the caller's own keys without UserName; docs/DESIGN.md
	// lets an endpoint answer ValidationError instead, and this one does.
	opCreateBucketAccessKey: { // CreateAccessKey
		{"bucketName", true, userNameRule(iamExistingNameLen)},
	},
	opGetBucketAccessKeys: { // ListAccessKeys
		{"bucketName", true, userNameRule(iamExistingNameLen)},
		{"marker", false, stringRule(1, 320, markerPattern, `[\u0020-\u00FF]+`)},
		{"maxItems", false, ruleMaxItems},
	},
	opDeleteBucketAccessKey: { // DeleteAccessKey
		{"bucketName", true, userNameRule(iamExistingNameLen)},
		{"accessKeyId", true, stringRule(16, 128, iamKeyIDPattern, `[\w]+`)},
	},
}

// iamLabels are the IAM names of the input map's members, for messages.
var iamLabels = map[string]string{
	"bucketName":          "userName",
	"accessKeyId":         "accessKeyId",
	"path":                "path",
	"pathPrefix":          "pathPrefix",
	"permissionsBoundary": "permissionsBoundary",
	"tags":                "tags",
	"marker":              "marker",
	"maxItems":            "maxItems",
}

// stringRule checks a string's length in characters and, when pattern is
// set, that the whole value matches it (shown is the model's pattern).
func stringRule(lo, hi int, pattern *regexp.Regexp, shown string) memberRule {
	return func(_ *Server, v any) string {
		s, ok := v.(string)
		if !ok {
			return "Member must be a string"
		}
		return checkString(s, lo, hi, pattern, shown)
	}
}

func checkString(s string, lo, hi int, pattern *regexp.Regexp, shown string) string {
	if n := utf8.RuneCountInString(s); n < lo || n > hi {
		return fmt.Sprintf("Member must have length between %d and %d", lo, hi)
	}
	if pattern != nil && !pattern.MatchString(s) {
		return "Member must satisfy regular expression pattern: " + shown
	}
	return ""
}

// userNameRule is UserName's rule: its length and pattern are skipped
// under fault accept-invalid-input, as bucketName's are, and "%" passes
// its pattern under fault form-name-percent.
func userNameRule(hi int) memberRule {
	return func(s *Server, v any) string {
		name, ok := v.(string)
		if !ok {
			return "Member must be a string"
		}
		if s.has(FaultAcceptInvalidInput) {
			return ""
		}
		if s.has(FaultFormNamePercent) {
			name = strings.ReplaceAll(name, "%", "_") // "%" passes the pattern
		}
		return checkString(name, 1, hi, userNamePattern, `[\w+=,.@-]+`)
	}
}

// ruleMaxItems is maxItemsType's rule: an integer from 1 to 1000, its
// range skipped under fault accept-out-of-range.
func ruleMaxItems(srv *Server, v any) string {
	s, _ := v.(string)
	n, err := strconv.Atoi(s)
	if err != nil {
		return "Member must be an integer"
	}
	if (n < 1 || n > 1000) && !srv.has(FaultAcceptOutOfRange) {
		return "Member must have value between 1 and 1000"
	}
	return ""
}

// ruleIAMTags checks a tagListType as decoded from Tags.member.N.Key and
// .Value: at most 50 tags, each with a Key (1-128) and a Value (0-256)
// matching their patterns.
func ruleIAMTags(_ *Server, v any) string {
	list, ok := v.([]any)
	if !ok {
		return "Member must be a list"
	}
	if len(list) > maxIAMTags {
		return fmt.Sprintf("Member must have length less than or equal to %d", maxIAMTags)
	}
	for _, item := range list {
		tag, _ := item.(map[string]any)
		key, hasKey := tag["key"].(string)
		value, hasValue := tag["value"].(string)
		if !hasKey || !hasValue {
			return "Tag Key and Value must not be null"
		}
		if p := checkString(key, 1, 128, tagKeyPattern, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`); p != "" {
			return "Tag Key: " + p
		}
		if p := checkString(value, 0, 256, tagValuePattern, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`); p != "" {
			return "Tag Value: " + p
		}
	}
	return ""
}
