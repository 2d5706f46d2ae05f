package spec

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/getkin/kin-openapi/openapi3"
)

// Pattern is a compiled schema `pattern`: an ECMA-262 regular expression,
// as OpenAPI and JSON Schema define it, matched anywhere in the value
// unless it is anchored. Every part of the harness reads a pattern through
// it: loading (kin-openapi's document validation), response validation,
// request generation and invalid-input derivation.
//
// A pattern is read the first way that compiles:
//  1. ECMA-262 with the u flag, as JSON Schema 2020-12 asks (\p{L},
//     \u{1F600} and surrogate pairs are Unicode; `.` is one code point);
//  2. ECMA-262 without it, with the web's Annex B (\_ is _, a lone ] or {
//     is literal, \p is p), as OpenAPI 3.0's "ECMA 262" reads in browsers;
//  3. Go's RE2, with \uXXXX as \x{XXXX} (kin-openapi's own reading);
//  4. regexp2's default (.NET, Perl-like) syntax: (?i), \A, \z, atomic groups.
//
// So a description never fails to load because of a pattern one of these
// engines accepts. Reading records which one was used.
//
// Matching is backtracking (lookahead, backreferences), so every match is
// bounded by PatternTimeout; a match that runs out is undecided (Match
// returns an error), never a verdict.
type Pattern struct {
	Source  string
	Reading string
	re      *regexp2.Regexp // readings 1, 2 and 4
	re2     *regexp.Regexp  // reading 3
	gen     sync.Map        // genKey -> *genInfo, see pattern_gen.go
}

// PatternTimeout bounds one match. regexp2 checks its clock about every
// 100 ms, so a match may run up to about twice as long.
const PatternTimeout = 100 * time.Millisecond

// The readings, in the order they are tried.
const (
	ReadingECMAUnicode = "ECMA-262 (u flag)"
	ReadingECMA        = "ECMA-262 (Annex B)"
	ReadingRE2         = "RE2"
	ReadingPerl        = "regexp2 default (.NET/Perl)"
)

// ErrPatternUndecided wraps a match that ran out of time or backtracking
// stack: the value is neither accepted nor rejected.
var ErrPatternUndecided = errors.New("pattern match undecided")

var patternCache sync.Map // source -> *Pattern or error

// CompilePattern compiles an OpenAPI pattern (see Pattern), once per
// source: the result is cached and shared.
func CompilePattern(src string) (*Pattern, error) {
	if v, ok := patternCache.Load(src); ok {
		if err, bad := v.(error); bad {
			return nil, err
		}
		return v.(*Pattern), nil
	}
	p, err := compilePattern(src)
	if err != nil {
		patternCache.Store(src, err)
		return nil, err
	}
	v, _ := patternCache.LoadOrStore(src, p)
	return v.(*Pattern), nil
}

func compilePattern(src string) (*Pattern, error) {
	var first error
	for _, r := range []struct {
		reading string
		opts    regexp2.RegexOptions
	}{
		{ReadingECMAUnicode, regexp2.ECMAScript | regexp2.Unicode},
		{ReadingECMA, regexp2.ECMAScript},
	} {
		re, err := regexp2.Compile(src, r.opts)
		if err == nil {
			re.MatchTimeout = PatternTimeout
			return &Pattern{Source: src, Reading: r.reading, re: re}, nil
		}
		if first == nil {
			first = err
		}
	}
	if re, err := regexp.Compile(goPattern(src)); err == nil {
		return &Pattern{Source: src, Reading: ReadingRE2, re2: re}, nil
	}
	if re, err := regexp2.Compile(src, regexp2.None); err == nil {
		re.MatchTimeout = PatternTimeout
		return &Pattern{Source: src, Reading: ReadingPerl, re: re}, nil
	}
	return nil, fmt.Errorf("pattern %q is not an ECMA-262 regular expression (nor RE2, nor Perl): %w", src, first)
}

// Match reports whether the pattern matches s. The error wraps
// ErrPatternUndecided when the match ran out of time or stack.
func (p *Pattern) Match(s string) (bool, error) {
	if p.re2 != nil {
		return p.re2.MatchString(s), nil
	}
	ok, err := p.re.MatchString(s)
	if err != nil {
		return false, fmt.Errorf("%w: %q: %v", ErrPatternUndecided, p.Source, err)
	}
	return ok, nil
}

// MatchString is kin-openapi's RegexMatcher: an undecided match counts as
// a match, so response validation never reports legal behaviour it could
// not judge (a known false negative, for values that make a pattern
// backtrack past PatternTimeout).
func (p *Pattern) MatchString(s string) bool {
	ok, err := p.Match(s)
	return ok || err != nil
}

// Matches reports a definite match; an undecided one is not.
func (p *Pattern) Matches(s string) bool {
	ok, err := p.Match(s)
	return ok && err == nil
}

// Rejects reports a definite non-match; an undecided one is not.
func (p *Pattern) Rejects(s string) bool {
	ok, err := p.Match(s)
	return !ok && err == nil
}

// compileRegex is kin-openapi's RegexCompilerFunc for Pattern.
func compileRegex(expr string) (openapi3.RegexMatcher, error) {
	p, err := CompilePattern(expr)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// patternOption is the document validation option that compiles patterns
// as ECMA-262, and patternSchemaOption the schema (value) validation one.
var (
	patternOption       = openapi3.SetRegexCompiler(compileRegex)
	patternSchemaOption = openapi3.SetSchemaRegexCompiler(compileRegex)
)
