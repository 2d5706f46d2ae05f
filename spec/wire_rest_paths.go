package spec

import "strings"

// The rest wire's paths: which templates a path matches, and how a
// template is filled with percent-encoded segments.

// templateMatches reports whether a path template ("/v1/buckets/{name}",
// its "#fragment" ignored) matches path segment by segment, a {parameter}
// matching any non-empty text without "/".
func templateMatches(template, path string) bool {
	template, _, _ = strings.Cut(template, "#")
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if !segmentMatches(t, ps[i]) {
			return false
		}
	}
	return true
}

// segmentMatches matches one template segment, literal text and
// {parameters}, against one path segment.
func segmentMatches(t, p string) bool {
	open := strings.IndexByte(t, '{')
	if open < 0 {
		return t == p
	}
	end := strings.IndexByte(t[open:], '}')
	if end < 0 {
		return t == p
	}
	prefix, rest := t[:open], t[open+end+1:]
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	p = p[len(prefix):]
	// The parameter takes at least one character; the rest of the template
	// segment matches what follows, for some split.
	for i := 1; i <= len(p); i++ {
		if segmentMatches(rest, p[i:]) {
			return true
		}
	}
	return false
}

// expandPath fills a path template's {name} parameters with their values,
// each percent-encoded as one segment (EscapeSegment).
func expandPath(template string, value func(name string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(template, '{')
		if open < 0 {
			b.WriteString(template)
			return b.String()
		}
		end := strings.IndexByte(template[open:], '}')
		if end < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:open])
		b.WriteString(EscapeSegment(value(template[open+1 : open+end])))
		template = template[open+end+1:]
	}
}

// EscapeSegment percent-encodes v as one path segment: every byte outside
// RFC 3986's unreserved set (ALPHA, DIGIT, "-", ".", "_", "~") becomes %XX,
// and a segment "." or ".." is written %2E or %2E%2E, so that no client,
// proxy or server library resolves it as a relative path.
func EscapeSegment(v string) string {
	switch v {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(v) {
		c := v[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
