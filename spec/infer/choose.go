package infer

import (
	"fmt"

	"github.com/keycontract/keycontract/spec"
)

// choose settles one role from its candidates, or from the overlay.
func (x *inference) choose(role spec.Role, cs []*cand) *cand {
	field := "operations." + string(role)
	if id := x.ov.Operations[role]; id != "" {
		for _, c := range cs {
			if c.op.id == id {
				x.take(role, c, "named by -binding", "")
				return c
			}
		}
		for _, o := range x.ops {
			if o.id == id {
				c := &cand{op: o}
				x.take(role, c, "named by -binding", "")
				return c
			}
		}
		x.r.Problems = append(x.r.Problems, Problem{Field: field, Message: fmt.Sprintf("-binding names %q, which no operation of the description has", id)})
		return nil
	}
	var free []*cand
	for _, c := range cs {
		if !x.used(c.op) {
			free = append(free, c)
		}
	}
	best, runner, ambiguous := pick(free)
	switch {
	case best == nil:
		x.r.Problems = append(x.r.Problems, Problem{Field: field, Message: "no operation of the description can play " + string(role) + whatWanted(role)})
		return nil
	case ambiguous:
		x.r.Problems = append(x.r.Problems, Problem{Field: field, Ambiguous: true,
			Message:    fmt.Sprintf("two operations fit %s about equally well (choose one with -binding: operations: {%s: ID})", role, role),
			Candidates: []Candidate{candidate(best), candidate(runner)}})
		return nil
	}
	ru := ""
	if runner != nil {
		why := orNone(runner.why())
		if runner.ineligible != "" {
			why = "not a candidate: " + runner.ineligible + "; " + why
		}
		ru = fmt.Sprintf("%s (%.1f vs %.1f: %s)", runner.op.id, runner.score, best.score, why)
		x.margin(role, best.score, runner.op.id, runner.score)
		x.pending[role] = Note{Score: best.score, Rival: runner.op.id, RivalScore: runner.score, RivalWhy: runner.ineligible}
	} else {
		x.margin(role, best.score, "", 0)
	}
	x.take(role, best, best.why(), ru)
	return best
}

func orNone(s string) string {
	if s == "" {
		return "no evidence"
	}
	return s
}

func candidate(c *cand) Candidate {
	return Candidate{OperationID: c.op.id, Route: route(c.op), Reason: orNone(c.why()), Score: c.score}
}

func whatWanted(role spec.Role) string {
	switch role {
	case spec.CreateKey:
		return " (an operation whose success body has a secret-like string member)"
	case spec.ListKeys:
		return " (an operation whose success body holds a list of the created key's objects)"
	case spec.DeleteKey:
		return " (a delete that takes the key's id)"
	}
	return " (an operation on the parent resource " + "the key operations share)"
}

func (x *inference) take(role spec.Role, c *cand, why, runnerUp string) {
	x.chosen[role] = c
	x.r.Binding.Operations[role] = c.op.id
	x.r.Routes[role] = route(c.op)
	x.r.note("operations."+string(role), c.op.id, why, runnerUp)
	if m, ok := x.pending[role]; ok {
		n := &x.r.Notes[len(x.r.Notes)-1]
		n.Score, n.Rival, n.RivalScore, n.RivalWhy, n.scored = m.Score, m.Rival, m.RivalScore, m.RivalWhy, true
		delete(x.pending, role)
	}
}

// margin records the winner's score and its nearest rival's for the note
// take writes next.
func (x *inference) margin(role spec.Role, score float64, rival string, rivalScore float64) {
	if x.pending == nil {
		x.pending = map[spec.Role]Note{}
	}
	x.pending[role] = Note{Score: score, Rival: rival, RivalScore: rivalScore}
}

func (x *inference) used(o *op) bool {
	for _, c := range x.chosen {
		if c.op == o {
			return true
		}
	}
	return false
}
