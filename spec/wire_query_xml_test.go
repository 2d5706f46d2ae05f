package spec

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listSchema is ListAccessKeys' response as a description gives it.
const listSchema = `{"type": "object", "properties": {
  "ListAccessKeysResult": {"type": "object", "properties": {
    "AccessKeyMetadata": {"type": "array", "items": {"type": "object", "properties": {
      "UserName": {"type": "string"}, "AccessKeyId": {"type": "string"},
      "Status": {"type": "string", "enum": ["Active", "Inactive"]},
      "CreateDate": {"type": "string", "format": "date-time"}}}},
    "IsTruncated": {"type": "boolean"}, "Marker": {"type": "string"}, "MaxItems": {"type": "integer"}}},
  "ResponseMetadata": {"type": "object", "properties": {"RequestId": {"type": "string"}}}}}`

func schema(t *testing.T, src string) *openapi3.Schema {
	var s openapi3.Schema
	require.NoError(t, json.Unmarshal([]byte(src), &s))
	return &s
}

// TestDecodeXMLFollowsTheSchema: <member> items become an array, booleans
// and integers follow the schema, namespaces are ignored, unknown elements
// are kept; the same value whatever the namespace declaration.
func TestDecodeXMLFollowsTheSchema(t *testing.T) {
	s := schema(t, listSchema)
	for _, root := range []string{
		`<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`,
		`<iam:ListAccessKeysResponse xmlns:iam="https://iam.amazonaws.com/doc/2010-05-08/">`,
		`<ListAccessKeysResponse>`,
	} {
		end := "</ListAccessKeysResponse>"
		if root[1:4] == "iam" {
			end = "</iam:ListAccessKeysResponse>"
		}
		body := `<?xml version="1.0" encoding="UTF-8"?>` + root + `
  <ListAccessKeysResult>
    <AccessKeyMetadata>
      <member><UserName>alice</UserName><AccessKeyId>AKIDEXAMPLE000000002</AccessKeyId><Status>Active</Status><CreateDate>2026-01-01T00:00:00.123456Z</CreateDate></member>
      <member><UserName>alice</UserName><AccessKeyId>AKIDEXAMPLE000000001</AccessKeyId><Status>Active</Status><CreateDate>2026-01-01T00:00:00Z</CreateDate><Extra>x</Extra></member>
    </AccessKeyMetadata>
    <IsTruncated>true</IsTruncated><Marker>m1</Marker><MaxItems>2</MaxItems>
  </ListAccessKeysResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
` + end
		v, err := DecodeXML([]byte(body), s, false)
		require.NoError(t, err, root)
		items, ok := Pointer(v, "/ListAccessKeysResult/AccessKeyMetadata")
		require.True(t, ok)
		require.Len(t, items, 2)
		id, _ := Pointer(v, "/ListAccessKeysResult/AccessKeyMetadata/1/AccessKeyId")
		assert.Equal(t, "AKIDEXAMPLE000000001", id)
		extra, _ := Pointer(v, "/ListAccessKeysResult/AccessKeyMetadata/1/Extra")
		assert.Equal(t, "x", extra, "unknown elements are kept")
		tr, _ := Pointer(v, "/ListAccessKeysResult/IsTruncated")
		assert.Equal(t, true, tr)
		n, _ := Pointer(v, "/ListAccessKeysResult/MaxItems")
		assert.Equal(t, json.Number("2"), n)
		assert.NoError(t, s.VisitJSON(v), "the decoded value validates against its schema")
	}
}

// TestDecodeXMLErrors: an error response decodes without a schema; moto's
// lowercase <message> beside <Message> is one more member; a malformed or
// truncated document is an error.
func TestDecodeXMLErrors(t *testing.T) {
	body := `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no user</Message><message>no user</message></Error><RequestId>r</RequestId></ErrorResponse>`
	v, err := DecodeXML([]byte(body), nil, true)
	require.NoError(t, err)
	code, ok := Pointer(v, "/Error/Code")
	assert.True(t, ok)
	assert.Equal(t, "NoSuchEntity", code)
	for _, bad := range []string{body[:len(body)-10], "<a><b></a>", "<a/><b/>", "not xml <"} {
		_, err := DecodeXML([]byte(bad), nil, false)
		assert.Error(t, err, "%q", bad)
	}
	r := NewReply(200, nil, []byte(body[:40]))
	assert.Error(t, r.DecodeErr(), "a truncated XML reply does not decode")
}

// TestDecodeXMLResult: with result set, the value is the Result element's.
func TestDecodeXMLResult(t *testing.T) {
	body := `<CreateAccessKeyResponse><CreateAccessKeyResult><AccessKey><AccessKeyId>AKID</AccessKeyId></AccessKey></CreateAccessKeyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateAccessKeyResponse>`
	v, err := DecodeXML([]byte(body), nil, true)
	require.NoError(t, err)
	id, _ := Pointer(v, "/AccessKey/AccessKeyId")
	assert.Equal(t, "AKID", id)
}

// TestFlattenAWSQuery: structures as Name.Sub, lists as Name.member.N.
func TestFlattenAWSQuery(t *testing.T) {
	form := url.Values{}
	flatten(form, "", map[string]any{
		"UserName": "alice", "MaxItems": json.Number("10"), "Enabled": true,
		"Tags":  []any{map[string]any{"Key": "k1", "Value": "v1"}, map[string]any{"Key": "k2", "Value": "v 2"}},
		"Empty": []any{}, "Absent": nil,
	})
	assert.Equal(t, url.Values{
		"UserName": {"alice"}, "MaxItems": {"10"}, "Enabled": {"true"},
		"Tags.member.1.Key": {"k1"}, "Tags.member.1.Value": {"v1"},
		"Tags.member.2.Key": {"k2"}, "Tags.member.2.Value": {"v 2"},
		"Empty": {""},
	}, form)
	assert.Equal(t, "Action=ListUsers&MaxItems=10&UserName=al+ice", encodeForm(url.Values{"UserName": {"al ice"}, "MaxItems": {"10"}, "Action": {"ListUsers"}}, "Action"))
}
