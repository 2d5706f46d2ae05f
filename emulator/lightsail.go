package emulator

import "regexp"

// The Lightsail model (fixtures/reference/lightsail-model.json): the six
// operations the store serves, named as Lightsail names them, and their
// input shapes. Every dialect speaks these six operations, each wire
// naming them its own way; the bucket dialects also take these members.

// The six operations, as named after "Lightsail_20161128." in X-Amz-Target.
const (
	opCreateBucket          = "CreateBucket"
	opDeleteBucket          = "DeleteBucket"
	opGetBuckets            = "GetBuckets"
	opCreateBucketAccessKey = "CreateBucketAccessKey"
	opGetBucketAccessKeys   = "GetBucketAccessKeys"
	opDeleteBucketAccessKey = "DeleteBucketAccessKey"
)

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$`)

// validBucketName reports whether name satisfies the model's BucketName
// shape (length 3-54 and pattern).
func validBucketName(name string) bool {
	return len(name) >= 3 && len(name) <= 54 && bucketNamePattern.MatchString(name)
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

// bucketDeleteConflict is Lightsail's message for DeleteBucket on a bucket
// that still holds keys, without forceDelete.
const bucketDeleteConflict = "The bucket has access keys; delete them first or set forceDelete to true"

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
