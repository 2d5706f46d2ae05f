package fuzz

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/anishathalye/porcupine"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/spec"
)

// Size of the concurrent history: every worker starts with creates at the
// same instant (the race a check-then-insert endpoint loses), then mixes
// creates, deletes and lists.
const (
	raceWorkers = 4
	raceOps     = 8
	burstOps    = 2 // creates each worker sends before any other operation
)

// keyOp is an operation of the concurrent history, as porcupine sees it.
type keyOp struct {
	Kind string // "create", "delete", "list"
	ID   string // the key deleted
}

// keyResult is what an operation returned. Unknown marks an answer that
// says nothing about the effect (a 5xx, an unexpected error): the model
// then allows both outcomes.
type keyResult struct {
	OK, Full, Missing, Unknown bool
	ID                         string   // the key created
	IDs                        []string // the keys listed, sorted
}

// history is a recorded concurrent run on one bucket.
type history struct {
	limit int
	pre   []string
	ops   []porcupine.Operation
	exs   []*contract.Exchange
	stuck []*contract.Exchange // the exchanges of operations no order could place
}

// raceHistory runs raceWorkers goroutines against bucket A at once and
// records every operation with its call and return times. Every key it
// creates is deleted afterwards.
func raceHistory(ctx context.Context, sess *contract.Session) (*history, error) {
	bucket := sess.Buckets()[0]
	doc := sess.Doc()
	lex, err := sess.SendJSON(ctx, spec.ListKeys, sess.Request(spec.ListKeys, spec.Resources{Bucket: bucket}))
	if err != nil {
		return nil, err
	}
	h := &history{limit: doc.Binding.Limit}
	if keys, ok := doc.Binding.ListedKeys(lex.Reply); ok {
		for _, k := range keys {
			h.pre = append(h.pre, k.ID)
		}
	}
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
			wctx := contract.WithWorker(ctx, fmt.Sprint(w+1))
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
						op = keyOp{Kind: "list"}
					}
				}
				ex, res, err := safePerform(wctx, sess, bucket, op)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					if i < burstOps {
						burst.Done()
					}
					return
				}
				if res.OK && op.Kind == "create" && res.ID != "" {
					created[w] = append(created[w], res.ID)
				}
				// The exchange's own times bound the operation: in a
				// replay they are the recorded ones.
				h.ops = append(h.ops, porcupine.Operation{ClientId: w, Input: op, Output: res,
					Call: ex.Start.UnixNano(), Return: ex.Start.Add(ex.Duration).UnixNano(), Metadata: ex})
				mu.Unlock()
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
		h.exs = append(h.exs, h.ops[i].Metadata.(*contract.Exchange))
		h.ops[i].Metadata = i
	}
}

// safePerform is perform with a panic (a transport's, say) turned into an
// error: a worker goroutine must never take the process down.
func safePerform(ctx context.Context, sess *contract.Session, bucket string, op keyOp) (ex *contract.Exchange, res keyResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a concurrent worker: %v", p)
		}
	}()
	return perform(ctx, sess, bucket, op)
}

// perform sends one operation and classifies its answer.
func perform(ctx context.Context, sess *contract.Session, bucket string, op keyOp) (*contract.Exchange, keyResult, error) {
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
	ex, err := sess.SendJSON(ctx, role, sess.Request(role, spec.Resources{Bucket: bucket, KeyID: op.ID}))
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
