package spec_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// TestRESTRepliesJudgedByTheDescription: what the rest description declares
// is what is judged, each rule failing on a faulty reply and quiet on a
// correct one: the documented success status (201, not 200), the declared
// Location header, and errors.headers' Allow on METHOD_NOT_ALLOWED.
func TestRESTRepliesJudgedByTheDescription(t *testing.T) {
	d, err := spec.Bundled("rest")
	require.NoError(t, err)
	ctx := context.Background()
	create := d.Op(spec.CreateKey)
	body := []byte(`{"success":true,"data":{"id":"EMULKEY0000000000001","created_at":"2026-01-01T00:00:00Z","secret_access_key":"not-a-real-secret-0123","status":"Active"}}`)
	reply := func(status int, h map[string]string, b []byte) *spec.Reply {
		hh := http.Header{"Content-Type": {"application/json"}}
		for k, v := range h {
			hh.Set(k, v)
		}
		return d.NewReply(create, status, hh, b)
	}
	location := map[string]string{"Location": "/v1/buckets/b-1/access-keys/EMULKEY0000000000001"}

	assert.NoError(t, d.ValidateSuccess(ctx, create, reply(201, location, body)), "a correct create")
	err = d.ValidateSuccess(ctx, create, reply(200, location, body))
	assert.ErrorContains(t, err, "status 200 is not documented, want 201")
	assert.Error(t, d.ValidateSuccess(ctx, create, reply(201, nil, body)), "a create without its Location")

	del := d.Op(spec.DeleteKey)
	assert.NoError(t, d.ValidateSuccess(ctx, del, d.NewReply(del, 204, http.Header{}, nil)), "204 with no body")

	notAllowed := []byte(`{"success":false,"error":{"code":"METHOD_NOT_ALLOWED","message":"no"}}`)
	h := http.Header{"Content-Type": {"application/json"}}
	_, err = d.ValidateError(ctx, nil, d.NewReply(nil, 405, h, notAllowed))
	assert.ErrorContains(t, err, "error METHOD_NOT_ALLOWED has no Allow header")
	h.Set("Allow", "GET, POST")
	_, err = d.ValidateError(ctx, nil, d.NewReply(nil, 405, h, notAllowed))
	assert.NoError(t, err)
}
