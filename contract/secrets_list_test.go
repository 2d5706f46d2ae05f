package contract_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
)

// mistypeID rewrites list replies so that the key id is a JSON number:
// {"accessKeyId":"ID"} becomes {"accessKeyId":12}.
type mistypeID struct {
	id   string
	next http.RoundTripper
}

func (m mistypeID) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := m.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetBucketAccessKeys") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = bytes.ReplaceAll(body, []byte(`"accessKeyId":"`+m.id+`"`), []byte(`"accessKeyId":12`))
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestListedSecretRedactedWhateverTheID: a bucket given with -bucket holds
// a key the run did not create; the endpoint lists every key's secret
// (secret-in-list) and, for that key, a numeric id, so the key cannot be
// read as one. Its secret is still redacted: no report holds it.
func TestListedSecretRedactedWhateverTheID(t *testing.T) {
	tgt, srv := target(t, "aws", emulator.FaultSecretInList)
	require.NoError(t, srv.AddBucket("users-bucket-a"))
	require.NoError(t, srv.AddBucket("users-bucket-b"))
	id, secret, err := srv.AddKey("users-bucket-a")
	require.NoError(t, err)
	tgt.Buckets = []string{"users-bucket-a", "users-bucket-b"}
	tgt.Client = &http.Client{Transport: mistypeID{id: id, next: http.DefaultTransport}}

	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, rep.WriteJSON(&out))
	require.NoError(t, rep.WriteTable(&out))
	require.NoError(t, rep.WriteJUnit(&out))
	assert.True(t, rep.Failed(), "secret-in-list must fail secret-only-once")
	assert.Contains(t, out.String(), `\"accessKeyId\":12`, "the rewritten list reached the report")
	// Not NotContains: its message would print the secret.
	assert.False(t, strings.Contains(out.String(), secret), "the foreign key's secret is in the report")
}
