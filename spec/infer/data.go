package infer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/keycontract/keycontract/spec"
)

// data infers the binding's data section (spec.DataBinding, docs/DESIGN.md
// "The key works: the data plane"): where the keys the description
// creates are used, from what its replies show.
//
//   - A bucket url: a string member named url (or ending in url, as
//     bucketUrl) of the object the createBucket reply returns, and of the
//     listBuckets items: the keys open their bucket on S3 there
//     (data.s3.url). Lightsail's Bucket.url is one.
//   - An operation that names the caller: one no role took, a read with
//     no required input, named for the user (IAM's GetUser, which names
//     the caller when sent without a UserName) or the caller
//     (GetCallerIdentity), whose success reply holds a user name member
//     (UserName, or an Arn): the keys sign as their user, and that
//     operation, sent with a key, says who it is (data.caller). On the
//     AWS query wire the caller is first asked of STS (data.caller.sts).
//
// A bucket url wins over a caller operation. Where neither shows, the
// binding has no data section, and a note says so: the data-plane checks
// are then skipped unless -data-endpoint names the data plane. An
// overlay's data section is kept as it stands.
//
// Known false negatives: a url under another name (endpoint, location),
// or a bucket url that only a get-one-bucket operation returns, is not
// found; nor is a caller operation named otherwise (whoami is taken, me
// and self are not).
func (x *inference) data() {
	if x.ov.HasData() {
		return
	}
	b := &x.r.Binding
	if s3, why, ok := x.bucketURLs(); ok {
		b.Data.S3 = s3
		x.r.note("data", "s3", why)
		return
	}
	if c, why, ok := x.callerOp(); ok {
		b.Data.Caller = c
		x.r.note("data", "caller", why)
		return
	}
	x.r.note("data", "(none)", "no data plane found: no bucket url member in the createBucket or listBuckets replies, and no operation that names the caller; the data-plane checks are skipped unless -data-endpoint names it, or name it with -binding (data.s3 or data.caller)")
	x.r.Notes[len(x.r.Notes)-1].Unstated = true
}

// isURLName reports whether a member name says it holds a url.
func isURLName(name string) bool {
	n := norm(name)
	return n == "url" || strings.HasSuffix(n, "url")
}

// urlIn is the pointer to a url member of object s ("" for none).
func urlIn(s *openapi3.Schema) string {
	props := properties(s)
	for _, name := range sortedKeys(props) {
		if isURLName(name) && isType(props[name], openapi3.TypeString) {
			return pointer(name)
		}
	}
	return ""
}

// bucketURLs finds the bucket's url in the createBucket reply's object
// that names the bucket (or any object, when none names it) and in the
// listBuckets items.
func (x *inference) bucketURLs() (*spec.S3Data, string, bool) {
	var s3 spec.S3Data
	var whys []string
	if cb := x.chosen[spec.CreateBucket]; cb != nil && cb.op.success != nil {
		for _, o := range objects(cb.op.success) {
			if u := urlIn(o.schema); u != "" {
				s3.URL.CreateBucket = o.ptr + u
				whys = append(whys, fmt.Sprintf("%s's reply declares the bucket's url at %s", cb.op.id, s3.URL.CreateBucket))
				break
			}
		}
	}
	if lb := x.chosen[spec.ListBuckets]; lb != nil && lb.op.success != nil && x.r.Binding.Response.Buckets != "" {
		for _, a := range arrays(lb.op.success) {
			if a.ptr != x.r.Binding.Response.Buckets {
				continue
			}
			if u := urlIn(a.schema); u != "" {
				s3.URL.ListBuckets = u
				whys = append(whys, fmt.Sprintf("%s's items declare theirs at %s", lb.op.id, u))
			}
		}
	}
	if len(whys) == 0 {
		return nil, "", false
	}
	return &s3, strings.Join(whys, ", and ") + ": the keys open their bucket on S3 there (ListObjectsV2, GET {url}?list-type=2)", true
}

// callerOp finds an operation that names the caller.
func (x *inference) callerOp() (*spec.CallerData, string, bool) {
	taken := map[*op]bool{}
	for _, c := range x.chosen {
		if c != nil {
			taken[c.op] = true
		}
	}
	for _, o := range preferred(x.rules, x.ops) {
		if taken[o] || o.success == nil || !namesCaller(o) {
			continue
		}
		required := false
		for _, m := range o.input {
			required = required || m.required
		}
		if required {
			continue
		}
		name := callerNameIn(o.success)
		if name == "" {
			continue
		}
		c := &spec.CallerData{Operation: o.id, Name: name, STS: x.r.Binding.ProtocolName() == spec.ProtocolQuery}
		why := fmt.Sprintf("%s, sent with no input, names the caller at %s: the keys sign as their user, and it says who that is", o.id, name)
		if c.STS {
			why += "; on the AWS query wire, STS GetCallerIdentity is asked first"
		}
		return c, why, true
	}
	return nil, "", false
}

// namesCaller reports whether an operation's words say it reads the
// caller: get (or describe) user, alone, or anything of the caller's
// identity, or whoami.
func namesCaller(o *op) bool {
	if o.verb != "read" {
		return false
	}
	nouns := o.nouns()
	return slices.Equal(nouns, []string{"user"}) || slices.Contains(nouns, "caller") || slices.Contains(nouns, "whoami")
}

// callerNameIn is the pointer to the member of a reply that names the
// caller: a user name, else an Arn (the shallowest).
func callerNameIn(s *openapi3.Schema) string {
	for _, want := range []func(string) bool{
		func(n string) bool { return n == "username" },
		func(n string) bool { return n == "arn" },
	} {
		for _, o := range objects(s) {
			props := properties(o.schema)
			for _, name := range sortedKeys(props) {
				if want(norm(name)) && isType(props[name], openapi3.TypeString) {
					return o.ptr + pointer(name)
				}
			}
		}
	}
	return ""
}
