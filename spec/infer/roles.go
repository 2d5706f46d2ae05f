package infer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
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
	// structural evidence for the family (family.go): a list's share of
	// the created key's members and whether its items hold the secret; a
	// delete's hold on the key's id (2: takes it or nests in the create
	// path, 1: takes an id named like the key).
	shared float64
	leak   bool
	holds  float64
	// ineligible says why the candidate may not play the role though it
	// scored (a delete with no hold on the key's id): it is shown as the
	// nearest rival, never chosen and never a cause of ambiguity.
	ineligible string
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

// pick sorts candidates and returns the best eligible one, the runner-up
// (an eligible one, else the best ineligible one, shown but never a cause
// of ambiguity), and whether the two are too close to choose between.
func pick(cs []*cand) (best, runnerUp *cand, ambiguous bool) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var shown *cand
	for _, c := range cs {
		switch {
		case c.ineligible != "":
			if shown == nil && c.score > 0 {
				shown = c
			}
		case best == nil:
			best = c
		case runnerUp == nil && c.score > 0:
			runnerUp = c
		}
	}
	if best == nil || best.score < minScore {
		return nil, nil, false
	}
	if runnerUp != nil {
		return best, runnerUp, runnerUp.score >= minScore && best.score-runnerUp.score < Margin
	}
	return best, shown, false
}

// verbScore rewards the verb a role wants and penalises the others.
func verbScore(c *cand, want string) {
	v := c.op.verb
	switch {
	case v == want:
		if c.op.named() || verbFromName(c.op) {
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
		rest := !x.named()
		if seg, param, ok := underParam(x.tmpl); ok && rest {
			c.reasons = append([]string{fmt.Sprintf("path has %s under a %s parameter", seg, param)}, c.reasons...)
			c.score += 2
		} else if rest && strings.HasSuffix(x.tmpl, "}") {
			c.add(-2, "")
		} else if rest && !strings.Contains(x.tmpl, "{") {
			c.add(-1, "") // a top-level collection: no parent
		}
		// What the key's parent is, and whether the create takes it and
		// little else, is the family's to judge (family.go).
		cs = append(cs, c)
	}
	return cs
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
			_, leak := properties(f.schema)[ck.secret]
			leak = leak && ck.secret != ""
			if leak {
				sc -= 2
			}
			if sc > best {
				best, c.ptr, c.obj, c.shared, c.leak = sc, f.ptr, f.schema, sh, leak
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
		if x.tmpl == ck.op.tmpl && x.method == "GET" && !ck.op.named() {
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
		if strings.HasPrefix(x.tmpl, ck.op.tmpl+"/{") && strings.Count(strings.TrimPrefix(x.tmpl, ck.op.tmpl+"/"), "/") == 0 && !ck.op.named() {
			c.add(3, "path adds %s to the create path", strings.TrimPrefix(x.tmpl, ck.op.tmpl+"/"))
			evidence, c.holds = true, 2
		}
		if _, ok := x.input[keyID]; ok && keyID != "" {
			c.add(2, "takes %s, the created key's id", keyID)
			evidence, c.holds = true, 2
		} else {
			for _, name := range sortedKeys(x.input) {
				if _, inCreate := ck.op.input[name]; !inCreate && strings.HasSuffix(norm(name), "id") {
					c.add(1, "takes %s", name)
					if overlap(words(name), ck.op.nouns()) > 0 && sharesInput(x, ck.op) {
						evidence, c.holds = true, max(c.holds, 1)
					}
					break
				}
			}
		}
		lexicalKey(c)
		sameFamily(c, ck)
		if !evidence {
			c.ineligible = "takes no id of the created key"
		}
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
