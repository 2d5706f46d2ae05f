package emulator

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDialectRegistry: the registry holds each bundled dialect once, the
// first (aws) is the default, and an unknown name is refused with the
// names it knows.
func TestDialectRegistry(t *testing.T) {
	var names []string
	for _, d := range dialects {
		names = append(names, d.name)
	}
	assert.Equal(t, []string{DialectAWS, DialectEnvelope, DialectREST, DialectIAM}, names)
	d, err := dialectNamed("")
	require.NoError(t, err)
	assert.Equal(t, DialectAWS, d.name)
	_, err = New(Options{Dialect: "soap"})
	assert.EqualError(t, err, `emulator: unknown dialect "soap" (want aws, envelope, rest or iam)`)
}

// TestEveryDialectIsComplete: every registered dialect says everything
// shared code asks of it, and its wire writes every error kind as an
// error (a kind missing from a dialect's table would answer status 0).
func TestEveryDialectIsComplete(t *testing.T) {
	ops := []string{opCreateBucket, opDeleteBucket, opGetBuckets, opCreateBucketAccessKey, opGetBucketAccessKeys, opDeleteBucketAccessKey}
	for _, d := range dialects {
		assert.NotEmpty(t, d.entity, d.name)
		assert.NotEmpty(t, d.signingService, d.name)
		assert.NotEmpty(t, d.requestIDHeader, d.name)
		assert.NotEmpty(t, d.deleteConflict, d.name)
		assert.NotEmpty(t, d.mediaSynonyms, d.name)
		require.NotNil(t, d.validName, d.name)
		require.NotNil(t, d.createdKey, d.name)
		require.NotNil(t, d.wire, d.name)
		for _, op := range ops {
			assert.Contains(t, d.inputs, op, d.name)
		}
		o, _, err := Options{Dialect: d.name}.normalize()
		require.NoError(t, err)
		w := d.wire(o)
		for k := range defaultMessages {
			status, h, body := w.failure(newErr(k, ""))
			assert.GreaterOrEqual(t, status, http.StatusBadRequest, "%s: kind %d", d.name, k)
			assert.Less(t, status, 600, "%s: kind %d", d.name, k)
			assert.NotEmpty(t, h.Get("Content-Type"), "%s: kind %d", d.name, k)
			assert.NotEmpty(t, body, "%s: kind %d", d.name, k)
		}
	}
}
