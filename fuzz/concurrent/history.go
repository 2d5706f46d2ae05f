package concurrent

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/anishathalye/porcupine"

	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// Size of the concurrent history: every worker starts with creates at the
// same instant (the race a check-then-insert endpoint loses), then mixes
// creates, deletes and lists.
const (
	raceWorkers = 4
	raceOps     = 8
	burstOps    = 2 // creates each worker sends before any other operation
	// racePages bounds the pages a worker reads of one list. Stopping
	// early is sound: every page of a paged read is a lower bound alone.
	racePages = 8
)

// keyOp is an operation of the concurrent history, as porcupine sees it.
// A list is read page by page, and each page is an operation of its own:
// each is its own request, and another worker may create or delete keys
// between two of them.
type keyOp struct {
	Kind string // "create", "delete", "list"
	ID   string // the key deleted
	Page int    // list: the page's number in its read, from 1
	Size int    // list: the page size the request asked for (0: none)
}

// keyResult is what an operation returned. Unknown marks an answer that
// says nothing about the effect (a 5xx, an unexpected error): the model
// then allows both outcomes.
type keyResult struct {
	OK, Full, Missing, Unknown bool
	ID                         string   // the key created
	IDs                        []string // the keys listed on the page, sorted
	More                       bool     // list: the page says more pages follow
}

// whole reports whether a list page is the bucket's whole content at the
// instant it was read: the first page of its read, saying no page follows.
// Any other page (one that says more follow, or a later one) holds some of
// the keys the bucket held at its own instant: a lower bound, never the
// bucket's whole content.
func whole(in keyOp, out keyResult) bool { return in.Page <= 1 && !out.More }

// history is a recorded concurrent run on one bucket.
type history struct {
	limit int
	pre   []string
	ops   []porcupine.Operation
	exs   []*exchange.Exchange
	stuck []*exchange.Exchange // the exchanges of operations no order could place
}

// raceHistory runs raceWorkers goroutines against bucket A at once and
// records every operation with its call and return times. Every key it
// creates is deleted afterwards.
func raceHistory(ctx context.Context, sess *engine.Session) (*history, error) {
	bucket := sess.Buckets()[0]
	doc := sess.Doc()
	// Before the workers start nothing changes the bucket, so its pages
	// read to the end are its content. Known false alarm: a pre-list cut
	// short by a failing page starts the model from the keys it read.
	_, keys, _, err := sess.ReadKeys(ctx, bucket, 0)
	if err != nil {
		return nil, err
	}
	h := &history{limit: doc.Binding.Limit}
	for _, k := range keys {
		h.pre = append(h.pre, k.ID)
	}
	// Where the binding says where a page size goes, half the lists ask
	// for pages of one key, so that reads span pages on any endpoint.
	sized := doc.Binding.Pages[spec.ListKeys].Size != ""
	var (
		mu       sync.Mutex
		created  = make([][]string, raceWorkers) // per worker, in the order it saw them
		firstErr error
		wg       sync.WaitGroup
	)
	gate := make(chan struct{})
	// Phase one is creates only: no delete can make a racy limit look
	// legal. Phase two mixes creates, deletes and lists. Each worker's
	// choices depend only on its seed and its own answers (it deletes keys
	// it created), so a replay, which serves each worker its own recorded
	// answers, sends the same requests.
	var burst sync.WaitGroup
	burst.Add(raceWorkers)
	for w := range raceWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(sess.Seed()), uint64(w)))
			wctx := exchange.WithWorker(ctx, fmt.Sprint(w+1))
			<-gate
			for i := range raceOps {
				if i == burstOps {
					burst.Done()
					burst.Wait()
				}
				op := keyOp{Kind: "create"}
				if i >= burstOps {
					switch r := rng.IntN(10); {
					case r < 4:
					case r < 7:
						if mine := created[w]; len(mine) > 0 {
							op = keyOp{Kind: "delete", ID: mine[rng.IntN(len(mine))]}
						}
					default:
						op = keyOp{Kind: "list", Page: 1}
						if sized {
							op.Size = rng.IntN(2) // 0: the endpoint's page size
						}
					}
				}
				// send performs one operation (one page of a list) and
				// records it; false ends the worker.
				send := func(op keyOp, input map[string]any) (*exchange.Exchange, bool) {
					ex, res, err := safePerform(wctx, sess, bucket, op, input)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						if firstErr == nil {
							firstErr = err
						}
						if i < burstOps {
							burst.Done()
						}
						return nil, false
					}
					if res.OK && op.Kind == "create" && res.ID != "" {
						created[w] = append(created[w], res.ID)
					}
					// The exchange's own times bound the operation: in a
					// replay they are the recorded ones.
					h.ops = append(h.ops, porcupine.Operation{ClientId: w, Input: op, Output: res,
						Call: ex.Start.UnixNano(), Return: ex.Start.Add(ex.Duration).UnixNano(), Metadata: ex})
					return ex, true
				}
				if op.Kind != "list" {
					if _, ok := send(op, nil); !ok {
						return
					}
					continue
				}
				// A list reads its pages in turn, each an operation.
				for input := sess.ListInput(spec.ListKeys, spec.Resources{Bucket: bucket}, op.Size); input != nil; op.Page++ {
					ex, ok := send(op, input)
					if !ok {
						return
					}
					input = nextPage(sess, bucket, op, ex)
				}
			}
		}()
	}
	close(gate)
	wg.Wait()
	h.order()
	cleanupCtx := context.WithoutCancel(ctx)
	for _, mine := range created {
		for _, id := range mine {
			sess.SendJSON(cleanupCtx, spec.DeleteKey, sess.Request(spec.DeleteKey, spec.Resources{Bucket: bucket, KeyID: id}))
		}
	}
	return h, firstErr
}

// order sorts the history by call time, counts times from the first call,
// and numbers the exchanges, so that the same history reads the same
// whatever order the workers finished in.
func (h *history) order() {
	sort.SliceStable(h.ops, func(i, j int) bool { return h.ops[i].Call < h.ops[j].Call })
	var base int64
	if len(h.ops) > 0 {
		base = h.ops[0].Call
	}
	for i := range h.ops {
		h.ops[i].Call -= base
		h.ops[i].Return -= base
		h.exs = append(h.exs, h.ops[i].Metadata.(*exchange.Exchange))
		h.ops[i].Metadata = i
	}
}

// nextPage is the input of the page after list page op, whose exchange is
// ex: nil when ex names no next page, or op was the last page a worker
// reads (racePages). It depends on the worker's own answer only.
func nextPage(sess *engine.Session, bucket string, op keyOp, ex *exchange.Exchange) map[string]any {
	b := sess.Doc().Binding
	token, more := b.NextPage(spec.ListKeys, ex.Reply)
	if !more || op.Page >= racePages {
		return nil
	}
	input := sess.ListInput(spec.ListKeys, spec.Resources{Bucket: bucket}, op.Size)
	spec.SetPointer(input, b.Pages[spec.ListKeys].Token, token)
	return input
}

// safePerform is perform with a panic (a transport's, say) turned into an
// error: a worker goroutine must never take the process down.
func safePerform(ctx context.Context, sess *engine.Session, bucket string, op keyOp, input map[string]any) (ex *exchange.Exchange, res keyResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a concurrent worker: %v", p)
		}
	}()
	return perform(ctx, sess, bucket, op, input)
}

// perform sends one operation (a list page with input, the minimal
// request otherwise) and classifies its answer.
func perform(ctx context.Context, sess *engine.Session, bucket string, op keyOp, input map[string]any) (*exchange.Exchange, keyResult, error) {
	b := sess.Doc().Binding
	var role spec.Role
	switch op.Kind {
	case "create":
		role = spec.CreateKey
	case "delete":
		role = spec.DeleteKey
	default:
		role = spec.ListKeys
	}
	if input == nil {
		input = sess.Request(role, spec.Resources{Bucket: bucket, KeyID: op.ID})
	}
	ex, err := sess.SendJSON(ctx, role, input)
	if err != nil {
		return nil, keyResult{}, err
	}
	var res keyResult
	switch {
	case ex.Reply.OK():
		res.OK = true
		switch op.Kind {
		case "create":
			if k, ok := b.CreatedKey(ex.Reply); ok {
				res.ID = k.ID
			} else {
				res.Unknown = true
			}
		case "list":
			keys, ok := b.ListedKeys(ex.Reply)
			res.Unknown = !ok
			for _, k := range keys {
				res.IDs = append(res.IDs, k.ID)
			}
			sort.Strings(res.IDs)
			res.More = b.Truncated(spec.ListKeys, ex.Reply)
		}
	case op.Kind == "create" && sess.Is(ex, spec.LimitExceeded):
		res.Full = true
	case op.Kind == "delete" && sess.Is(ex, spec.NotFound):
		res.Missing = true
	default:
		res.Unknown = true
	}
	return ex, res, nil
}
