package spec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// validationOptions keep values out of kin-openapi's messages: a response
// may carry a secret where it should not, and messages reach reports.
// Patterns are matched as ECMA-262 (Pattern).
var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus:   false,
	MultiError:              true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails(), patternSchemaOption},
}

// ValidateSuccess checks a 2xx reply against the operation's documented
// response for that status, with openapi3filter: the content type must
// mean one the document declares (media.go; or be the binding's wire
// content type standing in for it) and the body must match the schema,
// required members included. Unknown extra members pass unless the
// document forbids them.
//
// A 2xx status the operation does not document, when it documents some,
// is an error too: a REST create that answers 200 where 201 is declared
// breaks its description. 204 and any response the document declares
// without content need no body.
func (d *Document) ValidateSuccess(ctx context.Context, op *Operation, r *Reply) error {
	if documented := op.successStatuses(); len(documented) > 0 && !slices.Contains(documented, r.Status) {
		if op.Route.Operation.Responses.Default() == nil {
			return fmt.Errorf("%s: status %d is not documented, want %s", op.ID, r.Status, statusList(documented))
		}
	}
	if r.DecodeErr() != nil {
		return fmt.Errorf("body is not JSON: %w", r.DecodeErr())
	}
	return d.validate(ctx, op, r)
}

// successStatuses lists the 2xx statuses op documents, in order.
func (op *Operation) successStatuses() []int {
	var out []int
	for code := range op.Route.Operation.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// ValidateError checks a non-2xx reply: it must carry an error code where the
// binding reads it, the code must be documented, the status must be one the
// code implies, and, when the document describes errors on the wire, the
// body must match the documented error response. It returns the code read.
func (d *Document) ValidateError(ctx context.Context, op *Operation, r *Reply) (string, error) {
	code, ok := d.Binding.ErrorCode(r)
	if !ok {
		return "", fmt.Errorf("status %d carries no error code (read from %s)", r.Status, strings.Join(d.Binding.Errors.Code, ", "))
	}
	statuses, documented := d.Binding.Errors.Statuses[code]
	var errs []error
	if !documented {
		errs = append(errs, fmt.Errorf("error code %q is not documented", code))
	} else if !slices.Contains(statuses, r.Status) {
		errs = append(errs, fmt.Errorf("error %s has status %d, want %s", code, r.Status, statusList(statuses)))
	}
	for _, h := range d.Binding.Errors.Headers[code] {
		if r.Header.Get(h) == "" {
			errs = append(errs, fmt.Errorf("error %s has no %s header", code, h))
		}
	}
	if op != nil && !d.Binding.Wire.IgnoreErrorResponses {
		if err := d.validate(ctx, op, r); err != nil {
			errs = append(errs, err)
		}
	}
	return code, errors.Join(errs...)
}

// validate checks a reply against the operation's documented response for
// its status, as openapi3filter.ValidateResponse does, but on the body
// NewReply decoded once: the content type must mean one the document
// declares (media.go: text/xml is application/xml, a charset changes
// nothing) and the decoded value must match its schema (kin-openapi's
// validator, patterns compiled once and cached by kin-openapi). A response
// that declares headers, or a 3.1 document, goes through openapi3filter
// itself.
func (d *Document) validate(ctx context.Context, op *Operation, r *Reply) error {
	ct := r.Header.Get("Content-Type")
	if wire := d.Binding.Wire.ContentType; wire != "" && r.MediaType() == wire {
		if mt := op.responseMediaType(r.Status); mt != "" {
			ct = mt
		}
	}
	responses := op.Route.Operation.Responses
	ref := responses.Status(r.Status)
	if ref == nil {
		ref = responses.Default()
	}
	switch {
	case responses.Len() == 0 || ref == nil:
		return nil // an undocumented status is allowed, as openapi3filter allows it
	case ref.Value == nil:
		return fmt.Errorf("%s %d: response has not been resolved", op.ID, r.Status)
	}
	// The declared media type that means the same as the reply's (media.go)
	// stands in for it, for openapi3filter's lookup as for ours.
	media, declared := op.media(d, r.Status, ct, ref.Value.Content)
	switch {
	case len(ref.Value.Headers) > 0 || op.Route.Spec != nil && op.Route.Spec.IsOpenAPI31OrLater():
		header := r.Header
		if declared != "" || ct != header.Get("Content-Type") {
			if declared == "" {
				declared = ct
			}
			ensureDecoder(declared)
			header = header.Clone()
			header.Set("Content-Type", declared)
		}
		return d.validateFiltered(ctx, op, r, header)
	case len(ref.Value.Content) == 0:
		return nil
	case media == nil:
		return fmt.Errorf("%s %d: response header Content-Type has unexpected value: %q", op.ID, r.Status, r.Header.Get("Content-Type"))
	case media.Schema == nil || media.Schema.Value == nil:
		return nil
	case r.DecodeErr() != nil:
		return fmt.Errorf("%s %d: failed to decode response body: %w", op.ID, r.Status, r.DecodeErr())
	}
	if err := media.Schema.Value.VisitJSON(r.Value(), responseSchemaOptions...); err != nil {
		return fmt.Errorf("%s %d: response body doesn't match schema: %w", op.ID, r.Status, err)
	}
	return nil
}

// media is declaredMedia(content, ct) for the response to status, looked
// up once per status and content type (kin-openapi sorts the media types
// on every lookup). At most maxMedias pairs are kept: an endpoint may send
// any content type.
func (op *Operation) media(d *Document, status int, ct string, content openapi3.Content) (*openapi3.MediaType, string) {
	key := mediaKey{status, ct}
	if m, ok := op.medias.Load(key); ok {
		f := m.(foundMedia)
		return f.m, f.declared
	}
	m, declared := declaredMedia(content, ct, d.wire.MediaFamily)
	if op.nmedias.Add(1) <= maxMedias {
		op.medias.Store(key, foundMedia{m, declared})
	}
	return m, declared
}

// foundMedia is one cached media lookup.
type foundMedia struct {
	m        *openapi3.MediaType
	declared string
}

const maxMedias = 64

type mediaKey struct {
	status int
	ct     string
}

// responseSchemaOptions are validationOptions' schema options for a
// response body.
var responseSchemaOptions = append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()},
	validationOptions.SchemaValidationOptions...)

// validateFiltered is validate through openapi3filter, which decodes the
// body again: for responses that declare headers.
func (d *Document) validateFiltered(ctx context.Context, op *Operation, r *Reply, header http.Header) error {
	req, _ := http.NewRequestWithContext(ctx, op.Method, op.Path, nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: op.Route, Options: validationOptions},
		Status:                 r.Status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                validationOptions,
	}
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("%s %d: %w", op.ID, r.Status, err)
	}
	return nil
}

// responseMediaType is the first JSON media type the document declares for
// status (or the default response).
func (op *Operation) responseMediaType(status int) string {
	resp := op.Route.Operation.Responses.Status(status)
	if resp == nil {
		resp = op.Route.Operation.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return ""
	}
	for mt := range resp.Value.Content {
		if strings.Contains(mt, "json") {
			return mt
		}
	}
	return ""
}

func statusList(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " or ")
}

// ResponseMediaType is the JSON media type the document declares for the
// operation's success response (200, 201, then 202), or, when its success
// has no body (204), for its other responses: what a request's Accept
// header asks for.
func (op *Operation) ResponseMediaType() string {
	op.respOnce.Do(func() {
		for _, status := range []int{http.StatusOK, http.StatusCreated, http.StatusAccepted} {
			if op.respMedia = op.responseMediaType(status); op.respMedia != "" {
				return
			}
		}
		codes := op.Route.Operation.Responses.Map()
		keys := make([]string, 0, len(codes))
		for k := range codes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if r := codes[k]; r != nil && r.Value != nil {
				for mt := range r.Value.Content {
					if strings.Contains(mt, "json") {
						op.respMedia = mt
						return
					}
				}
			}
		}
	})
	return op.respMedia
}
