package spec

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
)

// rangeViolations breaks a range just outside it, every way OpenAPI
// writes one, and each break is rejected by the schema while the bound it
// passes (where inclusive) is accepted: the break is the nearest value
// outside, not any value outside.
func TestRangeViolations(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	yes := true
	for name, c := range map[string]struct {
		s    *openapi3.Schema
		want map[string]any
	}{
		"integer 1..1000": {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: f(1), Max: f(1000)},
			map[string]any{"below minimum (0 < 1)": int64(0), "above maximum (1001 > 1000)": int64(1001)}},
		"integer, 3.0 exclusive": {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: f(0), Max: f(10),
			ExclusiveMin: openapi3.ExclusiveBound{Bool: &yes}, ExclusiveMax: openapi3.ExclusiveBound{Bool: &yes}},
			map[string]any{"not above exclusive minimum (0 <= 0)": int64(0), "not below exclusive maximum (10 >= 10)": int64(10)}},
		"integer, fractional bounds": {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: f(0.5), Max: f(9.5)},
			map[string]any{"below minimum (0 < 0.5)": int64(0), "above maximum (10 > 9.5)": int64(10)}},
		"integer, 3.1 exclusive, stricter than minimum": {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: f(1), ExclusiveMin: openapi3.ExclusiveBound{Value: f(5)}},
			map[string]any{"not above exclusive minimum (5 <= 5)": int64(5)}},
		"integer, 3.1 exclusive, laxer than maximum": {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Max: f(7), ExclusiveMax: openapi3.ExclusiveBound{Value: f(9)}},
			map[string]any{"above maximum (8 > 7)": int64(8)}},
		"number": {&openapi3.Schema{Type: &openapi3.Types{"number"}, Min: f(-0.25), Max: f(3)},
			map[string]any{"below minimum (-1.25 < -0.25)": -1.25, "above maximum (4 > 3)": 4.0}},
		"number, 3.1 exclusive only": {&openapi3.Schema{Type: &openapi3.Types{"number"}, ExclusiveMin: openapi3.ExclusiveBound{Value: f(0)}},
			map[string]any{"not above exclusive minimum (0 <= 0)": 0.0}},
		"beyond 2^53": {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: f(-1 << 60), Max: f(1 << 60)}, nil},
		"at 2^53":     {&openapi3.Schema{Type: &openapi3.Types{"integer"}, Max: f(1<<53 - 1)}, nil},
		"no range":    {&openapi3.Schema{Type: &openapi3.Types{"integer"}}, nil},
		"a string":    {&openapi3.Schema{Type: &openapi3.Types{"string"}, Min: f(1)}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got := map[string]any{}
			for _, v := range rangeViolations(c.s) {
				got[v.name] = v.value
				assert.Error(t, c.s.VisitJSON(toFloat(v.value)), "%s: %v must break the schema", v.name, v.value)
			}
			if c.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, c.want, got)
			for _, b := range []*float64{c.s.Min, c.s.Max} {
				if b != nil && !c.s.ExclusiveMin.IsSet() && !c.s.ExclusiveMax.IsSet() && *b == float64(int64(*b)) {
					assert.NoError(t, c.s.VisitJSON(*b), "the bound %v itself is valid", *b)
				}
			}
		})
	}
}

// toFloat is a break's value as a JSON decoder gives it.
func toFloat(v any) any {
	if i, ok := v.(int64); ok {
		return float64(i)
	}
	return v
}
