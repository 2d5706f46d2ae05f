package spec_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// TestBundledDataSections: every bundled binding names its data plane:
// the bucket dialects S3 at the url their bucket replies declare, iam the
// caller (STS, else GetUser, an operation of its description).
func TestBundledDataSections(t *testing.T) {
	for dialect, want := range map[string]string{"aws": "/bucket/url", "envelope": "/data/url", "rest": "/data/url"} {
		d := bundled(t, dialect)
		require.NotNil(t, d.Binding.Data.S3, dialect)
		assert.Equal(t, want, d.Binding.Data.S3.URL.CreateBucket, dialect)
		assert.Equal(t, "/url", d.Binding.Data.S3.URL.ListBuckets, dialect)
		assert.Equal(t, spec.OpensBucket, d.DataProbe().Opens(), dialect)
	}
	d := bundled(t, "iam")
	require.NotNil(t, d.Binding.Data.Caller)
	assert.True(t, d.Binding.Data.Caller.STS)
	assert.Equal(t, "GetUser", d.Binding.Data.Caller.Operation)
	assert.Equal(t, spec.OpensUser, d.DataProbe().Opens())
}

// TestDataSectionValidated: a data section names one probe, and what it
// names is well-formed.
func TestDataSectionValidated(t *testing.T) {
	base := bundled(t, "aws").Binding
	cases := map[string]struct {
		data spec.DataBinding
		want string
	}{
		"two probes":          {spec.DataBinding{S3: &spec.S3Data{}, Caller: &spec.CallerData{STS: true}}, "name one data plane"},
		"url not a pointer":   {spec.DataBinding{S3: &spec.S3Data{URL: spec.BucketURLPointers{CreateBucket: "bucket/url"}}}, "data.s3.url.createBucket"},
		"endpoint not a URL":  {spec.DataBinding{S3: &spec.S3Data{Endpoint: "s3.example.com/{bucket}"}}, "data.s3.endpoint"},
		"caller asks nothing": {spec.DataBinding{Caller: &spec.CallerData{}}, "no operation and no sts"},
		"caller without name": {spec.DataBinding{Caller: &spec.CallerData{Operation: "GetUser"}}, "data.caller.name is empty"},
		"name not a pointer":  {spec.DataBinding{Caller: &spec.CallerData{Operation: "GetUser", Name: "User"}}, "data.caller.name"},
	}
	for name, c := range cases {
		b := base
		b.Data = c.data
		err := b.Validate()
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, spec.ErrBinding), name)
		assert.Contains(t, err.Error(), c.want, name)
	}
	for name, data := range map[string]spec.DataBinding{
		"none":              {},
		"s3, nothing named": {S3: &spec.S3Data{}},
		"s3 template":       {S3: &spec.S3Data{Endpoint: "https://{bucket}.s3.{region}.example.com/"}},
		"sts alone":         {Caller: &spec.CallerData{STS: true}},
	} {
		b := base
		b.Data = data
		assert.NoError(t, b.Validate(), name)
	}

	// The caller's operation is one of the description's, and not a role's.
	src, err := spec.BundledSource("iam")
	require.NoError(t, err)
	iam := bundled(t, "iam").Binding
	for op, want := range map[string]string{"NoSuchOperation": "no such operationId", "ListUsers": "is the listBuckets operation"} {
		parsed, err := spec.Parse(context.Background(), "iam", src)
		require.NoError(t, err)
		b := iam
		b.Data = spec.DataBinding{Caller: &spec.CallerData{Operation: op, Name: "/x"}}
		_, err = spec.LoadBound("iam", parsed, b)
		require.Error(t, err, op)
		assert.Contains(t, err.Error(), want)
	}
}

// where is what a run knows, on a loopback endpoint.
func where(data, bucketURL string) spec.Where {
	return spec.Where{Endpoint: "http://127.0.0.1:8080", Data: data, BucketURL: bucketURL, Region: "eu-west-1"}
}

// TestS3Locate: -data-endpoint wins (a {bucket} template, or a path-style
// base with or without a trailing slash), then the bucket's url as it
// stands, then the binding's endpoint; a url on AWS's own S3 from a
// non-AWS endpoint, and nothing at all, are no data plane.
func TestS3Locate(t *testing.T) {
	aws := bundled(t, "aws").DataProbe()
	const bucket = "keycontract-1-a"
	for name, c := range map[string]struct {
		w    spec.Where
		base string
	}{
		"path-style data endpoint":        {where("http://127.0.0.1:9000", "http://127.0.0.1:1/x/"), "http://127.0.0.1:9000/keycontract-1-a"},
		"path-style, trailing slash":      {where("http://127.0.0.1:9000/", ""), "http://127.0.0.1:9000/keycontract-1-a"},
		"a {bucket} data endpoint":        {where("http://{bucket}.s3.localhost:9000/", ""), "http://keycontract-1-a.s3.localhost:9000/"},
		"the bucket's url":                {where("", "http://127.0.0.1:9001/keycontract-1-a/"), "http://127.0.0.1:9001/keycontract-1-a/"},
		"the bucket's url, no slash":      {where("", "http://127.0.0.1:9001/keycontract-1-a"), "http://127.0.0.1:9001/keycontract-1-a"},
		"an AWS url from an AWS run":      {spec.Where{Endpoint: "https://lightsail.us-east-1.amazonaws.com", BucketURL: "https://keycontract-1-a.s3.us-east-1.amazonaws.com/"}, "https://keycontract-1-a.s3.us-east-1.amazonaws.com/"},
		"a data endpoint over an AWS url": {where("http://127.0.0.1:9000", "https://keycontract-1-a.s3.us-east-1.amazonaws.com/"), "http://127.0.0.1:9000/keycontract-1-a"},
	} {
		p, err := aws.Locate(c.w, bucket)
		require.NoError(t, err, name)
		assert.Equal(t, c.base, p.Base, name)
		assert.Equal(t, "s3", p.Service, name)
		asks := aws.Asks(p, bucket)
		require.Len(t, asks, 1)
		assert.Equal(t, c.base, asks[0].Base, name)
		assert.Equal(t, "list-type=2", asks[0].Request.Query, name)
		assert.Equal(t, http.MethodGet, asks[0].Request.Method)
		assert.NotEmpty(t, asks[0].Request.Header.Get("X-Amz-Content-Sha256"))
	}
	_, err := aws.Locate(where("", "https://keycontract-1-a.s3.us-east-1.amazonaws.com/"), bucket)
	require.ErrorIs(t, err, spec.ErrNoDataPlane)
	assert.Contains(t, err.Error(), "give -data-endpoint")
	_, err = aws.Locate(where("", ""), bucket)
	require.ErrorIs(t, err, spec.ErrNoDataPlane)
	assert.Contains(t, err.Error(), "declared no url for bucket keycontract-1-a")

	// A binding's template, and a binding without a data section.
	src, err := spec.BundledSource("aws")
	require.NoError(t, err)
	for _, c := range []struct {
		data spec.DataBinding
		base string
		err  string
	}{
		{spec.DataBinding{S3: &spec.S3Data{Endpoint: "http://{bucket}.{region}.s3.test/"}}, "http://keycontract-1-a.eu-west-1.s3.test/", ""},
		{spec.DataBinding{S3: &spec.S3Data{Endpoint: "http://s3.test"}}, "http://s3.test/keycontract-1-a", ""},
		{spec.DataBinding{}, "", "the binding names none"},
	} {
		parsed, err := spec.Parse(context.Background(), "aws", src)
		require.NoError(t, err)
		b := bundled(t, "aws").Binding
		b.Data = c.data
		d, err := spec.LoadBound("aws", parsed, b)
		require.NoError(t, err)
		p, err := d.DataProbe().Locate(where("", ""), bucket)
		if c.err != "" {
			require.ErrorIs(t, err, spec.ErrNoDataPlane)
			assert.Contains(t, err.Error(), c.err)
			// -data-endpoint still locates it.
			p, err = d.DataProbe().Locate(where("http://127.0.0.1:9000", ""), bucket)
			require.NoError(t, err)
			assert.Equal(t, "http://127.0.0.1:9000/keycontract-1-a", p.Base)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, c.base, p.Base)
	}
}

// TestS3Judge: 200 <ListBucketResult> works; 403 with S3's refusal codes
// (AccessDenied among them) is a refusal; anything else is neither.
func TestS3Judge(t *testing.T) {
	probe := bundled(t, "aws").DataProbe()
	p, err := probe.Locate(where("http://127.0.0.1:9000", ""), "b")
	require.NoError(t, err)
	ask := probe.Asks(p, "b")[0]
	s3err := func(code string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>m</Message><RequestId>r</RequestId></Error>`
	}
	for _, c := range []struct {
		status int
		body   string
		want   spec.Outcome
	}{
		{200, `<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount></ListBucketResult>`, spec.Works},
		{200, `<ListBucketResult><Name>b</Name></ListBucketResult>`, spec.Works},
		{403, s3err("AccessDenied"), spec.Refused},
		{403, s3err("InvalidAccessKeyId"), spec.Refused},
		{403, s3err("SignatureDoesNotMatch"), spec.Refused},
		{403, s3err("RequestTimeTooSkewed"), spec.Neither},
		{400, s3err("AccessDenied"), spec.Neither},
		{404, s3err("NoSuchBucket"), spec.Neither},
		{200, `{"ok": true}`, spec.Neither},
		{200, `<ListAllMyBucketsResult/>`, spec.Neither},
		{500, "", spec.Neither},
		{301, "", spec.Neither},
	} {
		r := probe.Reply(ask, c.status, http.Header{"Content-Type": {"application/xml"}}, []byte(c.body))
		u := probe.Judge(ask, r, true)
		assert.Equal(t, c.want, u.Outcome, "%d %s: %s", c.status, c.body, u.Why)
		assert.NotEmpty(t, u.Why)
	}
}

// TestCallerLocate: STS at -data-endpoint or on amazonaws.com; elsewhere
// the endpoint itself, GetCallerIdentity first, then GetUser.
func TestCallerLocate(t *testing.T) {
	probe := bundled(t, "iam").DataProbe()
	p, err := probe.Locate(where("", ""), "u")
	require.NoError(t, err)
	asks := probe.Asks(p, "u")
	require.Len(t, asks, 2)
	assert.Equal(t, "GetCallerIdentity", asks[0].Name)
	assert.Equal(t, "Action=GetCallerIdentity&Version=2011-06-15", string(asks[0].Request.Body))
	assert.Equal(t, "sts", asks[0].Service, "signed for sts, as every client signs it")
	assert.True(t, asks[0].Tentative, "the endpoint may not answer it")
	assert.Equal(t, "iam", asks[1].Service, "the endpoint's own signing name")
	assert.False(t, asks[1].Tentative)
	assert.Equal(t, "GetUser", asks[1].Name)
	assert.Equal(t, "Action=GetUser&Version=2010-05-08", string(asks[1].Request.Body))
	assert.Equal(t, "http://127.0.0.1:8080", asks[1].Base)

	p, err = probe.Locate(spec.Where{Endpoint: "https://iam.amazonaws.com", Region: "eu-west-1"}, "u")
	require.NoError(t, err)
	asks = probe.Asks(p, "u")
	require.Len(t, asks, 1)
	assert.Equal(t, "https://sts.amazonaws.com", asks[0].Base)
	assert.False(t, asks[0].Tentative, "STS itself answers it")
	assert.Equal(t, "sts", asks[0].Service)
	assert.Equal(t, "us-east-1", asks[0].Region)

	p, err = probe.Locate(where("http://127.0.0.1:7000/", ""), "u")
	require.NoError(t, err)
	asks = probe.Asks(p, "u")
	require.Len(t, asks, 1)
	assert.Equal(t, "http://127.0.0.1:7000", asks[0].Base)
	assert.Equal(t, "sts", asks[0].Service)
	assert.Equal(t, "eu-west-1", asks[0].Region)
}

// TestCallerJudge: a success names the caller (an ARN by its user's
// name); the refusal codes refuse; AccessDenied is a key that
// authenticated (a refusal only of an unsigned request);
// MissingAuthenticationToken refuses only an unsigned request; an
// unknown action is Unknown; anything else is neither.
func TestCallerJudge(t *testing.T) {
	probe := bundled(t, "iam").DataProbe()
	p, err := probe.Locate(where("", ""), "u")
	require.NoError(t, err)
	asks := probe.Asks(p, "u")
	sts, getUser := asks[0], asks[1]
	xmlErr := func(code string) string {
		return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>` + code + `</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`
	}
	user := `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>alice</UserName><UserId>AIDA0123456789012345</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetUserResponse>`
	identity := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/keycontract/bob</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	for _, c := range []struct {
		ask    spec.Ask
		status int
		body   string
		signed bool
		want   spec.Outcome
		caller string
		denied bool
	}{
		{getUser, 200, user, true, spec.Works, "alice", false},
		{sts, 200, identity, true, spec.Works, "bob", false},
		{getUser, 403, xmlErr("InvalidClientTokenId"), true, spec.Refused, "", false},
		{sts, 403, xmlErr("SignatureDoesNotMatch"), true, spec.Refused, "", false},
		{getUser, 403, xmlErr("AccessDenied"), true, spec.Works, "", true},
		{getUser, 403, xmlErr("AccessDenied"), false, spec.Refused, "", false},
		{getUser, 403, xmlErr("MissingAuthenticationToken"), false, spec.Refused, "", false},
		{getUser, 403, xmlErr("MissingAuthenticationToken"), true, spec.Neither, "", false},
		{sts, 400, xmlErr("InvalidAction"), true, spec.Unknown, "", false},
		{getUser, 400, xmlErr("ValidationError"), true, spec.Neither, "", false},
		{getUser, 400, xmlErr("InvalidClientTokenId"), true, spec.Neither, "", false},
		{getUser, 500, "<html>oops</html>", true, spec.Neither, "", false},
	} {
		r := probe.Reply(c.ask, c.status, http.Header{"Content-Type": {"text/xml"}}, []byte(c.body))
		u := probe.Judge(c.ask, r, c.signed)
		assert.Equal(t, c.want, u.Outcome, "%s %d signed=%v: %s", c.ask.Name, c.status, c.signed, u.Why)
		assert.Equal(t, c.caller, u.Caller, u.Why)
		assert.Equal(t, c.denied, u.Denied, u.Why)
	}
}

func TestCallerName(t *testing.T) {
	for in, want := range map[string]string{
		"alice":                                "alice",
		"arn:aws:iam::123456789012:user/alice": "alice",
		"arn:aws:iam::123456789012:user/a/b/carol":   "carol",
		"arn:aws:sts::123456789012:assumed-role/r/s": "arn:aws:sts::123456789012:assumed-role/r/s",
		" dave ": "dave",
	} {
		assert.Equal(t, want, spec.CallerName(in), in)
	}
}

// TestBucketURLs: the url a createBucket reply declares for the bucket its
// request named, and each listBuckets item's by its name.
func TestBucketURLs(t *testing.T) {
	d := bundled(t, "envelope")
	create := d.NewReply(d.Op(spec.CreateBucket), 200, http.Header{"Content-Type": {"application/json"}},
		[]byte(`{"success":true,"data":{"id":"b1","created_at":"2026-01-01T00:00:00Z","url":"http://127.0.0.1:9/b1/"}}`))
	assert.Equal(t, map[string]string{"b1": "http://127.0.0.1:9/b1/"}, d.Binding.BucketURLs(spec.CreateBucket, "b1", create))
	list := d.NewReply(d.Op(spec.ListBuckets), 200, http.Header{"Content-Type": {"application/json"}},
		[]byte(`{"success":true,"data":{"buckets":[{"id":"b1","created_at":"x","url":"http://h/b1/"},{"id":"b2","created_at":"x"}]}}`))
	assert.Equal(t, map[string]string{"b1": "http://h/b1/"}, d.Binding.BucketURLs(spec.ListBuckets, "", list))
	failed := d.NewReply(d.Op(spec.CreateBucket), 400, http.Header{}, []byte(`{"success":false,"error":{"code":"VALIDATION_ERROR","message":"m"}}`))
	assert.Empty(t, d.Binding.BucketURLs(spec.CreateBucket, "b1", failed))
	assert.Empty(t, bundled(t, "iam").Binding.BucketURLs(spec.CreateBucket, "b1", create), "no data.s3 section")
}
