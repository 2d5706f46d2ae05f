package emulator

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// iamFaultEffects replaces faultEffects where iam differs.
var iamFaultEffects = map[Fault][]string{
	// get-bucket is ListUsers, which lists every user: one user more
	// (accepted bad name) or fewer (rejected tags) changes it.
	FaultRejectValidInput:   {"create-bucket-options", "get-bucket"},
	FaultAcceptInvalidInput: {"create-bucket-bad-name", "get-bucket"},
	// The script's malformed form is a stray "&%zz=%" after a valid
	// CreateUser: read leniently, it creates the user (legally: the stray
	// pair is skipped, or read as an unknown member).
	FaultFormSkipsUndecodable: {"malformed-json", "get-bucket"},
	FaultFormKeepsEscapes:     {"malformed-json", "get-bucket"},
	FaultFormNamePercent:      {"malformed-json", "get-bucket"},
	// The script's non-object body is an empty one: no Action.
	FaultRedirectNoOperation: {"non-object-json"},
}

// iamCreateWith creates a key on a fresh user of an iam server with fault
// f, and returns the response and the key the server stored.
func iamCreateWith(t *testing.T, f Fault) (resp, KeyInfo) {
	t.Helper()
	s := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{f}})
	require.NoError(t, s.AddBucket("red-user"))
	r := mustOK(t, iamCall(t, s, iamAction("CreateAccessKey", "UserName", "red-user")))
	keys := s.Snapshot()["red-user"]
	require.Len(t, keys, 1)
	return r, keys[0]
}

func accessKeyOf(r resp) map[string]any {
	m, _ := at(r.iamResult("CreateAccessKey"), "AccessKey").(map[string]any)
	return m
}

// TestIAMRedactionFaultDetails pins what each fault of the redaction
// family sends in iam; every one still carries the secret.
func TestIAMRedactionFaultDetails(t *testing.T) {
	r, k := iamCreateWith(t, FaultCreateIDNumber)
	assert.Contains(t, string(r.raw), "<AccessKeyId>1234567890</AccessKeyId>")
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretAccessKey"])

	r, k = iamCreateWith(t, FaultCreateIDObject)
	assert.Equal(t, map[string]any{"Value": k.ID}, accessKeyOf(r)["AccessKeyId"])

	r, _ = iamCreateWith(t, FaultCreateIDNull)
	assert.Contains(t, string(r.raw), "<AccessKeyId></AccessKeyId>")

	r, k = iamCreateWith(t, FaultCreateIDMissing)
	assert.NotContains(t, accessKeyOf(r), "AccessKeyId")
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretAccessKey"])

	r, k = iamCreateWith(t, FaultSecretRenamed)
	assert.NotContains(t, accessKeyOf(r), "SecretAccessKey")
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretKey"])
	assert.Equal(t, k.ID, accessKeyOf(r)["AccessKeyId"])

	r, k = iamCreateWith(t, FaultSecretDuplicated)
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretAccessKey"])
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretKey"])

	r, k = iamCreateWith(t, FaultCreateWrongContentType)
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretAccessKey"], "the body is unchanged")

	r, k = iamCreateWith(t, FaultCreateTruncated)
	assert.Nil(t, r.body, "not XML any more")
	assert.Contains(t, string(r.raw), k.Secret)

	r, k = iamCreateWith(t, FaultCreateNotJSON)
	assert.Nil(t, r.body)
	assert.Equal(t, "AccessKeyId="+k.ID+"&SecretAccessKey="+k.Secret+"&status=Active", string(r.raw))

	r, k = iamCreateWith(t, FaultTimestampWrongType)
	assert.Regexp(t, epochPattern, string(accessKeyOf(r)["CreateDate"].(json.Number)))
	assert.Equal(t, k.Secret, accessKeyOf(r)["SecretAccessKey"])
}

// TestIAMFaultDetails pins the other faults' iam forms.
func TestIAMFaultDetails(t *testing.T) {
	srv := func(f Fault) *Server {
		s := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{f}})
		require.NoError(t, s.AddBucket("f-user"))
		return s
	}
	t.Run("secret-repeated in ResponseMetadata", func(t *testing.T) {
		s := srv(FaultSecretRepeated)
		id, secret := iamCreateKey(t, s, "f-user")
		r := mustOK(t, iamCall(t, s, iamAction("DeleteAccessKey", "UserName", "f-user", "AccessKeyId", id)))
		assert.Equal(t, secret, at(r.body, "DeleteAccessKeyResponse", "ResponseMetadata", "SecretAccessKey"))
	})
	t.Run("secret-in-list", func(t *testing.T) {
		s := srv(FaultSecretInList)
		_, secret := iamCreateKey(t, s, "f-user")
		r := mustOK(t, iamCall(t, s, iamAction("ListAccessKeys", "UserName", "f-user")))
		assert.Equal(t, secret, members(r.iamResult("ListAccessKeys")["AccessKeyMetadata"])[0]["SecretAccessKey"])
	})
	t.Run("secret-in-header", func(t *testing.T) {
		s := srv(FaultSecretInHeader)
		_, secret := iamCreateKey(t, s, "f-user")
		assert.Equal(t, secret, iamCall(t, s, iamAction("ListAccessKeys", "UserName", "f-user")).header.Get("X-Debug-Secret"))
		assert.Empty(t, iamCall(t, s, iamAction("ListUsers")).header.Get("X-Debug-Secret"))
	})
	t.Run("error-status-mismatch", func(t *testing.T) {
		r := iamCall(t, srv(FaultErrorStatusMismatch), iamAction("ListAccessKeys", "UserName", "nobody"))
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Equal(t, "NoSuchEntity", r.errCode())
	})
	t.Run("errors-with-200", func(t *testing.T) {
		r := iamCall(t, srv(FaultErrorsWith200), iamAction("ListAccessKeys", "UserName", "nobody"))
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "NoSuchEntity", r.errCode())
	})
	t.Run("success-content-type", func(t *testing.T) {
		assert.Equal(t, ctWrongSuccess, mustOK(t, iamCall(t, srv(FaultSuccessContentType), iamAction("ListUsers"))).header.Get("Content-Type"))
	})
	t.Run("malformed-json-500", func(t *testing.T) {
		s := srv(FaultMalformedJSON500)
		for _, body := range []string{"", "%zz=%", iamAction("ListUsers") + "&%zz=%"} {
			assertIAMError(t, iamCall(t, s, body), "ServiceFailure", 500)
		}
		assertIAMError(t, iamCall(t, s, iamAction("Nope")), "InvalidAction", 400)
		assertIAMError(t, iamCall(t, s, "Version="+IAMVersion), "MissingAction", 400)
	})
	t.Run("reject-valid-input", func(t *testing.T) {
		s := srv(FaultRejectValidInput)
		assertIAMError(t, iamCall(t, s, iamAction("CreateUser", "UserName", "p", "PermissionsBoundary", "arn:aws:iam::123456789012:policy/boundary")), "ValidationError", 400)
		assertIAMError(t, iamCall(t, s, iamAction("ListUsers", "PathPrefix", "/")), "ValidationError", 400)
		// Path stays accepted: the bundled binding sends it on every
		// CreateUser, the run's own setup included.
		mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "p", "Path", "/keycontract/")))
		mustOK(t, iamCall(t, s, iamAction("ListUsers")))
	})
	t.Run("accept-invalid-input", func(t *testing.T) {
		s := srv(FaultAcceptInvalidInput)
		mustOK(t, iamCall(t, s, iamAction("CreateUser", "UserName", "no spaces!")))
		assert.Contains(t, s.Snapshot(), "no spaces!")
	})
	t.Run("limit-wrong-error", func(t *testing.T) {
		s := srv(FaultLimitWrongError)
		iamCreateKey(t, s, "f-user")
		iamCreateKey(t, s, "f-user")
		assertIAMError(t, iamCall(t, s, iamAction("CreateAccessKey", "UserName", "f-user")), "NoSuchEntity", 404)
		assert.Len(t, s.Snapshot()["f-user"], 2)
	})
	t.Run("limit-phantom-ok", func(t *testing.T) {
		s := srv(FaultLimitPhantomOK)
		iamCreateKey(t, s, "f-user")
		iamCreateKey(t, s, "f-user")
		id, secret := iamCreateKey(t, s, "f-user")
		assert.NotEmpty(t, secret)
		assert.NotContains(t, iamListedIDs(t, s, "f-user"), id)
	})
	t.Run("unknown-bucket-creates", func(t *testing.T) {
		s := srv(FaultUnknownBucketCreates)
		iamCreateKey(t, s, "made-up")
		assert.Len(t, s.Snapshot()["made-up"], 1)
	})
	t.Run("limit-race", func(t *testing.T) {
		race := func(faults ...Fault) int {
			s := newServer(t, Options{Dialect: DialectIAM, Faults: faults})
			require.NoError(t, s.AddBucket("race-user"))
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() { iamCall(t, s, iamAction("CreateAccessKey", "UserName", "race-user")) })
			}
			wg.Wait()
			return len(s.Snapshot()["race-user"])
		}
		assert.Equal(t, 2, race())
		assert.Greater(t, race(FaultLimitRace), 2)
	})
	t.Run("auth-bypass", func(t *testing.T) {
		s := newServer(t, Options{Dialect: DialectIAM, Credentials: map[string]string{testAKID: testSecret}, Faults: []Fault{FaultAuthBypass}})
		mustOK(t, iamCall(t, s, iamAction("ListUsers")))
		bad := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: "wrong"}
		assertIAMError(t, serve(t, s, iamSigned(t, bad, "iam", "us-east-1", iamAction("ListUsers"), time.Now())), "SignatureDoesNotMatch", 403)
	})
}
