package spec

import (
	"errors"
	"fmt"
	"sync"

	"pgregory.net/rapid"
)

// genProbes is how many strings a pattern's generator draws, with fixed
// seeds, to learn whether it can produce a match at all.
const genProbes = 200

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
// RE2 part of the pattern (re2Part; the pattern itself on the RE2 reading)
// and keeps a draw only when the whole pattern definitely matches it and
// its length fits, with rapid's bounded retries. When none of genProbes
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
	base, err := stringMatching(part)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrUngenerable, p.Source, err)
	}
	for seed := range genProbes {
		v, err := example(base, seed)
		if err != nil {
			return nil, fmt.Errorf("%w %q: its RE2 part %q yields no string: %v", ErrUngenerable, p.Source, part, err)
		}
		if fits(v) {
			return base.Filter(fits), nil
		}
	}
	bounds := fmt.Sprintf("at least %d code points", lo)
	if hi >= 0 {
		bounds = fmt.Sprintf("%d to %d code points", lo, hi)
	}
	return nil, fmt.Errorf("%w %q (%s): none of %d strings drawn from its RE2 part %q matched it", ErrUngenerable, p.Source, bounds, genProbes, part)
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
