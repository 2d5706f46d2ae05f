package spec

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// uEscape is an ECMA-262 \uXXXX escape, which Go's regexp lacks.
var uEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// goPattern is a pattern in Go's regexp syntax as kin-openapi reads it:
// \uXXXX becomes \x{XXXX} (AWS conversions write '\u002F[\u0021-\u007F]*'),
// and nothing else changes. It is Pattern's third reading.
func goPattern(p string) string { return uEscape.ReplaceAllString(p, `\x{$1}`) }

// ecmaSpace is ECMA-262's WhiteSpace and LineTerminator, what \s matches,
// as the inside of a Go character class.
const ecmaSpace = `\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}`

// ecmaPropertyNames are ECMA-262's long general category names that RE2
// only knows by their short ones.
var ecmaPropertyNames = map[string]string{
	"Letter": "L", "Cased_Letter": "LC", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
	"Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
	"Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P", "Symbol": "S", "Math_Symbol": "Sm",
	"Currency_Symbol": "Sc", "Separator": "Z", "Space_Separator": "Zs", "Other": "C", "Control": "Cc", "Format": "Cf",
}

// re2Part is the part of an ECMA-262 pattern RE2 can express, in Go's
// syntax, for generation: strings drawn from it are then kept only when
// the pattern itself matches them (see Pattern.strings). It reads the
// pattern as ECMA-262 does: \s and `.` are ECMA's, \uXXXX, \u{...}, \xHH,
// \cX and \0 are code points, [^] is any character and [] none, a lone {
// or } is literal, and inside a class [ is literal (never a POSIX class).
// Lookarounds are dropped and backreferences match nothing extra, so the
// part accepts more than the pattern (a lookahead's exclusions are left to
// the filter) or, for a backreference, other strings; repeat counts above
// RE2's 1000 are cut to it. ok is false when the result does not parse as
// RE2 (an unknown \p name, say).
func re2Part(src string, unicodeMode bool) (string, bool) {
	rs := []rune(src)
	var b strings.Builder
	inClass, classStart := false, false
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if inClass {
			switch {
			case classStart && c == '^' && i+1 < len(rs) && rs[i+1] == ']':
				b.WriteString(`\x{0}-\x{10FFFF}]`)
				i++
				inClass = false
				continue
			case classStart && c == ']':
				b.WriteString(`^\x{0}-\x{10FFFF}]`)
				inClass = false
				continue
			case classStart && c == '^':
				b.WriteByte('^')
				classStart = false
				continue
			}
			classStart = false
			switch c {
			case ']':
				b.WriteByte(']')
				inClass = false
			case '\\':
				i = re2Escape(&b, rs, i, true, unicodeMode)
			case '[', '^', '&', '~':
				b.WriteString(`\` + string(c))
			default:
				b.WriteRune(c)
			}
			continue
		}
		switch c {
		case '[':
			b.WriteByte('[')
			inClass, classStart = true, true
		case '\\':
			i = re2Escape(&b, rs, i, false, unicodeMode)
		case '.':
			b.WriteString(`[^\n\r\x{2028}\x{2029}]`)
		case '(':
			rest := string(rs[i+1:])
			switch {
			case strings.HasPrefix(rest, "?=") || strings.HasPrefix(rest, "?!") || strings.HasPrefix(rest, "?<=") || strings.HasPrefix(rest, "?<!"):
				i = skipQuantifier(rs, groupEnd(rs, i))
			case strings.HasPrefix(rest, "?<"):
				b.WriteString("(?P<")
				i += 2
			default:
				b.WriteByte('(')
			}
		case '{':
			if n := quantifierLen(rs, i); n > 0 {
				b.WriteString(clampRepeat(string(rs[i : i+n])))
				i += n - 1
			} else {
				b.WriteString(`\{`)
			}
		case '}':
			b.WriteString(`\}`)
		case '^', '$', '|', ')', '*', '+', '?':
			b.WriteRune(c)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	out := b.String()
	if _, err := syntax.Parse(out, syntax.Perl); err != nil {
		return "", false
	}
	return out, true
}

// re2Escape writes the escape at rs[i] ('\\') in Go's syntax and returns
// the index of its last rune.
func re2Escape(b *strings.Builder, rs []rune, i int, inClass, unicodeMode bool) int {
	if i+1 >= len(rs) {
		b.WriteString(`\\`)
		return i
	}
	c := rs[i+1]
	hex := func(from, n int) (rune, bool) {
		if from+n > len(rs) {
			return 0, false
		}
		v, err := strconv.ParseUint(string(rs[from:from+n]), 16, 32)
		return rune(v), err == nil
	}
	point := func(r rune) { fmt.Fprintf(b, `\x{%X}`, r) }
	switch {
	case strings.ContainsRune("dDwWtnfrv", c):
		b.WriteString(`\` + string(c))
	case c == 'b' || c == 'B':
		if inClass {
			point(8)
		} else {
			b.WriteString(`\` + string(c))
		}
	case c == 's' || c == 'S':
		switch {
		case inClass && c == 's':
			b.WriteString(ecmaSpace)
		case inClass:
			b.WriteString(`\S`)
		case c == 's':
			b.WriteString("[" + ecmaSpace + "]")
		default:
			b.WriteString("[^" + ecmaSpace + "]")
		}
	case c == 'u' && i+2 < len(rs) && rs[i+2] == '{' && unicodeMode:
		end := closing(rs, i+3, '}')
		if end < 0 {
			b.WriteString("u")
			return i + 1
		}
		if v, ok := hex(i+3, end-i-3); ok {
			point(v)
		}
		return end
	case c == 'u':
		v, ok := hex(i+2, 4)
		if !ok {
			b.WriteString("u")
			return i + 1
		}
		if lo, ok2 := hex(i+8, 4); ok2 && unicodeMode && utf16High(v) && i+7 < len(rs) && rs[i+6] == '\\' && rs[i+7] == 'u' && utf16Low(lo) {
			point((v-0xD800)<<10 + (lo - 0xDC00) + 0x10000)
			return i + 11
		}
		point(v)
		return i + 5
	case c == 'x':
		if v, ok := hex(i+2, 2); ok {
			point(v)
			return i + 3
		}
		b.WriteString("x")
	case c == 'c' && i+2 < len(rs) && rs[i+2] < unicode.MaxASCII && unicode.IsLetter(rs[i+2]):
		point(rs[i+2] % 32)
		return i + 2
	case c == '0' && (i+2 >= len(rs) || !unicode.IsDigit(rs[i+2])):
		point(0)
	case c >= '1' && c <= '9' || c == 'k' && unicodeMode:
		// A backreference: RE2 has none; it matches nothing here, and the
		// filter keeps what the pattern accepts.
		j := i + 1
		for j+1 < len(rs) && unicode.IsDigit(rs[j+1]) {
			j++
		}
		if c == 'k' {
			if end := closing(rs, j, '>'); end >= 0 {
				j = end
			}
		}
		return j
	case (c == 'p' || c == 'P') && unicodeMode && i+2 < len(rs) && rs[i+2] == '{':
		end := closing(rs, i+3, '}')
		if end < 0 {
			b.WriteString(string(c))
			return i + 1
		}
		name := string(rs[i+3 : end])
		if _, v, ok := strings.Cut(name, "="); ok {
			name = v
		}
		if short, ok := ecmaPropertyNames[name]; ok {
			name = short
		}
		fmt.Fprintf(b, `\%c{%s}`, c, name)
		return end
	case c < utf8.RuneSelf && (unicode.IsPunct(c) || unicode.IsSymbol(c)):
		// Go takes any escaped ASCII punctuation as itself.
		b.WriteString(`\` + string(c))
	default:
		// Annex B: an identity escape of a letter or digit is itself.
		b.WriteString(regexp.QuoteMeta(string(c)))
	}
	return i + 1
}

func utf16High(r rune) bool { return r >= 0xD800 && r <= 0xDBFF }
func utf16Low(r rune) bool  { return r >= 0xDC00 && r <= 0xDFFF }

// groupEnd returns the index of the ) that closes the group opened at
// rs[open], or the last index when it is not closed.
func groupEnd(rs []rune, open int) int {
	depth, inClass := 0, false
	for i := open; i < len(rs); i++ {
		switch c := rs[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(rs) - 1
}

// skipQuantifier returns the index of the last rune of a quantifier after
// rs[i], or i when there is none.
func skipQuantifier(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '*', '+', '?':
		i++
	case '{':
		if n := quantifierLen(rs, i+1); n > 0 {
			i += n
		}
	default:
		return i
	}
	if i+1 < len(rs) && rs[i+1] == '?' {
		i++
	}
	return i
}

var (
	quantifierRE = regexp.MustCompile(`^\{[0-9]+(,[0-9]*)?\}`)
	digitsRE     = regexp.MustCompile(`[0-9]+`)
)

// closing is the index of the first want at or after rs[from], or -1.
func closing(rs []rune, from int, want rune) int {
	for j := from; j < len(rs); j++ {
		if rs[j] == want {
			return j
		}
	}
	return -1
}

// quantifierLen is the length of a {n}, {n,} or {n,m} quantifier at
// rs[i], or 0 when the { is a literal (Annex B).
func quantifierLen(rs []rune, i int) int {
	return len(quantifierRE.FindString(string(rs[i:min(len(rs), i+24)])))
}

// clampRepeat cuts the counts of a {n,m} quantifier to RE2's 1000.
func clampRepeat(q string) string {
	return digitsRE.ReplaceAllStringFunc(q, func(n string) string {
		if v, err := strconv.Atoi(n); err != nil || v > 1000 {
			return "1000"
		}
		return n
	})
}
