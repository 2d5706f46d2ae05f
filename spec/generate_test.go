package spec_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/spec"
)

func bundled(t *testing.T, dialect string) *spec.Document {
	t.Helper()
	d, err := spec.Bundled(dialect)
	require.NoError(t, err)
	return d
}

// roundTrip gives a body as the wire carries it (JSON numbers as float64),
// so that schema validation sees what an endpoint would.
func roundTrip(t require.TestingT, v any) any {
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// Every generated valid body satisfies its request schema, with resources
// bound where the binding says.
func TestValidBodiesSatisfyTheirSchema(t *testing.T) {
	for _, dialect := range spec.Dialects {
		d := bundled(t, dialect)
		for _, role := range spec.Roles {
			op := d.Op(role)
			t.Run(dialect+"/"+string(role), rapid.MakeCheck(func(t *rapid.T) {
				body := d.Valid(op, spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"}).Draw(t, "body")
				if err := op.Input.VisitJSON(roundTrip(t, body)); err != nil {
					t.Fatalf("Valid(%s) = a body its schema rejects: %v", op.ID, err)
				}
				if v, ok := spec.Pointer(body, d.Binding.Request.Bucket); ok {
					if v != "bucket-under-test" {
						t.Fatalf("Valid(%s) bucket = %v, want the bound bucket", op.ID, v)
					}
				}
			}))
		}
	}
}

// Every invalid member case breaks its schema; body and target cases are
// what they say.
func TestInvalidBodiesBreakTheirSchema(t *testing.T) {
	for _, dialect := range spec.Dialects {
		d := bundled(t, dialect)
		for _, role := range spec.Roles {
			op := d.Op(role)
			t.Run(dialect+"/"+string(role), func(t *testing.T) {
				valid := d.Minimal(op, spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"})
				require.NoError(t, op.Input.VisitJSON(roundTrip(t, valid)), "Minimal(%s) must be valid", op.ID)
				cases := d.Invalid(op, valid)
				names := map[string]bool{}
				for _, c := range cases {
					assert.False(t, names[c.Name], "duplicate case %q", c.Name)
					names[c.Name] = true
					if c.Wire {
						continue // the wire's own cases: broken by construction
					}
					err := op.Input.VisitJSON(roundTrip(t, c.Request.Input), openapi3.MultiErrors())
					assert.Error(t, err, "Invalid(%s) case %q passes its schema", op.ID, c.Name)
				}
				// Breaks that an endpoint may read as a valid request unless
				// a member is required (an empty or null body, an
				// undecodable escape) are sent only where one is.
				required := op.Input != nil && len(op.Input.Required) > 0
				switch {
				case d.Binding.ProtocolName() == spec.ProtocolRPC:
					assert.Contains(t, names, "body: malformed JSON")
					assert.Contains(t, names, "target: missing")
					assert.Equal(t, required, names["body: empty"], "body: empty")
					assert.Equal(t, required, names["body: JSON null"], "body: JSON null")
				case d.Binding.ProtocolName() == spec.ProtocolQuery:
					malformed := false
					for n := range names {
						malformed = malformed || strings.HasPrefix(n, "body: malformed form encoding (an undecodable escape in ")
					}
					assert.Equal(t, required, malformed, "body: malformed form encoding")
					assert.NotContains(t, names, "body: malformed form encoding", "no stray undecodable pair")
					assert.Contains(t, names, "body: empty")
					assert.Contains(t, names, "action: missing")
				case op.MediaType != "":
					assert.Contains(t, names, "body: malformed JSON")
					assert.Contains(t, names, "route: unknown path")
				default:
					assert.NotContains(t, names, "body: malformed JSON", "%s declares no body", op.ID)
					assert.Contains(t, names, "route: unknown path")
				}
			})
		}
	}
}

func TestErrorCodeTrimsAWSTypes(t *testing.T) {
	for in, want := range map[string]string{
		"NotFoundException":                                           "NotFoundException",
		"com.amazonaws.lightsail#NotFoundException":                   "NotFoundException",
		"com.amazonaws.lightsail#NotFoundException:http://internal/x": "NotFoundException",
		"InvalidInputException:":                                      "InvalidInputException",
	} {
		assert.Equal(t, want, spec.TrimAWSType(in), "TrimAWSType(%q)", in)
	}
}
