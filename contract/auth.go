package contract

import (
	"context"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/spec"
)

// authRequired sends requests without credentials (no signature and none of
// the -header headers) and, when the signer can, signed with a wrong
// secret: each must be refused with an auth error, and a refused create must
// create nothing. Without credentials configured it is skipped: an open
// endpoint is not a violation the harness can see.
func authRequired(ctx context.Context, s *engine.Session) error {
	const id = check.AuthRequired
	tgt := s.Target()
	_, wrong := tgt.Signer.(client.WrongSigner)
	if tgt.Signer == nil && len(tgt.Headers) == 0 {
		s.Skip(id, "no credentials configured: give -sign (SigV4) or -header with the endpoint's auth header")
		return nil
	}
	a := s.Buckets()[0]
	defer s.ClearKeys(context.WithoutCancel(ctx), a)
	type variant struct {
		auth client.Auth
		name string
	}
	variants := []variant{{client.NoCredentials, "without credentials"}}
	if wrong {
		variants = append(variants, variant{client.WrongSecret, "signed with a wrong secret"})
	}
	for _, v := range variants {
		for _, role := range []spec.Role{spec.ListKeys, spec.CreateKey} {
			op := s.Doc().Op(role)
			req := s.Doc().Encode(op, s.Request(role, spec.Resources{Bucket: a}))
			ex, err := s.SendCall(ctx, client.Call{Op: op, Req: req, Auth: v.auth})
			if err != nil {
				return err
			}
			if !s.Is(ex, spec.AuthFailed) {
				s.Fail(id, engine.Describe(op.ID, []string{a, v.name}, s.Outcome(ex), "the auth error "+s.Want(spec.AuthFailed)), ex)
			}
		}
	}
	return nil
}
