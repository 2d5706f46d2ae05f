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
//     RFC 6839);
//   - and what the document's wire adds (Wire.MediaFamily): a protocol's
//     own types for JSON documents, say;
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

// mediaFamily is mt's family ("" for a type of no family); wire, when not
// nil, gives the families of the types only the document's wire knows
// (Wire.MediaFamily).
func mediaFamily(mt string, wire func(base string) string) string {
	base := mediaBase(mt)
	switch {
	case base == "text/xml", base == "application/xml", strings.HasSuffix(base, "+xml"):
		return familyXML
	case base == "application/json", strings.HasSuffix(base, "+json"):
		return familyJSON
	case wire != nil:
		return wire(base)
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
func sameMedia(a, b string, wire func(string) string) bool {
	fa, fb := mediaFamily(a, wire), mediaFamily(b, wire)
	if fa != "" || fb != "" {
		return fa == fb
	}
	return mediaBase(a) == mediaBase(b)
}

// SameMedia reports whether two media types mean the same on d's wire (see
// the top of media.go): a reply carrying one passes where the other is
// declared.
func (d *Document) SameMedia(a, b string) bool { return sameMedia(a, b, d.wire.MediaFamily) }

// declaredMedia finds what content declares for a reply of type ct: the
// entry kin-openapi's own lookup finds (the exact type, the type without
// parameters, a wildcard), else the first declared type, in sorted order,
// that means the same (sameMedia). key is the declared type the entry was
// found under, to stand in for ct where a validator looks it up again; ""
// when ct itself was found. nil when nothing declared means the same.
func declaredMedia(content openapi3.Content, ct string, wire func(string) string) (m *openapi3.MediaType, key string) {
	if m := content.Get(ct); m != nil {
		return m, ""
	}
	if mediaFamily(ct, wire) == "" {
		return nil, ""
	}
	keys := make([]string, 0, len(content))
	for k := range content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, r := range strings.Split(k, ",") {
			if r = strings.TrimSpace(r); !strings.Contains(r, "*") && sameMedia(r, ct, wire) {
				return content[k], r
			}
		}
	}
	return nil, ""
}

// familyDecoders are openapi3filter's body decoders for a media family, as
// the wire that reads that family registers them (wire_query_xml.go:
// XML); kin-openapi decodes JSON and +json itself.
var familyDecoders = map[string]openapi3filter.BodyDecoder{}

// ensureDecoder lets openapi3filter decode a body declared as mt, a type of
// a family it has no decoder for (a +xml type), with the family's decoder.
func ensureDecoder(mt string) {
	if dec := familyDecoders[mediaFamily(mt, nil)]; dec != nil && openapi3filter.RegisteredBodyDecoder(mediaBase(mt)) == nil {
		openapi3filter.RegisterBodyDecoder(mediaBase(mt), dec)
	}
}
