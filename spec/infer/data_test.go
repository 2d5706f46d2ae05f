package infer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// TestInfersDataPlane: bind finds the data section where a description
// shows it. A bucket url member in the createBucket and listBuckets
// replies is an S3 bucket probe (the bundled bucket descriptions, and
// the APIs.guru Lightsail descriptions, whose Bucket has its url); an
// operation that names the caller, sent with no input, is the caller
// probe (the bundled iam description's GetUser, and IAM's whole
// description's). The note gives the evidence.
func TestInfersDataPlane(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			src, err := spec.BundledSource(dialect)
			require.NoError(t, err)
			want, err := spec.Bundled(dialect)
			require.NoError(t, err)
			res := inferred(t, dialect, src)
			require.NoError(t, res.Err())
			assert.Equal(t, want.Binding.Data, res.Binding.Data, "the hand-written data section")
			n, ok := res.Note("data")
			require.True(t, ok)
			assert.False(t, n.Unstated)
			if dialect == "iam" {
				assert.Equal(t, "caller", n.Value)
				assert.Contains(t, n.Reason, "GetUser, sent with no input, names the caller at /GetUserResult/User/UserName")
				assert.Contains(t, n.Reason, "STS GetCallerIdentity is asked first")
				return
			}
			assert.Equal(t, "s3", n.Value)
			assert.Contains(t, n.Reason, "declares the bucket's url at "+want.Binding.Data.S3.URL.CreateBucket)
		})
	}
	t.Run("whole descriptions", func(t *testing.T) {
		const dir = "../../fixtures/thirdparty/"
		res := inferred(t, "lightsail-full", readFile(t, dir+"apis-guru-lightsail-full.yaml"))
		require.NoError(t, res.Err())
		require.NotNil(t, res.Binding.Data.S3)
		assert.Equal(t, "/bucket/url", res.Binding.Data.S3.URL.CreateBucket)
		assert.Equal(t, "/url", res.Binding.Data.S3.URL.ListBuckets)
		assert.Nil(t, res.Binding.Data.Caller)

		res = inferred(t, "iam-full", readFile(t, dir+"apis-guru-iam-full.yaml"))
		require.NoError(t, res.Err())
		require.NotNil(t, res.Binding.Data.Caller)
		assert.Equal(t, "POST_GetUser", res.Binding.Data.Caller.Operation, "the POST variant, as for every role")
		assert.Equal(t, "/User/UserName", res.Binding.Data.Caller.Name, "its schemas describe only the Result element")
		assert.True(t, res.Binding.Data.Caller.STS)
		assert.Nil(t, res.Binding.Data.S3)
	})
}

// TestInfersNoDataPlane: a description with neither a bucket url nor an
// operation that names the caller gets no data section, and the overlay
// bind prints says that none was found (a field the description cannot
// state).
func TestInfersNoDataPlane(t *testing.T) {
	const file = "../../fixtures/thirdparty/apis-guru-iam-access-keys.yaml"
	res := inferred(t, file, readFile(t, file))
	require.NoError(t, res.Err())
	assert.False(t, res.Binding.HasData())
	n, ok := res.Note("data")
	require.True(t, ok)
	assert.True(t, n.Unstated)
	assert.Contains(t, n.Reason, "no data plane found")
	out, err := res.YAML(file)
	require.NoError(t, err)
	assert.Contains(t, string(out), "no data plane found")
	assert.NotContains(t, string(out), "\ndata:")
	assert.Contains(t, res.Unstated(), "data = (none): "+n.Reason)
}

// TestOverlayDataKept: an overlay's data section is the user's, never
// inferred over.
func TestOverlayDataKept(t *testing.T) {
	src, err := spec.BundledSource("aws")
	require.NoError(t, err)
	res, err := infer.Infer(parse(t, "aws", src), []byte(`data: {s3: {endpoint: "http://127.0.0.1:9000"}}`))
	require.NoError(t, err)
	require.NotNil(t, res.Binding.Data.S3)
	assert.Equal(t, "http://127.0.0.1:9000", res.Binding.Data.S3.Endpoint)
	assert.Empty(t, res.Binding.Data.S3.URL.CreateBucket, "nothing inferred beside the overlay's")
	_, noted := res.Note("data")
	assert.False(t, noted)
}
