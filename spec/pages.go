package spec

import (
	"strconv"
	"strings"
)

// Pages: how a list operation pages (Binding.Pages), and what a page's
// reply may hold. A list is the whole list only when its pages are read
// to the end; a page may hold fewer items than the page size asked, even
// when more follow, and never more.

// Page says how a list operation pages, as AWS query's Marker and
// IsTruncated do.
type Page struct {
	// Token points into the request's input where the next page's token
	// goes (/Marker).
	Token string `json:"token"`
	// Next points to the next page's token in the reply.
	Next string `json:"next"`
	// More, when set, points to a boolean in the reply saying whether
	// there are more pages (IsTruncated); without it a non-empty Next says
	// so.
	More string `json:"more,omitempty"`
	// Size, when set, points into the request's input where the page size
	// goes (/MaxItems): the most items one reply's list may hold. A reply
	// holding more fails success-envelope; fewer is always allowed, even
	// when more pages follow (IAM documents it). Without it the harness
	// sends no page size and judges none.
	Size string `json:"size,omitempty"`
}

// PageSize is the page size a request of role's operation asked for: the
// text the wire sends at the binding's pages.size pointer in the request's
// input, when it is a whole number of at least 1. ok is false when the
// binding names no size or the request carries none; a size the schema
// refuses (0, -1) asks for nothing a reply could be held to, and is
// invalid-input-rejected's concern.
func (b Binding) PageSize(role Role, input any) (int, bool) {
	p, ok := b.Pages[role]
	if !ok || p.Size == "" || input == nil {
		return 0, false
	}
	v, found := Pointer(input, p.Size)
	if !found || v == nil {
		return 0, false
	}
	n, err := strconv.Atoi(ParamText(v))
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// SizeName is how messages name the page size member: the last segment of
// pages.size ("MaxItems").
func (p Page) SizeName() string {
	return p.Size[strings.LastIndex(p.Size, "/")+1:]
}

// ListedItems counts the items of a list reply of role (listKeys: the
// array at response.keys; listBuckets: at response.buckets), whatever each
// item holds. ok is false for another role, or when the list is missing or
// not an array.
func (b Binding) ListedItems(role Role, r *Reply) (int, bool) {
	var at string
	switch role {
	case ListKeys:
		at = b.Response.Keys
	case ListBuckets:
		at = b.Response.Buckets
	default:
		return 0, false
	}
	v, found := Pointer(r.Value(), at)
	items, isArray := v.([]any)
	if !found || !isArray {
		return 0, false
	}
	return len(items), true
}

// MaxPages bounds how many pages the harness follows: an endpoint that
// always answers with another token must not hold a run forever.
const MaxPages = 1000

// NextPage reads from a reply of role's operation the token of the next
// page, and whether there is one.
func (b Binding) NextPage(role Role, r *Reply) (string, bool) {
	p, ok := b.Pages[role]
	if !ok || r == nil || !r.OK() {
		return "", false
	}
	if p.More != "" {
		more, _ := Pointer(r.Value(), p.More)
		if m, isBool := more.(bool); !isBool || !m {
			return "", false
		}
	}
	v, _ := Pointer(r.Value(), p.Next)
	token, _ := v.(string)
	return token, token != ""
}

// Truncated reports whether a reply of role's operation says more pages
// follow, whether or not it names the next one: its More boolean is true,
// or (without More) it carries a next-page token. Such a page is never the
// whole list.
func (b Binding) Truncated(role Role, r *Reply) bool {
	p, ok := b.Pages[role]
	if !ok || r == nil || !r.OK() {
		return false
	}
	if p.More != "" {
		more, _ := Pointer(r.Value(), p.More)
		m, isBool := more.(bool)
		return isBool && m
	}
	_, next := b.NextPage(role, r)
	return next
}
