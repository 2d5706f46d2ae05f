package spec

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"sync"

	"pgregory.net/rapid"
)

// genProbes is how many strings a pattern's generator draws, with fixed
// seeds, to learn whether it can produce a match at all, and genEnough how
// many of them must fit for the RE2 part to be drawn from as it is (else
// its repeat is narrowed to the lengths: boundRepeat).
const (
	genProbes = 200
	genEnough = 10
)

type genKey struct{ lo, hi int }

// genInfo is what Pattern.strings learned about one length range.
type genInfo struct {
	once sync.Once
	gen  *rapid.Generator[string]
	err  error
}

// ErrUngenerable wraps a pattern (with its length bounds) for which
// generation found no valid string.
var ErrUngenerable = errors.New("no string generated for the pattern")

// Strings is a generator of strings the pattern matches whose length in
// code points is in [lo, hi] (hi < 0: no upper bound). It draws from the
// RE2 part of the pattern (re2Part; the pattern itself on the RE2 reading),
// its repeat narrowed to the lengths when few draws fit them otherwise, and
// keeps a draw only when the whole pattern definitely matches it and its
// length fits, with rapid's bounded retries. When none of genProbes
// draws with fixed seeds is kept, it returns an error wrapping
// ErrUngenerable that says so, rather than a generator that would retry
// for ever. The result is computed once per pattern and length range.
//
// Known false negative: a pattern whose valid strings RE2's part rarely
// produces (a lookahead that excludes most of them) is generated from the
// few it does, and may be reported ungenerable though valid strings exist.
func (p *Pattern) Strings(lo, hi int) (*rapid.Generator[string], error) {
	v, _ := p.gen.LoadOrStore(genKey{lo, hi}, &genInfo{})
	info := v.(*genInfo)
	info.once.Do(func() { info.gen, info.err = p.strings(lo, hi) })
	return info.gen, info.err
}

func (p *Pattern) strings(lo, hi int) (*rapid.Generator[string], error) {
	part := goPattern(p.Source)
	if p.re2 == nil {
		var ok bool
		if part, ok = re2Part(p.Source, p.Reading == ReadingECMAUnicode); !ok {
			return nil, fmt.Errorf("%w %q: RE2 cannot express any part of it (%s reading)", ErrUngenerable, p.Source, p.Reading)
		}
	}
	fits := func(v string) bool {
		n := len([]rune(v))
		return n >= lo && (hi < 0 || n <= hi) && p.Matches(v)
	}
	// The RE2 part as it is, unless too few of its draws fit the lengths;
	// then its repeat narrowed to them.
	bounded := boundRepeat(part, lo, hi)
	for _, expr := range []string{part, bounded} {
		base, err := stringMatching(expr)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrUngenerable, p.Source, err)
		}
		kept, err := probe(base, fits)
		if err != nil {
			return nil, fmt.Errorf("%w %q: its RE2 part %q yields no string: %v", ErrUngenerable, p.Source, expr, err)
		}
		if kept >= genEnough || kept > 0 && expr == bounded {
			return base.Filter(fits), nil
		}
	}
	bounds := fmt.Sprintf("at least %d code points", lo)
	if hi >= 0 {
		bounds = fmt.Sprintf("%d to %d code points", lo, hi)
	}
	return nil, fmt.Errorf("%w %q (%s): none of %d strings drawn from its RE2 part %q matched it", ErrUngenerable, p.Source, bounds, genProbes, bounded)
}

// probe draws genProbes strings from g with fixed seeds and counts those
// keep accepts; an error means g yields no string at all.
func probe(g *rapid.Generator[string], keep func(string) bool) (int, error) {
	kept := 0
	for seed := range genProbes {
		v, err := example(g, seed)
		if err != nil {
			return 0, err
		}
		if keep(v) {
			kept++
		}
	}
	return kept, nil
}

// stringMatching is rapid.StringMatching, with its panic on a pattern it
// cannot read turned into an error.
func stringMatching(expr string) (g *rapid.Generator[string], err error) {
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return rapid.StringMatching(expr), nil
}

// example is g.Example(seed), with its panic (a regexp no string matches)
// turned into an error.
func example(g *rapid.Generator[string], seed int) (v string, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = "", fmt.Errorf("%v", r)
		}
	}()
	return g.Example(seed), nil
}

// boundRepeat narrows a pattern that is one repeated character ("[\w+=,.@-]+",
// "^[A-Z0-9]{20}$") to the lengths [lo, hi] (hi < 0: none), so that a
// schema's minLength and maxLength are drawn, not hoped for: a string of
// exactly 48 characters is rarely drawn from "[:\w]+". Any other pattern is
// returned as it is, and its lengths are left to the filter.
func boundRepeat(part string, lo, hi int) string {
	re, err := syntax.Parse(part, syntax.Perl)
	if err != nil {
		return part
	}
	target := re
	if re.Op == syntax.OpConcat {
		target = nil
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine:
				continue
			}
			if target != nil {
				return part
			}
			target = sub
		}
	}
	if target == nil {
		return part
	}
	lower, upper := 0, -1
	switch target.Op {
	case syntax.OpStar:
	case syntax.OpPlus:
		lower = 1
	case syntax.OpRepeat:
		lower, upper = target.Min, target.Max
	default:
		return part
	}
	switch one := target.Sub[0]; {
	case one.Op == syntax.OpCharClass, one.Op == syntax.OpAnyChar, one.Op == syntax.OpAnyCharNotNL:
	case one.Op == syntax.OpLiteral && len(one.Rune) == 1:
	default:
		return part
	}
	lower = max(lower, lo)
	if hi >= 0 && (upper < 0 || hi < upper) {
		upper = hi
	}
	if upper > 1000 || upper < 0 && lower > 0 {
		upper = max(lower, min(1000, max(upper, lower+64)))
	}
	if upper >= 0 && lower > upper || lower == target.Min && upper == target.Max && target.Op == syntax.OpRepeat {
		return part // nothing to narrow, or nothing fits
	}
	target.Op, target.Min, target.Max, target.Flags = syntax.OpRepeat, lower, upper, target.Flags&^syntax.NonGreedy
	return re.String()
}
