package infer

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

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
	if i := strings.Index(ck.tmpl, "/{"+p.member+"}"); i >= 0 && !ck.named() {
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
			var named *found
			for i := range arr {
				if parentNameIn(arr[i].schema, p) != "" {
					named = &arr[i]
					break
				}
			}
			switch {
			case len(arr) == 0:
				c.add(-2, "")
			case named != nil:
				c.add(2, "%d body lists items named by %s at %s", x.successStatus, parentNameIn(named.schema, p), orRoot(named.ptr))
			default:
				// A list of something else (a user's tags) is no list of
				// the parent: no evidence.
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
