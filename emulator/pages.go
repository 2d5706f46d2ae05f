package emulator

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Paged lists, for a dialect whose lists page (dialect.pagesLists; IAM's
// ListUsers and ListAccessKeys): a list answers at most MaxItems items
// (default 100, as IAM's, and at most Options.PageSize), with an opaque
// Marker for the next page.

// defaultMaxItems is a page's size when MaxItems is absent (IAM's).
const defaultMaxItems = 100

// page returns the slice [from, to) of a list of n items that the request's
// marker and maxItems (both validated) ask for, and the marker of the next
// page ("" when this one is the last). A marker is the offset of the page's
// first item, base64url-encoded behind a version tag; one that does not
// decode is invalid input. An offset past the end (items deleted between
// pages) gives an empty last page.
func (s *Server) page(in map[string]any, n int) (from, to int, next string, e *apiError) {
	if m, ok := in["marker"].(string); ok {
		raw, err := base64.RawURLEncoding.DecodeString(m)
		off, cut := strings.CutPrefix(string(raw), markerTag)
		offset, err2 := strconv.Atoi(off)
		if err != nil || !cut || err2 != nil || offset < 0 {
			return 0, 0, "", newErr(errInvalidInput, "Invalid Marker: use the Marker of the previous page")
		}
		return window(offset, s.maxItems(in), n)
	}
	return window(0, s.maxItems(in), n)
}

func window(from, size, n int) (int, int, string, *apiError) {
	from = min(from, n)
	to := min(from+size, n)
	if to < n {
		return from, to, encodeMarker(to), nil
	}
	return from, to, "", nil
}

const markerTag = "kc1:"

func encodeMarker(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(markerTag + strconv.Itoa(offset)))
}

// maxItems is the size of a page: the validated MaxItems (IAM's 100
// without it), at most Options.PageSize when that is set. With
// FaultListIgnoresPageSize, IAM's 100 whatever either says.
func (s *Server) maxItems(in map[string]any) int {
	if s.has(FaultListIgnoresPageSize) {
		return defaultMaxItems
	}
	size := defaultMaxItems
	if v, ok := in["maxItems"].(string); ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			size = n
		}
	}
	if s.opts.PageSize > 0 {
		size = min(size, s.opts.PageSize)
	}
	return size
}
