package spec_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// TestPageSize: the bundled iam binding says where a list's page size goes
// (pages.size: /MaxItems); PageSize reads it from a request's input as the
// wire sends it, and only a whole number of at least 1 asks for anything.
func TestPageSize(t *testing.T) {
	b := bundledIAM(t).Binding
	for _, role := range []spec.Role{spec.ListKeys, spec.ListBuckets} {
		require.Equal(t, "/MaxItems", b.Pages[role].Size, role)
		assert.Equal(t, "MaxItems", b.Pages[role].SizeName())
	}
	for _, tc := range []struct {
		input any
		want  int
		ok    bool
	}{
		{map[string]any{"UserName": "u", "MaxItems": 1}, 1, true},
		{map[string]any{"MaxItems": int64(20)}, 20, true},
		{map[string]any{"MaxItems": json.Number("3")}, 3, true},
		{map[string]any{"MaxItems": "7"}, 7, true},
		{map[string]any{"MaxItems": 2.0}, 2, true},
		{map[string]any{"UserName": "u"}, 0, false},
		{map[string]any{"MaxItems": 0}, 0, false},
		{map[string]any{"MaxItems": -1}, 0, false},
		{map[string]any{"MaxItems": "ten"}, 0, false},
		{map[string]any{"MaxItems": 1.5}, 0, false},
		{map[string]any{"MaxItems": nil}, 0, false},
		{nil, 0, false},
	} {
		n, ok := b.PageSize(spec.ListKeys, tc.input)
		assert.Equal(t, tc.ok, ok, "%v", tc.input)
		assert.Equal(t, tc.want, n, "%v", tc.input)
	}
	_, ok := b.PageSize(spec.CreateKey, map[string]any{"MaxItems": 1})
	assert.False(t, ok, "a role without pages has no page size")

	// A binding whose pages name no size: nothing is asked.
	aws, err := spec.Bundled("aws")
	require.NoError(t, err)
	_, ok = aws.Binding.PageSize(spec.ListBuckets, map[string]any{"MaxItems": 1})
	assert.False(t, ok)
}

// TestListedItems counts a list reply's items, whatever they hold, where
// the binding points (response.keys, response.buckets).
func TestListedItems(t *testing.T) {
	d := bundledIAM(t)
	reply := func(r spec.Role, op, result string) *spec.Reply {
		rep := d.NewReply(d.Op(r), 200, textXML, []byte(iamReply(op, result)))
		require.NoError(t, rep.DecodeErr())
		return rep
	}
	n, ok := d.Binding.ListedItems(spec.ListKeys, reply(spec.ListKeys, "ListAccessKeys", listedKeys))
	assert.True(t, ok)
	assert.Equal(t, 2, n)
	oneBad := `<AccessKeyMetadata><member><Unknown>x</Unknown></member></AccessKeyMetadata><IsTruncated>true</IsTruncated><Marker>m</Marker>`
	n, ok = d.Binding.ListedItems(spec.ListKeys, reply(spec.ListKeys, "ListAccessKeys", oneBad))
	assert.True(t, ok)
	assert.Equal(t, 1, n, "an item the binding cannot read still counts")
	n, ok = d.Binding.ListedItems(spec.ListBuckets, reply(spec.ListBuckets, "ListUsers", `<Users><member>`+user+`</member></Users>`))
	assert.True(t, ok)
	assert.Equal(t, 1, n)
	_, ok = d.Binding.ListedItems(spec.CreateKey, reply(spec.ListKeys, "ListAccessKeys", listedKeys))
	assert.False(t, ok)
	_, ok = d.Binding.ListedItems(spec.ListKeys, reply(spec.ListKeys, "ListAccessKeys", `<IsTruncated>false</IsTruncated>`))
	assert.False(t, ok, "no list at all")
}

// TestTruncated: a page says more follow by its IsTruncated, whether or
// not it names the next page (NextPage needs the Marker too).
func TestTruncated(t *testing.T) {
	d := bundledIAM(t)
	for _, tc := range []struct {
		result          string
		truncated, next bool
	}{
		{`<AccessKeyMetadata/><IsTruncated>true</IsTruncated><Marker>m</Marker>`, true, true},
		{`<AccessKeyMetadata/><IsTruncated>true</IsTruncated>`, true, false},
		{`<AccessKeyMetadata/><IsTruncated>false</IsTruncated><Marker>m</Marker>`, false, false},
		{`<AccessKeyMetadata/>`, false, false},
	} {
		r := d.NewReply(d.Op(spec.ListKeys), 200, textXML, []byte(iamReply("ListAccessKeys", tc.result)))
		require.NoError(t, r.DecodeErr())
		assert.Equal(t, tc.truncated, d.Binding.Truncated(spec.ListKeys, r), tc.result)
		_, next := d.Binding.NextPage(spec.ListKeys, r)
		assert.Equal(t, tc.next, next, tc.result)
	}
	aws, err := spec.Bundled("aws")
	require.NoError(t, err)
	r := aws.NewReply(aws.Op(spec.ListKeys), 200, http.Header{"Content-Type": {"application/x-amz-json-1.1"}}, []byte(`{"accessKeys":[]}`))
	assert.False(t, aws.Binding.Truncated(spec.ListKeys, r), "a list that does not page is whole")
}
