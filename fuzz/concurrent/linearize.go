// Package concurrent checks concurrent-limit: concurrent creates, deletes
// and lists on one bucket (a list page by page) are recorded with their
// call and return times, and porcupine checks that the history is
// linearizable against the two-key model.
package concurrent

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
)

// Run is concurrent-limit, a step of every contract.Check run: it records
// a concurrent history on bucket A and checks it for linearizability
// against the two-key model. It keeps porcupine's visualisation for the
// report and, with a Target.VizFile, writes it there, pass or fail.
func Run(ctx context.Context, sess *engine.Session) error {
	h, err := raceHistory(ctx, sess)
	if err != nil {
		return err
	}
	if msg, bad := h.check(sess, sess.Target().VizFile); bad {
		sess.Fail(check.ConcurrentLimit, msg, h.stuck...)
	}
	return nil
}

// keyModel is the sequential specification: a set of key ids (sorted,
// joined) that never grows past limit. Answers that say nothing about their
// effect (Unknown) allow both outcomes. Each list page is an operation of
// its own: a page that is the whole list (whole: the first page, saying no
// page follows) must show exactly the set; any other page must show keys
// the set holds (items ⊆ state), at its own instant, and says nothing of
// the keys it does not show. Known false negatives: a create whose answer
// is Unknown is taken as not applied; a paged read that misses a key the
// bucket held throughout (a page is a lower bound, the pages together are
// no more than that).
func keyModel(limit int, pre []string) porcupine.Model {
	set := func(ids []string) string {
		s := slices.Clone(ids)
		slices.Sort(s)
		return strings.Join(s, ",")
	}
	ids := func(state any) []string {
		if state.(string) == "" {
			return nil
		}
		return strings.Split(state.(string), ",")
	}
	nm := porcupine.NondeterministicModel{
		Init: func() []any { return []any{set(pre)} },
		Step: func(state, input, output any) []any {
			in, out, cur := input.(keyOp), output.(keyResult), ids(state)
			has := func(id string) bool { return slices.Contains(cur, id) }
			without := func(id string) string {
				return set(slices.DeleteFunc(slices.Clone(cur), func(x string) bool { return x == id }))
			}
			switch in.Kind {
			case "create":
				switch {
				case out.Unknown:
					return []any{state}
				case out.Full && len(cur) >= limit:
					return []any{state}
				case out.OK && len(cur) < limit && !has(out.ID):
					return []any{set(append(slices.Clone(cur), out.ID))}
				}
			case "delete":
				switch {
				case out.Unknown && has(in.ID):
					return []any{state, without(in.ID)}
				case out.Unknown:
					return []any{state}
				case out.OK && has(in.ID):
					return []any{without(in.ID)}
				case out.Missing && !has(in.ID):
					return []any{state}
				}
			case "list":
				switch {
				case out.Unknown:
					return []any{state}
				case whole(in, out) && set(out.IDs) == state.(string):
					return []any{state}
				case !whole(in, out) && !slices.ContainsFunc(out.IDs, func(id string) bool { return !has(id) }):
					return []any{state}
				}
			}
			return nil
		},
		DescribeOperation: func(input, output any) string { return describeOp(input.(keyOp), output.(keyResult)) },
		DescribeState: func(state any) string {
			return fmt.Sprintf("%d keys {%s}", len(ids(state)), state)
		},
	}
	return nm.ToModel()
}

// describeOp names an operation and its answer, for porcupine's
// visualisation and the failure message: "create() -> created K1",
// "list() -> 2 keys [K1 K2]" (a whole list), or for a page of a paged read
// "list page 2 (size 1) -> at least [K2]; last page".
func describeOp(in keyOp, out keyResult) string {
	var res string
	switch {
	case out.Unknown:
		res = "unknown outcome"
	case out.Full:
		res = "limit error"
	case out.Missing:
		res = "not found"
	case in.Kind == "create":
		res = "created " + out.ID
	case in.Kind == "list" && whole(in, out):
		res = fmt.Sprintf("%d keys %v", len(out.IDs), out.IDs)
	case in.Kind == "list":
		next := "more follow"
		if !out.More {
			next = "last page"
		}
		res = fmt.Sprintf("at least %v; %s", out.IDs, next)
	default:
		res = "ok"
	}
	switch {
	case in.ID != "":
		return fmt.Sprintf("%s(%s) -> %s", in.Kind, in.ID, res)
	case in.Kind == "list" && (in.Page > 1 || out.More):
		size := ""
		if in.Size > 0 {
			size = fmt.Sprintf(" (size %d)", in.Size)
		}
		return fmt.Sprintf("list page %d%s -> %s", in.Page, size, res)
	}
	return fmt.Sprintf("%s() -> %s", in.Kind, res)
}

// check runs porcupine. A non-linearizable history yields a message with
// the operations that could not be placed, and h.stuck their exchanges.
func (h *history) check(sess *engine.Session, vizPath string) (string, bool) {
	model := keyModel(h.limit, h.pre)
	result, info := porcupine.CheckOperationsVerbose(model, h.ops, 10*time.Second)
	var page bytes.Buffer
	if err := porcupine.Visualize(model, info, &page); err != nil {
		sess.Progress("could not draw the concurrent history: %v", err)
	} else {
		sess.SetVisualization(page.Bytes())
		if vizPath != "" {
			if err := os.WriteFile(vizPath, page.Bytes(), 0o644); err != nil {
				sess.Progress("could not write %s: %v", vizPath, err)
			}
		}
	}
	if result != porcupine.Illegal {
		if result == porcupine.Unknown {
			sess.Progress("concurrent-limit: porcupine timed out; the history was not judged")
		}
		return "", false
	}
	placed := map[int]bool{}
	for _, partition := range info.PartialLinearizations() {
		for _, lin := range partition {
			if len(lin) > len(placed) {
				clear(placed)
				for _, i := range lin {
					placed[i] = true
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d concurrent operations on one bucket (each page of a list one) are not linearizable against the %d-key model: at most %d of them fit one sequential order; these cannot follow:",
		len(h.ops), h.limit, len(placed))
	h.stuck = nil
	for i, op := range h.ops {
		if placed[i] {
			continue
		}
		fmt.Fprintf(&b, "\n  client %d: %s [%.1f-%.1f ms]", op.ClientId, describeOp(op.Input.(keyOp), op.Output.(keyResult)),
			float64(op.Call)/1e6, float64(op.Return)/1e6)
		if len(h.stuck) < 6 {
			h.stuck = append(h.stuck, h.exs[op.Metadata.(int)])
		}
	}
	return sess.Redact(b.String()), true
}
