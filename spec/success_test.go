package spec_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// errors200 is the test-only description whose errors all answer 200 with
// {"success": false, "error": {...}}, as it declares (response.success:
// /success; every code's status 200; INTERNAL_ERROR in errors.server).
func errors200(t *testing.T) *spec.Document {
	t.Helper()
	const file = "testdata/envelope-errors-200.yaml"
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	d, err := spec.Load(context.Background(), file, data, nil)
	require.NoError(t, err)
	require.Equal(t, "/success", d.Binding.Response.Success)
	return d
}

// TestSuccessByDescription: whether a reply is a success is the
// description's to say. Where it names where success is read, a 2xx
// holding false there is an error, judged as one; where it names none,
// the status alone decides; a 4xx or 5xx is never a success.
func TestSuccessByDescription(t *testing.T) {
	ctx := context.Background()
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	const (
		created  = `{"success":true,"data":{"id":"AKIAEXAMPLE000000001","created_at":"2026-01-01T00:00:00Z","secret_access_key":"s3cr3t","status":"Active"}}`
		notFound = `{"success":false,"error":{"code":"NOT_FOUND","message":"no such bucket"}}`
		internal = `{"success":false,"error":{"code":"INTERNAL_ERROR","message":"it broke"}}`
	)
	declared := errors200(t)
	plain, err := spec.Bundled("envelope") // declares no success member
	require.NoError(t, err)
	for _, c := range []struct {
		name            string
		d               *spec.Document
		status          int
		body            string
		ok, client, srv bool
	}{
		{"declared: 200 with success true", declared, 200, created, true, false, false},
		{"declared: 200 with success false is an error", declared, 200, notFound, false, true, false},
		{"declared: 200 with a server code is a server error", declared, 200, internal, false, false, true},
		{"declared: 200 without the member is a success", declared, 200, `{"data":{}}`, true, false, false},
		{"declared: 200 that does not decode is a success", declared, 200, `{"success":`, true, false, false},
		{"declared: 404 with success true is no success", declared, 404, created, false, true, false},
		{"declared: 503 is a server error", declared, 503, internal, false, false, true},
		{"declared: 302 without a code is neither", declared, 302, ``, false, false, false},
		{"none declared: 200 with success false is a success", plain, 200, notFound, true, false, false},
		{"none declared: 200 without the member is a success", plain, 200, `{"data":{}}`, true, false, false},
		{"none declared: 404 is a client error", plain, 404, notFound, false, true, false},
		{"none declared: a 201 holding an error body is a success", plain, 201, notFound, true, false, false},
		{"none declared: 500 is a server error", plain, 500, internal, false, false, true},
	} {
		r := c.d.NewReply(c.d.Op(spec.CreateKey), c.status, jsonHeader, []byte(c.body))
		assert.Equal(t, c.ok, r.OK(), "%s: OK", c.name)
		assert.Equal(t, c.client, c.d.Binding.ClientError(r), "%s: ClientError", c.name)
		assert.Equal(t, c.srv, c.d.Binding.ServerError(r), "%s: ServerError", c.name)
	}

	// An error in a 200 is judged as an error: its code, documented with
	// status 200, against the documented 200 response (its error branch).
	op := declared.Op(spec.ListKeys)
	code, err := declared.ValidateError(ctx, op, declared.NewReply(op, 200, jsonHeader, []byte(notFound)))
	assert.NoError(t, err)
	assert.Equal(t, "NOT_FOUND", code)
	_, err = declared.ValidateError(ctx, op, declared.NewReply(op, 404, jsonHeader, []byte(notFound)))
	assert.ErrorContains(t, err, "error NOT_FOUND has status 404, want 200")
	assert.NoError(t, declared.ValidateSuccess(ctx, declared.Op(spec.CreateKey),
		declared.NewReply(declared.Op(spec.CreateKey), 200, jsonHeader, []byte(created))))

	// A reply made without a document is a success by its status.
	assert.True(t, spec.NewReply(200, jsonHeader, []byte(notFound)).OK())
	assert.False(t, spec.NewReply(400, jsonHeader, []byte(created)).OK())
}

// TestServerCodesAreDocumented: errors.server names documented codes only.
func TestServerCodesAreDocumented(t *testing.T) {
	b := errors200(t).Binding
	b.Errors.Server = append(b.Errors.Server, "MELTDOWN")
	assert.ErrorContains(t, b.Validate(), `errors.server: code "MELTDOWN" has no entry in errors.statuses`)
	b = errors200(t).Binding
	b.Response.Success = "success"
	assert.ErrorContains(t, b.Validate(), `response.success = "success" is not a JSON pointer`)
}
