package infer

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// wire infers the protocol, the target rule, the authentication and the
// document's known differences from its wire.
func (x *inference) wire() {
	b, r := &x.r.Binding, x.r
	ck := x.chosen[spec.CreateKey].op
	switch {
	case ck.header != "":
		x.protocol = spec.ProtocolRPC
		b.Protocol = spec.ProtocolRPC
		b.Target = spec.RPCTarget{Header: ck.header, Prefix: ck.prefix}.Rule()
		r.note("protocol", "rpc", fmt.Sprintf("%s names its operation in header %s (%s)", ck.id, ck.header, route(ck)))
		r.note("target", ck.header+" "+targetValue(ck), "header value is prefix.operationId")
		for _, role := range spec.Roles {
			if c := x.chosen[role]; c != nil && (c.op.name != c.op.id || c.op.prefix != ck.prefix) {
				x.r.Problems = append(x.r.Problems, Problem{Field: "target", Message: fmt.Sprintf("%s's target %s is not %s.%s: the binding names targets by operationId", c.op.id, targetValue(c.op), ck.prefix, c.op.id)})
			}
		}
	case ck.action:
		x.protocol = spec.ProtocolQuery
		b.Protocol = spec.ProtocolQuery
		version := x.t.Info.Version
		how := "info.version"
		for _, p := range ck.o.Parameters {
			if p.Value != nil && p.Value.Name == "Version" && p.Value.Schema != nil && p.Value.Schema.Value != nil && len(p.Value.Schema.Value.Enum) == 1 {
				version, how = fmt.Sprint(p.Value.Schema.Value.Enum[0]), "the Version parameter's enum"
			}
		}
		b.Target = spec.QueryTarget{Member: "Action", Fixed: map[string]string{"Version": version}}.Rule()
		r.note("protocol", "query", fmt.Sprintf("%s is addressed by form member Action (%s)", ck.id, route(ck)))
		r.note("target", "Action, Version="+version, "Version from "+how)
	default:
		x.protocol = spec.ProtocolREST
		b.Protocol = spec.ProtocolREST
		r.note("protocol", "rest", fmt.Sprintf("no target header or Action: %s is addressed by %s", ck.id, route(ck)))
	}

	b.Auth, r.Notes = auth(x.t, r.Notes)
	if b.Auth == "sigv4" {
		if svc, from := signingName(x.t); svc != "" && svc != "lightsail" {
			b.Service = svc
			r.note("service", svc, "the SigV4 signing name, from "+from)
		}
	}

	// awsJson: a target header with SigV4, an x-amz-json media type or an
	// __type error member.
	media := requestMedia(ck)
	x.awsJSON = x.protocol == spec.ProtocolRPC && (b.Auth == "sigv4" || strings.Contains(media, "x-amz-json") || x.mentionsType())
	for _, role := range spec.Roles {
		if c := x.chosen[role]; c != nil {
			for code, resp := range c.op.o.Responses.Map() {
				if n, err := strconv.Atoi(code); err == nil && pseudoStatus(n) && resp.Value != nil {
					x.pseudoErrs = true
				}
			}
		}
	}
	switch x.protocol {
	case spec.ProtocolRPC:
		if x.awsJSON {
			b.Dialect = "aws"
		} else {
			b.Dialect = "envelope"
		}
	case spec.ProtocolREST:
		b.Dialect = "rest"
	default:
		b.Dialect = "iam"
	}
	r.note("dialect", b.Dialect, "the bundled dialect whose emulator speaks this wire")
	if x.awsJSON && !strings.Contains(media, "x-amz-json") {
		b.Wire.ContentType = "application/x-amz-json-1.1"
		r.note("wire.contentType", b.Wire.ContentType, fmt.Sprintf("the document says %s, but an X-Amz-Target RPC with SigV4 is awsJson 1.1 on the wire (a 1.0 service would need -binding)", media))
		r.Notes[len(r.Notes)-1].Unstated = true
	}
	if x.awsJSON && hasDateTime(x.t) {
		b.Wire.Timestamps = "epoch-seconds"
		r.note("wire.timestamps", "epoch-seconds", "the document declares date-time strings; awsJson sends timestamps as epoch seconds")
	}
	if x.protocol == spec.ProtocolQuery {
		if c := x.chosen[spec.CreateKey]; c != nil {
			if schema, _, _ := successOf(c.op.o); schema != nil && !hasResultMember(schema) {
				b.Wire.XMLResult = true
				r.note("wire.xmlResult", "true", fmt.Sprintf("%s's success schema has no ...Result member: it describes the <%sResult> element's content, as AWS query conversions do", c.op.id, c.op.name))
			}
		}
	}
	if x.pseudoErrs {
		b.Wire.IgnoreErrorResponses = true
		r.note("wire.ignoreErrorResponses", "true", "error responses sit under statuses no server sends (480-499): errors are judged by the codes alone")
	}
}

// pseudoStatus is a 4xx status no HTTP registry has, as converters use to
// list several errors of one operation.
func pseudoStatus(n int) bool { return n >= 452 && n < 500 }

func requestMedia(x *op) string {
	if rb := x.o.RequestBody; rb != nil && rb.Value != nil {
		for _, mt := range sortedKeys(rb.Value.Content) {
			return mt
		}
	}
	return ""
}

func (x *inference) mentionsType() bool {
	for _, f := range x.errorSchemas() {
		if _, ok := properties(f)["__type"]; ok {
			return true
		}
	}
	return false
}

// auth reads the security schemes the document applies.
func auth(t *openapi3.T, notes []Note) (string, []Note) {
	if t.Components == nil || len(t.Components.SecuritySchemes) == 0 {
		return "none", append(notes, Note{Field: "auth", Value: "none", Reason: "no security scheme"})
	}
	for _, name := range sortedKeys(t.Components.SecuritySchemes) {
		ref := t.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		if v, _ := s.Extensions["x-amazon-apigateway-authtype"].(string); strings.EqualFold(v, "awsSigv4") ||
			strings.Contains(strings.ToLower(s.Description), "signature") && strings.Contains(strings.ToLower(s.Description), "v4") {
			return "sigv4", append(notes, Note{Field: "auth", Value: "sigv4", Reason: "security scheme " + name + " is AWS Signature v4"})
		}
		if s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") || s.Type == "oauth2" || s.Type == "openIdConnect" {
			return "bearer", append(notes, Note{Field: "auth", Value: "bearer", Reason: "security scheme " + name + " is " + s.Type + " " + s.Scheme})
		}
	}
	return "none", append(notes, Note{Field: "auth", Value: "none", Reason: "no bearer or SigV4 scheme: pass an API key with -header"})
}

func hasDateTime(t *openapi3.T) bool {
	if t.Components == nil {
		return false
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.Schema) bool
	walk = func(s *openapi3.Schema) bool {
		if s == nil || seen[s] {
			return false
		}
		seen[s] = true
		if isType(s, openapi3.TypeString) && s.Format == "date-time" {
			return true
		}
		for _, p := range properties(s) {
			if walk(p) {
				return true
			}
		}
		return walk(schemaOf(s.Items))
	}
	for _, s := range t.Components.Schemas {
		if walk(schemaOf(s)) {
			return true
		}
	}
	return false
}

// signingName guesses the SigV4 signing name from the first server URL's
// host ("iam.amazonaws.com" -> iam, "lightsail.{region}.amazonaws.com" ->
// lightsail), as AWS endpoints are named after the service.
func signingName(t *openapi3.T) (name, from string) {
	for _, srv := range t.Servers {
		u, err := url.Parse(srv.URL)
		if err != nil || !strings.HasSuffix(u.Hostname(), "amazonaws.com") {
			continue
		}
		if label, _, ok := strings.Cut(u.Hostname(), "."); ok && label != "" && !strings.Contains(label, "{") {
			return label, "the server " + u.Hostname()
		}
	}
	return "", ""
}

// hasResultMember reports whether a reply schema names its AWS query
// result element (CreateAccessKeyResult): the whole reply, not only the
// result's content.
func hasResultMember(s *openapi3.Schema) bool {
	for name := range properties(s) {
		if strings.HasSuffix(name, "Result") {
			return true
		}
	}
	return false
}
