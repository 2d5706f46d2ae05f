package infer

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// pointers finds the request and response pointers once the roles are
// chosen.
func (x *inference) pointers() {
	b, r := &x.r.Binding, x.r
	ck, lk, dk := x.chosen[spec.CreateKey], x.chosen[spec.ListKeys], x.chosen[spec.DeleteKey]
	nouns := ck.op.nouns()

	b.Response.Key = ck.ptr
	r.note("response.key", ck.ptr, fmt.Sprintf("%s's %d body: the object holding %s", ck.op.id, ck.op.successStatus, ck.secret))
	b.Response.KeySecret = pointer(ck.secret)
	why := fmt.Sprintf("%s is a secret-like string", ck.secret)
	if lk.obj != nil {
		if _, listed := properties(lk.obj)[ck.secret]; !listed {
			why += fmt.Sprintf(", absent from %s's items", lk.op.id)
		}
	}
	r.note("response.keySecret", b.Response.KeySecret, why)
	b.Response.Keys = lk.ptr
	r.note("response.keys", lk.ptr, fmt.Sprintf("%s's %d body: the list of key objects", lk.op.id, lk.op.successStatus))

	id, _ := idMember(ck.obj, nouns, x.p.member)
	if id == "" {
		x.r.Problems = append(x.r.Problems, Problem{Field: "response.keyId", Message: "the created key object has no id-like member"})
	} else {
		b.Response.KeyID = pointer(id)
		why := id + " names the key"
		if lk.obj != nil {
			if _, ok := properties(lk.obj)[id]; ok {
				why += ", in the created and the listed key"
			}
		}
		r.note("response.keyId", b.Response.KeyID, why)
	}
	if s := statusMember(ck.obj); s != "" {
		b.Response.KeyStatus = pointer(s)
		r.note("response.keyStatus", b.Response.KeyStatus, "member "+s)
	}
	if c := createdMember(ck.obj); c != "" {
		b.Response.KeyCreatedAt = pointer(c)
		r.note("response.keyCreatedAt", b.Response.KeyCreatedAt, "member "+c)
	}

	// The key id in the delete request.
	best, bestScore := "", 0.0
	for _, name := range sortedKeys(dk.op.input) {
		m := dk.op.input[name]
		if name == x.p.member {
			continue
		}
		sc := 0.0
		if name == id {
			sc += 3
		}
		if m.in == "path" {
			sc++
		}
		if n := norm(name); strings.HasSuffix(n, "id") || n == "key" || strings.HasSuffix(n, "keyname") {
			sc++
		}
		if m.required {
			sc += 0.5
		}
		if sc > bestScore {
			best, bestScore = name, sc
		}
	}
	if best == "" {
		x.r.Problems = append(x.r.Problems, Problem{Field: "request.keyId", Message: dk.op.id + " takes no member besides the parent's that could carry the key id"})
	} else {
		b.Request.KeyID = pointer(best)
		r.note("request.keyId", b.Request.KeyID, fmt.Sprintf("%s of %s (%s)", best, dk.op.id, dk.op.input[best].in))
	}

	// The bucket list.
	lb := x.chosen[spec.ListBuckets]
	if lb == nil {
		return
	}
	arr := arrays(lb.op.success)
	var list *found
	for i := range arr {
		if parentNameIn(arr[i].schema, x.p) != "" || list == nil {
			list = &arr[i]
		}
	}
	if list == nil {
		x.r.Problems = append(x.r.Problems, Problem{Field: "response.buckets", Message: lb.op.id + "'s success body holds no list"})
		return
	}
	b.Response.Buckets = list.ptr
	r.note("response.buckets", list.ptr, fmt.Sprintf("%s's %d body: the list", lb.op.id, lb.op.successStatus))
	noun := strings.Join(x.p.nouns, "")
	name := parentNameIn(list.schema, x.p)
	if name == "" {
		x.r.Problems = append(x.r.Problems, Problem{Field: "response.bucketName", Message: lb.op.id + "'s items have no member that names the " + noun})
		return
	}
	b.Response.BucketName = pointer(name)
	r.note("response.bucketName", b.Response.BucketName, fmt.Sprintf("member %s of the listed items names the %s (%s)", name, noun, x.p.member))
}

// request finds members the harness must set itself, and members
// generation must leave out.
func (x *inference) request() {
	b, r := &x.r.Binding, x.r
	for _, role := range spec.Roles {
		c := x.chosen[role]
		if c == nil {
			continue
		}
		for _, name := range sortedKeys(c.op.input) {
			m := c.op.input[name]
			n := norm(name)
			switch {
			case name == x.p.member || name == strings.TrimPrefix(b.Request.KeyID, "/"):
			case role == spec.DeleteBucket && strings.Contains(n, "force") && isType(m.schema, openapi3.TypeBoolean):
				x.fix(role, name, true, fmt.Sprintf("%s: boolean %s, set so the %s's keys go with it", c.op.id, name, strings.Join(x.p.nouns, " ")))
			case m.required && role == spec.CreateBucket:
				if v, how := validValue(m.schema); how != "" {
					x.fix(role, name, v, fmt.Sprintf("%s: required %s, from its schema's %s", c.op.id, name, how))
				} else {
					r.note("request.fixed."+string(role)+"."+name, "(generated)", fmt.Sprintf("%s: required %s has no enum, default or example: generated from its schema; name a value your endpoint accepts with -binding", c.op.id, name))
					r.Notes[len(r.Notes)-1].Unstated = true
				}
			case !m.required && (strings.Contains(n, "token") || strings.Contains(n, "marker") || strings.Contains(n, "cursor") || n == "page" || n == "after" || n == "before"):
				if b.Request.Omit == nil {
					b.Request.Omit = map[spec.Role][]string{}
				}
				b.Request.Omit[role] = append(b.Request.Omit[role], pointer(name))
				r.note("request.omit."+string(role), pointer(name), fmt.Sprintf("%s: %s is a page token only the endpoint can issue", c.op.id, name))
			}
		}
	}
}

func (x *inference) fix(role spec.Role, name string, v any, why string) {
	b := &x.r.Binding
	if b.Request.Fixed == nil {
		b.Request.Fixed = map[spec.Role]map[string]any{}
	}
	if b.Request.Fixed[role] == nil {
		b.Request.Fixed[role] = map[string]any{}
	}
	b.Request.Fixed[role][pointer(name)] = v
	x.r.note("request.fixed."+string(role)+"."+name, fmt.Sprint(v), why)
}

// validValue is a value the schema itself offers: its default, example or
// first enum value.
func validValue(s *openapi3.Schema) (any, string) {
	switch {
	case s == nil:
	case s.Default != nil:
		return s.Default, "default"
	case s.Example != nil:
		return s.Example, "example"
	case len(s.Enum) > 0:
		return s.Enum[0], "first enum value"
	}
	return nil, ""
}

// parentNameIn is the member of a listed item that names the parent: the
// parent member itself, name, <noun>name, id or <noun>id; "" when none.
func parentNameIn(item *openapi3.Schema, p parent) string {
	noun := strings.Join(p.nouns, "")
	return memberLike(item,
		func(n string, _ *openapi3.Schema) bool { return n == norm(p.member) },
		func(n string, _ *openapi3.Schema) bool { return n == "name" },
		func(n string, _ *openapi3.Schema) bool { return n == noun+"name" },
		func(n string, _ *openapi3.Schema) bool { return n == "id" && strings.HasSuffix(norm(p.member), "id") },
		func(n string, _ *openapi3.Schema) bool { return n == "id" },
		func(n string, _ *openapi3.Schema) bool { return n == noun+"id" })
}
