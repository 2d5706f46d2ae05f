package infer_test

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	_ "github.com/keycontract/keycontract/fuzz" // concurrent-limit and the property-based sequences
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// parse loads a description and drops its x-keycontract extension.
func parse(t *testing.T, name string, data []byte) *openapi3.T {
	t.Helper()
	doc, err := spec.Parse(context.Background(), name, data)
	require.NoError(t, err)
	delete(doc.Extensions, spec.ExtensionName)
	return doc
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

func inferred(t *testing.T, name string, data []byte) *infer.Result {
	t.Helper()
	res, err := infer.Infer(parse(t, name, data), nil)
	require.NoError(t, err)
	for _, n := range res.Notes {
		t.Logf("%-32s = %-40s # %s  [runner-up: %s]", n.Field, n.Value, n.Reason, n.RunnerUp)
	}
	return res
}

// target is an in-process emulator of dialect with credentials, as
// contract's own tests build it, checked through doc.
func target(t *testing.T, dialect string, doc *spec.Document) (contract.Target, *emulator.Server) {
	t.Helper()
	return targetWith(t, emulator.Options{Dialect: dialect}, doc)
}

// targetWith is target with the emulator's other options (a page size).
func targetWith(t *testing.T, opts emulator.Options, doc *spec.Document) (contract.Target, *emulator.Server) {
	t.Helper()
	const keyID, secret, token = "AKIDKEYCONTRACTTEST1", "keycontractTestSigningSecret0123456789ab", "keycontract-test-bearer-token-0123456789"
	dialect := opts.Dialect
	tgt := contract.Target{Dialect: dialect, Doc: doc, Seed: 7}
	switch doc.Binding.Auth {
	case "sigv4":
		opts.Credentials = map[string]string{keyID: secret}
		tgt.Signer = contract.NewSigV4(credentials.NewStaticCredentialsProvider(keyID, secret, ""), "us-east-1")
	case "bearer":
		opts.Token = token
		tgt.Headers = map[string][]string{"Authorization": {"Bearer " + token}}
	}
	ts, srv := emulator.NewTestServer(t, opts)
	tgt.Endpoint = ts.URL
	return tgt, srv
}

// passes runs every check against the emulator of dialect through doc.
func passes(t *testing.T, dialect string, doc *spec.Document) {
	t.Helper()
	tgt, srv := target(t, dialect, doc)
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	require.Len(t, rep.Checks, len(contract.IDs()))
	for _, c := range rep.Checks {
		testutil.AssertPassed(t, doc.Binding, c)
	}
	assert.Empty(t, srv.Snapshot(), "the run left buckets or keys behind")
}

// TestRecoversBundledBindings: every bundled description, its
// x-keycontract removed, yields the hand-written role mapping, and the
// inferred binding passes every check against the matching emulator.
func TestRecoversBundledBindings(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			src, err := spec.BundledSource(dialect)
			require.NoError(t, err)
			want, err := spec.Bundled(dialect)
			require.NoError(t, err)
			res := inferred(t, dialect, src)
			require.NoError(t, res.Err())
			assert.Equal(t, want.Binding.Operations, res.Binding.Operations)
			assert.Equal(t, want.Binding.ProtocolName(), res.Binding.ProtocolName())
			assert.Equal(t, want.Binding.Request.Bucket, res.Binding.Request.Bucket)
			assert.Equal(t, want.Binding.Request.KeyID, res.Binding.Request.KeyID)
			assert.Equal(t, want.Binding.Response, res.Binding.Response)
			assert.Equal(t, want.Binding.Auth, res.Binding.Auth)
			doc, err := spec.LoadBound("inferred:"+dialect, parse(t, dialect, src), res.Binding)
			require.NoError(t, err)
			passes(t, res.Binding.Dialect, doc)
		})
	}
}

// TestRecoversThirdPartyLightsail: the APIs.guru Lightsail description
// yields fixtures/thirdparty/overlay.yaml's roles and wire differences, and
// passes every check against the aws emulator.
func TestRecoversThirdPartyLightsail(t *testing.T) {
	const file = "../../fixtures/thirdparty/apis-guru-lightsail-bucket-keys.yaml"
	src := readFile(t, file)
	want, err := spec.LoadFile(context.Background(), file, "../../fixtures/thirdparty/overlay.yaml")
	require.NoError(t, err)
	res := inferred(t, file, src)
	require.NoError(t, res.Err())
	assert.Equal(t, want.Binding.Operations, res.Binding.Operations)
	assert.Equal(t, want.Binding.Target, res.Binding.Target)
	assert.Equal(t, want.Binding.Wire, res.Binding.Wire)
	assert.Equal(t, want.Binding.Response, res.Binding.Response)
	assert.Equal(t, want.Binding.Errors.Code, res.Binding.Errors.Code)
	doc, err := spec.LoadBound(file, parse(t, file, src), res.Binding)
	require.NoError(t, err)
	passes(t, "aws", doc)
}

// TestRecoversThirdPartyIAM: the APIs.guru IAM description (GET and POST
// variants, /#Action= paths, result-only schemas, pseudo-status errors)
// gets the roles and wire its hand-written overlay gives, and the inferred
// binding passes every check against the iam emulator.
func TestRecoversThirdPartyIAM(t *testing.T) {
	const file = "../../fixtures/thirdparty/apis-guru-iam-access-keys.yaml"
	src := readFile(t, file)
	want, err := spec.LoadFile(context.Background(), file, "../../fixtures/thirdparty/iam-overlay.yaml")
	require.NoError(t, err)
	res := inferred(t, file, src)
	require.NoError(t, res.Err())
	assert.Equal(t, want.Binding.Operations, res.Binding.Operations)
	assert.Equal(t, "query", res.Binding.Protocol)
	assert.Equal(t, want.Binding.Target, res.Binding.Target)
	assert.Equal(t, want.Binding.Service, res.Binding.Service)
	assert.True(t, res.Binding.Wire.XMLResult, "its schemas describe only the Result element")
	assert.Equal(t, "/UserName", res.Binding.Request.Bucket)
	assert.Equal(t, "/AccessKeyId", res.Binding.Request.KeyID)
	assert.Equal(t, want.Binding.Response.KeySecret, res.Binding.Response.KeySecret)
	assert.Equal(t, want.Binding.Errors.Code, res.Binding.Errors.Code)
	assert.Equal(t, []string{"NoSuchEntity"}, res.Binding.Errors.Accept[spec.NotFound])
	assert.Equal(t, []string{"LimitExceeded"}, res.Binding.Errors.Accept[spec.LimitExceeded])
	// What no description can say of itself: its pathType pattern is
	// staler than the endpoint's (wire.schemas, fixtures/thirdparty). The
	// overlay's fix is carried over, so no seed generates a Path holding DEL.
	assert.Empty(t, res.Binding.Wire.Schemas)
	res.Binding.Wire.Schemas = want.Binding.Wire.Schemas
	doc, err := spec.LoadBound(file, parse(t, file, src), res.Binding)
	require.NoError(t, err)
	passes(t, "iam", doc)
}
