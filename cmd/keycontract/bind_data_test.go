package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBindDataPlane: bind infers the data section where the description
// shows it, and says so; where it shows none, bind says that no data
// plane was found, and the overlay has no data section.
func TestBindDataPlane(t *testing.T) {
	for _, c := range []struct {
		file, line string
		want       map[string]any
	}{
		{"../../spec/lightsail.yaml", "keycontract bind: data = s3 (CreateBucket's reply declares the bucket's url at /bucket/url",
			map[string]any{"s3": map[string]any{"url": map[string]any{"createBucket": "/bucket/url", "listBuckets": "/url"}}}},
		{"../../spec/iam.yaml", "keycontract bind: data = caller (GetUser, sent with no input, names the caller at /GetUserResult/User/UserName",
			map[string]any{"caller": map[string]any{"sts": true, "operation": "GetUser", "name": "/GetUserResult/User/UserName"}}},
	} {
		r := cli(t, "bind", "-spec", c.file, "-json")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stderr, c.line, c.file)
		var out map[string]map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Equal(t, c.want, out["x-keycontract"]["data"], c.file)
	}

	r := cli(t, "bind", "-spec", "../../fixtures/bind/rest-plain.yaml")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "keycontract bind: cannot infer from the description: data = (none): no data plane found")
	assert.Contains(t, r.stdout, "data = (none): no data plane found", "the overlay's head says so too")
	assert.NotRegexp(t, `(?m)^data:`, r.stdout)
}
