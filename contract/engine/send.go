package engine

import (
	"context"
	"fmt"

	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/internal/rapidsettings"
	"github.com/keycontract/keycontract/spec"
)

// Sending requests. The run's own requests (Call, Do, SendCall and the
// helpers built on them) are judged by the passive checks, when the run has
// them (JudgeEveryExchange); a driver that judges its exchanges itself (the
// property-based sequences, the concurrent history) sends with Send,
// SendJSON and ReadKeys, whose exchanges stay out of the passive checks.
// Either way the run observes every reply: what it creates is cleaned up
// and every secret it shows is redacted.

// Do sends role's operation with input, encoded by the document's wire.
func (s *Session) Do(ctx context.Context, role spec.Role, input map[string]any) (*exchange.Exchange, error) {
	return s.c.Do(s.within(ctx), role, input)
}

// SendCall sends a call the caller built (an invalid request, a request
// without credentials), judged like Do's.
func (s *Session) SendCall(ctx context.Context, cl client.Call) (*exchange.Exchange, error) {
	cl.Own = false
	return s.c.Send(s.within(ctx), cl)
}

// Send sends a request the document's wire built (an Invalid's, say) to
// role's operation. The exchange is the caller's to judge: it stays out of
// the run's passive checks, but what it creates is still cleaned up.
func (s *Session) Send(ctx context.Context, role spec.Role, req spec.Request) (*exchange.Exchange, error) {
	return s.c.Send(ctx, client.Call{Op: s.doc.Op(role), Req: req, Own: true})
}

// SendJSON sends role's operation with input (body members and
// parameters), encoded by the document's wire, as Send does.
func (s *Session) SendJSON(ctx context.Context, role spec.Role, input map[string]any) (*exchange.Exchange, error) {
	op := s.doc.Op(role)
	return s.c.Send(ctx, client.Call{Op: op, Req: s.doc.Encode(op, input), Own: true})
}

// Request builds the minimal input of role with res bound.
func (s *Session) Request(role spec.Role, res spec.Resources) (input map[string]any) {
	rapidsettings.Use(func() { input = s.doc.Minimal(s.doc.Op(role), res) })
	return input
}

// Example is a valid input of role with res bound, generated from the
// description with seed (spec.Document.Valid): the same seed, the same
// input.
func (s *Session) Example(role spec.Role, res spec.Resources, seed int) (input map[string]any) {
	rapidsettings.Use(func() { input = s.doc.Valid(s.doc.Op(role), res).Example(seed) })
	return input
}

// Invalid are the requests of role that each break one constraint of the
// description (spec.Document.Invalid), derived from its minimal input with
// res bound.
func (s *Session) Invalid(role spec.Role, res spec.Resources) (cases []spec.Invalid) {
	rapidsettings.Use(func() {
		op := s.doc.Op(role)
		cases = s.doc.Invalid(op, s.doc.Minimal(op, res))
	})
	return cases
}

// Call sends a request for role with resources bound into a minimal body.
func (s *Session) Call(ctx context.Context, role spec.Role, res spec.Resources) (*exchange.Exchange, error) {
	return s.Do(ctx, role, s.Request(role, res))
}

// Code is the error code of a non-2xx reply ("" for a 2xx or none).
func (s *Session) Code(ex *exchange.Exchange) string {
	if ex.Reply == nil || ex.Reply.OK() {
		return ""
	}
	c, _ := s.b.ErrorCode(ex.Reply)
	return c
}

// Outcome describes a reply for messages: "200", "400 NotFoundException".
func (s *Session) Outcome(ex *exchange.Exchange) string {
	if ex.Reply.OK() {
		return fmt.Sprintf("%d success", ex.Reply.Status)
	}
	if c := s.Code(ex); c != "" {
		return fmt.Sprintf("%d %s", ex.Reply.Status, c)
	}
	return fmt.Sprintf("%d (no error code)", ex.Reply.Status)
}

// Is reports whether ex is a client error (a 4xx, or the status the
// description documents for its code: spec.Binding.ClientError) of
// situation sit.
func (s *Session) Is(ex *exchange.Exchange, sit spec.Situation) bool {
	return s.b.ClientError(ex.Reply) && s.b.Accepts(sit, s.Code(ex))
}

// Want names what a situation expects, for messages.
func (s *Session) Want(sit spec.Situation) string {
	return fmt.Sprintf("a 4xx %v error", s.b.Errors.Accept[sit])
}

// CreateKey creates a key in bucket and returns it when the reply is a
// success that shows one.
func (s *Session) CreateKey(ctx context.Context, bucket string) (*exchange.Exchange, spec.Key, bool, error) {
	ex, err := s.Call(ctx, spec.CreateKey, spec.Resources{Bucket: bucket})
	if err != nil {
		return nil, spec.Key{}, false, err
	}
	if !ex.Reply.OK() {
		return ex, spec.Key{}, false, nil
	}
	k, ok := s.b.CreatedKey(ex.Reply)
	return ex, k, ok, nil
}

// DeleteKey deletes key id of bucket.
func (s *Session) DeleteKey(ctx context.Context, bucket, id string) (*exchange.Exchange, error) {
	return s.Call(ctx, spec.DeleteKey, spec.Resources{Bucket: bucket, KeyID: id})
}

// IsAny reports whether ex is a 4xx error of any of the situations.
func (s *Session) IsAny(ex *exchange.Exchange, sits []spec.Situation) bool {
	for _, sit := range sits {
		if s.Is(ex, sit) {
			return true
		}
	}
	return false
}
