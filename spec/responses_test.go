package spec_test

import (
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/fixtures"
	"github.com/keycontract/keycontract/spec"
)

// responseSchema is the schema of op's documented response for status.
func responseSchema(t *testing.T, d *spec.Document, r spec.Role, status int) *openapi3.Schema {
	t.Helper()
	resp := d.Op(r).Route.Operation.Responses.Status(status)
	require.NotNil(t, resp, "%s: no %d response", r, status)
	require.Len(t, resp.Value.Content, 1, "%s %d", r, status)
	for _, mt := range resp.Value.Content {
		return mt.Schema.Value
	}
	return nil
}

func decode(t *testing.T, data string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(data), &v))
	return v
}

// The seed's examples as golden cases of the envelope's shape: its success
// example is a CreateBucket response (id, created_at) but not a create-key
// one (no secret, no status); its error example is a valid error envelope.
func TestSeedExamplesAgainstEnvelope(t *testing.T) {
	d, err := spec.Bundled("envelope")
	require.NoError(t, err)
	success := decode(t, string(fixtures.SeedSuccess()))
	failure := decode(t, string(fixtures.SeedError()))

	assert.NoError(t, responseSchema(t, d, spec.CreateBucket, 200).VisitJSON(success))
	assert.Error(t, responseSchema(t, d, spec.CreateKey, 200).VisitJSON(success), "the seed example has no secret_access_key nor status")
	assert.Error(t, responseSchema(t, d, spec.ListKeys, 200).VisitJSON(success))
	assert.Error(t, responseSchema(t, d, spec.ListBuckets, 200).VisitJSON(success))

	for _, r := range spec.Roles {
		for _, status := range []int{400, 401, 403, 404, 409, 429, 500} {
			s := responseSchema(t, d, r, status)
			assert.NoError(t, s.VisitJSON(failure), "%s %d", r, status)
			assert.Error(t, s.VisitJSON(success), "%s %d", r, status)
		}
		assert.Error(t, responseSchema(t, d, r, 200).VisitJSON(failure), r)
	}
}

func TestEnvelopeSchemas(t *testing.T) {
	d, err := spec.Bundled("envelope")
	require.NoError(t, err)
	cases := []struct {
		role  spec.Role
		body  string
		valid bool
	}{
		{spec.CreateKey, `{"success": true, "data": {"id": "abc123", "created_at": "2025-01-01T00:00:00Z", "secret_access_key": "s3cr3t", "status": "Active", "extra": 1}}`, true},
		{spec.CreateKey, `{"success": true, "data": {"id": "abc123", "created_at": "2025-01-01T00:00:00Z", "secret_access_key": "s3cr3t", "status": "Revoked"}}`, false},
		{spec.CreateKey, `{"success": true, "data": {"id": "abc123", "created_at": 1735689600, "secret_access_key": "s3cr3t", "status": "Active"}}`, false},
		{spec.CreateKey, `{"success": false, "data": {"id": "abc123", "created_at": "2025-01-01T00:00:00Z", "secret_access_key": "s3cr3t", "status": "Active"}}`, false},
		{spec.ListKeys, `{"success": true, "data": {"access_keys": [{"id": "abc123", "created_at": "2025-01-01T00:00:00Z", "status": "Inactive"}]}}`, true},
		{spec.ListKeys, `{"success": true, "data": {"access_keys": [{"id": "abc123", "status": "Inactive"}]}}`, false},
		{spec.ListKeys, `{"success": true, "data": {"access_keys": []}}`, true},
		{spec.DeleteKey, `{"success": true, "data": {"id": "abc123"}}`, true},
		{spec.DeleteKey, `{"success": true, "data": {"id": ""}}`, false},
		{spec.DeleteBucket, `{"success": true, "data": {}}`, false},
		{spec.ListBuckets, `{"success": true, "data": {"buckets": [{"id": "my-bucket", "created_at": "2025-01-01T00:00:00Z"}]}}`, true},
		{spec.ListBuckets, `{"success": true}`, false},
	}
	for _, c := range cases {
		err := responseSchema(t, d, c.role, 200).VisitJSON(decode(t, c.body))
		assert.Equal(t, c.valid, err == nil, "%s %s: %v", c.role, c.body, err)
	}
	bad := decode(t, `{"success": false, "error": {"code": "NOT_FOUND"}}`)
	assert.Error(t, responseSchema(t, d, spec.DeleteKey, 404).VisitJSON(bad), "message is required")
}

func TestLightsailSchemas(t *testing.T) {
	d, err := spec.Bundled("aws")
	require.NoError(t, err)
	const key = `"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "status": "Active", "createdAt": 1735689600.123`
	const lastUsed = `"lastUsed": {"lastUsedDate": null, "region": "N/A", "serviceName": "N/A"}`
	const op = `{"id": "0f4ad1b6-1b7a-4c59-9d29-1f3d0a6a3c1e", "resourceName": "my-bucket", "resourceType": "Bucket", "createdAt": 1735689600, "location": {"availabilityZone": "all", "regionName": "us-east-1"}, "isTerminal": true, "operationType": "CreateBucketAccessKey", "status": "Succeeded", "statusChangedAt": 1735689600}`
	cases := []struct {
		role  spec.Role
		body  string
		valid bool
	}{
		{spec.CreateKey, `{"accessKey": {` + key + `, "secretAccessKey": "keycontract/Example/Secret/NotReal00000", ` + lastUsed + `}, "operations": [` + op + `], "unknown": {"extra": true}}`, true},
		{spec.CreateKey, `{"accessKey": {` + key + `}}`, false},
		{spec.CreateKey, `{"accessKey": {"accessKeyId": "akiaiosfodnn7example", "secretAccessKey": "x", "status": "Active", "createdAt": 1}}`, false},
		{spec.CreateKey, `{"accessKey": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretAccessKey": "x", "status": "Active", "createdAt": "2025-01-01T00:00:00Z"}}`, false},
		{spec.CreateKey, `{"operations": [` + op + `]}`, false},
		{spec.ListKeys, `{"accessKeys": [{` + key + `, ` + lastUsed + `}]}`, true},
		{spec.ListKeys, `{"accessKeys": [{` + key + `, "lastUsed": {"lastUsedDate": 1735689601.5}}]}`, true},
		{spec.ListKeys, `{"accessKeys": [{"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "status": "Expired", "createdAt": 1}]}`, false},
		{spec.ListKeys, `{}`, false},
		{spec.DeleteKey, `{"operations": [` + op + `]}`, true},
		{spec.DeleteKey, `{"operations": [{"status": "Done"}]}`, false},
		{spec.CreateBucket, `{"bucket": {"name": "my-bucket", "bundleId": "small_1_0", "createdAt": 1735689600, "state": {"code": "OK"}}, "operations": [` + op + `]}`, true},
		{spec.ListBuckets, `{"buckets": [{"name": "my-bucket"}], "nextPageToken": "t"}`, true},
		{spec.ListBuckets, `{"buckets": [{"name": "My_Bucket"}]}`, false},
	}
	for _, c := range cases {
		err := responseSchema(t, d, c.role, 200).VisitJSON(decode(t, c.body))
		assert.Equal(t, c.valid, err == nil, "%s %s: %v", c.role, c.body, err)
	}
	for _, r := range spec.Roles {
		for _, status := range []int{400, 500} {
			s := responseSchema(t, d, r, status)
			assert.NoError(t, s.VisitJSON(decode(t, `{"__type": "com.amazonaws.lightsail#NotFoundException", "message": "m", "code": "DoesNotExist", "docs": "d", "tip": "t"}`)))
			assert.NoError(t, s.VisitJSON(decode(t, `{"__type": "InvalidInputException", "Message": "m"}`)))
			// The type may travel only in X-Amzn-ErrorType, so the body need not carry it.
			assert.NoError(t, s.VisitJSON(decode(t, `{"message": "type in the header"}`)))
			assert.Error(t, s.VisitJSON(decode(t, `{"__type": 42}`)))
		}
	}
}
