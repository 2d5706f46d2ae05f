package emulator

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
)

// TestRESTMatchesItsDocument sends the success shapes and every row of the
// rest error table, and validates each response against spec/rest.yaml
// with openapi3filter: a documented status, its content type, body schema
// and required headers (Location, Allow).
func TestRESTMatchesItsDocument(t *testing.T) {
	src, err := spec.BundledSource("rest")
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(src)
	require.NoError(t, err)
	doc.Servers = nil // match paths on any host
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}

	validated, wantInvalid := 0, false
	validate := func(t *testing.T, s *Server, method, path, body string) {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			// An unknown path or method: no operation to validate against;
			// the error table pins its status and code.
			return
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
			Status:                 rec.Code,
			Header:                 rec.Header(),
			Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
			Options:                opts,
		}
		err = openapi3filter.ValidateResponse(context.Background(), in)
		if wantInvalid {
			assert.Error(t, err, "%s %s: the document must reject this response", method, path)
			return
		}
		assert.NoError(t, err, "%s %s -> %d %s", method, path, rec.Code, rec.Body.Bytes())
		assert.Contains(t, route.Operation.Responses.Map(), strconv.Itoa(rec.Code), "%s %s: status %d is documented", method, path, rec.Code)
		validated++
	}

	t.Run("successes", func(t *testing.T) {
		s := newServer(t, Options{Dialect: DialectREST})
		validate(t, s, http.MethodPost, "/v1/buckets", `{"bucketName":"doc-bucket","bundleId":"small_1_0"}`)
		validate(t, s, http.MethodGet, "/v1/buckets", "")
		validate(t, s, http.MethodGet, "/v1/buckets?bucketName=doc-bucket", "")
		validate(t, s, http.MethodPost, "/v1/buckets/doc-bucket/access-keys", "")
		validate(t, s, http.MethodGet, "/v1/buckets/doc-bucket/access-keys", "")
		id, _ := createKey(t, s, "doc-bucket")
		validate(t, s, http.MethodDelete, "/v1/buckets/doc-bucket/access-keys/"+id, "")
		validate(t, s, http.MethodDelete, "/v1/buckets/doc-bucket?forceDelete=true", "")
	})
	for _, c := range restErrorCases() {
		t.Run(c.name, func(t *testing.T) {
			validate(t, errorFixture(t, DialectREST), c.method, c.path, c.body)
		})
	}
	// The validation bites: a fault's broken responses fail it.
	wantInvalid = true
	for f, path := range map[Fault]string{
		FaultTimestampWrongType: "/v1/buckets/doc-bucket/access-keys",
		FaultSuccessContentType: "/v1/buckets/doc-bucket/access-keys",
		FaultErrorsWith200:      "/v1/buckets/no-such-bucket/access-keys",
	} {
		s := newServer(t, Options{Dialect: DialectREST, Faults: []Fault{f}})
		require.NoError(t, s.AddBucket("doc-bucket"))
		validate(t, s, http.MethodPost, path, "")
	}
	wantInvalid = false

	// Every case but the 15 unknown paths and methods has a route (the
	// router matches a few of those too, which are then validated).
	assert.GreaterOrEqual(t, validated, 7+len(restErrorCases())-15)
}
