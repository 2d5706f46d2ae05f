package infer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// samePages asserts that res inferred exactly want's pages (none for
// none), that each inferred page's token is left out of generated
// requests, and that bind prints a line for each list that pages and none
// for one that does not.
func samePages(t *testing.T, want map[spec.Role]spec.Page, res *infer.Result) {
	t.Helper()
	if len(want) == 0 {
		assert.Empty(t, res.Binding.Pages)
	} else {
		assert.Equal(t, want, res.Binding.Pages)
	}
	lines := res.PageLines()
	assert.Len(t, lines, len(want))
	for role, p := range res.Binding.Pages {
		assert.Contains(t, res.Binding.Request.Omit[role], p.Token, "%s: the page token is never generated", role)
		n, ok := res.Note("pages." + string(role))
		require.True(t, ok, "%s: no reason given", role)
		assert.Contains(t, n.Reason, "a page token")
		assert.Contains(t, n.Reason, "names the next one in "+strings.TrimPrefix(p.Next, "/"))
		if p.More != "" {
			assert.Contains(t, n.Reason, strings.TrimPrefix(p.More, "/")+" (boolean) says more pages follow")
		}
		if p.Size != "" {
			assert.Contains(t, n.Reason, strings.TrimPrefix(p.Size, "/")+" (integer")
		}
	}
	for _, l := range lines {
		assert.NotContains(t, l, "\n")
	}
}

// TestInferredPagesBundled: every bundled description, its x-keycontract
// removed, yields the hand-written binding's pages: IAM's Marker,
// IsTruncated and MaxItems on both lists, Lightsail's GetBuckets pageToken
// and nextPageToken; envelope's GetBuckets takes a pageToken but its reply
// names none, and rest's lists do not page, so neither has pages.
func TestInferredPagesBundled(t *testing.T) {
	for _, dialect := range spec.Dialects {
		t.Run(dialect, func(t *testing.T) {
			src, err := spec.BundledSource(dialect)
			require.NoError(t, err)
			want, err := spec.Bundled(dialect)
			require.NoError(t, err)
			res := inferred(t, dialect, src)
			require.NoError(t, res.Err())
			samePages(t, want.Binding.Pages, res)
		})
	}
}

// TestInferredPagesThirdParty: the APIs.guru extracts yield their
// overlays' pages (the IAM extract's POST variants declare MaxItems and
// Marker twice, as string query parameters and as body members: on AWS
// query the body's integer MaxItems is the page size), and the whole
// descriptions the same pages among all their operations.
func TestInferredPagesThirdParty(t *testing.T) {
	const dir = "../../fixtures/thirdparty/"
	iam := map[spec.Role]spec.Page{
		spec.ListKeys:    {Token: "/Marker", Next: "/Marker", More: "/IsTruncated", Size: "/MaxItems"},
		spec.ListBuckets: {Token: "/Marker", Next: "/Marker", More: "/IsTruncated", Size: "/MaxItems"},
	}
	lightsail := map[spec.Role]spec.Page{spec.ListBuckets: {Token: "/pageToken", Next: "/nextPageToken"}}
	for _, c := range []struct {
		file, overlay string
		want          map[spec.Role]spec.Page
	}{
		{"apis-guru-lightsail-bucket-keys.yaml", "overlay.yaml", lightsail},
		{"apis-guru-iam-access-keys.yaml", "iam-overlay.yaml", iam},
		{"apis-guru-lightsail-full.yaml", "", lightsail},
		{"apis-guru-iam-full.yaml", "", iam},
	} {
		t.Run(c.file, func(t *testing.T) {
			if c.overlay != "" {
				doc, err := spec.LoadFile(context.Background(), dir+c.file, dir+c.overlay)
				require.NoError(t, err)
				require.Equal(t, c.want, doc.Binding.Pages, "the hand-written overlay")
			}
			res := inferred(t, c.file, readFile(t, dir+c.file))
			require.NoError(t, res.Err())
			samePages(t, c.want, res)
		})
	}
}

// TestInferredPagesVendors: fixtures/bind's vendor-style descriptions,
// each paging (or not) its own way: AWS query's Marker, IsTruncated and
// MaxItems; a REST cursor named next_cursor inside the envelope's result,
// with a limit; an rpc NextToken; a plain REST API whose lists are whole
// arrays, which does not page.
func TestInferredPagesVendors(t *testing.T) {
	marker := spec.Page{Token: "/Marker", Next: "/Marker", More: "/IsTruncated", Size: "/MaxItems"}
	for file, want := range map[string]map[spec.Role]spec.Page{
		"query-action.yaml":  {spec.ListKeys: marker, spec.ListBuckets: marker},
		"rest-envelope.yaml": {spec.ListBuckets: {Token: "/cursor", Next: "/result/next_cursor", Size: "/limit"}},
		"rpc-target.yaml":    {spec.ListBuckets: {Token: "/NextToken", Next: "/NextToken"}},
		"rest-plain.yaml":    nil,
	} {
		t.Run(file, func(t *testing.T) {
			res := inferred(t, file, readFile(t, "../../fixtures/bind/"+file))
			require.NoError(t, res.Err())
			samePages(t, want, res)
		})
	}
}

// TestInferredPagesNeedBoth: a page token alone is no pages (the reply
// must name the next one), nor is a next token of another type, a required
// token, or a page size without a token; a legally different spelling
// (S3's ContinuationToken, NextContinuationToken and MaxKeys, a hasMore
// boolean) pages; and pages the overlay gives win over inferred ones.
func TestInferredPagesNeedBoth(t *testing.T) {
	src := string(readFile(t, "../../fixtures/bind/rest-envelope.yaml"))
	edit := func(t *testing.T, pairs ...string) *infer.Result {
		t.Helper()
		s := src
		for i := 0; i < len(pairs); i += 2 {
			require.Contains(t, s, pairs[i])
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		res := inferred(t, "edited", []byte(s))
		require.NoError(t, res.Err())
		return res
	}
	const cursor = "- {name: cursor, in: query, schema: {type: string}}"
	const next = "next_cursor: {type: string}"
	for name, pairs := range map[string][]string{
		"no next token":       {next, "previous_cursor: {type: string}"},
		"next token a number": {next, "next_cursor: {type: integer}"},
		"required token":      {cursor, "- {name: cursor, in: query, required: true, schema: {type: string}}"},
		"token an object":     {cursor, "- {name: cursor, in: query, schema: {properties: {at: {type: string}}}}"},
		"no token":            {cursor, "- {name: search, in: query, schema: {type: string}}"},
	} {
		t.Run(name, func(t *testing.T) {
			samePages(t, nil, edit(t, pairs...))
		})
	}
	t.Run("S3 spelling", func(t *testing.T) {
		res := edit(t, cursor, "- {name: continuation-token, in: query, schema: {type: string}}",
			"{name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}", "{name: max-keys, in: query, schema: {type: integer}}",
			next, "NextContinuationToken: {type: string}\n                          hasMore: {type: boolean}")
		samePages(t, map[spec.Role]spec.Page{spec.ListBuckets: {
			Token: "/continuation-token", Next: "/result/NextContinuationToken", More: "/result/hasMore", Size: "/max-keys"}}, res)
	})
	t.Run("overlay wins", func(t *testing.T) {
		res, err := infer.Infer(parse(t, "edited", []byte(src)), []byte("pages: {listBuckets: {token: /cursor, next: /result/next_cursor}}\n"))
		require.NoError(t, err)
		require.NoError(t, res.Err())
		assert.Equal(t, map[spec.Role]spec.Page{spec.ListBuckets: {Token: "/cursor", Next: "/result/next_cursor"}}, res.Binding.Pages)
		assert.Empty(t, res.PageLines(), "nothing inferred, nothing to explain")
	})
}

// TestInferredPagesReadWholeLists: the binding inferred for the iam
// description, against an iam emulator that answers one item a page
// (every list pages, each page with fewer items than asked while more
// follow, as IAM documents), passes every check: every reader follows the
// inferred pages. The same binding with its pages removed reads a list's
// first page for the whole list, and fails.
func TestInferredPagesReadWholeLists(t *testing.T) {
	src, err := spec.BundledSource("iam")
	require.NoError(t, err)
	res := inferred(t, "iam", src)
	require.NoError(t, res.Err())
	require.Len(t, res.Binding.Pages, 2)
	run := func(t *testing.T, b spec.Binding) contract.Report {
		t.Helper()
		doc, err := spec.LoadBound("inferred:iam", parse(t, "iam", src), b)
		require.NoError(t, err)
		tgt, srv := targetWith(t, emulator.Options{Dialect: "iam", PageSize: 1}, doc)
		rep, err := contract.Check(context.Background(), tgt)
		require.NoError(t, err)
		require.Len(t, rep.Checks, len(contract.IDs()))
		if b.Pages != nil {
			assert.Empty(t, srv.Snapshot(), "the run left users or keys behind")
		}
		return rep
	}
	t.Run("with the inferred pages", func(t *testing.T) {
		rep := run(t, res.Binding)
		for _, c := range rep.Checks {
			testutil.AssertPassed(t, res.Binding, c)
		}
	})
	t.Run("without them", func(t *testing.T) {
		b := res.Binding
		b.Pages = nil
		rep := run(t, b)
		var failed []string
		for _, c := range rep.Checks {
			if c.Status == contract.Fail {
				failed = append(failed, string(c.ID))
			}
		}
		t.Logf("without pages, one item a page fails: %v", failed)
		assert.Contains(t, failed, "key-lifecycle", "a first page taken for the whole list misses a key the bucket holds")
	})
}
