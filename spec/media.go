package spec

import (
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Media types by meaning. Every check compares a reply's Content-Type with
// what the description declares through this file, so that two spellings
// of one media type are the same to all of them:
//
//   - XML: text/xml, application/xml and any type with the +xml suffix
//     (RFC 7303: text/xml and application/xml are aliases, and +xml names
//     an XML document of a particular kind);
//   - JSON: application/json and any type with the +json suffix (RFC 8259,
//     RFC 6839), and, on the rpc wire (awsJson), application/x-amz-json-1.0
//     and application/x-amz-json-1.1, which carry JSON documents (Smithy's
//     awsJson1_0 and awsJson1_1 protocols), where the description or the
//     binding sends them;
//
// each with or without parameters (a charset, anything else), case
// insensitively. Any other type (text/plain, text/html,
// application/octet-stream) is equivalent only to itself, and so still
// fails a description that declares XML or JSON. Known false negative: a
// reply whose type is of the declared family but whose body is of another
// (XML sent as application/json) is caught by decoding the body, not here.

// Media families: what a media type means to the checks.
const (
	familyXML  = "xml"
	familyJSON = "json"
)

// mediaFamily is mt's family ("" for a type of no family), with amzJSON
// saying whether application/x-amz-json-1.x counts as JSON (the rpc wire).
func mediaFamily(mt string, amzJSON bool) string {
	base := mediaBase(mt)
	switch {
	case base == "text/xml", base == "application/xml", strings.HasSuffix(base, "+xml"):
		return familyXML
	case base == "application/json", strings.HasSuffix(base, "+json"):
		return familyJSON
	case amzJSON && (base == "application/x-amz-json-1.0" || base == "application/x-amz-json-1.1"):
		return familyJSON
	}
	return ""
}

// mediaBase is a media type without its parameters, lower-cased.
func mediaBase(mt string) string {
	if base, _, err := mime.ParseMediaType(mt); err == nil {
		return base
	}
	base, _, _ := strings.Cut(mt, ";")
	return strings.ToLower(strings.TrimSpace(base))
}

// sameMedia reports whether two media types mean the same to every check:
// the same family, or the same type where either has none.
func sameMedia(a, b string, amzJSON bool) bool {
	fa, fb := mediaFamily(a, amzJSON), mediaFamily(b, amzJSON)
	if fa != "" || fb != "" {
		return fa == fb
	}
	return mediaBase(a) == mediaBase(b)
}

// SameMedia reports whether two media types mean the same on d's wire (see
// the top of media.go): a reply carrying one passes where the other is
// declared.
func (d *Document) SameMedia(a, b string) bool { return sameMedia(a, b, d.amzJSON()) }

// amzJSON: on the awsJson wire, application/x-amz-json-1.x is JSON. That
// is the rpc wire where the description or the binding (wire.contentType)
// gives requests an awsJson type; the seed's envelope, also rpc, declares
// application/json and is not awsJson.
func (d *Document) amzJSON() bool {
	if d.Binding.ProtocolName() != ProtocolRPC {
		return false
	}
	for _, op := range d.byRole {
		if b := mediaBase(op.ContentType); b == "application/x-amz-json-1.0" || b == "application/x-amz-json-1.1" {
			return true
		}
	}
	return false
}

// declaredMedia finds what content declares for a reply of type ct: the
// entry kin-openapi's own lookup finds (the exact type, the type without
// parameters, a wildcard), else the first declared type, in sorted order,
// that means the same (sameMedia). key is the declared type the entry was
// found under, to stand in for ct where a validator looks it up again; ""
// when ct itself was found. nil when nothing declared means the same.
func declaredMedia(content openapi3.Content, ct string, amzJSON bool) (m *openapi3.MediaType, key string) {
	if m := content.Get(ct); m != nil {
		return m, ""
	}
	if mediaFamily(ct, amzJSON) == "" {
		return nil, ""
	}
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, r := range strings.Split(k, ",") {
			if r = strings.TrimSpace(r); !strings.Contains(r, "*") && sameMedia(r, ct, amzJSON) {
				return content[k], r
			}
		}
	}
	return nil, ""
}

// ensureDecoder lets openapi3filter decode a body declared as mt, an XML
// type it has no decoder for (a +xml type); kin-openapi decodes JSON and
// +json itself, and the awsJson types are registered in validate.go.
func ensureDecoder(mt string) {
	if mediaFamily(mt, false) == familyXML && openapi3filter.RegisteredBodyDecoder(mediaBase(mt)) == nil {
		openapi3filter.RegisterBodyDecoder(mediaBase(mt), xmlBodyDecoder)
	}
}
