package spec

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSameMedia is the equivalence every check uses, one row per pair:
// XML by RFC 7303, JSON by RFC 8259 and 6839, the awsJson types on the rpc
// wire only, parameters and case ignored, other families never.
func TestSameMedia(t *testing.T) {
	for _, c := range []struct {
		a, b string
		rpc  bool
		same bool
	}{
		{"text/xml", "text/xml", false, true},
		{"text/xml", "application/xml", false, true},
		{"text/xml", "application/xml; charset=utf-8", false, true},
		{"text/xml; charset=UTF-8", "APPLICATION/XML", false, true},
		{"application/xml", "application/soap+xml", false, true},
		{"text/xml", "application/vnd.example+xml;version=2", false, true},
		{"text/xml", "application/json", false, false},
		{"text/xml", "text/plain", false, false},
		{"text/xml", "text/html; charset=utf-8", false, false},
		{"text/xml", "", false, false},
		{"text/xml", "not a media type", false, false},
		{"application/json", "application/json; charset=utf-8", false, true},
		{"application/json", "application/problem+json", false, true},
		{"application/json", "application/vnd.keycontract+json; charset=utf-8", false, true},
		{"application/json", "text/plain", false, false},
		{"application/json", "text/json", false, false},
		{"application/json", "application/xml", false, false},
		{"application/x-amz-json-1.1", "application/json", true, true},
		{"application/x-amz-json-1.1", "application/x-amz-json-1.0", true, true},
		{"application/x-amz-json-1.1", "application/vnd.example+json", true, true},
		{"application/x-amz-json-1.1", "text/plain", true, false},
		{"application/x-amz-json-1.1", "application/x-amz-json-1.1", false, true},
		{"application/x-amz-json-1.1", "application/json", false, false},
		{"text/plain", "text/plain; charset=utf-8", false, true},
		{"text/plain", "text/html", false, false},
	} {
		var wire func(string) string // the awsJson wire's families, or none
		if c.rpc {
			wire = func(base string) string {
				if isAWSJSON(base) {
					return familyJSON
				}
				return ""
			}
		}
		assert.Equal(t, c.same, sameMedia(c.a, c.b, wire), "sameMedia(%q, %q, rpc=%v)", c.a, c.b, c.rpc)
		assert.Equal(t, c.same, sameMedia(c.b, c.a, wire), "sameMedia(%q, %q, rpc=%v)", c.b, c.a, c.rpc)
	}
}

// TestValidateMediaByMeaning: the bundled descriptions' replies validate
// whichever spelling of their media type they carry, through both
// validation paths (rest's 201 declares a Location header, so it goes
// through openapi3filter), and fail with a type of another family.
func TestValidateMediaByMeaning(t *testing.T) {
	ctx := context.Background()
	iam := `<CreateUserResponse><CreateUserResult><User><Path>/</Path><UserName>alice</UserName>` +
		`<UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn>` +
		`<CreateDate>2026-01-01T00:00:00Z</CreateDate></User></CreateUserResult>` +
		`<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateUserResponse>`
	restCreated := `{"success":true,"data":{"id":"bucket-one","created_at":"2026-01-01T00:00:00Z"}}`
	for _, c := range []struct {
		dialect, body string
		status        int
		header        http.Header
		same, other   []string
	}{
		{"iam", iam, 200, nil,
			[]string{"text/xml", "application/xml", "application/xml; charset=utf-8", "text/xml;charset=UTF-8", "application/vnd.example+xml"},
			[]string{"text/plain", "text/html; charset=utf-8", "application/json"}},
		{"aws", `{"buckets":[]}`, 200, nil,
			[]string{"application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json", "application/json; charset=utf-8"},
			[]string{"text/plain", "text/html", "application/xml"}},
		{"envelope", `{"success":true,"data":{"buckets":[]}}`, 200, nil,
			[]string{"application/json", "application/json; charset=UTF-8", "application/vnd.keycontract+json"},
			[]string{"text/plain; charset=utf-8", "text/xml", "application/x-amz-json-1.1"}},
		{"rest", restCreated, 201, http.Header{"Location": {"/v1/buckets/bucket-one"}},
			[]string{"application/json", "application/problem+json; charset=utf-8"},
			[]string{"text/plain", "application/xml"}},
	} {
		d, err := Bundled(c.dialect)
		require.NoError(t, err)
		op := d.Op(ListBuckets)
		if c.dialect == "iam" || c.dialect == "rest" {
			op = d.Op(CreateBucket)
		}
		reply := func(ct string) *Reply {
			h := http.Header{"Content-Type": {ct}}
			for k, v := range c.header {
				h[k] = v
			}
			return d.NewReply(op, c.status, h, []byte(c.body))
		}
		for _, ct := range c.same {
			assert.NoError(t, d.ValidateSuccess(ctx, op, reply(ct)), "%s: %s", c.dialect, ct)
			assert.NoError(t, d.ValidateSuccess(ctx, op, reply(ct)), "%s: %s (cached)", c.dialect, ct)
		}
		for _, ct := range c.other {
			assert.Error(t, d.ValidateSuccess(ctx, op, reply(ct)), "%s: %s", c.dialect, ct)
		}
	}
}

// TestAmzJSONOnlyOnTheAWSJSONWire: the awsJson types are JSON where the
// description sends them (aws), not on the seed's envelope, rest or iam.
func TestAmzJSONOnlyOnTheAWSJSONWire(t *testing.T) {
	for dialect, want := range map[string]bool{"aws": true, "envelope": false, "rest": false, "iam": false} {
		d, err := Bundled(dialect)
		require.NoError(t, err)
		assert.Equal(t, want, d.Wire().MediaFamily("application/x-amz-json-1.1") == familyJSON, dialect)
		assert.Equal(t, want, d.SameMedia("application/json", "application/x-amz-json-1.1"), dialect)
	}
}
