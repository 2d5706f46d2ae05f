package spec

import "slices"

// Whether a reply is a success, a refusal of the request or a failure of
// the endpoint is decided by what the description declares, not by the
// status alone: many APIs answer an error with 200 and a body that says
// so ({"success": false, "error": {...}}), and document it.
//
//   - A success is a 2xx whose body, where the binding names where success
//     is read (response.success, a JSON pointer to a boolean), does not
//     hold false there. A 2xx body without the member, or one that does
//     not decode, is a success (success-envelope then judges its shape):
//     only an explicit false makes a 2xx an error. Without
//     response.success, every 2xx is a success. The wire decides
//     (Wire.Succeeded), once, when the reply is made; the wires of this
//     package all decide so.
//   - A server error (ServerError) is a 5xx, or an error whose code the
//     binding lists in errors.server: the code is the only thing that says
//     so where the description answers every error with one status.
//   - A client error (ClientError) is any other error that is a 4xx, or
//     whose status is one the binding documents for its code (errors
//     that the description answers with 200 are documented under 200).
//
// Known false negative: a description that declares success in the body
// but answers some errors with a 2xx and a body that does not decode
// cannot have them told from successes; success-envelope fails them.

// succeeded is the decision every wire of this package makes (see above).
func (b Binding) succeeded(r *Reply) bool {
	if !status2xx(r.Status) {
		return false
	}
	if b.Response.Success == "" {
		return true
	}
	v, found := Pointer(r.Value(), b.Response.Success)
	return !found || v != false
}

// ServerError reports whether r tells of the endpoint's own failure: a 5xx,
// or an error (not OK) whose code is in errors.server.
func (b Binding) ServerError(r *Reply) bool {
	if r.Status >= 500 {
		return true
	}
	if r.OK() || len(b.Errors.Server) == 0 {
		return false
	}
	code, ok := b.ErrorCode(r)
	return ok && slices.Contains(b.Errors.Server, code)
}

// ClientError reports whether r is an error the endpoint puts down to the
// request: not a success nor a server error, and a 4xx or a status the
// binding documents for its code.
func (b Binding) ClientError(r *Reply) bool {
	if r.OK() || b.ServerError(r) {
		return false
	}
	if r.Status >= 400 && r.Status < 500 {
		return true
	}
	code, ok := b.ErrorCode(r)
	return ok && slices.Contains(b.Errors.Statuses[code], r.Status)
}
