package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// Reading whole lists. A list is the whole list only when its pages are
// read to the end (Binding.Pages): a reply that says more pages follow may
// hold any number of items, even fewer than the page size asked for (IAM
// documents it). Every reader here follows the pages: the scenarios,
// cleanup, set-up and sweep (and, through Session.ReadKeys, the
// sequences). The run's own readers are sequential, so a list read to its
// end is the bucket's content; the concurrent history, where another
// worker may change the bucket between two pages, reads page by page
// instead (fuzz/concurrent) and takes each page as a lower bound.

// ListInput is the minimal input of role's list for res, carrying the page
// size size at the binding's pages.size when size > 0 and the binding
// names one.
func (s *Session) ListInput(role spec.Role, res spec.Resources, size int) map[string]any {
	in := s.Request(role, res)
	if p := s.b.Pages[role]; size > 0 && p.Size != "" {
		spec.SetPointer(in, p.Size, size)
	}
	return in
}

// ListKeys lists bucket, every page, as the run's own request (the passive
// checks judge it); when settle is set it retries until
// until holds or the settle window ends.
//
// The exchange returned is the first page's, or the first page that is
// not a success; keys are every page's.
func (s *Session) ListKeys(ctx context.Context, bucket string, until func([]spec.Key) bool) (*exchange.Exchange, []spec.Key, bool, error) {
	return s.ListKeysSized(ctx, bucket, 0, until)
}

// ListKeysSized is ListKeys asking for pages of size items (0: the
// endpoint's own page size).
func (s *Session) ListKeysSized(ctx context.Context, bucket string, size int, until func([]spec.Key) bool) (*exchange.Exchange, []spec.Key, bool, error) {
	deadline := time.Now().Add(s.t.Settle)
	res := spec.Resources{Bucket: bucket}
	input := func() map[string]any { return s.ListInput(spec.ListKeys, res, size) }
	for {
		ex, err := s.Do(ctx, spec.ListKeys, input())
		if err != nil {
			return nil, nil, false, err
		}
		if !ex.Reply.OK() {
			return ex, nil, false, nil
		}
		keys, ok := s.b.ListedKeys(ex.Reply)
		if ok {
			more, err := s.morePages(ctx, spec.ListKeys, input, ex, s.Do)
			if err != nil {
				return nil, nil, false, err
			}
			for _, page := range more {
				if !page.Reply.OK() {
					return page, nil, false, nil
				}
				pk, _ := s.b.ListedKeys(page.Reply)
				keys = append(keys, pk...)
			}
		}
		if !ok || until == nil || until(keys) || time.Now().After(deadline) {
			return ex, keys, ok, nil
		}
		select {
		case <-ctx.Done():
			return ex, keys, ok, nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ListBuckets lists the buckets through the binding's pages
// (pages.listBuckets; one request when it declares none), asking for pages
// of size items (0: the endpoint's own). exs are the pages' exchanges,
// first page first; ok is false when a page is not a success or holds no
// bucket list, and names are then those read so far.
func (s *Session) ListBuckets(ctx context.Context, size int) (exs []*exchange.Exchange, names []string, ok bool, err error) {
	input := func() map[string]any { return s.ListInput(spec.ListBuckets, spec.Resources{}, size) }
	return readPages(ctx, s, spec.ListBuckets, input, s.Do, s.b.ListedBuckets)
}

// readPages reads a list of role to its last page, each page's request
// input() with the page token set, sent with send; items reads a page's
// items. exs are the pages' exchanges, first page first; ok is false when
// a page is not a success or holds no list, and the items are then those
// of the pages before it.
func readPages[T any](ctx context.Context, s *Session, role spec.Role, input func() map[string]any,
	send func(context.Context, spec.Role, map[string]any) (*exchange.Exchange, error),
	items func(*spec.Reply) ([]T, bool)) (exs []*exchange.Exchange, all []T, ok bool, err error) {
	first, err := send(ctx, role, input())
	if err != nil {
		return nil, nil, false, err
	}
	exs = []*exchange.Exchange{first}
	all, ok = items(first.Reply)
	if !first.Reply.OK() || !ok {
		return exs, nil, false, nil
	}
	more, err := s.morePages(ctx, role, input, first, send)
	exs = append(exs, more...)
	if err != nil {
		return exs, all, false, err
	}
	for _, page := range more {
		got, pok := items(page.Reply)
		if !page.Reply.OK() || !pok {
			return exs, all, false, nil
		}
		all = append(all, got...)
	}
	return exs, all, true, nil
}

// morePages sends, after the first page of a list, the request for each
// next page the replies name (input's, with the page token set), until the
// last one, a reply that is not a success, or spec.MaxPages; it returns
// those pages' exchanges (none when the list does not page). send sends
// role's operation with an input.
func (s *Session) morePages(ctx context.Context, role spec.Role, input func() map[string]any, first *exchange.Exchange,
	send func(context.Context, spec.Role, map[string]any) (*exchange.Exchange, error)) ([]*exchange.Exchange, error) {
	var out []*exchange.Exchange
	last := first
	for range spec.MaxPages {
		token, more := s.b.NextPage(role, last.Reply)
		if !more {
			return out, nil
		}
		in := input()
		spec.SetPointer(in, s.b.Pages[role].Token, token)
		ex, err := send(ctx, role, in)
		if err != nil {
			return out, err
		}
		out = append(out, ex)
		last = ex
	}
	return out, fmt.Errorf("%s: still another page after %d pages", s.doc.Op(role).ID, spec.MaxPages)
}

// ReadKeys lists bucket's keys, following every page (Binding.Pages),
// asking for pages of size items where the binding says where a page size
// goes (pages.size; 0 asks for none), as SendJSON does: the exchanges (the
// first page's first) are the caller's to judge. ok is false when a page
// is not a success or holds no key list.
func (s *Session) ReadKeys(ctx context.Context, bucket string, size int) (exs []*exchange.Exchange, keys []spec.Key, ok bool, err error) {
	input := func() map[string]any { return s.ListInput(spec.ListKeys, spec.Resources{Bucket: bucket}, size) }
	return readPages(ctx, s, spec.ListKeys, input, s.SendJSON, s.b.ListedKeys)
}
