package spec

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fake secret: 40 characters of the base64 alphabet, as AWS's are.
const fakeSecret = "kcFAKE/secret+0123456789abcdefghijklmnop"

func reply(status int, body string) *Reply {
	return NewReply(status, http.Header{"Content-Type": {"application/json"}}, []byte(body))
}

// TestCreatedSecretIgnoresTheID: the binding's secret location is read
// whatever the id holds.
func TestCreatedSecretIgnoresTheID(t *testing.T) {
	env, err := Bundled("envelope")
	require.NoError(t, err)
	s, ok := env.Binding.CreatedSecret(reply(201, `{"success":true,"data":{"id":null,"secret_access_key":"`+fakeSecret+`"}}`))
	assert.True(t, ok)
	assert.Equal(t, fakeSecret, s)
	_, ok = env.Binding.CreatedSecret(reply(200, `{"success":true,"data":{"id":"x"}}`))
	assert.False(t, ok)
}
