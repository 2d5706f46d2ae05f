package infer

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/keycontract/keycontract/spec"
)

// family is one createKey candidate with the list, delete and parent it
// implies: the key roles chosen together, as a whole description needs
// (other operations issue secrets too: key pairs, service passwords, MFA
// seeds). It is scored in parts:
//   - the create's own score (scoreCreateKey);
//   - list: the list returns the created key's members, without its secret;
//   - del: the delete takes the key's id, or nests in the create's path;
//   - parent: the key operations take the same parent member, another
//     create makes that parent (its reply names it), and the key's create
//     takes the parent and little else.
//
// Two families are compared on the parts both have (compare): a role a
// family has no operation for is neither held against it nor counted for
// its rival, so a key family that lacks its delete is still chosen over a
// complete family that fits less well, and the missing delete is then
// reported, never filled by the other family's.
type family struct {
	ck, lk, dk      *cand
	p               parent
	base, list, del float64
	parent          float64
	reasons         []string
}

// Weights of the family's evidence. A listed secret costs little: vendors
// often share one schema between the created and the listed key
// (Lightsail's GetBucketAccessKeys declares secretAccessKey).
const (
	listWeight    = 3.0 // times the share of the created key's members
	leakCost      = 0.5
	deleteWeight  = 1.0 // times the delete's hold on the id (1 or 2)
	sharedParent  = 1.0
	parentCreated = 1.0
	noParentCost  = 1.5
	extraRequired = 0.75 // per required member of the create besides the parent
)

func (f *family) note(format string, args ...any) {
	f.reasons = append(f.reasons, fmt.Sprintf(format, args...))
}

// total is the family's score, a missing role counting nothing.
func (f *family) total() float64 { return f.base + f.list + f.del + f.parent }

// compare scores f and g on the parts both have.
func compare(f, g *family) (fs, gs float64) {
	fs, gs = f.base+f.parent, g.base+g.parent
	if f.lk != nil && g.lk != nil {
		fs, gs = fs+f.list, gs+g.list
	}
	if f.dk != nil && g.dk != nil {
		fs, gs = fs+f.del, gs+g.del
	}
	return fs, gs
}

// why is the family's evidence in one line.
func (f *family) why() string {
	return strings.Join(append([]string{orNone(f.ck.why())}, f.reasons...), "; ")
}

// families scores every createKey candidate with its family, best total
// first.
func families(ops []*op, cks []*cand) []*family {
	var out []*family
	for _, ck := range cks {
		f := &family{ck: ck, base: ck.score}
		f.lk = best(scoreListKeys(ops, ck))
		f.dk = best(scoreDeleteKey(ops, ck))
		switch {
		case f.lk == nil:
			f.note("no list")
		case f.lk.leak:
			f.list = listWeight*f.lk.shared - leakCost
			f.note("%s lists %.0f%% of its members and its secret too", f.lk.op.id, 100*f.lk.shared)
		default:
			f.list = listWeight * f.lk.shared
			f.note("%s lists %.0f%% of its members, not its secret", f.lk.op.id, 100*f.lk.shared)
		}
		if f.dk == nil {
			f.note("no delete that takes its id")
		} else {
			f.del = deleteWeight * f.dk.holds
			f.note("%s deletes it by its id", f.dk.op.id)
		}
		f.parentEvidence(ops)
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].total() > out[j].total() })
	return out
}

// best is the highest scored eligible candidate, or nil.
func best(cs []*cand) *cand {
	var b *cand
	for _, c := range cs {
		if c.ineligible == "" && (b == nil || c.score > b.score) {
			b = c
		}
	}
	return b
}

// parentEvidence scores the parent the family implies: taken by every key
// operation the family has, made by another create whose reply names it,
// and taken by the key's create with little else required.
func (f *family) parentEvidence(ops []*op) {
	ck := f.ck.op
	keyOps := []*op{ck}
	lk, dk := ck, ck
	if f.lk != nil {
		lk = f.lk.op
		keyOps = append(keyOps, lk)
	}
	if f.dk != nil {
		dk = f.dk.op
		keyOps = append(keyOps, dk)
	}
	f.p, _ = findParent(ck, lk, dk)
	name := f.p.member
	var ids []string
	for _, o := range keyOps {
		if _, ok := o.input[name]; !ok || name == "" {
			f.parent = -noParentCost
			return
		}
		ids = append(ids, o.id)
	}
	f.parent = sharedParent
	f.note("%s take %s", strings.Join(ids, ", "), name)
	if maker := parentMaker(ops, ck, f.p); maker != nil {
		f.parent += parentCreated
		f.note("%s makes the %s", maker.op.id, name)
	}
	if n := requiredBesides(ck, name); n > 0 {
		f.parent -= extraRequired * float64(n)
	}
}

// parentMaker is the best create, other than the key's, that takes the
// parent member in its body or POSTs to the parent's collection, and whose
// reply holds an object naming the parent: what makes the parent.
func parentMaker(ops []*op, ck *op, p parent) *cand {
	var maker *cand
	for _, c := range scoreParentOps(ops, spec.CreateBucket, p) {
		m, takes := c.op.input[p.member]
		makes := takes && m.in != "path" || p.coll != "" && c.op.tmpl == p.coll
		if c.op == ck || c.score < minScore || c.op.verb != "create" || !makes || maker != nil && c.score <= maker.score {
			continue
		}
		for _, o := range objects(c.op.success) {
			if parentNameIn(o.schema, p) != "" {
				maker = c
				break
			}
		}
	}
	return maker
}

// requiredBesides counts the required input members of x other than name.
func requiredBesides(x *op, name string) int {
	n := 0
	for m, in := range x.input {
		if in.required && m != name {
			n++
		}
	}
	return n
}

// chooseKey settles createKey by families. The winner is the family whose
// worst comparison with another (compare) is best; it wins when that
// comparison is at least Margin, else the role is ambiguous and both are
// named. Only families whose create scores minScore compete. A createKey
// the overlay names is taken as it is.
func (x *inference) chooseKey(ops []*op) *cand {
	cks := scoreCreateKey(ops)
	if x.ov.Operations[spec.CreateKey] != "" {
		return x.choose(spec.CreateKey, cks)
	}
	var fs []*family
	for _, f := range families(ops, cks) {
		if f.ck.score >= minScore {
			fs = append(fs, f)
		}
	}
	field := "operations." + string(spec.CreateKey)
	if len(fs) == 0 {
		x.r.Problems = append(x.r.Problems, Problem{Field: field, Message: "no operation of the description can play createKey" + whatWanted(spec.CreateKey)})
		return nil
	}
	var top, rival *family
	worst := math.Inf(-1)
	for _, f := range fs {
		fWorst, fRival := math.Inf(1), (*family)(nil)
		for _, g := range fs {
			if g == f {
				continue
			}
			if a, b := compare(f, g); a-b < fWorst {
				fWorst, fRival = a-b, g
			}
		}
		if fWorst > worst {
			worst, top, rival = fWorst, f, fRival
		}
	}
	if rival == nil {
		x.margin(spec.CreateKey, top.total(), "", 0)
		x.take(spec.CreateKey, top.ck, top.why(), "")
		return top.ck
	}
	ts, rs := compare(top, rival)
	if ts-rs < Margin {
		x.r.Problems = append(x.r.Problems, Problem{Field: field, Ambiguous: true,
			Message:    fmt.Sprintf("two key families fit createKey about equally well (%.1f vs %.1f; choose one with -binding: operations: {createKey: ID})", ts, rs),
			Candidates: []Candidate{top.candidate(ts), rival.candidate(rs)}})
		return nil
	}
	x.margin(spec.CreateKey, ts, rival.ck.op.id, rs)
	x.take(spec.CreateKey, top.ck, top.why(), fmt.Sprintf("%s (%.1f vs %.1f: %s)", rival.ck.op.id, rs, ts, rival.why()))
	return top.ck
}

func (f *family) candidate(score float64) Candidate {
	return Candidate{OperationID: f.ck.op.id, Route: route(f.ck.op), Reason: f.why(), Score: score}
}
