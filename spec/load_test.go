package spec_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/fixtures"
	"github.com/keycontract/keycontract/spec"
)

// described is every description keycontract knows, loaded.
func described(t *testing.T) map[string]*spec.Document {
	t.Helper()
	docs := map[string]*spec.Document{}
	for _, dialect := range spec.Dialects {
		d, err := spec.Bundled(dialect)
		require.NoError(t, err, dialect)
		docs[dialect] = d
	}
	doc, overlay := fixtures.ThirdParty()
	d, err := spec.Load(context.Background(), "thirdparty", doc, overlay)
	require.NoError(t, err)
	docs["thirdparty"] = d
	return docs
}

func TestLoadResolvesEveryRole(t *testing.T) {
	wantIDs := map[spec.Role]string{
		spec.CreateKey: "CreateBucketAccessKey", spec.ListKeys: "GetBucketAccessKeys", spec.DeleteKey: "DeleteBucketAccessKey",
		spec.CreateBucket: "CreateBucket", spec.DeleteBucket: "DeleteBucket", spec.ListBuckets: "GetBuckets",
	}
	wantType := map[string]string{
		"aws":        "application/x-amz-json-1.1",
		"envelope":   "application/json",
		"thirdparty": "application/x-amz-json-1.1",
	}
	wantMedia := map[string]string{
		"aws":        "application/x-amz-json-1.1",
		"envelope":   "application/json",
		"thirdparty": "application/json",
	}
	for name, d := range described(t) {
		if d.Binding.ProtocolName() != spec.ProtocolRPC {
			continue // TestLoadResolvesREST
		}
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, 2, d.Binding.Limit)
			for _, r := range spec.Roles {
				op := d.Op(r)
				require.NotNil(t, op, r)
				assert.Equal(t, r, op.Role)
				assert.Equal(t, wantIDs[r], op.ID)
				assert.Equal(t, "Lightsail_20161128."+op.ID, op.Target)
				assert.Equal(t, "post", strings.ToLower(op.Method))
				assert.Equal(t, "/", op.Path, "the fragment must not reach the wire")
				assert.Equal(t, "/#X-Amz-Target="+op.Target, op.Route.Path)
				assert.Equal(t, wantType[name], op.ContentType)
				assert.Equal(t, wantMedia[name], op.MediaType)
				require.NotNil(t, op.Request, "request schema of %s", op.ID)
				assert.Contains(t, op.Request.Properties, "bucketName")

				got, ok := d.ByTarget(op.Target)
				require.True(t, ok)
				assert.Same(t, op, got)
			}
			_, ok := d.ByTarget("Lightsail_20161128.GetInstances")
			assert.False(t, ok)
			_, ok = d.ByTarget("CreateBucketAccessKey")
			assert.False(t, ok, "the target needs its prefix")
		})
	}
}

func TestBundledBindings(t *testing.T) {
	aws, err := spec.Bundled("aws")
	require.NoError(t, err)
	assert.Equal(t, "aws", aws.Binding.Dialect)
	assert.Equal(t, "sigv4", aws.Binding.Auth)
	assert.Equal(t, "aws-type", aws.Binding.Errors.Trim)
	assert.Equal(t, []string{"header:X-Amzn-ErrorType", "body:/__type"}, aws.Binding.Errors.Code)
	assert.Equal(t, []int{500}, aws.Binding.Errors.Statuses["ServiceException"])
	assert.Equal(t, map[string]any{"/bundleId": "small_1_0"}, aws.Binding.Request.Fixed[spec.CreateBucket])
	assert.Equal(t, map[string]any{"/forceDelete": true}, aws.Binding.Request.Fixed[spec.DeleteBucket])
	assert.Equal(t, "/accessKey", aws.Binding.Response.Key)
	assert.Contains(t, aws.T.Components.SecuritySchemes, "sigv4")

	env, err := spec.Bundled("envelope")
	require.NoError(t, err)
	assert.Equal(t, "envelope", env.Binding.Dialect)
	assert.Equal(t, "bearer", env.Binding.Auth)
	assert.Empty(t, env.Binding.Errors.Trim)
	assert.Equal(t, []string{"body:/error/code"}, env.Binding.Errors.Code)
	assert.Equal(t, "/data/access_keys", env.Binding.Response.Keys)
	assert.Equal(t, "bearer", env.T.Components.SecuritySchemes["bearer"].Value.Scheme)

	// Every status an envelope code implies is documented for every
	// operation, and vice versa.
	for _, r := range spec.Roles {
		responses := env.Op(r).Route.Operation.Responses
		for code, statuses := range env.Binding.Errors.Statuses {
			for _, s := range statuses {
				assert.NotNil(t, responses.Status(s), "%s: %s implies %d", r, code, s)
			}
		}
	}

	again, err := spec.Bundled("aws")
	require.NoError(t, err)
	assert.Same(t, aws, again, "bundled documents load once")

	_, err = spec.Bundled("soap")
	assert.ErrorContains(t, err, `unknown dialect "soap"`)
}

func TestThirdPartyWireDifferences(t *testing.T) {
	d := described(t)["thirdparty"]
	w := d.Binding.Wire
	assert.Equal(t, "application/x-amz-json-1.1", w.ContentType)
	assert.Equal(t, "epoch-seconds", w.Timestamps)
	assert.True(t, w.IgnoreErrorResponses)
	assert.Equal(t, "sigv4", d.Binding.Auth)

	// wire.timestamps turned every IsoDate into a number.
	key := d.T.Components.Schemas["AccessKey"].Value
	createdAt := key.Properties["createdAt"].Value
	require.NotEmpty(t, createdAt.AllOf)
	assert.True(t, createdAt.AllOf[0].Value.Type.Is(openapi3.TypeNumber), "createdAt: %v", createdAt.AllOf[0].Value.Type)
	assert.Empty(t, createdAt.AllOf[0].Value.Format)
	assert.True(t, d.T.Components.Schemas["IsoDate"].Value.Type.Is(openapi3.TypeNumber))

	// The same document without the overlay keeps its date-time strings.
	doc, _ := fixtures.ThirdParty()
	raw, err := openapi3.NewLoader().LoadFromData(doc)
	require.NoError(t, err)
	assert.True(t, raw.Components.Schemas["IsoDate"].Value.Type.Is(openapi3.TypeString))
}

// overlayWith is the third-party overlay (the aws binding and its wire
// differences) with old replaced by new, once.
func overlayWith(old, new string) []byte {
	_, base := fixtures.ThirdParty()
	return []byte(strings.Replace(string(base), old, new, 1))
}

func TestLoadRejectsBadBindings(t *testing.T) {
	lightsail, err := spec.BundledSource("aws")
	require.NoError(t, err)
	thirdParty, _ := fixtures.ThirdParty()

	cases := []struct {
		name      string
		doc       []byte
		overlay   []byte
		isBinding bool     // wraps spec.ErrBinding
		want      []string // in the message
	}{
		{
			name:      "missing role",
			doc:       lightsail,
			overlay:   overlayWith("deleteKey: DeleteBucketAccessKey, ", ""),
			isBinding: true,
			want:      []string{"operations.deleteKey names no operationId"},
		},
		{
			name:      "bad pointer",
			doc:       lightsail,
			overlay:   overlayWith("keySecret: /secretAccessKey", "keySecret: secretAccessKey"),
			isBinding: true,
			want:      []string{`response.keySecret = "secretAccessKey" is not a JSON pointer`},
		},
		{
			name:      "bad error source",
			doc:       lightsail,
			overlay:   overlayWith("'body:/__type'", "'body:__type'"),
			isBinding: true,
			want:      []string{`errors.code source "body:__type"`},
		},
		{
			name:      "accepted code without a status",
			doc:       lightsail,
			overlay:   overlayWith("throttled: [ThrottlingException]", "throttled: [SlowDown]"),
			isBinding: true,
			want:      []string{`errors.accept.throttled: code "SlowDown" has no entry in errors.statuses`},
		},
		{
			name:    "unknown field",
			doc:     lightsail,
			overlay: overlayWith("limit: 2\n", "limit: 2\nkeyLimit: 3\n"),
			want:    []string{"binding", `unknown field "keyLimit"`},
		},
		{
			name:      "unknown operationId",
			doc:       lightsail,
			overlay:   overlayWith("listKeys: GetBucketAccessKeys", "listKeys: ListBucketAccessKeys"),
			isBinding: true,
			want:      []string{`operations.listKeys = "ListBucketAccessKeys": no such operationId`},
		},
		{
			name: "missing extension, no overlay",
			doc:  thirdParty,
			want: []string{"no x-keycontract extension and no -binding overlay"},
		},
		{
			name:    "overlay not YAML",
			doc:     lightsail,
			overlay: []byte("dialect: [aws\n"),
			want:    []string{"binding overlay"},
		},
		{
			name: "extension with a bad auth",
			doc:  []byte(strings.Replace(string(lightsail), "  auth: sigv4\n", "  auth: hmac\n", 1)),
			// Only the extension's auth changed.
			isBinding: true,
			want:      []string{`auth = "hmac", want sigv4, bearer or none`},
		},
		{
			name: "not OpenAPI",
			doc:  []byte("openapi: 3.0.3\npaths: [1]\n"),
			want: []string{"not an OpenAPI document"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := spec.Load(context.Background(), "doc.yaml", c.doc, c.overlay)
			require.Error(t, err)
			assert.Nil(t, d)
			assert.Equal(t, c.isBinding, errors.Is(err, spec.ErrBinding), "errors.Is(err, ErrBinding): %v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "doc.yaml: "), "the error names the document: %v", err)
			for _, w := range c.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func TestOverlayMayWrapTheExtension(t *testing.T) {
	doc, base := fixtures.ThirdParty()
	indented := "  " + strings.ReplaceAll(strings.TrimRight(string(base), "\n"), "\n", "\n  ")
	wrapped := []byte(spec.ExtensionName + ":\n" + indented + "\n")
	d, err := spec.Load(context.Background(), "thirdparty", doc, wrapped)
	require.NoError(t, err)
	assert.Equal(t, "CreateBucketAccessKey", d.Op(spec.CreateKey).ID)
}

func TestOverlayOverridesTheExtension(t *testing.T) {
	lightsail, err := spec.BundledSource("aws")
	require.NoError(t, err)
	d, err := spec.Load(context.Background(), "aws+overlay", lightsail, overlayWith("limit: 2", "limit: 5"))
	require.NoError(t, err)
	assert.Equal(t, 5, d.Binding.Limit)
	assert.True(t, d.Binding.Wire.IgnoreErrorResponses)
}

func TestLoadFile(t *testing.T) {
	d, err := spec.LoadFile(context.Background(), "../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml", "../fixtures/thirdparty/overlay.yaml")
	require.NoError(t, err)
	assert.Equal(t, "../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml", d.Name)
	assert.Equal(t, "GetBuckets", d.Op(spec.ListBuckets).ID)

	_, err = spec.LoadFile(context.Background(), "../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml", "")
	assert.ErrorContains(t, err, "no x-keycontract extension")

	_, err = spec.LoadFile(context.Background(), "no-such-file.yaml", "")
	assert.ErrorContains(t, err, "spec: ")

	_, err = spec.LoadFile(context.Background(), "../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml", "no-such-binding.yaml")
	assert.ErrorContains(t, err, "binding: ")
}

// TestLoadResolvesREST: the rest dialect's operations go by their own
// method and path; path and query parameters join the body's members in
// each operation's input.
func TestLoadResolvesREST(t *testing.T) {
	d, err := spec.Bundled("rest")
	require.NoError(t, err)
	assert.Equal(t, spec.ProtocolREST, d.Binding.ProtocolName())
	want := map[spec.Role]struct{ method, template string }{
		spec.CreateKey:    {"POST", "/v1/buckets/{bucketName}/access-keys"},
		spec.ListKeys:     {"GET", "/v1/buckets/{bucketName}/access-keys"},
		spec.DeleteKey:    {"DELETE", "/v1/buckets/{bucketName}/access-keys/{accessKeyId}"},
		spec.CreateBucket: {"POST", "/v1/buckets"},
		spec.DeleteBucket: {"DELETE", "/v1/buckets/{bucketName}"},
		spec.ListBuckets:  {"GET", "/v1/buckets"},
	}
	for role, w := range want {
		op := d.Op(role)
		assert.Equal(t, w.method, op.Method, role)
		assert.Equal(t, w.template, op.Template, role)
		assert.Empty(t, op.Target, "%s: REST has no target", role)
		require.NotNil(t, op.Input, role)
		assert.Contains(t, op.Input.Properties, "bucketName", role)
	}
	assert.True(t, d.Op(spec.DeleteKey).IsParam("accessKeyId"))
	assert.False(t, d.Op(spec.CreateBucket).IsParam("bucketName"), "CreateBucket's bucketName is a body member")
	assert.True(t, d.Op(spec.ListBuckets).IsParam("bucketName"), "GetBuckets' bucketName is a query parameter")
	assert.Nil(t, d.Op(spec.CreateKey).Request, "CreateBucketAccessKey has no body")
	r := d.Encode(d.Op(spec.DeleteKey), map[string]any{"bucketName": "b-1", "accessKeyId": "EMULKEY0000000000001"})
	assert.Equal(t, "DELETE /v1/buckets/b-1/access-keys/EMULKEY0000000000001", r.Method+" "+r.URL())
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
}
