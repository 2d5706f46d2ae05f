package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseFormLiteral: WHATWG's reading of a form's escapes.
func TestParseFormLiteral(t *testing.T) {
	for raw, want := range map[string]url.Values{
		"UserName=alice%zz":             {"UserName": {"alice%zz"}},
		"UserName=a%41b&Path=%2F":       {"UserName": {"aAb"}, "Path": {"/"}},
		"a=b+c&%zz=%":                   {"a": {"b c"}, "%zz": {"%"}},
		"a=%4":                          {"a": {"%4"}},
		"a=%":                           {"a": {"%"}},
		"a&&b=":                         {"a": {""}, "b": {""}},
		"k=v=w":                         {"k": {"v=w"}},
		"Action=CreateUser&UserName=%g": {"Action": {"CreateUser"}, "UserName": {"%g"}},
	} {
		assert.Equal(t, want, parseFormLiteral(raw), raw)
	}
}

// TestFormReadings: an undecodable escape in a member, and a stray
// undecodable pair, as each reading answers them. Every reading refuses
// the first (the member is required, and "%" breaks its pattern); the
// lenient ones read a valid request from the second; form-name-percent
// takes "alice%zz" for a name.
func TestFormReadings(t *testing.T) {
	inMember := iamAction("CreateUser") + "&UserName=alice%zz"
	stray := iamAction("CreateUser", "UserName", "alice") + "&%zz=%"
	for _, c := range []struct {
		fault         Fault
		member, extra int
	}{
		{"", http.StatusBadRequest, http.StatusBadRequest},
		{FaultFormSkipsUndecodable, http.StatusBadRequest, http.StatusOK},
		{FaultFormKeepsEscapes, http.StatusBadRequest, http.StatusOK},
		{FaultFormNamePercent, http.StatusOK, http.StatusOK},
	} {
		var faults []Fault
		if c.fault != "" {
			faults = append(faults, c.fault)
		}
		s := newServer(t, Options{Dialect: DialectIAM, Faults: faults})
		r := iamCall(t, s, inMember)
		assert.Equal(t, c.member, r.status, "%s: %s", c.fault, r.raw)
		if r.status != http.StatusOK {
			assert.Equal(t, "ValidationError", r.errCode(), c.fault)
		}
		r = iamCall(t, s, stray)
		assert.Equal(t, c.extra, r.status, "%s: %s", c.fault, r.raw)
	}
	s := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{FaultFormNamePercent}})
	mustOK(t, iamCall(t, s, inMember))
	assert.Contains(t, s.Snapshot(), "alice%zz")
	mustOK(t, iamCall(t, s, iamAction("DeleteUser", "UserName", "alice%zz")))
	assert.NotContains(t, s.Snapshot(), "alice%zz", "an escaped %25 deletes it")
}

// TestMediaTypeSynonym: every reply with a content type carries the
// dialect's synonym, successes and errors alike.
func TestMediaTypeSynonym(t *testing.T) {
	want := map[string]string{
		DialectAWS:      "application/json",
		DialectEnvelope: "application/vnd.keycontract+json; charset=utf-8",
		DialectREST:     "application/vnd.keycontract+json; charset=utf-8",
		DialectIAM:      "application/xml; charset=utf-8",
	}
	for d, ct := range want {
		s := newServer(t, Options{Dialect: d, Faults: []Fault{FaultMediaTypeSynonym}})
		require.NoError(t, s.AddBucket("media-bucket"))
		ok := mustOK(t, call(t, s, op("CreateBucketAccessKey"), `{"bucketName":"media-bucket"}`))
		assert.Equal(t, ct, ok.header.Get("Content-Type"), d)
		e := call(t, s, op("GetBucketAccessKeys"), `{"bucketName":"no-such-bucket"}`)
		assert.GreaterOrEqual(t, e.status, 400, d)
		assert.Equal(t, ct, e.header.Get("Content-Type"), d)
	}
}

// TestRedirectNoOperation: a request that names no operation gets a 302
// to RedirectTo (DefaultRedirectTo when unset); one that names an unknown
// operation keeps its error.
func TestRedirectNoOperation(t *testing.T) {
	const to = "http://127.0.0.1:1/elsewhere"
	redirected := func(r resp, want string) {
		t.Helper()
		assert.Equal(t, http.StatusFound, r.status, "%s", r.raw)
		assert.Equal(t, want, r.header.Get("Location"))
		assert.Empty(t, r.raw)
	}
	for _, d := range []string{DialectAWS, DialectEnvelope} {
		s := newServer(t, Options{Dialect: d, Faults: []Fault{FaultRedirectNoOperation}, RedirectTo: to})
		redirected(call(t, s, "", `{}`), to)
		assert.Equal(t, http.StatusBadRequest, call(t, s, op("CreateInstance"), `{}`).status, d)
		mustOK(t, call(t, s, op("GetBuckets"), `{}`))
	}
	iam := newServer(t, Options{Dialect: DialectIAM, Faults: []Fault{FaultRedirectNoOperation}})
	redirected(iamCall(t, iam, ""), DefaultRedirectTo)
	redirected(iamCall(t, iam, "UserName=alice&Version="+IAMVersion), DefaultRedirectTo)
	assert.Equal(t, "InvalidAction", iamCall(t, iam, iamAction("CreateInstance")).errCode())

	rest := newServer(t, Options{Dialect: DialectREST, Faults: []Fault{FaultRedirectNoOperation}, RedirectTo: to})
	redirected(restCall(t, rest, http.MethodGet, "/keycontract-no-such-route", ""), to)
	assert.Equal(t, http.StatusMethodNotAllowed, restCall(t, rest, http.MethodPatch, "/v1/buckets", "").status)

	// Without the fault, nothing is redirected.
	plain := newServer(t, Options{Dialect: DialectIAM})
	assert.Equal(t, "MissingAction", iamCall(t, plain, "").errCode())
	rec := httptest.NewRecorder()
	plain.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("")))
	assert.Empty(t, rec.Result().Header.Get("Location"))
}
