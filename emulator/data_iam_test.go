package emulator

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// iamAs sends form to the iam endpoint signed with k (service iam,
// us-east-1, now); nil k: unsigned.
func iamAs(t *testing.T, s *Server, k *key, form string) resp {
	t.Helper()
	if k == nil {
		return iamCall(t, s, form)
	}
	return serve(t, s, iamSigned(t, k.creds(), "iam", DefaultRegion, form, time.Now()))
}

// caller is the UserName a GetUser reply names ("" for none).
func caller(r resp) string {
	name, _ := at(r.body, "GetUserResponse", "GetUserResult", "User", "UserName").(string)
	return name
}

// TestGetUserAsCaller: with the API's credentials off, a user's key asks
// who it is and nothing else; deleted, unknown and wrongly signed keys are
// refused as DESIGN.md's iam data plane says.
func TestGetUserAsCaller(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectIAM})
	newBucket(t, s, "user-one")
	newBucket(t, s, "user-two")
	k1, k2 := newKey(t, s, "user-one"), newKey(t, s, "user-two")
	getUser := iamAction("GetUser")

	r := mustOK(t, iamAs(t, s, &k1, getUser))
	assert.Equal(t, "text/xml", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.raw), `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>user-one</UserName>`)
	assert.Equal(t, "arn:aws:iam::123456789012:user/user-one", at(r.body, "GetUserResponse", "GetUserResult", "User", "Arn"))
	assert.Equal(t, at(r.body, "GetUserResponse", "ResponseMetadata", "RequestId"), r.header.Get("X-Amzn-Requestid"))
	assert.Equal(t, "user-two", caller(mustOK(t, iamAs(t, s, &k2, getUser))))
	assert.Equal(t, "user-one", caller(mustOK(t, iamAs(t, s, &k1, iamAction("GetUser", "UserName", "user-one")))))

	refused := func(r resp, status int, code string) {
		t.Helper()
		assertIAMError(t, r, code, status)
	}
	refused(iamAs(t, s, &k1, iamAction("GetUser", "UserName", "user-two")), 403, "AccessDenied")
	refused(iamAs(t, s, &k1, iamAction("ListUsers")), 403, "AccessDenied")
	refused(iamAs(t, s, &k1, iamAction("CreateAccessKey", "UserName", "user-one")), 403, "AccessDenied")
	assert.Len(t, s.Snapshot()["user-one"], 1, "a refused create creates nothing")
	refused(iamAs(t, s, &key{k1.id, "wrong" + k1.secret[5:]}, getUser), 403, "SignatureDoesNotMatch")
	refused(iamAs(t, s, &key{"EMULNOSUCHKEY0000000", k1.secret}, getUser), 403, "InvalidClientTokenId")
	refused(iamAs(t, s, nil, getUser), 403, "MissingAuthenticationToken")
	refused(iamAs(t, s, &k1, "Action=GetUser&Version=2009-01-01"), 400, "ValidationError")
	refused(iamAs(t, s, &k1, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()), 400, "InvalidAction")
	refused(iamAs(t, s, nil, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()), 400, "InvalidAction")

	// With the API open, GetUser naming a user is the API's.
	assert.Equal(t, "user-two", caller(mustOK(t, iamAs(t, s, nil, iamAction("GetUser", "UserName", "user-two")))))
	refused(iamAs(t, s, nil, iamAction("GetUser", "UserName", "nobody")), 404, "NoSuchEntity")
	refused(iamAs(t, s, nil, iamAction("GetUser", "UserName", "bad/name")), 400, "ValidationError")

	deleteKey(t, s, "user-one", k1)
	refused(iamAs(t, s, &k1, getUser), 403, "InvalidClientTokenId")
	refused(iamAs(t, s, &k1, iamAction("ListUsers")), 403, "InvalidClientTokenId")
	assert.Equal(t, "user-two", caller(mustOK(t, iamAs(t, s, &k2, getUser))))
}

// TestGetUserWithAPICredentials: with the API's credentials on, they keep
// working as before and GetUser asks them for a UserName; a user's key
// acts as its user and nothing more.
func TestGetUserWithAPICredentials(t *testing.T) {
	s := newServer(t, Options{Dialect: DialectIAM, Credentials: map[string]string{testAKID: testSecret}})
	root := key{testAKID, testSecret}
	mustOK(t, iamAs(t, s, &root, iamAction("CreateUser", "UserName", "cred-user")))
	r := mustOK(t, iamAs(t, s, &root, iamAction("CreateAccessKey", "UserName", "cred-user")))
	ak := r.iamResult("CreateAccessKey")["AccessKey"].(map[string]any)
	k := key{ak["AccessKeyId"].(string), ak["SecretAccessKey"].(string)}

	assert.Equal(t, "cred-user", caller(mustOK(t, iamAs(t, s, &k, iamAction("GetUser")))))
	assert.Equal(t, "cred-user", caller(mustOK(t, iamAs(t, s, &root, iamAction("GetUser", "UserName", "cred-user")))))
	assertIAMError(t, iamAs(t, s, &root, iamAction("GetUser")), "ValidationError", 400)
	assertIAMError(t, iamAs(t, s, nil, iamAction("GetUser", "UserName", "cred-user")), "MissingAuthenticationToken", 403)
	assertIAMError(t, iamAs(t, s, &key{testAKID, "wrong"}, iamAction("GetUser")), "SignatureDoesNotMatch", 403)
	assertIAMError(t, iamAs(t, s, &k, iamAction("DeleteAccessKey", "UserName", "cred-user", "AccessKeyId", k.id)), "AccessDenied", 403)
	mustOK(t, iamAs(t, s, &root, iamAction("ListUsers")))
	mustOK(t, iamAs(t, s, &root, iamAction("DeleteAccessKey", "UserName", "cred-user", "AccessKeyId", k.id)))
	assertIAMError(t, iamAs(t, s, &k, iamAction("GetUser")), "InvalidClientTokenId", 403)
	assert.Nil(t, s.DataHandler(), "iam's data plane is its API endpoint")
	assert.Empty(t, s.DataURL())
}

// TestDataPlaneLog: the data plane's exchanges are logged as the API's,
// with S3's and IAM's operation names, and never a secret, a signature,
// an Authorization header or an object's key or content.
func TestDataPlaneLog(t *testing.T) {
	var log bytes.Buffer
	s := newServer(t, Options{Log: &log})
	newBucket(t, s, "logged")
	k := newKey(t, s, "logged")
	s3Do(t, s, s3Req(t, &k, http.MethodPut, "/logged/private-object-name", "private content", ""))
	s3Do(t, s, s3Req(t, &k, http.MethodGet, "/logged/private-object-name", "", ""))
	list(t, s, &k, "logged")
	list(t, s, &key{k.id, "wrong" + k.secret[5:]}, "logged")
	list(t, s, nil, "not-there")

	var iamLog bytes.Buffer
	is := newServer(t, Options{Dialect: DialectIAM, Log: &iamLog})
	newBucket(t, is, "logged-user")
	ik := newKey(t, is, "logged-user")
	iamAs(t, is, &ik, iamAction("GetUser"))
	iamAs(t, is, &ik, iamAction("ListUsers"))

	text := log.String() + iamLog.String()
	for _, want := range []string{
		" PUT PutObject 200 ", " GET GetObject 200 ", " GET ListObjectsV2 200 ", " GET ListObjectsV2 403 ",
		" GET ListObjectsV2 404 ", " POST GetUser 200 ", " POST ListUsers 403 ",
	} {
		assert.Contains(t, text, want)
	}
	assert.Contains(t, log.String(), "bucket=logged\n")
	assert.Contains(t, iamLog.String(), "GetUser 200")
	for _, never := range []string{k.secret, ik.secret, "Signature", "AWS4-HMAC-SHA256", "private", k.id, ik.id} {
		assert.NotContains(t, text, never)
	}
	assert.Equal(t, 7, strings.Count(log.String(), "\n"), log.String())
}
