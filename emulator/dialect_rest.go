package emulator

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// DialectREST is the envelope dialect's bodies, codes, statuses and bearer
// token, addressed by method and path (docs/DESIGN.md, "rest").
const DialectREST = "rest"

// restDialect is the envelope dialect but for its wire and the input
// shapes that wire gives (path and query parameters).
var restDialect = func() *dialect {
	d := *envelopeDialect
	d.name = DialectREST
	d.wire = func(Options) wire { return restWire{} }
	d.inputs = restInputs
	return &d
}()

// RESTPrefix is the path every rest route starts with.
const RESTPrefix = "/v1/buckets"

// restWire is the rest dialect's wire.
//
// Paths are split on "/" in their escaped form and each segment is decoded
// once, so a %2F inside a bucket name or key id stays in that segment (and
// then breaks its pattern) rather than becoming a separator.
type restWire struct{}

// restRoute is one path of the rest dialect: literal segments and
// parameters ("{bucketName}", "{accessKeyId}"), with the operation of
// each allowed method.
type restRoute struct {
	segments []string
	methods  map[string]string
}

var restRoutes = []restRoute{
	{[]string{"v1", "buckets"}, map[string]string{
		http.MethodPost: opCreateBucket,
		http.MethodGet:  opGetBuckets,
	}},
	{[]string{"v1", "buckets", "{bucketName}"}, map[string]string{
		http.MethodDelete: opDeleteBucket,
	}},
	{[]string{"v1", "buckets", "{bucketName}", "access-keys"}, map[string]string{
		http.MethodPost: opCreateBucketAccessKey,
		http.MethodGet:  opGetBucketAccessKeys,
	}},
	{[]string{"v1", "buckets", "{bucketName}", "access-keys", "{accessKeyId}"}, map[string]string{
		http.MethodDelete: opDeleteBucketAccessKey,
	}},
}

var keyIDPathPattern = regexp.MustCompile(`^[A-Z0-9]{20}$`)

// restInputs is each operation's input in the rest dialect: the Lightsail
// members (CreateBucket's in its body, the others' as path and query
// parameters), but GetBuckets takes only bucketName. The key id path
// parameter is declared ^[A-Z0-9]{20}$, so a malformed one is invalid
// input here (the RPC dialects answer not-found).
var restInputs = map[string][]member{
	opCreateBucket:          inputs[opCreateBucket],
	opDeleteBucket:          inputs[opDeleteBucket],
	opCreateBucketAccessKey: inputs[opCreateBucketAccessKey],
	opGetBucketAccessKeys:   inputs[opGetBucketAccessKeys],
	opGetBuckets: {
		{"bucketName", false, ruleBucketName},
	},
	opDeleteBucketAccessKey: {
		{"bucketName", true, ruleBucketName},
		{"accessKeyId", true, ruleKeyID},
	},
}

func ruleKeyID(_ *Server, v any) string {
	id, ok := v.(string)
	if !ok {
		return "Member must be a string"
	}
	if !keyIDPathPattern.MatchString(id) {
		return "Member must satisfy regular expression pattern: ^[A-Z0-9]{20}$"
	}
	return ""
}

// decode matches the route (unknown path: not found; known path, other
// method: method not allowed with Allow), then reads CreateBucket's body or
// the path and query parameters. Unknown query parameters, and a body
// where none is declared, are ignored. A parameter keeps its decoded string
// value, except query forceDelete: "true" and "false" become booleans and
// anything else stays a string, for validation to reject.
func (restWire) decode(r *http.Request, body requestBody) (string, map[string]any, *apiError) {
	segs, ok := splitEscapedPath(r.URL.EscapedPath())
	var route *restRoute
	var params []pathParam
	if ok {
		route, params = matchRoute(segs)
	}
	if route == nil {
		e := newErr(errUnknownOperation, "Unknown path: the routes are under "+RESTPrefix)
		e.noOperation = true // a path names the operation: this one names none
		return "", nil, e
	}
	op, allowed := route.methods[r.Method]
	if !allowed {
		e := newErr(errMethodNotAllowed, "")
		for m := range route.methods {
			e.allow = append(e.allow, m)
		}
		slices.Sort(e.allow)
		return "", nil, e
	}
	if op == opCreateBucket {
		in, e := body.object()
		return op, in, e
	}
	in := map[string]any{}
	for _, p := range params {
		v, err := url.PathUnescape(p.raw)
		if err != nil {
			return op, nil, newErr(errInvalidInput, "1 validation error detected: Value at '"+p.name+"' is not a valid percent-encoded path segment")
		}
		in[p.name] = v
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return op, nil, newErr(errInvalidInput, "The query string is not valid: use name=value pairs separated by &, percent-encoded")
	}
	switch op {
	case opGetBuckets:
		if query.Has("bucketName") {
			in["bucketName"] = query.Get("bucketName")
		}
	case opDeleteBucket:
		// The rest DeleteBucket always deletes the bucket's keys with it;
		// forceDelete is accepted and validated, and has no effect.
		in["forceDelete"] = true
		if query.Has("forceDelete") {
			switch v := query.Get("forceDelete"); v {
			case "true", "false":
			default:
				in["forceDelete"] = v
			}
		}
	}
	return op, in, nil
}

// splitEscapedPath splits an escaped absolute path into its (still
// escaped) segments.
func splitEscapedPath(p string) ([]string, bool) {
	rest, ok := strings.CutPrefix(p, "/")
	if !ok {
		return nil, false
	}
	return strings.Split(rest, "/"), true
}

// pathParam is a path parameter's name and its still-escaped segment.
type pathParam struct{ name, raw string }

// matchRoute finds the route of escaped segments. Literal segments are
// compared decoded (%62uckets is buckets); parameters are returned in path
// order, still escaped, to be decoded once by the caller.
func matchRoute(segs []string) (*restRoute, []pathParam) {
	for i := range restRoutes {
		rt := &restRoutes[i]
		if len(rt.segments) != len(segs) {
			continue
		}
		var params []pathParam
		match := true
		for j, want := range rt.segments {
			if name, isParam := strings.CutPrefix(want, "{"); isParam {
				params = append(params, pathParam{strings.TrimSuffix(name, "}"), segs[j]})
				continue
			}
			if got, err := url.PathUnescape(segs[j]); err != nil || got != want {
				match = false
				break
			}
		}
		if match {
			return rt, params
		}
	}
	return nil, nil
}

// success is 201 with Location for the creates, 200 for the lists and 204
// with no body (and no content type) for the deletes. Fault
// secret-repeated, whose delete has no body to carry it, repeats the
// deleted key's secret in the header X-Deleted-Secret-Access-Key of the
// 204.
func (restWire) success(res *result) (int, http.Header, []byte) {
	h := http.Header{}
	switch res.op {
	case opDeleteBucket, opDeleteBucketAccessKey:
		if res.leaked != "" {
			h.Set(headerLeakedSecret, res.leaked)
		}
		return http.StatusNoContent, h, nil
	}
	h.Set("Content-Type", ctEnvelope)
	body := envelopeSuccess(res)
	switch res.op {
	case opCreateBucket:
		h.Set("Location", RESTPrefix+"/"+escapeSegment(res.bucket.name))
		return http.StatusCreated, h, body
	case opCreateBucketAccessKey:
		h.Set("Location", RESTPrefix+"/"+escapeSegment(res.bucketName)+"/access-keys/"+escapeSegment(res.key.ID))
		return http.StatusCreated, h, body
	}
	return http.StatusOK, h, body
}

// headerLeakedSecret is where fault secret-repeated puts the secret in rest.
const headerLeakedSecret = "X-Deleted-Secret-Access-Key"

// failure is the envelope's error, with rest's statuses: an unknown path is
// 404 NOT_FOUND and a method the path does not allow is 405
// METHOD_NOT_ALLOWED with an Allow header.
func (restWire) failure(e *apiError) (int, http.Header, []byte) {
	form := envelopeErrors[e.kind]
	code, status := form.code, form.status
	if e.kind == errUnknownOperation {
		code, status = "NOT_FOUND", http.StatusNotFound
	}
	h := headerWith(ctEnvelope)
	if e.kind == errMethodNotAllowed {
		h.Set("Allow", strings.Join(e.allow, ", "))
	}
	return status, h, envelopeError(code, e.msg)
}

// escapeSegment percent-encodes every byte outside RFC 3986's unreserved
// set, and a segment "." or ".." as %2E or %2E%2E, so that the segment
// always comes back as itself.
func escapeSegment(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
