package spec_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// TestTargetRuleKeepsItsShape: a target object reads and writes as it was
// given, scalars first, then objects, each by name (so the bundled
// bindings' targets print as they are written), and an overlay's target
// lays over the base's member by member, a nested object key by key.
func TestTargetRuleKeepsItsShape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"header":"X-Amz-Target","prefix":"Lightsail_20161128"}`, `{"header":"X-Amz-Target","prefix":"Lightsail_20161128"}`},
		{`{"fixed":{"Version":"2010-05-08"},"member":"Action"}`, `{"member":"Action","fixed":{"Version":"2010-05-08"}}`},
		{`{}`, `{}`},
	} {
		var r spec.TargetRule
		require.NoError(t, json.Unmarshal([]byte(c.in), &r))
		out, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Equal(t, c.want, string(out), c.in)
	}

	base := spec.Binding{Target: spec.QueryTarget{Member: "Action", Fixed: map[string]string{"Version": "2010-05-08"}}.Rule()}
	merged, err := spec.MergeBinding(base, []byte(`{"target":{"prefix":"P","fixed":{"Extra":"1"}}}`))
	require.NoError(t, err)
	q, err := spec.QueryTargetOf(merged)
	require.NoError(t, err)
	assert.Equal(t, spec.QueryTarget{Member: "Action", Prefix: "P", Fixed: map[string]string{"Version": "2010-05-08", "Extra": "1"}}, q)
	q, err = spec.QueryTargetOf(base)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Version": "2010-05-08"}, q.Fixed, "merging leaves the base alone")

	var empty spec.TargetRule
	require.NoError(t, json.Unmarshal([]byte(`{}`), &empty))
	assert.Equal(t, spec.TargetRule{}, empty, "an empty target equals the zero one")
}

// TestEachWireChecksItsTarget: a binding that names no protocol speaks the
// one its target's members claim, and each wire refuses members that are
// not its own and requires the one that names operations.
func TestEachWireChecksItsTarget(t *testing.T) {
	base, err := spec.Bundled("envelope")
	require.NoError(t, err)
	with := func(protocol, target string) spec.Binding {
		b := base.Binding
		b.Protocol, b.Target = protocol, spec.TargetRule{}
		require.NoError(t, json.Unmarshal([]byte(target), &b.Target))
		return b
	}
	for _, c := range []struct {
		protocol, target string
		speaks           string
		bad              string // "" when valid
	}{
		{"", `{"header":"X-Amz-Target","prefix":"P"}`, spec.ProtocolRPC, ""},
		{"", `{"member":"Action","fixed":{"Version":"1"}}`, spec.ProtocolQuery, ""},
		{"", `{}`, spec.ProtocolREST, ""},
		{"", `{"header":"H","member":"Action"}`, spec.ProtocolRPC, `unknown field "member"`},
		{"", `{"prefix":"P"}`, spec.ProtocolREST, "target.prefix: protocol rest names no operation"},
		{"rpc", `{"prefix":"P"}`, spec.ProtocolRPC, "target.header is empty"},
		{"query", `{"fixed":{"Version":"1"}}`, spec.ProtocolQuery, "target.member is empty"},
		{"query", `{"member":"Action","fixed":{"Version":1}}`, spec.ProtocolQuery, "cannot unmarshal number"},
		{"grpc", `{}`, "grpc", `protocol = "grpc", want one of [query rest rpc]`},
	} {
		b := with(c.protocol, c.target)
		assert.Equal(t, c.speaks, b.ProtocolName(), c.target)
		err := b.Validate()
		if c.bad == "" {
			assert.NoError(t, err, c.target)
			continue
		}
		require.Error(t, err, c.target)
		assert.True(t, errors.Is(err, spec.ErrBinding), c.target)
		assert.Contains(t, err.Error(), c.bad, c.target)
	}
}
