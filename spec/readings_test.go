package spec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// TestEveryBreakIsInvalidUnderEveryReading reads every request
// Document.Invalid derives, for every operation of every bundled
// description, the ways correct endpoints are known to read requests
// (below), and asserts that no reading gives a valid request of any
// operation: each either refuses the request whole, addresses no
// operation, or reads an input its operation's schema rejects. A break
// that some reading accepts would fail invalid-input-rejected on a correct
// endpoint (docs/DESIGN.md, "What a check may demand").
//
// Readings: a form strictly (a bad escape refuses the body), skipping
// undecodable pairs (Go's url.ParseQuery, its error ignored), or keeping
// undecodable escapes as text (WHATWG, Python); a JSON body strictly, an
// empty or null body as {} (Smithy's awsJson servers, Go's json.Unmarshal)
// and a null member as absent (awsJson); a path with or without its empty
// segments (routers that clean paths); and, for every text value, an empty
// one as absent (a reader's Get).
func TestEveryBreakIsInvalidUnderEveryReading(t *testing.T) {
	docs := map[string]*spec.Document{}
	for _, dialect := range spec.Dialects {
		docs[dialect] = bundled(t, dialect)
	}
	for name, files := range map[string][2]string{
		"third-party lightsail": {"apis-guru-lightsail-bucket-keys.yaml", "overlay.yaml"},
		"third-party iam":       {"apis-guru-iam-access-keys.yaml", "iam-overlay.yaml"},
	} {
		d, err := spec.LoadFile(context.Background(), "../fixtures/thirdparty/"+files[0], "../fixtures/thirdparty/"+files[1])
		require.NoError(t, err, name)
		docs[name] = d
	}
	for dialect, d := range docs {
		for _, role := range spec.Roles {
			op := d.Op(role)
			valids := []map[string]any{d.Minimal(op, spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"})}
			for seed := range 5 {
				valids = append(valids, d.Valid(op, spec.Resources{Bucket: "bucket-under-test", KeyID: "EMULKEY0000000000001"}).Example(seed))
			}
			for _, valid := range valids {
				cases := d.Invalid(op, valid)
				require.NotEmpty(t, cases, "%s %s", dialect, op.ID)
				for _, c := range cases {
					rs := readings(d, c.Request)
					require.NotEmpty(t, rs, "%s %s: %q", dialect, op.ID, c.Name)
					for _, r := range rs {
						assert.Error(t, r.valid(), "%s %s: %q is valid when read %s", dialect, op.ID, c.Name, r.how)
					}
				}
			}
		}
	}
}

// reading is one way of reading a request: the operation it addresses
// (nil: none) and the input it reads, or refused.
type reading struct {
	how     string
	op      *spec.Operation
	input   map[string]any
	refused bool
}

// valid is nil when the reading gives a valid request of op.
func (r reading) valid() error {
	switch {
	case r.refused:
		return errRefused
	case r.op == nil:
		return errNoOperation
	case r.op.Input == nil:
		return nil
	}
	return r.op.Input.VisitJSON(r.input)
}

type readErr string

func (e readErr) Error() string { return string(e) }

const (
	errRefused     = readErr("refused whole")
	errNoOperation = readErr("addresses no operation")
)

// readings lists the readings of req on d's wire.
func readings(d *spec.Document, req spec.Request) []reading {
	var out []reading
	switch d.Binding.ProtocolName() {
	case spec.ProtocolQuery:
		for how, form := range formReadings(string(req.Body)) {
			out = append(out, queryReadings(d, how, form)...)
		}
	case spec.ProtocolRPC:
		op, _ := d.ByTarget(req.Header.Get(d.OperationHeader()))
		for how, body := range jsonReadings(req.Body) {
			out = append(out, reading{how: how, op: op, input: body, refused: body == nil})
		}
	default:
		out = restReadings(d, req)
	}
	return out
}

// formReadings reads a form body three ways; a strict reader that refuses
// it gives nil.
func formReadings(body string) map[string]url.Values {
	strict, err := url.ParseQuery(body)
	skipped := strict
	if err != nil {
		strict = nil
	}
	literal := url.Values{}
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		literal.Add(lenientUnescape(k), lenientUnescape(v))
	}
	return map[string]url.Values{"strictly": strict, "skipping undecodable pairs": skipped, "keeping undecodable escapes": literal}
}

// lenientUnescape is WHATWG's percent-decoding of a form value: "+" is a
// space, %XX a byte, and a "%" not followed by two hex digits stays.
func lenientUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// queryReadings reads a decoded form as the query protocol's operation
// and input, with empty values as they are and as absent.
func queryReadings(d *spec.Document, how string, form url.Values) []reading {
	if form == nil {
		return []reading{{how: how, refused: true}}
	}
	t, err := spec.QueryTargetOf(d.Binding)
	if err != nil {
		panic(err) // a loaded document's binding passed the query wire's check
	}
	op, _ := d.ByTarget(form.Get(t.Member))
	for k, v := range t.Fixed {
		if form.Get(k) != v {
			op = nil
		}
	}
	var out []reading
	for _, emptyAbsent := range []bool{false, true} {
		in := map[string]any{}
		if op != nil && op.Input != nil {
			for name, p := range op.Input.Properties {
				vs, ok := form[name]
				if !ok || emptyAbsent && vs[0] == "" || p.Value == nil {
					continue
				}
				in[name] = typedText(p.Value, vs[0])
			}
		}
		out = append(out, reading{how: how + emptyNote(emptyAbsent), op: op, input: in})
	}
	return out
}

func emptyNote(emptyAbsent bool) string {
	if emptyAbsent {
		return ", empty values as absent"
	}
	return ""
}

// typedText is a text value as a reader that knows the schema takes it: a
// number or boolean where the text is one, else the text.
func typedText(s *openapi3.Schema, text string) any {
	switch {
	case s.Type.Is(openapi3.TypeInteger), s.Type.Is(openapi3.TypeNumber):
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	case s.Type.Is(openapi3.TypeBoolean):
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
	}
	return text
}

// jsonReadings reads a JSON body strictly, an empty or null body as {},
// and null members as absent; nil for a body refused (not a JSON object).
func jsonReadings(body []byte) map[string]map[string]any {
	out := map[string]map[string]any{}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		out["as the empty input"] = map[string]any{}
		out["strictly"] = nil
		return out
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(&v)
	m, isObject := v.(map[string]any)
	if err != nil || dec.More() || !isObject {
		out["strictly"] = nil
		return out
	}
	out["strictly"] = roundTripMap(m)
	absent := map[string]any{}
	for k, x := range m {
		if x != nil {
			absent[k] = x
		}
	}
	out["null members as absent"] = roundTripMap(absent)
	return out
}

func roundTripMap(m map[string]any) map[string]any {
	raw, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// restReadings reads a REST request as each bound operation whose method
// and path template match it, with the path as sent and with its empty
// segments removed, query and header values as they are and empty as
// absent, and the body as jsonReadings does. No match addresses no
// operation.
func restReadings(d *spec.Document, req spec.Request) []reading {
	var out []reading
	paths := map[string]string{"": req.Path}
	if clean := cleanPath(req.Path); clean != req.Path {
		paths[", path cleaned"] = clean
	}
	query, _ := url.ParseQuery(req.Query)
	for pathNote, path := range paths {
		for _, role := range spec.Roles {
			op := d.Op(role)
			params, ok := matchTemplate(op.Template, path)
			if !ok || op.Method != req.Method {
				continue
			}
			bodies := map[string]map[string]any{"": {}}
			if op.MediaType != "" {
				bodies = jsonReadings(req.Body)
			}
			for bodyNote, body := range bodies {
				for _, emptyAbsent := range []bool{false, true} {
					how := "body " + bodyNote + pathNote + emptyNote(emptyAbsent)
					if body == nil {
						out = append(out, reading{how: how, op: op, refused: true})
						continue
					}
					in := map[string]any{}
					for k, v := range body {
						in[k] = v
					}
					for _, p := range op.Params {
						var text string
						var present bool
						switch p.In {
						case "path":
							text, present = params[p.Name]
						case "query":
							text, present = query.Get(p.Name), query.Has(p.Name)
						case "header":
							text, present = req.Header.Get(p.Name), len(req.Header.Values(p.Name)) > 0
						}
						if !present || emptyAbsent && text == "" {
							continue
						}
						in[p.Name] = typedText(p.Schema, text)
					}
					out = append(out, reading{how: how, op: op, input: in})
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, reading{how: "as routed"})
	}
	return out
}

// cleanPath drops empty segments, as routers that clean paths do.
func cleanPath(p string) string {
	var segs []string
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return "/" + strings.Join(segs, "/")
}

// matchTemplate matches whole-segment {parameters} of a template against
// an escaped path, and returns their decoded values (an empty segment
// is an empty value: some routers match it).
func matchTemplate(template, path string) (map[string]string, bool) {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range ts {
		if name, ok := strings.CutPrefix(seg, "{"); ok && strings.HasSuffix(name, "}") {
			v, err := url.PathUnescape(ps[i])
			if err != nil {
				return nil, false
			}
			params[strings.TrimSuffix(name, "}")] = v
			continue
		}
		if seg != ps[i] {
			return nil, false
		}
	}
	return params, true
}
