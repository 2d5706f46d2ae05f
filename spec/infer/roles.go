package infer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// cand is one operation scored for one role, with the evidence.
type cand struct {
	op      *op
	score   float64
	reasons []string
	// what the role found in the operation's success body
	ptr    string
	obj    *openapi3.Schema
	secret string
}

func (c *cand) add(score float64, format string, args ...any) {
	c.score += score
	if format != "" && score > 0 {
		if r := fmt.Sprintf(format, args...); !contains(c.reasons, r) {
			c.reasons = append(c.reasons, r)
		}
	}
}

// why is the candidate's reason in one line.
func (c *cand) why() string { return strings.Join(c.reasons, "; ") }

// Margin is how close (in score points) a runner-up must come to the best
// candidate for a role to be ambiguous, and minScore the least score a
// choice needs.
const (
	Margin   = 1.5
	minScore = 3.0
)

// pick sorts candidates and returns the best, the runner-up, and whether
// the two are too close to choose between.
func pick(cs []*cand) (best, runnerUp *cand, ambiguous bool) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	if len(cs) == 0 || cs[0].score < minScore {
		return nil, nil, false
	}
	best = cs[0]
	if len(cs) > 1 && cs[1].score > 0 {
		runnerUp = cs[1]
		ambiguous = runnerUp.score >= minScore && best.score-runnerUp.score < Margin
	}
	return best, runnerUp, ambiguous
}

// verbScore rewards the verb a role wants and penalises the others.
func verbScore(c *cand, want string) {
	v := c.op.verb
	switch {
	case v == want:
		if c.op.header != "" || c.op.action || verbFromName(c.op) {
			c.add(2, "name says %s", strings.Join(words(c.op.name), " "))
		} else {
			c.add(2, "%s %s", c.op.method, c.op.tmpl)
		}
	case v == "":
	case v == "update" && want == "create":
		c.add(-1, "")
	default:
		c.add(-3, "")
	}
}

func verbFromName(x *op) bool {
	for _, w := range words(x.name) {
		if verbWord(w) != "" {
			return true
		}
	}
	return false
}

// underParam describes a REST path ending in a literal segment under a
// parameter: "/v1/buckets/{bucketName}/access-keys" -> access-keys, bucketName.
func underParam(tmpl string) (seg, param string, ok bool) {
	parts := strings.Split(strings.Trim(tmpl, "/"), "/")
	if len(parts) < 2 {
		return "", "", false
	}
	last, prev := parts[len(parts)-1], parts[len(parts)-2]
	if strings.HasPrefix(last, "{") || !strings.HasPrefix(prev, "{") {
		return "", "", false
	}
	return last, strings.Trim(prev, "{}"), true
}

// keyNouns are the words that name a key.
func lexicalKey(c *cand) {
	n := c.op.nouns()
	switch {
	case contains(n, "key") && contains(n, "access"):
		c.add(2, "name has access key")
	case contains(n, "key"):
		c.add(1.5, "name has key")
	case contains(n, "credential"):
		c.add(1, "name has credential")
	}
}

func scoreCreateKey(ops []*op) []*cand {
	var cs []*cand
	for _, x := range ops {
		c := &cand{op: x}
		var best float64
		for _, f := range objects(x.success) {
			name, sc, how := secretIn(f.schema, nil)
			if sc > best {
				best, c.ptr, c.obj, c.secret = sc, f.ptr, f.schema, name
				if how != "" {
					name += " (" + how + ")"
				}
				c.reasons = []string{fmt.Sprintf("%d body has %s", x.successStatus, name)}
			}
		}
		if best == 0 {
			continue
		}
		c.score = best
		verbScore(c, "create")
		lexicalKey(c)
		rest := x.header == "" && !x.action
		if seg, param, ok := underParam(x.tmpl); ok && rest {
			c.reasons = append([]string{fmt.Sprintf("path has %s under a %s parameter", seg, param)}, c.reasons...)
			c.score += 2
		} else if rest && strings.HasSuffix(x.tmpl, "}") {
			c.add(-2, "")
		} else if rest && !strings.Contains(x.tmpl, "{") {
			c.add(-1, "") // a top-level collection: no parent
		}
		if !rest {
			if m := qualifiedRef(x); m != "" {
				c.add(1, "takes %s", m)
			}
		}
		if n := required(x); n == 0 {
			c.add(-1.5, "")
		} else {
			c.add(-0.75*float64(n-1), "") // a key needs its parent, little else
		}
		cs = append(cs, c)
	}
	return cs
}

// qualifiedRef is a required input member that names another resource
// (bucketName, UserName, store_id): a parent reference, not the name of
// the thing created.
func qualifiedRef(x *op) string {
	for _, name := range sortedKeys(x.input) {
		m := x.input[name]
		ws := words(name)
		if m.required && len(ws) > 1 && (ws[len(ws)-1] == "name" || ws[len(ws)-1] == "id") {
			return name
		}
	}
	return ""
}

// required counts an operation's required input members.
func required(x *op) int {
	n := 0
	for _, m := range x.input {
		if m.required {
			n++
		}
	}
	return n
}

func scoreListKeys(ops []*op, ck *cand) []*cand {
	var cs []*cand
	for _, x := range ops {
		if x == ck.op {
			continue
		}
		c := &cand{op: x}
		best := -10.0
		for _, f := range arrays(x.success) {
			sh, common := shared(ck.obj, f.schema, ck.secret)
			sc := 3 * sh
			why := ""
			if len(common) > 0 {
				why = "items share " + strings.Join(common, ", ") + " with the created key"
			}
			if _, leak := properties(f.schema)[ck.secret]; leak && ck.secret != "" {
				sc -= 2
			}
			if sc > best {
				best, c.ptr, c.obj = sc, f.ptr, f.schema
				c.reasons = nil
				if why != "" {
					c.reasons = []string{fmt.Sprintf("%d body %s %s", x.successStatus, orRoot(f.ptr), why)}
				}
			}
		}
		if c.obj == nil {
			continue
		}
		c.score = best
		verbScore(c, "read")
		lexicalKey(c)
		sameFamily(c, ck)
		if x.tmpl == ck.op.tmpl && x.method == "GET" && ck.op.header == "" && !ck.op.action {
			c.add(3, "GET on the create path")
		}
		cs = append(cs, c)
	}
	return cs
}

func orRoot(p string) string {
	if p == "" {
		return "(the body)"
	}
	return p
}

// sameFamily rewards an operation named like the created key's and taking
// the same parent.
func sameFamily(c, ck *cand) {
	kn, n := ck.op.nouns(), c.op.nouns()
	if o := overlap(kn, n); o > 0 {
		c.add(2*o*overlap(n, kn), "name shares %s with %s", strings.Join(common(kn, n), " "), ck.op.id)
		if o == 1 && overlap(n, kn) == 1 {
			c.add(1.5, "names the same resource as %s", ck.op.id)
		}
	}
	for _, m := range ck.op.input {
		if m.required {
			if _, ok := c.op.input[m.name]; ok {
				c.add(1, "takes %s like %s", m.name, ck.op.id)
				break
			}
		}
	}
}

func common(a, b []string) []string {
	var out []string
	for _, w := range a {
		if contains(b, w) {
			out = append(out, w)
		}
	}
	return out
}

func scoreDeleteKey(ops []*op, ck *cand) []*cand {
	var cs []*cand
	keyID, _ := idMember(ck.obj, ck.op.nouns())
	for _, x := range ops {
		if x == ck.op {
			continue
		}
		c := &cand{op: x}
		verbScore(c, "delete")
		if x.verb != "delete" {
			continue
		}
		// Structural evidence is required: the delete is nested in the
		// create path, takes the created key's id, or takes an id named
		// like the key next to a member of the create.
		evidence := false
		if strings.HasPrefix(x.tmpl, ck.op.tmpl+"/{") && strings.Count(strings.TrimPrefix(x.tmpl, ck.op.tmpl+"/"), "/") == 0 && ck.op.header == "" && !ck.op.action {
			c.add(3, "path adds %s to the create path", strings.TrimPrefix(x.tmpl, ck.op.tmpl+"/"))
			evidence = true
		}
		if _, ok := x.input[keyID]; ok && keyID != "" {
			c.add(2, "takes %s, the created key's id", keyID)
			evidence = true
		} else {
			for _, name := range sortedKeys(x.input) {
				if _, inCreate := ck.op.input[name]; !inCreate && strings.HasSuffix(norm(name), "id") {
					c.add(1, "takes %s", name)
					evidence = evidence || overlap(words(name), ck.op.nouns()) > 0 && sharesInput(x, ck.op)
					break
				}
			}
		}
		if !evidence {
			continue
		}
		lexicalKey(c)
		sameFamily(c, ck)
		cs = append(cs, c)
	}
	return cs
}

// sharesInput reports whether x takes a required member of o.
func sharesInput(x, o *op) bool {
	for name, m := range o.input {
		if _, ok := x.input[name]; ok && m.required {
			return true
		}
	}
	return false
}

// parent is the resource that holds the keys: the input member every key
// operation shares, and the words that name it.
type parent struct {
	member string
	in     string
	nouns  []string
	coll   string // REST: the collection path, "/v1/buckets"
	item   string // REST: the item path, "/v1/buckets/{bucketName}"
}

func findParent(ck, lk, dk *op) (parent, string) {
	var p parent
	best := -1.0
	for _, name := range sortedKeys(ck.input) {
		m := ck.input[name]
		sc := 0.0
		if _, ok := lk.input[name]; ok {
			sc += 2
		}
		if _, ok := dk.input[name]; ok {
			sc += 2
		}
		if m.in == "path" {
			sc++
		}
		if m.required {
			sc++
		}
		if n := norm(name); strings.HasSuffix(n, "name") || strings.HasSuffix(n, "id") {
			sc += 0.5
		}
		if sc > best {
			best, p.member, p.in = sc, name, m.in
		}
	}
	if p.member == "" {
		return p, ""
	}
	for _, w := range words(p.member) {
		if w != "name" && w != "id" && w != "arn" && w != "uuid" {
			p.nouns = append(p.nouns, w)
		}
	}
	if i := strings.Index(ck.tmpl, "/{"+p.member+"}"); i >= 0 && ck.header == "" && !ck.action {
		p.coll, p.item = ck.tmpl[:i], ck.tmpl[:i]+"/{"+p.member+"}"
		if len(p.nouns) == 0 {
			segs := strings.Split(p.coll, "/")
			p.nouns = words(segs[len(segs)-1])
		}
	}
	why := fmt.Sprintf("%s (%s) is taken by %s, %s and %s", p.member, p.in, ck.id, lk.id, dk.id)
	return p, why
}

// lexicalParent rewards a name that is the parent's noun and little else.
func lexicalParent(c *cand, p parent) {
	n := c.op.nouns()
	if len(p.nouns) == 0 || !contains(n, p.nouns[len(p.nouns)-1]) {
		return
	}
	extra := 0
	for _, w := range n {
		if !contains(p.nouns, w) {
			extra++
		}
	}
	if extra == 0 {
		c.add(3, "name is %s", strings.Join(words(c.op.name), " "))
	} else {
		c.add(1-0.75*float64(extra), "name has %s", strings.Join(p.nouns, " "))
	}
}

func scoreParentOps(ops []*op, role spec.Role, p parent) []*cand {
	var cs []*cand
	for _, x := range ops {
		c := &cand{op: x}
		m, takes := x.input[p.member]
		switch role {
		case spec.CreateBucket:
			verbScore(c, "create")
			if p.coll != "" && x.tmpl == p.coll && x.method == "POST" {
				c.add(3, "POST %s", x.tmpl)
			}
			if takes && m.in != "path" {
				c.add(1.5, "takes %s", p.member)
			}
			if takes && m.in == "path" {
				c.add(-3, "")
			}
			if best, _, _ := secretIn(x.success, nil); best != "" {
				c.add(-2, "")
			}
		case spec.DeleteBucket:
			verbScore(c, "delete")
			if p.item != "" && x.tmpl == p.item && x.method == "DELETE" {
				c.add(3, "DELETE %s", x.tmpl)
			}
			if takes {
				c.add(1.5, "takes %s", p.member)
			}
			for name, o := range x.input {
				if o.required && name != p.member && !isType(o.schema, openapi3.TypeBoolean) {
					c.add(-1.5, "")
				}
			}
		case spec.ListBuckets:
			verbScore(c, "read")
			if p.coll != "" && x.tmpl == p.coll && x.method == "GET" {
				c.add(3, "GET %s", x.tmpl)
			}
			arr := arrays(x.success)
			if len(arr) == 0 {
				c.add(-2, "")
			} else {
				c.add(1.5, "%d body has a list at %s", x.successStatus, orRoot(arr[0].ptr))
			}
			if takes && m.required {
				c.add(-1.5, "")
			}
		}
		lexicalParent(c, p)
		cs = append(cs, c)
	}
	return cs
}
