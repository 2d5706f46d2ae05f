package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"go.yaml.in/yaml/v4"
)

// Document is a loaded, validated description together with its binding,
// resolved once: every role's operation, route, request schema and wire
// target are looked up at load time, never per request.
type Document struct {
	// Name says where the document came from: "bundled:aws", a file path.
	Name    string
	T       *openapi3.T
	Binding Binding

	byRole   map[Role]*Operation
	byTarget map[string]*Operation
	wire     Wire
	// dataOp is the operation the data section names (data.caller), nil
	// for none; data is the document's probe of its data plane.
	dataOp *Operation
	data   Probe
}

// Operation is one bound operation of a Document.
type Operation struct {
	Role   Role
	ID     string // operationId
	Target string // the target header's value
	Method string
	// Path is the document's path with any "#fragment" removed: what is
	// actually sent on the wire.
	Path string
	// Route is what openapi3filter validates responses against. It is built
	// here from the binding's target rule, never by matching request paths.
	Route *routers.Route
	// MediaType is the request media type the document declares, and
	// ContentType the one sent on the wire (they differ when the binding's
	// wire.contentType says so).
	MediaType   string
	ContentType string
	// Request is the request body's schema (nil when the document gives
	// none), and BodyRequired whether the document requires a body.
	Request      *openapi3.Schema
	BodyRequired bool
	// Template is the path as the document declares it (its "#fragment"
	// removed), with {parameters}; Params are the path, query and header
	// parameters sent (on wires that send parameters).
	Template string
	Params   []Param
	// Input is the schema of the operation's input: the body's members and
	// the parameters, in one object (see Wire). It is Request when the
	// operation sends no parameters.
	Input *openapi3.Schema

	minimalOnce sync.Once
	minimal     map[string]any // the generated required members, see Minimal
	respOnce    sync.Once
	respMedia   string   // ResponseMediaType
	medias      sync.Map // mediaKey -> foundMedia, see media
	nmedias     atomic.Int64
}

// Op returns the operation bound to role. Every role is bound in a loaded
// Document.
func (d *Document) Op(r Role) *Operation { return d.byRole[r] }

// ByTarget returns the operation whose target header value is target.
func (d *Document) ByTarget(target string) (*Operation, bool) {
	op, ok := d.byTarget[target]
	return op, ok
}

// Load parses and validates an OpenAPI 3 document with kin-openapi, takes its
// binding from overlay (when non-nil, YAML or JSON) or else from the
// document's x-keycontract extension, applies the binding's declared wire
// differences, and resolves every role. All problems are reported with the
// document's name; none quotes a request or response value.
func Load(ctx context.Context, name string, data, overlay []byte) (*Document, error) {
	t, err := Parse(ctx, name, data)
	if err != nil {
		return nil, err
	}
	raw, err := bindingJSON(t, overlay)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	b, err := ParseBinding(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return LoadBound(name, t, b)
}

// Parse parses and validates an OpenAPI 3 document with kin-openapi,
// without looking for a binding (see LoadBound). Every schema pattern is
// compiled as ECMA-262 (see Pattern): a pattern Go's RE2 rejects, such as
// a lookahead, loads.
func Parse(ctx context.Context, name string, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	t, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not an OpenAPI document: %w", name, err)
	}
	// Patterns are ECMA-262, as OpenAPI defines them (CompilePattern).
	if err := t.Validate(ctx, openapi3.DisableExamplesValidation(), patternOption); err != nil {
		return nil, fmt.Errorf("%s: invalid OpenAPI document: %w", name, err)
	}
	return t, nil
}

// LoadBound validates b, applies its declared wire differences to the
// parsed document t and resolves every role: Load for a binding that comes
// from elsewhere (an inferred one, completed by an overlay: MergeBinding).
// t must not be shared: the wire differences rewrite it.
func LoadBound(name string, t *openapi3.T, b Binding) (*Document, error) {
	if b.Limit == 0 {
		b.Limit = DefaultLimit
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if b.Wire.Timestamps == "epoch-seconds" {
		numberTimestamps(t)
	}
	if err := fixSchemas(context.Background(), t, b.Wire.Schemas); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &Document{Name: name, T: t, Binding: b, byRole: map[Role]*Operation{}, byTarget: map[string]*Operation{}}
	var err error
	if d.wire, err = newWire(d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := d.resolve(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if d.data, err = openData(d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := d.checkGenerable(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// HasExtension reports whether t carries an x-keycontract binding.
func HasExtension(t *openapi3.T) bool {
	_, ok := t.Extensions[ExtensionName]
	return ok
}

// OverlayJSON converts an overlay file (YAML or JSON, the binding at its top
// level or under x-keycontract) to the binding's JSON object.
func OverlayJSON(overlay []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(overlay, &v); err != nil {
		return nil, fmt.Errorf("binding overlay: %w", err)
	}
	if m, ok := v.(map[string]any); ok {
		if inner, ok := m[ExtensionName]; ok {
			v = inner
		}
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("binding overlay: not a mapping")
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("binding overlay: %w", err)
	}
	return out, nil
}

// MergeBinding lays the overlay (the JSON of OverlayJSON) over base field by
// field: every field the overlay names replaces base's, maps are merged key
// by key (operations.createKey alone keeps base's other roles), lists are
// replaced whole, and fields it does not name keep base's value. base is
// not modified.
func MergeBinding(base Binding, overlay []byte) (Binding, error) {
	raw, err := json.Marshal(base)
	if err != nil {
		return Binding{}, fmt.Errorf("binding: %w", err)
	}
	var out Binding
	if err := json.Unmarshal(raw, &out); err != nil { // a deep copy
		return Binding{}, fmt.Errorf("binding: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(overlay))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return Binding{}, fmt.Errorf("binding overlay: %w", err)
	}
	return out, nil
}

// LoadFile loads the document at path, with the overlay at bindingPath when
// that is not empty.
func LoadFile(ctx context.Context, path, bindingPath string) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	var overlay []byte
	if bindingPath != "" {
		if overlay, err = os.ReadFile(bindingPath); err != nil {
			return nil, fmt.Errorf("binding: %w", err)
		}
	}
	return Load(ctx, path, data, overlay)
}

// bindingJSON returns the binding as JSON, from the overlay or the extension.
func bindingJSON(t *openapi3.T, overlay []byte) ([]byte, error) {
	if overlay != nil {
		return OverlayJSON(overlay)
	}
	ext, ok := t.Extensions[ExtensionName]
	if !ok {
		return nil, fmt.Errorf("no %s extension and no -binding overlay: the harness cannot tell which operation creates, lists and deletes keys", ExtensionName)
	}
	return json.Marshal(ext)
}

func (d *Document) resolve() error {
	ids := map[string]*Operation{}
	for path, item := range d.T.Paths.Map() {
		for method, o := range item.Operations() {
			if o.OperationID == "" {
				continue
			}
			wirePath, _, _ := strings.Cut(path, "#")
			if wirePath == "" {
				wirePath = "/"
			}
			ids[o.OperationID] = &Operation{
				ID: o.OperationID, Method: method, Path: wirePath,
				Route: &routers.Route{Spec: d.T, Path: path, PathItem: item, Method: method, Operation: o},
			}
		}
	}
	var errs []error
	for _, r := range Roles {
		op, ok := ids[d.Binding.Operations[r]]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: operations.%s = %q: no such operationId", ErrBinding, r, d.Binding.Operations[r]))
			continue
		}
		op.Role, op.Template = r, op.Path
		if err := d.wire.Resolve(op); err != nil {
			errs = append(errs, err)
		}
		if op.Target != "" {
			d.byTarget[op.Target] = op
		}
		d.byRole[r] = op
	}
	if c := d.Binding.Data.Caller; c != nil && c.Operation != "" {
		op, ok := ids[c.Operation]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%w: data.caller.operation = %q: no such operationId", ErrBinding, c.Operation))
		case op.Role != "":
			errs = append(errs, fmt.Errorf("%w: data.caller.operation = %q is the %s operation", ErrBinding, c.Operation, op.Role))
		default:
			op.Template = op.Path
			if err := d.wire.Resolve(op); err != nil {
				errs = append(errs, err)
			}
			d.dataOp = op
		}
	}
	return errors.Join(errs...)
}

// fragmentName is the value an operation's path gives, as its
// "#fragment", to a name the wire accepts: how descriptions name an
// operation whose requests all go to one path ("/#Name=Value", the wire
// accepting Name). The fragment never reaches a server.
func fragmentName(op *Operation, accepts func(name string) bool) (string, bool) {
	_, frag, _ := strings.Cut(op.Route.Path, "#")
	for _, pair := range strings.Split(frag, "&") {
		if name, value, ok := strings.Cut(pair, "="); ok && value != "" && accepts(name) {
			return value, true
		}
	}
	return "", false
}

// numberTimestamps rewrites every string/date-time schema reachable from the
// components and paths to a JSON number: the binding declared that the wire
// sends epoch seconds where the document says date-time.
func numberTimestamps(t *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Type.Is(openapi3.TypeString) && s.Format == "date-time" {
			s.Type = &openapi3.Types{openapi3.TypeNumber}
			s.Format = ""
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
			for _, sub := range group {
				walk(sub)
			}
		}
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema)
		}
	}
	if t.Components != nil {
		for _, s := range t.Components.Schemas {
			walk(s)
		}
	}
	for _, item := range t.Paths.Map() {
		for _, o := range item.Operations() {
			for _, r := range o.Responses.Map() {
				if r.Value != nil {
					for _, c := range r.Value.Content {
						walk(c.Schema)
					}
				}
			}
		}
	}
}
