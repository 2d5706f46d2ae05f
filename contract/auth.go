package contract

import (
	"context"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/spec"
)

// authRequired sends requests without credentials (no signature and none of
// the -header headers) and, when the signer can, signed with a wrong
// secret: each must be refused with an auth error, and a refused create must
// create nothing. Without credentials configured it is skipped: an open
// endpoint is not a violation the harness can see.
func authRequired(ctx context.Context, s *session) error {
	const id = check.AuthRequired
	_, wrong := s.t.Signer.(WrongSigner)
	if s.t.Signer == nil && len(s.t.Headers) == 0 {
		s.skip(id, "no credentials configured: give -sign (SigV4) or -header with the endpoint's auth header")
		return nil
	}
	a := s.buckets[0]
	defer s.clearKeys(context.WithoutCancel(ctx), a)
	variants := []struct{ auth, name string }{{"none", "without credentials"}}
	if wrong {
		variants = append(variants, struct{ auth, name string }{"wrong", "signed with a wrong secret"})
	}
	for _, v := range variants {
		for _, role := range []spec.Role{spec.ListKeys, spec.CreateKey} {
			op := s.doc.Op(role)
			req := s.doc.Encode(op, s.doc.Minimal(op, spec.Resources{Bucket: a}))
			ex, err := s.c.send(ctx, call{op: op, req: req, auth: v.auth})
			if err != nil {
				return err
			}
			if !s.is(ex, spec.AuthFailed) {
				s.fail(id, describe(op.ID, []string{a, v.name}, s.outcome(ex), "the auth error "+s.want(spec.AuthFailed)), ex)
			}
		}
	}
	return nil
}
