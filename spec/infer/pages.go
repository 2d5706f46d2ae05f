package infer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// pages infers Binding.Pages for listKeys and listBuckets from the shapes
// of their requests and replies, so that an inferred binding reads every
// page of a list, never the first alone (docs/DESIGN.md: every reader
// follows the pages). A list pages when it takes an optional string member named
// as a page token (marker, nextToken, pageToken, continuationToken,
// cursor, starting_after, page_token...) and its success body has a string
// member naming the next one: the same name (IAM's Marker, NextToken), or
// the name after "next" (Lightsail's pageToken and nextPageToken, S3's
// ContinuationToken and NextContinuationToken, cursor and next_cursor). A
// boolean reply member named IsTruncated, hasMore, truncated or more says
// whether more pages follow (pages.more), and an optional integer input
// member named MaxItems, maxResults, limit, pageSize or per_page is the
// page size (pages.size). A list that takes no such token, or whose reply
// names no next one, does not page: nothing is inferred or printed. The
// token is left out of generated requests (request.omit): only the
// endpoint can issue one.
//
// Known limits: a next page named only by a header (a Link header, as
// GitHub's), by the last item's id (Stripe's starting_after, whose reply
// has has_more and no token) or by a page number is not inferred; nor is a
// page size without a page token (such a list cannot be followed).
func (x *inference) pages() {
	b := &x.r.Binding
	for _, l := range []struct {
		role spec.Role
		at   string
	}{{spec.ListKeys, b.Response.Keys}, {spec.ListBuckets, b.Response.Buckets}} {
		c := x.chosen[l.role]
		if c == nil || c.op.success == nil {
			continue
		}
		if _, given := x.ov.Pages[l.role]; given {
			continue // the overlay's pages win (merged after inference)
		}
		p, why, ok := pageOf(c.op, l.at)
		if !ok {
			continue
		}
		if b.Pages == nil {
			b.Pages = map[spec.Role]spec.Page{}
		}
		b.Pages[l.role] = p
		x.r.note("pages."+string(l.role), pageValue(p), why)
		if !slices.Contains(b.Request.Omit[l.role], p.Token) {
			if b.Request.Omit == nil {
				b.Request.Omit = map[spec.Role][]string{}
			}
			b.Request.Omit[l.role] = append(b.Request.Omit[l.role], p.Token)
			x.r.note("request.omit."+string(l.role), p.Token, fmt.Sprintf("%s: %s is a page token only the endpoint can issue", c.op.id, strings.TrimPrefix(p.Token, "/")))
		}
	}
}

// pageValue is a Page as one line, for notes.
func pageValue(p spec.Page) string {
	s := "token " + p.Token + ", next " + p.Next
	if p.More != "" {
		s += ", more " + p.More
	}
	if p.Size != "" {
		s += ", size " + p.Size
	}
	return s
}

// Names, normalised (norm), of page tokens, of booleans saying more pages
// follow, and of page sizes.
var (
	tokenNames = []string{"marker", "nexttoken", "pagetoken", "continuationtoken", "cursor", "pagecursor", "startingafter", "startafter", "after", "nextpagetoken", "starttoken", "nextmarker", "nextcursor"}
	moreNames  = []string{"istruncated", "truncated", "hasmore", "more", "hasnextpage", "hasnext", "hasmorepages", "moreresults"}
	sizeNames  = []string{"maxitems", "maxresults", "limit", "pagesize", "perpage", "maxkeys", "maxrecords", "pagelimit"}
)

// scalar is a scalar member of a reply body, found outside any array.
type scalar struct {
	ptr, name string
	schema    *openapi3.Schema
}

// scalars lists a body's scalar members down to depth 4, never into
// arrays (a next-page token describes the page, not an item).
func scalars(s *openapi3.Schema) []scalar {
	var out []scalar
	var walk func(ptr string, s *openapi3.Schema, depth int)
	walk = func(ptr string, s *openapi3.Schema, depth int) {
		props := properties(s)
		for _, name := range sortedKeys(props) {
			m := props[name]
			switch {
			case isType(m, openapi3.TypeArray):
			case isType(m, openapi3.TypeObject):
				if depth < 4 {
					walk(ptr+pointer(name), m, depth+1)
				}
			default:
				out = append(out, scalar{ptr + pointer(name), name, m})
			}
		}
	}
	walk("", s, 0)
	return out
}

// parentOf is the pointer of the object holding the member at ptr.
func parentOf(ptr string) string {
	return ptr[:max(0, strings.LastIndexByte(ptr, '/'))]
}

// pageOf finds how o pages: the page token it takes, the reply member
// naming the next one (preferring one beside the list at list), the
// boolean saying more follow, and the page size. ok is false when o does
// not page.
func pageOf(o *op, list string) (p spec.Page, why string, ok bool) {
	listParent := parentOf(list)
	replies := scalars(o.success)
	var next scalar
	best := 0
	for _, name := range sortedKeys(o.input) {
		m := o.input[name]
		n := norm(name)
		if m.required || m.in == "path" || !stringish(m.schema) || !slices.Contains(tokenNames, n) {
			continue
		}
		for _, r := range replies {
			rn := norm(r.name)
			sc := 0
			switch {
			case !stringish(r.schema):
			case rn == n, rn == "next"+n:
				sc = 3
			case strings.HasPrefix(rn, "next") && slices.Contains(tokenNames, rn[len("next"):]):
				sc = 2
			}
			if sc == 0 {
				continue
			}
			if parentOf(r.ptr) == listParent {
				sc++
			}
			if sc > best {
				best, next, p.Token = sc, r, pointer(name)
			}
		}
	}
	if best == 0 {
		return spec.Page{}, "", false
	}
	p.Next = next.ptr
	token := strings.TrimPrefix(p.Token, "/")
	why = fmt.Sprintf("%s takes optional %s (%s, a page token) and its %d body names the next one in %s",
		o.id, token, o.input[token].in, o.successStatus, strings.TrimPrefix(next.ptr, "/"))
	nextParent := parentOf(next.ptr)
	var more *scalar
	for i, r := range replies {
		if isType(r.schema, openapi3.TypeBoolean) && slices.Contains(moreNames, norm(r.name)) &&
			(more == nil || parentOf(r.ptr) == nextParent) {
			more = &replies[i]
		}
	}
	if more != nil {
		p.More = more.ptr
		why += fmt.Sprintf("; %s (boolean) says more pages follow", strings.TrimPrefix(more.ptr, "/"))
	}
	for _, name := range sortedKeys(o.input) {
		m := o.input[name]
		if !m.required && m.in != "path" && isType(m.schema, openapi3.TypeInteger) && slices.Contains(sizeNames, norm(name)) {
			p.Size = pointer(name)
			why += fmt.Sprintf("; optional %s (integer%s) is the page size", name, rangeText(m.schema))
			break
		}
	}
	return p, why, true
}

// stringish reports whether s is a string, or declares nothing at all (no
// type, members, items or parts).
func stringish(s *openapi3.Schema) bool {
	if s == nil || isType(s, openapi3.TypeString) {
		return true
	}
	untyped := s.Type == nil || len(*s.Type) == 0
	return untyped && len(s.Properties) == 0 && len(s.AllOf) == 0 && s.Items == nil
}

// rangeText is ", 1 to 1000" for a schema with both bounds, else "".
func rangeText(s *openapi3.Schema) string {
	if s == nil || s.Min == nil || s.Max == nil {
		return ""
	}
	return fmt.Sprintf(", %g to %g", *s.Min, *s.Max)
}
