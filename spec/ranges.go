package spec

import (
	"fmt"
	"math"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxExact bounds the numbers a range break uses: below 2^53 every
// integer is exact in a float64, so a value outside the range stays
// outside whether a reader takes it as an integer, a float64 or a
// decimal, and its text round-trips.
const maxExact = 1 << 53

// rangeViolations lists, for an integer or number schema, the number just
// below its minimum and the number just above its maximum: for an
// integer, the nearest integer outside (minimum 1: 0; maximum 1000: 1001;
// an exclusive bound itself); for a number, the bound itself when it is
// exclusive, else one less than the minimum or one more than the maximum.
// OpenAPI 3.0's boolean exclusiveMinimum and exclusiveMaximum and 3.1's
// numeric ones are both read; where 3.1 gives both bounds, the stricter
// counts. A bound, or a break, of 2^53 or more in magnitude is not broken
// (a float64 reader could round it back inside). The value is a JSON
// number (int64 for an integer, float64 for a number); on text wires it
// is sent as its text ("0", "1001"). multipleOf is not broken: a known
// false negative.
func rangeViolations(s *openapi3.Schema) []violation {
	integer := s.Type.Is(openapi3.TypeInteger)
	if !integer && !s.Type.Is(openapi3.TypeNumber) {
		return nil
	}
	var out []violation
	if lo, excl, ok := bound(s.Min, s.ExclusiveMin, math.Max); ok {
		v := lo - 1
		switch {
		case integer && excl:
			v = math.Floor(lo)
		case integer:
			v = math.Ceil(lo) - 1
		case excl:
			v = lo
		}
		if exact(v) {
			name := fmt.Sprintf("below minimum (%s < %s)", numText(v), numText(lo))
			if excl {
				name = fmt.Sprintf("not above exclusive minimum (%s <= %s)", numText(v), numText(lo))
			}
			out = append(out, violation{name, numValue(v, integer)})
		}
	}
	if hi, excl, ok := bound(s.Max, s.ExclusiveMax, math.Min); ok {
		v := hi + 1
		switch {
		case integer && excl:
			v = math.Ceil(hi)
		case integer:
			v = math.Floor(hi) + 1
		case excl:
			v = hi
		}
		if exact(v) {
			name := fmt.Sprintf("above maximum (%s > %s)", numText(v), numText(hi))
			if excl {
				name = fmt.Sprintf("not below exclusive maximum (%s >= %s)", numText(v), numText(hi))
			}
			out = append(out, violation{name, numValue(v, integer)})
		}
	}
	return out
}

// bound is a schema's lower (stricter: math.Max) or upper (math.Min)
// bound and whether it is exclusive: minimum with 3.0's boolean
// exclusiveMinimum, or 3.1's numeric exclusiveMinimum, the stricter of the
// two when both are given. ok is false when there is none, or it is not
// exact.
func bound(inclusive *float64, ex openapi3.ExclusiveBound, stricter func(a, b float64) float64) (float64, bool, bool) {
	var b float64
	var excl, ok bool
	if inclusive != nil {
		b, excl, ok = *inclusive, ex.IsTrue(), true
	}
	if ex.Value != nil {
		switch v := *ex.Value; {
		case !ok:
			b, excl, ok = v, true, true
		case stricter(b, v) == v: // equal, or stricter: exclusive wins
			b, excl = v, true
		}
	}
	if !ok || !exact(b) {
		return 0, false, false
	}
	return b, excl, true
}

func exact(v float64) bool {
	return !math.IsNaN(v) && math.Abs(v) < maxExact
}

// numValue is v as the JSON value a break sends.
func numValue(v float64, integer bool) any {
	if integer {
		return int64(v)
	}
	return v
}

func numText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
