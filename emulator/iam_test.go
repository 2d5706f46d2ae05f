package emulator

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var iamTimestamp = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`

// iamFixture is an iam server with user "full-user" holding 2 keys and
// "empty-user" none.
func iamFixture(t *testing.T, opts Options) (*Server, []string) {
	t.Helper()
	opts.Dialect = DialectIAM
	s := newServer(t, opts)
	require.NoError(t, s.AddBucket("full-user"))
	require.NoError(t, s.AddBucket("empty-user"))
	var ids []string
	for range 2 {
		id, _, err := s.AddKey("full-user")
		require.NoError(t, err)
		ids = append(ids, id)
	}
	return s, ids
}

// TestIAMErrorTable: every situation of docs/DESIGN.md's iam error table,
// with its code, status, Type, content type and request id.
func TestIAMErrorTable(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tags := func(n int) []string {
		var p []string
		for i := 1; i <= n; i++ {
			p = append(p, "Tags.member."+strconv.Itoa(i)+".Key", "k"+strconv.Itoa(i), "Tags.member."+strconv.Itoa(i)+".Value", "v")
		}
		return p
	}
	ck, lk, dk := "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey"
	cases := []struct {
		name, form, code string
		status           int
	}{
		// Action and Version
		{"empty body", "", "MissingAction", 400},
		{"no Action", "Version=2010-05-08&UserName=empty-user", "MissingAction", 400},
		{"empty Action", "Action=&Version=2010-05-08", "MissingAction", 400},
		{"malformed body, no Action", "%zz=%", "MissingAction", 400},
		{"JSON body", `{"bucketName":"empty-user"}`, "MissingAction", 400},
		{"unknown Action", iamAction("CreateBucketAccessKey", "UserName", "empty-user"), "InvalidAction", 400},
		{"unknown Action before body", "Action=Nope&%zz", "InvalidAction", 400},
		{"malformed body, Action readable", iamAction(ck, "UserName", "empty-user") + "&%zz=%", "ValidationError", 400},
		{"missing Version", "Action=CreateAccessKey&UserName=empty-user", "ValidationError", 400},
		{"wrong Version", "Action=CreateAccessKey&Version=2016-11-28&UserName=empty-user", "ValidationError", 400},
		{"oversize body", iamAction(ck, "UserName", "empty-user", "Pad", long(MaxBodyBytes)), "ValidationError", 400},
		// members
		{"CreateAccessKey without UserName", iamAction(ck), "ValidationError", 400},
		{"ListAccessKeys without UserName", iamAction(lk), "ValidationError", 400},
		{"DeleteAccessKey without AccessKeyId", iamAction(dk, "UserName", "full-user"), "ValidationError", 400},
		{"UserName empty", iamAction(ck, "UserName", ""), "ValidationError", 400},
		{"UserName bad character", iamAction(ck, "UserName", "no spaces"), "ValidationError", 400},
		{"UserName 129 characters", iamAction(ck, "UserName", long(129)), "ValidationError", 400},
		{"CreateUser UserName 65 characters", iamAction("CreateUser", "UserName", long(65)), "ValidationError", 400},
		{"CreateUser without UserName", iamAction("CreateUser"), "ValidationError", 400},
		{"Path without trailing slash", iamAction("CreateUser", "UserName", "u1", "Path", "/a"), "ValidationError", 400},
		{"Path with a space", iamAction("CreateUser", "UserName", "u1", "Path", "/a b/"), "ValidationError", 400},
		{"Path 513 characters", iamAction("CreateUser", "UserName", "u1", "Path", "/"+long(511)+"/"), "ValidationError", 400},
		{"PermissionsBoundary too short", iamAction("CreateUser", "UserName", "u1", "PermissionsBoundary", "arn:aws:iam::1"), "ValidationError", 400},
		{"51 tags", iamAction("CreateUser", append([]string{"UserName", "u1"}, tags(51)...)...), "ValidationError", 400},
		{"tag without Value", iamAction("CreateUser", "UserName", "u1", "Tags.member.1.Key", "k"), "ValidationError", 400},
		{"tag Key empty", iamAction("CreateUser", "UserName", "u1", "Tags.member.1.Key", "", "Tags.member.1.Value", "v"), "ValidationError", 400},
		{"tag Key bad character", iamAction("CreateUser", "UserName", "u1", "Tags.member.1.Key", "k!", "Tags.member.1.Value", "v"), "ValidationError", 400},
		{"tag Value 257 characters", iamAction("CreateUser", "UserName", "u1", "Tags.member.1.Key", "k", "Tags.member.1.Value", long(257)), "ValidationError", 400},
		{"tag index 0", iamAction("CreateUser", "UserName", "u1", "Tags.member.0.Key", "k", "Tags.member.0.Value", "v"), "ValidationError", 400},
		{"Tags not a list", iamAction("CreateUser", "UserName", "u1", "Tags", "x"), "ValidationError", 400},
		{"PathPrefix without slash", iamAction("ListUsers", "PathPrefix", "a"), "ValidationError", 400},
		{"Marker empty", iamAction("ListUsers", "Marker", ""), "ValidationError", 400},
		{"Marker 321 characters", iamAction(lk, "UserName", "full-user", "Marker", long(321)), "ValidationError", 400},
		{"Marker not ours", iamAction(lk, "UserName", "full-user", "Marker", "not-a-marker"), "ValidationError", 400},
		{"MaxItems 0", iamAction("ListUsers", "MaxItems", "0"), "ValidationError", 400},
		{"MaxItems 1001", iamAction(lk, "UserName", "full-user", "MaxItems", "1001"), "ValidationError", 400},
		{"MaxItems not a number", iamAction("ListUsers", "MaxItems", "ten"), "ValidationError", 400},
		{"AccessKeyId 15 characters", iamAction(dk, "UserName", "full-user", "AccessKeyId", long(15)), "ValidationError", 400},
		{"AccessKeyId 129 characters", iamAction(dk, "UserName", "full-user", "AccessKeyId", long(129)), "ValidationError", 400},
		{"AccessKeyId bad character", iamAction(dk, "UserName", "full-user", "AccessKeyId", "EMUL0000000000000-00"), "ValidationError", 400},
		{"validation before existence", iamAction(ck, "UserName", "no such user"), "ValidationError", 400},
		// existence, limit, conflicts
		{"CreateAccessKey, unknown user", iamAction(ck, "UserName", "no-such-user"), "NoSuchEntity", 404},
		{"ListAccessKeys, unknown user", iamAction(lk, "UserName", "no-such-user"), "NoSuchEntity", 404},
		{"DeleteAccessKey, unknown user", iamAction(dk, "UserName", "no-such-user", "AccessKeyId", "EMUL0000000000000000"), "NoSuchEntity", 404},
		{"DeleteAccessKey, unknown key", iamAction(dk, "UserName", "full-user", "AccessKeyId", "EMUL0000000000000000"), "NoSuchEntity", 404},
		{"DeleteUser, unknown user", iamAction("DeleteUser", "UserName", "no-such-user"), "NoSuchEntity", 404},
		{"third key", iamAction(ck, "UserName", "full-user"), "LimitExceeded", 409},
		{"CreateUser, taken name", iamAction("CreateUser", "UserName", "empty-user"), "EntityAlreadyExists", 409},
		{"DeleteUser with keys", iamAction("DeleteUser", "UserName", "full-user"), "DeleteConflict", 409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := iamFixture(t, Options{})
			before := s.Snapshot()
			r := iamCall(t, s, c.form)
			assertIAMError(t, r, c.code, c.status)
			assert.Equal(t, before, s.Snapshot(), "an error changes nothing")
		})
	}
}

// assertIAMError checks an ErrorResponse: code, status, Type, content
// type, and the same request id in the body and x-amzn-RequestId.
func assertIAMError(t *testing.T, r resp, code string, status int) {
	t.Helper()
	assert.Equal(t, status, r.status, "body: %s", r.raw)
	assert.Equal(t, code, r.errCode(), "body: %s", r.raw)
	assert.Equal(t, "text/xml", r.header.Get("Content-Type"))
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	assert.Equal(t, typ, at(r.body, "ErrorResponse", "Error", "Type"))
	assert.NotEmpty(t, at(r.body, "ErrorResponse", "Error", "Message"))
	assert.Regexp(t, uuidLike, at(r.body, "ErrorResponse", "RequestId"))
	assert.Equal(t, at(r.body, "ErrorResponse", "RequestId"), r.header.Get("X-Amzn-Requestid"))
	assert.Contains(t, string(r.raw), `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`)
}

// TestIAMAuthErrors: the auth rows of the table, with SigV4 for service
// iam; a request signed for lightsail is refused.
func TestIAMAuthErrors(t *testing.T) {
	good := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	s, _ := iamFixture(t, Options{Credentials: map[string]string{testAKID: testSecret}})
	form := iamAction("ListAccessKeys", "UserName", "full-user")
	now := time.Now()

	r := serve(t, s, iamSigned(t, good, "iam", "us-east-1", form, now))
	mustOK(t, r)
	assert.Len(t, members(r.iamResult("ListAccessKeys")["AccessKeyMetadata"]), 2)

	assertIAMError(t, iamCall(t, s, form), "MissingAuthenticationToken", 403)
	assertIAMError(t, serve(t, s, iamSigned(t, good, "lightsail", "us-east-1", form, now)), "SignatureDoesNotMatch", 403)
	assertIAMError(t, serve(t, s, iamSigned(t, good, "iam", "eu-west-1", form, now)), "SignatureDoesNotMatch", 403)
	bad := good
	bad.SecretAccessKey = "keycontract/Wrong/Signing/Secret/0000000"
	assertIAMError(t, serve(t, s, iamSigned(t, bad, "iam", "us-east-1", form, now)), "SignatureDoesNotMatch", 403)
	unknown := good
	unknown.AccessKeyID = "AKIDUNKNOWN000000000"
	assertIAMError(t, serve(t, s, iamSigned(t, unknown, "iam", "us-east-1", form, now)), "InvalidClientTokenId", 403)
	assertIAMError(t, iamCall(t, s, form, "Authorization: AWS4-HMAC-SHA256 Credential=nonsense"), "IncompleteSignature", 400)
	noDate := iamSigned(t, good, "iam", "us-east-1", form, now)
	noDate.Header.Del("X-Amz-Date")
	assertIAMError(t, serve(t, s, noDate), "IncompleteSignature", 400)
	tampered := iamSigned(t, good, "iam", "us-east-1", form, now)
	tampered.Body = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(iamAction("ListAccessKeys", "UserName", "empty-user"))).Body
	assertIAMError(t, serve(t, s, tampered), "SignatureDoesNotMatch", 403)

	tok := newServer(t, Options{Dialect: DialectIAM, Token: "tok-123"})
	assertIAMError(t, iamCall(t, tok, iamAction("ListUsers"), "Authorization: Bearer tok-999"), "AccessDenied", 403)

	th := newServer(t, Options{Dialect: DialectIAM, ThrottlePercent: 100})
	r = iamCall(t, th, iamAction("ListUsers"))
	assertIAMError(t, r, "Throttling", 400)
	assert.Equal(t, "1", r.header.Get("Retry-After"))

	f := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{FaultGetBuckets500}})
	assertIAMError(t, iamCall(t, f, iamAction("ListUsers")), "ServiceFailure", 500)
}

// iamSigned signs an iam form request for service and region.
func iamSigned(t *testing.T, creds aws.Credentials, service, region, form string, at time.Time) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://iam.test/", strings.NewReader(form))
	req.Header.Set("Content-Type", ctForm)
	return sign(t, req, form, creds, service, region, at)
}

// TestIAMSuccessShapes parses each operation's success.
func TestIAMSuccessShapes(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectIAM})
	check := func(r resp, action string) map[string]any {
		t.Helper()
		mustOK(t, r)
		assert.Equal(t, "text/xml", r.header.Get("Content-Type"))
		assert.Contains(t, string(r.raw), "<"+action+`Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`)
		id := at(r.body, action+"Response", "ResponseMetadata", "RequestId")
		assert.Regexp(t, uuidLike, id)
		assert.Equal(t, id, r.header.Get("X-Amzn-Requestid"))
		return r.iamResult(action)
	}

	u := at(check(iamCall(t, s, iamAction("CreateUser", "UserName", "Alice.B@example.com", "Path", "/team/",
		"PermissionsBoundary", "arn:aws:iam::123456789012:policy/boundary",
		"Tags.member.1.Key", "team", "Tags.member.1.Value", "q a/b=c+d@e")), "CreateUser"), "User").(map[string]any)
	assert.Equal(t, "/team/", u["Path"])
	assert.Equal(t, "Alice.B@example.com", u["UserName"])
	assert.Regexp(t, `^\w{16,128}$`, u["UserId"])
	assert.Equal(t, "arn:aws:iam::123456789012:user/team/Alice.B@example.com", u["Arn"])
	assert.Regexp(t, iamTimestamp, u["CreateDate"])
	assert.Equal(t, "arn:aws:iam::123456789012:policy/boundary", at(u, "PermissionsBoundary", "PermissionsBoundaryArn"))
	assert.Equal(t, map[string]any{"Key": "team", "Value": "q a/b=c+d@e"}, at(u, "Tags", "member"), "escaped and back")

	k := at(check(iamCall(t, s, iamAction("CreateAccessKey", "UserName", "Alice.B@example.com")), "CreateAccessKey"), "AccessKey").(map[string]any)
	assert.Equal(t, "Alice.B@example.com", k["UserName"])
	assert.Regexp(t, `^\w{16,128}$`, k["AccessKeyId"])
	assert.Equal(t, "Active", k["Status"])
	assert.Len(t, k["SecretAccessKey"], 40)
	assert.Regexp(t, iamTimestamp, k["CreateDate"])

	l := check(iamCall(t, s, iamAction("ListAccessKeys", "UserName", "Alice.B@example.com")), "ListAccessKeys")
	assert.Equal(t, "false", l["IsTruncated"])
	assert.NotContains(t, l, "Marker")
	items := members(l["AccessKeyMetadata"])
	require.Len(t, items, 1)
	assert.Equal(t, map[string]any{"UserName": "Alice.B@example.com", "AccessKeyId": k["AccessKeyId"], "Status": "Active", "CreateDate": k["CreateDate"]}, items[0])

	users := check(iamCall(t, s, iamAction("ListUsers")), "ListUsers")
	assert.Equal(t, "false", users["IsTruncated"])
	listed := members(users["Users"])
	require.Len(t, listed, 1)
	for _, f := range []string{"Path", "UserName", "UserId", "Arn", "CreateDate"} {
		assert.Equal(t, u[f], listed[0][f], f)
	}

	for _, del := range []struct{ action, form string }{
		{"DeleteAccessKey", iamAction("DeleteAccessKey", "UserName", "Alice.B@example.com", "AccessKeyId", k["AccessKeyId"].(string))},
		{"DeleteUser", iamAction("DeleteUser", "UserName", "Alice.B@example.com")},
	} {
		r := iamCall(t, s, del.form)
		check(r, del.action)
		assert.Nil(t, r.iamResult(del.action), "no Result element for the deletes")
		assert.NotContains(t, string(r.raw), "Result>")
	}
	assert.Empty(t, s.Snapshot())

	// Empty lists are present and empty.
	l = check(iamCall(t, s, iamAction("ListUsers")), "ListUsers")
	assert.Contains(t, l, "Users")
	assert.Nil(t, l["Users"])

	// The well-formed XML parses with encoding/xml into the model's shape.
	var out struct {
		Result struct {
			Users       []struct{ UserName string } `xml:"Users>member"`
			IsTruncated bool
		} `xml:"ListUsersResult"`
	}
	require.NoError(t, xml.Unmarshal(iamCall(t, s, iamAction("ListUsers")).raw, &out))
	assert.False(t, out.Result.IsTruncated)
}

// TestIAMGetQueryString: the same parameters are accepted as a GET query.
func TestIAMGetQueryString(t *testing.T) {
	s, _ := iamFixture(t, Options{})
	req := httptest.NewRequest(http.MethodGet, "/?"+iamAction("ListAccessKeys", "UserName", "full-user"), nil)
	r := mustOK(t, do(t, s, req))
	assert.Len(t, members(r.iamResult("ListAccessKeys")["AccessKeyMetadata"]), 2)
	assertIAMError(t, do(t, s, httptest.NewRequest(http.MethodPut, "/", strings.NewReader(iamAction("ListUsers")))), "InvalidAction", 400)
}

// TestIAMPagination: MaxItems=1 walks every key and every user by Marker.
func TestIAMPagination(t *testing.T) {
	s, ids := iamFixture(t, Options{})
	walk := func(action, list, field string, pairs ...string) []string {
		var got []string
		marker := ""
		for range 10 {
			p := append([]string{"MaxItems", "1"}, pairs...)
			if marker != "" {
				p = append(p, "Marker", marker)
			}
			res := mustOK(t, iamCall(t, s, iamAction(action, p...))).iamResult(action)
			items := members(res[list])
			require.Len(t, items, 1)
			got = append(got, items[0][field].(string))
			if res["IsTruncated"] == "false" {
				assert.NotContains(t, res, "Marker")
				return got
			}
			require.Equal(t, "true", res["IsTruncated"])
			marker = res["Marker"].(string)
			require.NotEmpty(t, marker)
		}
		t.Fatal("pagination does not end")
		return nil
	}
	assert.Equal(t, ids, walk("ListAccessKeys", "AccessKeyMetadata", "AccessKeyId", "UserName", "full-user"))
	assert.Equal(t, []string{"full-user", "empty-user"}, walk("ListUsers", "Users", "UserName"))

	mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "ops1", "Path", "/ops/")))
	mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "ops2", "Path", "/ops/deep/")))
	assert.Equal(t, []string{"ops1", "ops2"}, walk("ListUsers", "Users", "UserName", "PathPrefix", "/ops/"))
	assert.Equal(t, []string{"ops2"}, walk("ListUsers", "Users", "UserName", "PathPrefix", "/ops/d"))
	res := mustOK(t, iamCall(t, s, iamAction("ListUsers", "PathPrefix", "/nobody/"))).iamResult("ListUsers")
	assert.Empty(t, members(res["Users"]))

	// Default page size 100.
	for i := range 120 {
		require.NoError(t, s.AddBucket("many-"+strconv.Itoa(i)))
	}
	res = mustOK(t, iamCall(t, s, iamAction("ListUsers"))).iamResult("ListUsers")
	assert.Len(t, members(res["Users"]), 100)
	assert.Equal(t, "true", res["IsTruncated"])
}

// TestIAMLifecycle: two keys, the third refused, DeleteConflict until the
// keys are gone, delete frees a slot, deleting twice is NoSuchEntity,
// keys of one user never show in or count against another, and no secret
// appears after its create.
func TestIAMLifecycle(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectIAM})
	mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "life")))
	mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "other")))
	id1, sec1 := iamCreateKey(t, s, "life")
	id2, sec2 := iamCreateKey(t, s, "life")
	assert.NotEqual(t, sec1, sec2)
	var later [][]byte
	keep := func(r resp) resp {
		later = append(later, r.raw, []byte(strings.Join(headerValues(r.header), " ")))
		return r
	}
	assert.Equal(t, []string{id1, id2}, iamListedIDs(t, s, "life"))
	assertIAMError(t, keep(iamCall(t, s, iamAction("CreateAccessKey", "UserName", "life"))), "LimitExceeded", 409)
	idO, _ := iamCreateKey(t, s, "other")
	assert.Equal(t, []string{idO}, iamListedIDs(t, s, "other"))
	assertIAMError(t, keep(iamCall(t, s, iamAction("DeleteAccessKey", "UserName", "other", "AccessKeyId", id1))), "NoSuchEntity", 404)

	assertIAMError(t, keep(iamCall(t, s, iamAction("DeleteUser", "UserName", "life"))), "DeleteConflict", 409)
	keep(mustOK(t, iamCall(t, s, iamAction("DeleteAccessKey", "UserName", "life", "AccessKeyId", id1))))
	assertIAMError(t, keep(iamCall(t, s, iamAction("DeleteAccessKey", "UserName", "life", "AccessKeyId", id1))), "NoSuchEntity", 404)
	id3, _ := iamCreateKey(t, s, "life")
	assert.Equal(t, []string{id2, id3}, iamListedIDs(t, s, "life"))
	for _, id := range []string{id2, id3} {
		keep(mustOK(t, iamCall(t, s, iamAction("DeleteAccessKey", "UserName", "life", "AccessKeyId", id))))
	}
	keep(mustOK(t, iamCall(t, s, iamAction("DeleteUser", "UserName", "life"))))
	assertIAMError(t, keep(iamCall(t, s, iamAction("ListAccessKeys", "UserName", "life"))), "NoSuchEntity", 404)
	keep(iamCall(t, s, iamAction("ListAccessKeys", "UserName", "other")))
	keep(iamCall(t, s, iamAction("ListUsers")))
	for _, raw := range later {
		assert.NotContains(t, string(raw), sec1)
		assert.NotContains(t, string(raw), sec2)
	}
}

func headerValues(h http.Header) []string {
	var out []string
	for _, vs := range h {
		out = append(out, vs...)
	}
	return out
}

// TestIAMLogAndMessages: the log names IAM actions and only known users;
// a secret sent as a user name is neither logged nor echoed.
func TestIAMLogAndMessages(t *testing.T) {
	var buf strings.Builder
	s := newServer(t, Options{Dialect: DialectIAM, Log: &buf})
	mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "log-user")))
	_, secret := iamCreateKey(t, s, "log-user")
	name := strings.NewReplacer("/", "A").Replace(secret) // a well-formed user name
	r := iamCall(t, s, iamAction("ListAccessKeys", "UserName", name))
	assertIAMError(t, r, "NoSuchEntity", 404)
	assert.NotContains(t, string(r.raw), name)
	log := buf.String()
	assert.Contains(t, log, "POST CreateUser 200")
	assert.Contains(t, log, "bucket=log-user")
	assert.Contains(t, log, "POST ListAccessKeys 404")
	assert.NotContains(t, log, name)
	assert.NotContains(t, log, secret)
}

// TestIAMPanicBecomesServiceFailure: a recovered panic (a request without
// a URL, which net/http never produces) is a 500 ServiceFailure of Type
// Receiver, its request id in the body and the header alike.
func TestIAMPanicBecomesServiceFailure(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectIAM})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.URL = nil
	assertIAMError(t, serve(t, s, req), "ServiceFailure", 500)
}
