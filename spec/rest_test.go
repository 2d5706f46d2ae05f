package spec_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"

	"github.com/keycontract/keycontract/spec"
)

// TestRESTDocumentIsValidOpenAPI loads the bundled rest.yaml with
// kin-openapi alone (Load does not read its binding yet; see Dialects) and
// checks what docs/DESIGN.md fixes: the six operations at their methods and
// paths, the parameters' schemas, a Location on both creates, a 204 for the
// deletes, and every error status on every operation.
func TestRESTDocumentIsValidOpenAPI(t *testing.T) {
	src, err := spec.BundledSource("rest")
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(src)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	assert.Equal(t, "3.0.3", doc.OpenAPI)

	type want struct {
		method, path string
		success      string
	}
	wants := map[string]want{
		"CreateBucket":          {http.MethodPost, "/v1/buckets", "201"},
		"GetBuckets":            {http.MethodGet, "/v1/buckets", "200"},
		"DeleteBucket":          {http.MethodDelete, "/v1/buckets/{bucketName}", "204"},
		"CreateBucketAccessKey": {http.MethodPost, "/v1/buckets/{bucketName}/access-keys", "201"},
		"GetBucketAccessKeys":   {http.MethodGet, "/v1/buckets/{bucketName}/access-keys", "200"},
		"DeleteBucketAccessKey": {http.MethodDelete, "/v1/buckets/{bucketName}/access-keys/{accessKeyId}", "204"},
	}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			w, ok := wants[op.OperationID]
			require.True(t, ok, "unexpected operation %q", op.OperationID)
			seen[op.OperationID] = true
			assert.Equal(t, w.method, method, op.OperationID)
			assert.Equal(t, w.path, path, op.OperationID)
			ok2 := op.Responses.Value(w.success)
			require.NotNil(t, ok2, "%s: no %s", op.OperationID, w.success)
			switch w.success {
			case "201":
				loc := ok2.Value.Headers["Location"]
				require.NotNil(t, loc, "%s: no Location", op.OperationID)
				assert.True(t, loc.Value.Required)
				assert.True(t, loc.Value.Schema.Value.Type.Is("string"))
			case "204":
				assert.Empty(t, ok2.Value.Content, "%s: a 204 has no body", op.OperationID)
			}
			for _, status := range []string{"400", "401", "403", "404", "405", "409", "429", "500"} {
				r := op.Responses.Value(status)
				require.NotNil(t, r, "%s: no %s", op.OperationID, status)
				assert.NotNil(t, r.Value.Content.Get("application/json").Schema.Value.Properties["error"], "%s %s", op.OperationID, status)
			}
			assert.Equal(t, op.OperationID == "CreateBucket", op.RequestBody != nil, "%s: only CreateBucket has a body", op.OperationID)
			params := map[string]*openapi3.Parameter{}
			for _, p := range append(item.Parameters, op.Parameters...) {
				params[p.Value.In+":"+p.Value.Name] = p.Value
			}
			switch op.OperationID {
			case "GetBuckets":
				require.Contains(t, params, "query:bucketName")
				assert.False(t, params["query:bucketName"].Required)
				assert.Equal(t, uint64(54), *params["query:bucketName"].Schema.Value.MaxLength)
			case "DeleteBucket":
				require.Contains(t, params, "query:forceDelete")
				assert.True(t, params["query:forceDelete"].Schema.Value.Type.Is("boolean"))
			case "DeleteBucketAccessKey":
				require.Contains(t, params, "path:accessKeyId")
				assert.Equal(t, `^[A-Z0-9]{20}$`, params["path:accessKeyId"].Schema.Value.Pattern)
			}
			if op.OperationID != "CreateBucket" && op.OperationID != "GetBuckets" {
				require.Contains(t, params, "path:bucketName", op.OperationID)
				b := params["path:bucketName"]
				assert.True(t, b.Required)
				assert.Equal(t, `^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$`, b.Schema.Value.Pattern)
				assert.Equal(t, uint64(3), b.Schema.Value.MinLength)
			}
		}
	}
	assert.Len(t, seen, len(wants))
	body := doc.Paths.Find("/v1/buckets").Post.RequestBody.Value.Content.Get("application/json").Schema.Value
	assert.ElementsMatch(t, []string{"bucketName", "bundleId"}, body.Required)
	assert.Contains(t, body.Properties, "tags")
	assert.Contains(t, body.Properties, "enableObjectVersioning")
	require.Contains(t, doc.Components.SecuritySchemes, "bearer")
	assert.Equal(t, "bearer", doc.Components.SecuritySchemes["bearer"].Value.Scheme)
	allow := doc.Components.Responses["MethodNotAllowed"].Value.Headers["Allow"]
	require.NotNil(t, allow)
	assert.True(t, allow.Value.Required)

	// The binding names existing operations, and the rest dialect's codes.
	var top struct {
		Binding struct {
			Dialect, Protocol string
			Operations        map[string]string
			Errors            struct {
				Statuses map[string][]int
				Accept   map[string][]string
			}
		} `yaml:"x-keycontract"`
	}
	require.NoError(t, yaml.Unmarshal(src, &top))
	assert.Equal(t, "rest", top.Binding.Dialect)
	assert.Equal(t, "rest", top.Binding.Protocol)
	require.Len(t, top.Binding.Operations, 6)
	for role, id := range top.Binding.Operations {
		assert.Contains(t, wants, id, role)
	}
	assert.Equal(t, []int{405}, top.Binding.Errors.Statuses["METHOD_NOT_ALLOWED"])
	assert.Equal(t, []string{"NOT_FOUND", "METHOD_NOT_ALLOWED"}, top.Binding.Errors.Accept["unknownOperation"])
}
