package fuzz

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

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
		created  []string
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	gate := make(chan struct{})
	// Phase one is creates only: no delete can make a racy limit look
	// legal. Phase two mixes creates, deletes and lists.
	var burst sync.WaitGroup
	burst.Add(raceWorkers)
	for w := range raceWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(sess.Seed()), uint64(w)))
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
						mu.Lock()
						if len(created) > 0 {
							op = keyOp{Kind: "delete", ID: created[rng.IntN(len(created))]}
						}
						mu.Unlock()
					default:
						op = keyOp{Kind: "list"}
					}
				}
				call := time.Since(start).Nanoseconds()
				ex, res, err := perform(ctx, sess, bucket, op)
				ret := time.Since(start).Nanoseconds()
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
					created = append(created, res.ID)
				}
				h.ops = append(h.ops, porcupine.Operation{ClientId: w, Input: op, Call: call, Output: res, Return: ret, Metadata: len(h.exs)})
				h.exs = append(h.exs, ex)
				mu.Unlock()
			}
		}()
	}
	close(gate)
	wg.Wait()
	cleanupCtx := context.WithoutCancel(ctx)
	for _, id := range created {
		sess.SendJSON(cleanupCtx, spec.DeleteKey, sess.Request(spec.DeleteKey, spec.Resources{Bucket: bucket, KeyID: id}))
	}
	return h, firstErr
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
