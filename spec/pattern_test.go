package spec

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPatternECMA: patterns mean what ECMA-262 says, including where Go's
// RE2 (kin-openapi's default) reads the same text otherwise or not at all.
func TestPatternECMA(t *testing.T) {
	cases := []struct {
		pattern, reading string
		match, reject    []string
		// re2 is how Go's regexp reads the pattern, for the cases where it
		// differs: the values it decides the other way.
		re2Differs []string
	}{
		// IAM's account alias: a lookahead, which RE2 does not have.
		{pattern: `^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$`, reading: ReadingECMAUnicode,
			match: []string{"a", "a-b", "my-alias-1"}, reject: []string{"a--b", "-a", "a-", ""}},
		// \d is ASCII in ECMA-262, as in RE2.
		{pattern: `^\d+$`, reading: ReadingECMAUnicode, match: []string{"0123"}, reject: []string{"٣", "1a"}},
		// \uXXXX, in either case, and \u{...} and surrogate pairs (u flag).
		{pattern: `\u002F[\u0021-\u007F]*`, reading: ReadingECMAUnicode, match: []string{"/", "/a/b/", "x/"}, reject: []string{"abc"}},
		{pattern: `^\u002f$`, reading: ReadingECMAUnicode, match: []string{"/"}, reject: []string{"u002f"}},
		{pattern: `^\u{1F600}$`, reading: ReadingECMAUnicode, match: []string{"😀"}, reject: []string{"u"}},
		{pattern: `^\uD83D\uDE00$`, reading: ReadingECMAUnicode, match: []string{"😀"}},
		// \p{L} is a Unicode property under the u flag.
		{pattern: `^[\p{L}\p{N}]+$`, reading: ReadingECMAUnicode, match: []string{"héllo", "日本1"}, reject: []string{"a b", "p{L}"}},
		// RE2 accepts these and reads them otherwise: [[:digit:]] is a
		// POSIX class to RE2 and, to ECMA-262, a class of [:digt followed
		// by one or more ]; \s includes NBSP in ECMA-262 only; `.` stops at
		// U+2028 in ECMA-262 only.
		{pattern: `^[[:digit:]]+$`, reading: ReadingECMAUnicode, match: []string{"d]", ":]]]"}, reject: []string{"12"}, re2Differs: []string{"d]", ":]]]", "12"}},
		{pattern: `^\s$`, reading: ReadingECMAUnicode, match: []string{" ", "\u00a0", "\ufeff"}, re2Differs: []string{"\u00a0", "\ufeff"}},
		{pattern: `^.$`, reading: ReadingECMAUnicode, match: []string{"x", "😀"}, reject: []string{"\u2028", "\n"}, re2Differs: []string{"\u2028"}},
		// Annex B, where the u flag refuses: \_ is _.
		{pattern: `^a\_b$`, reading: ReadingECMA, match: []string{"a_b"}, reject: []string{"ab"}},
		// regexp2 reads inline flags in ECMA-262 too.
		{pattern: `(?i)^abc$`, reading: ReadingECMAUnicode, match: []string{"ABC", "abc"}, reject: []string{"abd"}},
		// Readings of other engines, so no description fails to load for
		// a pattern one accepts: RE2's Python-style named groups, Perl's
		// possessive quantifiers.
		{pattern: `^(?P<n>a)b$`, reading: ReadingRE2, match: []string{"ab"}, reject: []string{"b"}},
		{pattern: `^a++b$`, reading: ReadingPerl, match: []string{"aab"}, reject: []string{"b"}},
	}
	for _, c := range cases {
		p, err := CompilePattern(c.pattern)
		require.NoError(t, err, c.pattern)
		assert.Equal(t, c.reading, p.Reading, c.pattern)
		for _, s := range c.match {
			assert.True(t, p.Matches(s), "%s should match %q", c.pattern, s)
		}
		for _, s := range c.reject {
			assert.True(t, p.Rejects(s), "%s should reject %q", c.pattern, s)
		}
		if len(c.re2Differs) > 0 {
			re := regexp.MustCompile(goPattern(c.pattern))
			for _, s := range c.re2Differs {
				assert.NotEqual(t, p.Matches(s), re.MatchString(s), "%s on %q: RE2 reads it otherwise", c.pattern, s)
			}
		}
	}
	_, err := CompilePattern(`(unclosed`)
	assert.Error(t, err, "a pattern no engine reads is an error")
}

// TestPatternTimeout: a pattern that backtracks without end is undecided,
// not a verdict, and comes back within a bounded time.
func TestPatternTimeout(t *testing.T) {
	p, err := CompilePattern(`^(a+)+$`)
	require.NoError(t, err)
	evil := strings.Repeat("a", 40) + "!"
	start := time.Now()
	_, err = p.Match(evil)
	assert.ErrorIs(t, err, ErrPatternUndecided)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.NotContains(t, err.Error(), evil, "the value is never quoted")
	assert.True(t, p.MatchString(evil), "validation: undecided is no finding")
	assert.False(t, p.Matches(evil), "generation keeps only definite matches")
	assert.False(t, p.Rejects(evil), "invalid input uses only definite rejections")
	assert.True(t, p.Matches("aaaa"))
	assert.True(t, p.Rejects("aab"))
}

// TestRE2Part: the RE2 part of a pattern reads it as ECMA-262 does, with
// lookarounds dropped.
func TestRE2Part(t *testing.T) {
	cases := []struct{ in, want string }{
		{`^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$`, `^[a-z0-9](([a-z0-9]|-)*[a-z0-9])?$`},
		{`\u002F[\u0021-\u007F]*`, `\x{2F}[\x{21}-\x{7F}]*`},
		{`^[[:digit:]]+$`, `^[\[:digit:]\]+$`},
		{`a{2}b{,3}`, `a{2}b\{,3\}`},
		{`x{1,5000}`, `x{1,1000}`},
		{`(?<y>\d{4})(?<=\d)`, `(?P<y>\d{4})`},
		{`^(a)\1$`, `^(a)$`},
		{`[^]`, `[\x{0}-\x{10FFFF}]`},
		{`\p{Script=Greek}\p{Letter}`, `\p{Greek}\p{L}`},
	}
	for _, c := range cases {
		got, ok := re2Part(c.in, true)
		require.True(t, ok, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, c := range []struct {
		in     string
		lo, hi int
		want   string // in the result; "" : the input back
	}{
		{`[:\w]+`, 48, 48, `{48}`},
		{`^[a-z]*$`, 3, 10, `{3,10}`},
		{`^[A-Z0-9]{20}$`, 0, -1, ""},
		{`^a[b]+$`, 5, 6, ""}, // not one repeated character: left to the filter
	} {
		got := boundRepeat(c.in, c.lo, c.hi)
		if c.want == "" {
			assert.Equal(t, c.in, got)
			continue
		}
		assert.Contains(t, got, c.want, c.in)
		assert.NotPanics(t, func() { regexp.MustCompile(got) })
	}
	got, ok := re2Part(`^\s.$`, true)
	require.True(t, ok)
	re := regexp.MustCompile(got)
	assert.True(t, re.MatchString("\u00a0x"))
	assert.False(t, re.MatchString(" \u2028"))
}

// TestPatternStrings: generation draws from the RE2 part and keeps what the
// whole pattern matches, within the lengths; a pattern nothing satisfies is
// reported, not retried for ever.
func TestPatternStrings(t *testing.T) {
	p, err := CompilePattern(`^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$`)
	require.NoError(t, err)
	gen, err := p.Strings(3, 10)
	require.NoError(t, err)
	sawHyphen := false
	for seed := range 200 {
		v := gen.Example(seed)
		require.True(t, p.Matches(v), "%q", v)
		n := len([]rune(v))
		require.True(t, n >= 3 && n <= 10, "%q", v)
		require.NotContains(t, v, "--")
		sawHyphen = sawHyphen || strings.Contains(v, "-")
	}
	assert.True(t, sawHyphen, "the lookahead's alternative is drawn too")

	p, err = CompilePattern(`^[[:digit:]]+$`)
	require.NoError(t, err)
	gen, err = p.Strings(0, -1)
	require.NoError(t, err)
	for seed := range 50 {
		v := gen.Example(seed)
		require.True(t, p.Matches(v), "%q", v)
		require.NotRegexp(t, `^[0-9]+$`, v, "generated as ECMA-262 reads it, not RE2")
	}

	p, err = CompilePattern(`^(?=x)y$`)
	require.NoError(t, err)
	start := time.Now()
	_, err = p.Strings(0, -1)
	assert.ErrorIs(t, err, ErrUngenerable)
	assert.Contains(t, err.Error(), "none of 200 strings")
	assert.Less(t, time.Since(start), 10*time.Second)
	_, again := p.Strings(0, -1)
	assert.Equal(t, err, again, "learned once per pattern and length range")

	p, err = CompilePattern(`^[a-z]{5}$`)
	require.NoError(t, err)
	_, err = p.Strings(6, 8)
	assert.ErrorIs(t, err, ErrUngenerable, "the lengths exclude every match")
}

// TestPatternKinOpenAPI: a description whose patterns RE2 rejects loads,
// and response validation and invalid-input derivation read them as
// ECMA-262.
func TestPatternKinOpenAPI(t *testing.T) {
	const doc = `openapi: 3.0.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Alias: {type: string, pattern: '^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$', minLength: 3, maxLength: 63}
    Flagged: {type: string, pattern: '(?i)^kc[a-z]+$'}
`
	tt, err := Parse(context.Background(), "patterns", []byte(doc))
	require.NoError(t, err)
	alias := tt.Components.Schemas["Alias"].Value
	opts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsResponse()}, validationOptions.SchemaValidationOptions...)
	assert.NoError(t, alias.VisitJSON("my-alias", opts...))
	err = alias.VisitJSON("my--alias", opts...)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "my--alias", "values stay out of messages")
	assert.NoError(t, tt.Components.Schemas["Flagged"].Value.VisitJSON("KCabc", opts...))

	var broke bool
	for _, v := range violations(alias, true) {
		if strings.HasPrefix(v.name, "does not match pattern") {
			broke = true
			s := v.value.(string)
			p, _ := CompilePattern(alias.Pattern)
			assert.True(t, p.Rejects(s), "%q", s)
			assert.Error(t, alias.VisitJSON(s, opts...))
		}
	}
	assert.True(t, broke, "a pattern break is derived")
}

// TestWholeDescriptionPatterns: every pattern of the whole APIs.guru
// descriptions compiles as ECMA-262 and, within its schema's lengths, is
// generated: each drawn value matches the pattern itself.
func TestWholeDescriptionPatterns(t *testing.T) {
	for _, file := range []string{"apis-guru-iam-full.yaml", "apis-guru-lightsail-full.yaml"} {
		data, err := os.ReadFile("../fixtures/thirdparty/" + file)
		require.NoError(t, err)
		tt, err := Parse(context.Background(), file, data)
		require.NoError(t, err)
		seen := map[string]bool{}
		for name, ref := range tt.Components.Schemas {
			s := ref.Value
			if s == nil || s.Pattern == "" || seen[s.Pattern] {
				continue
			}
			seen[s.Pattern] = true
			p, err := CompilePattern(s.Pattern)
			require.NoError(t, err, "%s: %s", name, s.Pattern)
			assert.Equal(t, ReadingECMAUnicode, p.Reading, s.Pattern)
			gen, err := patternStrings(s)
			require.NoError(t, err, "%s: %s", name, s.Pattern)
			for seed := range 20 {
				v := gen.Example(seed)
				require.True(t, p.Matches(v), "%s: %q", s.Pattern, v)
			}
		}
		assert.NotEmpty(t, seen)
		t.Logf("%s: %d distinct patterns", file, len(seen))
	}
}
