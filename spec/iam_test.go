package spec_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/spec"
)

func bundledIAM(t *testing.T) *spec.Document {
	t.Helper()
	d, err := spec.Bundled("iam")
	require.NoError(t, err)
	return d
}

const iamNS = ` xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`

// iamReply wraps a result as docs/DESIGN.md shows the wire:
// <{Op}Response xmlns=...><{Op}Result>...</{Op}Result><ResponseMetadata>...
func iamReply(op, result string) string {
	body := `<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>`
	if result != "" {
		body = "<" + op + "Result>" + result + "</" + op + "Result>" + body
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<" + op + "Response" + iamNS + ">" + body + "</" + op + "Response>"
}

const (
	createdKey = `<AccessKey><UserName>alice</UserName><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status>` +
		`<SecretAccessKey>fake-secret-not-real</SecretAccessKey><CreateDate>2026-01-01T00:00:00Z</CreateDate></AccessKey>`
	listedKeys = `<AccessKeyMetadata>` +
		`<member><UserName>alice</UserName><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status><CreateDate>2026-01-01T00:00:00.123456Z</CreateDate></member>` +
		`<member><UserName>alice</UserName><AccessKeyId>AKIAI44QH8DHBEXAMPLE</AccessKeyId><Status>Inactive</Status><CreateDate>2026-01-01T00:00:01Z</CreateDate></member>` +
		`</AccessKeyMetadata><IsTruncated>false</IsTruncated>`
	user = `<Path>/</Path><UserName>alice</UserName><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>` +
		`<Arn>arn:aws:iam::123456789012:user/alice</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>`
)

var textXML = http.Header{"Content-Type": {"text/xml"}}

// Success replies as docs/DESIGN.md shows them, and the variations the wire
// allows, decode and validate; the binding finds the key, the keys and the
// users in them.
func TestIAMSuccessReplies(t *testing.T) {
	d := bundledIAM(t)
	ctx := context.Background()
	ok := func(r spec.Role, header http.Header, body string) *spec.Reply {
		t.Helper()
		reply := d.NewReply(d.Op(r), 200, header, []byte(body))
		require.NoError(t, reply.DecodeErr(), body)
		assert.NoError(t, d.ValidateSuccess(ctx, d.Op(r), reply), body)
		return reply
	}
	create := iamReply("CreateAccessKey", createdKey)
	key, found := d.Binding.CreatedKey(ok(spec.CreateKey, textXML, create))
	require.True(t, found)
	assert.Equal(t, "AKIAIOSFODNN7EXAMPLE", key.ID)
	assert.Equal(t, "fake-secret-not-real", key.Secret)
	assert.Equal(t, "Active", key.Status)
	assert.True(t, key.HasTime)

	variants := map[string]string{
		"microseconds":     strings.Replace(create, "00:00:00Z", "00:00:00.123456Z", 1),
		"unknown elements": strings.Replace(create, "</AccessKey>", "<LastUsed><Region>x</Region></LastUsed></AccessKey><Extra>1</Extra>", 1),
		"prefixed ns":      strings.NewReplacer("<CreateAccessKeyResponse"+iamNS, `<iam:CreateAccessKeyResponse xmlns:iam="https://iam.amazonaws.com/doc/2010-05-08/"`, "</CreateAccessKeyResponse>", "</iam:CreateAccessKeyResponse>").Replace(create),
		"other ns":         strings.Replace(create, iamNS, ` xmlns="urn:example:not-iam"`, 1),
		"no ns, no prolog": strings.Replace(strings.Replace(create, iamNS, "", 1), `<?xml version="1.0" encoding="UTF-8"?>`, "", 1),
		"reverse order":    iamReply("CreateAccessKey", `<AccessKey><CreateDate>2026-01-01T00:00:00Z</CreateDate><SecretAccessKey>fake-secret-not-real</SecretAccessKey><Status>Active</Status><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><UserName>alice</UserName></AccessKey>`),
		"indented":         strings.NewReplacer("><", ">\n  <").Replace(create),
		"no CreateDate":    strings.Replace(create, "<CreateDate>2026-01-01T00:00:00Z</CreateDate>", "", 1),
		"status Expired":   strings.Replace(create, ">Active<", ">Expired<", 1),
		"metadata first":   `<CreateAccessKeyResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata><CreateAccessKeyResult>` + createdKey + `</CreateAccessKeyResult></CreateAccessKeyResponse>`,
	}
	for name, body := range variants {
		t.Run(name, func(t *testing.T) {
			k, found := d.Binding.CreatedKey(ok(spec.CreateKey, textXML, body))
			require.True(t, found)
			assert.Equal(t, "AKIAIOSFODNN7EXAMPLE", k.ID)
		})
	}
	ok(spec.CreateKey, http.Header{"Content-Type": {"text/xml; charset=utf-8"}}, create)
	ok(spec.CreateKey, http.Header{"Content-Type": {"text/xml;charset=UTF-8"}}, create)

	keys, found := d.Binding.ListedKeys(ok(spec.ListKeys, textXML, iamReply("ListAccessKeys", listedKeys)))
	require.True(t, found)
	require.Len(t, keys, 2)
	assert.Equal(t, "AKIAI44QH8DHBEXAMPLE", keys[1].ID)
	assert.Empty(t, keys[0].Secret)
	keys, found = d.Binding.ListedKeys(ok(spec.ListKeys, textXML, iamReply("ListAccessKeys", `<AccessKeyMetadata/><IsTruncated>false</IsTruncated>`)))
	assert.True(t, found)
	assert.Empty(t, keys, "an empty list is an empty element")
	ok(spec.ListKeys, textXML, iamReply("ListAccessKeys", strings.Replace(listedKeys, "<IsTruncated>false</IsTruncated>", "<IsTruncated>true</IsTruncated><Marker>page-2</Marker>", 1)))

	ok(spec.CreateBucket, textXML, iamReply("CreateUser", "<User>"+user+"</User>"))
	ok(spec.CreateBucket, textXML, iamReply("CreateUser", "<User>"+user+"<Tags><member><Key>team</Key><Value></Value></member></Tags></User>"))
	names, found := d.Binding.ListedBuckets(ok(spec.ListBuckets, textXML, iamReply("ListUsers", "<Users><member>"+user+"</member><member>"+strings.ReplaceAll(user, "alice", "bob")+"</member></Users><IsTruncated>false</IsTruncated>")))
	require.True(t, found)
	assert.Equal(t, []string{"alice", "bob"}, names)
	ok(spec.DeleteKey, textXML, iamReply("DeleteAccessKey", ""))
	ok(spec.DeleteBucket, textXML, iamReply("DeleteUser", ""))
}

// Replies that break iam.yaml fail validation.
func TestIAMBrokenRepliesFail(t *testing.T) {
	d := bundledIAM(t)
	ctx := context.Background()
	create := iamReply("CreateAccessKey", createdKey)
	list := iamReply("ListAccessKeys", listedKeys)
	for name, c := range map[string]struct {
		role   spec.Role
		header http.Header
		body   string
	}{
		"missing AccessKeyId":     {spec.CreateKey, textXML, strings.Replace(create, "<AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId>", "", 1)},
		"missing secret":          {spec.CreateKey, textXML, strings.Replace(create, "<SecretAccessKey>fake-secret-not-real</SecretAccessKey>", "", 1)},
		"short AccessKeyId":       {spec.CreateKey, textXML, strings.Replace(create, "AKIAIOSFODNN7EXAMPLE", "AKIA", 1)},
		"CreateDate not a date":   {spec.CreateKey, textXML, strings.Replace(create, "2026-01-01T00:00:00Z", "yesterday", 1)},
		"unknown status":          {spec.CreateKey, textXML, strings.Replace(create, ">Active<", ">Enabled<", 1)},
		"no Result element":       {spec.CreateKey, textXML, `<CreateAccessKeyResponse>` + createdKey + `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateAccessKeyResponse>`},
		"no ResponseMetadata":     {spec.DeleteKey, textXML, `<DeleteAccessKeyResponse` + iamNS + `/>`},
		"JSON content type":       {spec.CreateKey, http.Header{"Content-Type": {"application/json"}}, create},
		"non-boolean IsTruncated": {spec.ListKeys, textXML, strings.Replace(list, "<IsTruncated>false</IsTruncated>", "<IsTruncated>maybe</IsTruncated>", 1)},
		"listed key without id":   {spec.ListKeys, textXML, strings.Replace(list, "<AccessKeyId>AKIAI44QH8DHBEXAMPLE</AccessKeyId>", "", 1)},
		"user without Arn":        {spec.CreateBucket, textXML, iamReply("CreateUser", "<User>"+strings.Replace(user, "<Arn>arn:aws:iam::123456789012:user/alice</Arn>", "", 1)+"</User>")},
		"bad user path":           {spec.ListBuckets, textXML, iamReply("ListUsers", "<Users><member>"+strings.Replace(user, "<Path>/</Path>", "<Path>/a</Path>", 1)+"</member></Users>")},
	} {
		t.Run(name, func(t *testing.T) {
			op := d.Op(c.role)
			assert.Error(t, d.ValidateSuccess(ctx, op, d.NewReply(op, 200, c.header, []byte(c.body))))
		})
	}
	truncated := d.NewReply(d.Op(spec.CreateKey), 200, textXML, []byte(create[:len(create)-20]))
	assert.Error(t, d.ValidateSuccess(ctx, d.Op(spec.CreateKey), truncated))
}

func iamError(typ, code string) string {
	return `<ErrorResponse` + iamNS + `><Error><Type>` + typ + `</Type><Code>` + code + `</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`
}

// Error replies: the code at /Error/Code with the status the binding gives
// it; moto's lowercase <message> is one more element.
func TestIAMErrorReplies(t *testing.T) {
	d := bundledIAM(t)
	ctx := context.Background()
	op := d.Op(spec.CreateKey)
	for _, c := range []struct {
		status int
		body   string
		code   string
	}{
		{404, iamError("Sender", "NoSuchEntity"), "NoSuchEntity"},
		{409, iamError("Sender", "LimitExceeded"), "LimitExceeded"},
		{400, iamError("Sender", "ValidationError"), "ValidationError"},
		{400, iamError("Sender", "InvalidParameterValue"), "InvalidParameterValue"},
		{404, iamError("Sender", "MalformedQueryString"), "MalformedQueryString"},
		{403, iamError("Sender", "SignatureDoesNotMatch"), "SignatureDoesNotMatch"},
		{500, iamError("Receiver", "ServiceFailure"), "ServiceFailure"},
		{404, strings.Replace(iamError("Sender", "NoSuchEntity"), "</Message>", "</Message><message>m</message>", 1), "NoSuchEntity"},
		{404, `<ErrorResponse><Error><Code>NoSuchEntity</Code></Error></ErrorResponse>`, "NoSuchEntity"},
	} {
		code, err := d.ValidateError(ctx, op, d.NewReply(op, c.status, textXML, []byte(c.body)))
		assert.NoError(t, err, c.body)
		assert.Equal(t, c.code, code)
	}
	// Invalid input, as docs/DESIGN.md's iam table lists it.
	for _, code := range []string{"ValidationError", "InvalidInput", "MalformedInput", "InvalidParameterValue", "MalformedQueryString", "MissingAction"} {
		assert.True(t, d.Binding.Accepts(spec.InvalidInput, code), code)
	}
	for name, c := range map[string]struct {
		status int
		body   string
	}{
		"wrong status":             {400, iamError("Sender", "NoSuchEntity")},
		"MalformedQueryString 400": {400, iamError("Sender", "MalformedQueryString")},
		"undocumented":             {400, iamError("Sender", "NoSuchEntityException")},
		"bad Type":                 {404, iamError("Client", "NoSuchEntity")},
		"no code":                  {404, `<ErrorResponse><Error><Type>Sender</Type></Error></ErrorResponse>`},
		"Errors wrapper":           {404, `<ErrorResponse><Errors><Error><Code>NoSuchEntity</Code></Error></Errors></ErrorResponse>`},
	} {
		_, err := d.ValidateError(ctx, op, d.NewReply(op, c.status, textXML, []byte(c.body)))
		assert.Error(t, err, name)
	}
}

// Generated requests: valid bodies satisfy their schemas and leave out
// what the binding omits; the wire is a form naming the action.
func TestIAMRequests(t *testing.T) {
	d := bundledIAM(t)
	omitted := map[spec.Role][]string{spec.ListKeys: {"Marker"}, spec.ListBuckets: {"Marker"}, spec.CreateBucket: {"PermissionsBoundary", "Tags"}}
	for _, r := range spec.Roles {
		op := d.Op(r)
		t.Run(string(r), rapid.MakeCheck(func(t *rapid.T) {
			body := d.Valid(op, spec.Resources{Bucket: "alice", KeyID: "AKIAIOSFODNN7EXAMPLE"}).Draw(t, "body")
			raw, _ := json.Marshal(body)
			var v any
			_ = json.Unmarshal(raw, &v)
			if err := op.Input.VisitJSON(v); err != nil {
				t.Fatalf("Valid(%s) = a body its schema rejects: %v", op.ID, err)
			}
			for _, name := range omitted[r] {
				if _, ok := body[name]; ok {
					t.Fatalf("Valid(%s) sets %s, which the binding omits", op.ID, name)
				}
			}
			if _, ok := op.Input.Properties["UserName"]; ok && body["UserName"] != "alice" {
				t.Fatalf("Valid(%s) UserName = %v, want the bound user", op.ID, body["UserName"])
			}
		}))
	}
	req := d.Encode(d.Op(spec.DeleteKey), d.Minimal(d.Op(spec.DeleteKey), spec.Resources{Bucket: "alice", KeyID: "AKIAIOSFODNN7EXAMPLE"}))
	assert.Equal(t, "Action=DeleteAccessKey&AccessKeyId=AKIAIOSFODNN7EXAMPLE&UserName=alice&Version=2010-05-08", string(req.Body))
	assert.Equal(t, "/", req.Path)
	form, err := url.ParseQuery(string(d.Encode(d.Op(spec.CreateBucket), map[string]any{"UserName": "alice", "Tags": []any{map[string]any{"Key": "k", "Value": "v"}}}).Body))
	require.NoError(t, err)
	assert.Equal(t, "k", form.Get("Tags.member.1.Key"))
}
