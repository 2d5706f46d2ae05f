package contract

import (
	"context"

	"github.com/keycontract/keycontract/contract/engine"
)

// secretOnlyOnce creates keys up to the limit, lists them, deletes one
// twice (the second an error reply) and lists again, so that every kind of
// later response passes before the passive check (judge) searches them all
// for the secrets the creates returned.
func secretOnlyOnce(ctx context.Context, s *engine.Session) error {
	a := s.Buckets()[0]
	defer s.ClearKeys(context.WithoutCancel(ctx), a)
	var first string
	for n := s.Free(a); n > 0; n-- {
		_, k, ok, err := s.CreateKey(ctx, a)
		if err != nil {
			return err
		}
		if ok && first == "" {
			first = k.ID
		}
	}
	if _, _, _, err := s.ListKeys(ctx, a, nil); err != nil {
		return err
	}
	if first != "" {
		for range 2 {
			if _, err := s.DeleteKey(ctx, a, first); err != nil {
				return err
			}
		}
	}
	_, _, _, err := s.ListKeys(ctx, a, nil)
	return err
}
