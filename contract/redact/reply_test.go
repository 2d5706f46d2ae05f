package redact

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// A fake secret: 40 characters of the base64 alphabet, as AWS's are.
const fakeSecret = "kcFAKE/secret+0123456789abcdefghijklmnop"

func reply(status int, body string) *spec.Reply {
	return spec.NewReply(status, http.Header{"Content-Type": {"application/json"}}, []byte(body))
}

// TestCreateReplyWhateverTheBody: the secret of a create reply is
// found however wrong the rest of the reply is, and an undeclared member
// of the key counts as a secret; declared non-secret fields and the parent
// name do not.
func TestCreateReplyWhateverTheBody(t *testing.T) {
	aws, err := spec.Bundled("aws")
	require.NoError(t, err)
	env, err := spec.Bundled("envelope")
	require.NoError(t, err)
	cases := []struct {
		name, body  string
		doc         *spec.Document
		secrets     []string
		others      []string
		undecodable bool
	}{
		{"aws, id a number", `{"accessKey":{"accessKeyId":12,"secretAccessKey":"` + fakeSecret + `","status":"Active","createdAt":1.5}}`, aws, []string{fakeSecret}, nil, false},
		{"aws, id missing", `{"accessKey":{"secretAccessKey":"` + fakeSecret + `"}}`, aws, []string{fakeSecret}, nil, false},
		{"envelope, id an object", `{"success":true,"data":{"id":{"x":1},"secret_access_key":"` + fakeSecret + `","status":"Active","created_at":"2026-01-01T00:00:00Z"}}`, env, []string{fakeSecret}, nil, false},
		{"envelope, renamed", `{"success":true,"data":{"id":"EMULKEY0000000000001","secretKey":"` + fakeSecret + `","status":"Active","bucket":"my-bucket"}}`, env, []string{fakeSecret}, nil, false},
		{"envelope, duplicated", `{"success":true,"data":{"id":"EMULKEY0000000000001","secret_access_key":"` + fakeSecret + `","secretKey":"` + fakeSecret + `"}}`, env, []string{fakeSecret, fakeSecret}, nil, false},
		{"envelope, secret nested", `{"success":true,"data":{"id":"EMULKEY0000000000001","credentials":{"secret":"` + fakeSecret + `","region":"us-east-1"}}}`, env, nil, []string{fakeSecret}, false},
		{"envelope, error-shaped 200", `{"success":false,"error":{"code":"NOT_FOUND","message":"no"},"leak":"` + fakeSecret + `"}`, env, nil, []string{fakeSecret}, false},
		{"truncated", `{"success":true,"data":{"id":"EMULKEY0000000000001","secret_access_key":"` + fakeSecret + `","sta`, env, nil, []string{"EMULKEY0000000000001", fakeSecret}, true},
		{"not JSON", "accessKeyId=EMULKEY0000000000001&secretAccessKey=" + fakeSecret, aws, nil, []string{"EMULKEY0000000000001", fakeSecret}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := CreateReply(tc.doc, reply(200, tc.body), func(v string) bool { return v == "my-bucket" })
			assert.ElementsMatch(t, tc.secrets, h.Secrets, "Secrets")
			for _, o := range tc.others {
				assert.Contains(t, h.Others, o)
			}
			assert.Equal(t, tc.undecodable, h.Undecodable)
			assert.NotContains(t, h.Others, "my-bucket")
			assert.NotContains(t, h.Secrets, "my-bucket")
		})
	}
}

// TestListedSecretsWhateverTheID: a listed item's secret is found whatever
// its id holds, where ListedKeys skips the item.
func TestListedSecretsWhateverTheID(t *testing.T) {
	aws, err := spec.Bundled("aws")
	require.NoError(t, err)
	const other = "kcFAKE/other+0123456789abcdefghijklmnopq"
	r := reply(200, `{"accessKeys":[{"accessKeyId":12,"secretAccessKey":"`+fakeSecret+`"},{"secretAccessKey":"`+other+`"},{"accessKeyId":"EMULKEY0000000000001","status":"Active"}]}`)
	keys, ok := aws.Binding.ListedKeys(r)
	require.True(t, ok)
	assert.Len(t, keys, 1, "ListedKeys skips the items without a string id")
	assert.Equal(t, []string{fakeSecret, other}, ListedSecrets(aws.Binding, r))
	assert.Empty(t, ListedSecrets(aws.Binding, reply(200, `{"accessKeys":"none"}`)))
}

func TestSecretLike(t *testing.T) {
	for s, want := range map[string]bool{
		fakeSecret: true, "EMULKEY0000000000001": true, "CreateBucketAccessKey": false,
		"VALIDATION_ERROR": false, "2026-01-01T00:00:00Z": false, "an ordinary message 1234567890": false,
	} {
		assert.Equal(t, want, SecretLike(s), "SecretLike(%q)", s)
	}
}
