package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// wire is a dialect's HTTP form. The server keeps one store, one set of
// faults and one order of checks (see the package doc); a wire only
// translates between HTTP and the dialect-neutral operation, input, result
// and apiError, and writes each error kind as its dialect's error table
// says.
//
// A wire never reads faults (its construction may: how a form is read,
// reading_faults.go): what a fault changes in a response is either
// applied by the server around the wire (status, headers) or carried on the
// result (result.listSecrets, result.leaked, result.wrongTimestamps), and
// each wire writes those in its own form.
type wire interface {
	// decode names the operation of r and builds its input: the members of
	// the body, path and query, named as in the Lightsail model
	// (bucketName, accessKeyId, bundleId, forceDelete, tags...). It checks
	// steps 3 and 4 of the package doc (operation known, body); the
	// server validates the input against the dialect's inputs afterwards.
	// op is "" when the operation is unknown; a known op may still come
	// with an error (a bad body). An error for a request that names no
	// operation at all is marked noOperation.
	decode(r *http.Request, body requestBody) (op string, in map[string]any, e *apiError)
	// success writes a successful result.
	success(res *result) (status int, h http.Header, body []byte)
	// failure writes an error.
	failure(e *apiError) (status int, h http.Header, body []byte)
}

// requestBody is a request's body as read by readBody.
type requestBody struct {
	data     []byte
	tooLarge bool  // longer than MaxBodyBytes (data is nil)
	err      error // reading failed
}

// readBody reads at most MaxBodyBytes. On a longer body it discards a
// bounded remainder (so the client can read the answer) and reports
// tooLarge.
func readBody(r *http.Request) requestBody {
	if r.Body == nil {
		return requestBody{}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return requestBody{err: err}
	}
	if len(data) > MaxBodyBytes {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 16*MaxBodyBytes))
		return requestBody{tooLarge: true}
	}
	return requestBody{data: data}
}

// complete reports whether the whole body was read (so a signature over it
// can be checked).
func (b requestBody) complete() bool { return !b.tooLarge && b.err == nil }

// object decodes a body that must be one JSON object (step 4).
func (b requestBody) object() (map[string]any, *apiError) {
	switch {
	case b.tooLarge:
		return nil, newErr(errInvalidInput, fmt.Sprintf("The request body exceeds %d bytes", MaxBodyBytes))
	case b.err != nil:
		return nil, newErr(errInvalidInput, "The request body could not be read")
	}
	in, e := parseBody(b.data)
	if e != nil {
		e.badBody = true
	}
	return in, e
}

// parseBody decodes a request body that must be one JSON object. It
// returns errSerialization for malformed JSON and errInvalidInput for an
// empty body or a JSON value that is not an object.
func parseBody(body []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newErr(errInvalidInput, "The request body is empty; expected a JSON object")
	}
	if !json.Valid(body) {
		return nil, newErr(errSerialization, "")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newErr(errSerialization, "")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, newErr(errInvalidInput, "The request body must be a JSON object")
	}
	return obj, nil
}

// failure writes e with the server's wire, then applies the faults that
// change any dialect's errors: error-status-mismatch swaps a not-found
// error's status between 400 and 404 (a dialect that answers 400 gets
// 404, one that answers 404 gets 400), and errors-with-200 sends every
// error with 200. A throttling error carries Retry-After.
func (s *Server) failure(e *apiError) (int, http.Header, []byte) {
	status, h, body := s.wire.failure(e)
	if e.kind == errNotFound && s.has(FaultErrorStatusMismatch) {
		if status == http.StatusBadRequest {
			status = http.StatusNotFound
		} else {
			status = http.StatusBadRequest
		}
	}
	if e.kind == errThrottled {
		h.Set("Retry-After", "1")
	}
	if s.has(FaultErrorsWith200) {
		status = http.StatusOK
	}
	return status, h, body
}

// ctWrongSuccess is fault success-content-type's content type.
const ctWrongSuccess = "text/plain; charset=utf-8"

// success writes res with the server's wire. Fault timestamp-wrong-type
// travels on the result; success-content-type replaces the content type
// of every success, whatever its status.
func (s *Server) success(res *result) (int, http.Header, []byte) {
	res.wrongTimestamps = s.has(FaultTimestampWrongType)
	status, h, body := s.wire.success(res)
	if s.has(FaultSuccessContentType) {
		h.Set("Content-Type", ctWrongSuccess)
	}
	if res.op == opCreateBucketAccessKey {
		ct, b, err := s.corruptCreate(res, h.Get("Content-Type"), body)
		if err != nil {
			panic(fmt.Sprintf("emulator: corrupting a create: %v", err)) // recovered into a 500
		}
		h.Set("Content-Type", ct)
		body = b
	}
	return status, h, body
}
