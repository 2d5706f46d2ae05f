package emulator

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// The iam dialect's XML bodies (docs/DESIGN.md, "iam"): <{Action}Response
// xmlns="https://iam.amazonaws.com/doc/2010-05-08/"> with a
// <{Action}Result> (none for the deletes) and <ResponseMetadata>, list
// items as <member>, timestamps in ISO 8601; errors as <ErrorResponse>.
// encoding/xml escapes every value.

// iamTime renders t as IAM does: ISO 8601, whole seconds, UTC.
func iamTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

type iamResponse struct {
	XMLName xml.Name
	Xmlns   string  `xml:"xmlns,attr"`
	Result  any     // nil for the deletes; its XMLName names it
	Meta    iamMeta `xml:"ResponseMetadata"`
}

type iamMeta struct {
	RequestID string `xml:"RequestId"`
	// SecretAccessKey is fault secret-repeated's extra element in the
	// delete's metadata (unknown elements are allowed, the secret is not).
	SecretAccessKey string `xml:",omitempty"`
}

type iamAccessKey struct {
	UserName        string
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string
	SecretAccessKey string `xml:",omitempty"`
	CreateDate      string
}

type iamKeyList struct {
	Members []iamAccessKey `xml:"member"`
}

type iamTag struct{ Key, Value string }

type iamTagList struct {
	Members []iamTag `xml:"member"`
}

type iamBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type iamUser struct {
	Path                string
	UserName            string
	UserID              string `xml:"UserId"`
	Arn                 string
	CreateDate          string
	PermissionsBoundary *iamBoundary `xml:",omitempty"`
	Tags                *iamTagList  `xml:",omitempty"`
}

type iamUserList struct {
	Members []iamUser `xml:"member"`
}

type createAccessKeyResult struct {
	XMLName   xml.Name
	AccessKey iamAccessKey
}

type listAccessKeysResult struct {
	XMLName           xml.Name
	AccessKeyMetadata iamKeyList
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

type createUserResult struct {
	XMLName xml.Name
	User    iamUser
}

type listUsersResult struct {
	XMLName     xml.Name
	Users       iamUserList
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// iamSuccessBody is the success body of res.
func iamSuccessBody(res *result) []byte {
	action := iamActionOf[res.op]
	resultName := xml.Name{Local: action + "Result"}
	out := iamResponse{
		XMLName: xml.Name{Local: action + "Response"},
		Xmlns:   iamNamespace,
		Meta:    iamMeta{RequestID: res.requestID, SecretAccessKey: res.leaked},
	}
	switch res.op {
	case opCreateBucket:
		out.Result = createUserResult{XMLName: resultName, User: iamUserOf(res.bucket, true)}
	case opGetBuckets:
		users := make([]iamUser, 0, len(res.buckets))
		for i := range res.buckets {
			users = append(users, iamUserOf(&res.buckets[i], false))
		}
		out.Result = listUsersResult{XMLName: resultName, Users: iamUserList{users}, IsTruncated: res.nextMarker != "", Marker: res.nextMarker}
	case opCreateBucketAccessKey:
		created := iamTime(res.key.CreatedAt)
		if res.wrongTimestamps {
			created = string(epoch(res.key.CreatedAt))
		}
		out.Result = createAccessKeyResult{XMLName: resultName, AccessKey: iamAccessKey{
			UserName: res.bucketName, AccessKeyID: res.key.ID, Status: res.key.Status,
			SecretAccessKey: res.key.Secret, CreateDate: created,
		}}
	case opGetBucketAccessKeys:
		keys := make([]iamAccessKey, 0, len(res.keys))
		for _, k := range res.keys {
			m := iamAccessKey{UserName: res.bucketName, AccessKeyID: k.ID, Status: k.Status, CreateDate: iamTime(k.CreatedAt)}
			if res.listSecrets {
				m.SecretAccessKey = k.Secret
			}
			keys = append(keys, m)
		}
		out.Result = listAccessKeysResult{XMLName: resultName, AccessKeyMetadata: iamKeyList{keys}, IsTruncated: res.nextMarker != "", Marker: res.nextMarker}
	}
	return mustXML(out)
}

// iamUserOf is a user's XML; withTags adds its tags (CreateUser does,
// ListUsers does not, as in IAM).
func iamUserOf(b *bucket, withTags bool) iamUser {
	path := b.userPath()
	u := iamUser{
		Path:       path,
		UserName:   b.name,
		UserID:     "AIDAEMUL" + strings.ToUpper(strings.ReplaceAll(b.arnID, "-", ""))[:16],
		Arn:        fmt.Sprintf("arn:aws:iam::%s:user%s%s", accountID, path, b.name),
		CreateDate: iamTime(b.createdAt),
	}
	if b.boundary != "" {
		u.PermissionsBoundary = &iamBoundary{"PermissionsBoundaryPolicy", b.boundary}
	}
	if withTags && len(b.tags) > 0 {
		list := &iamTagList{}
		for _, t := range b.tags {
			list.Members = append(list.Members, iamTag(t))
		}
		u.Tags = list
	}
	return u
}

type iamErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     iamErrorDetail
	RequestID string `xml:"RequestId"`
}

type iamErrorDetail struct {
	Type    string
	Code    string
	Message string
}

// iamErrorBody is an ErrorResponse; Type is Receiver for a 5xx.
func iamErrorBody(code string, status int, msg, requestID string) []byte {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	return mustXML(iamErrorResponse{Xmlns: iamNamespace, Error: iamErrorDetail{typ, code, msg}, RequestID: requestID})
}
