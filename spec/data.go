package spec

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The data plane (docs/DESIGN.md, "The key works: the data plane"): where
// the keys a description creates are used. A key is only worth its API if
// it opens what it was made for: a bucket access key lists its bucket on
// S3; an IAM user's key signs requests as that user. The binding's data
// section says which kind of data plane a description's keys open and
// where it is; a probe (Probe) uses one key there, once, and reads what
// the reply says of it.
//
// Each kind of data plane is a probe of its own files, as each wire is
// (wire.go): data_s3.go (S3 ListObjectsV2 on the key's bucket) and
// data_caller.go (who the caller is: STS GetCallerIdentity, or an
// operation of the description), each joined to the registry below by one
// line, each owning its part of the data section, how it locates the
// plane, builds its requests, decodes its replies and reads them. The
// engine (contract/engine) sends what a probe asks through the run's own
// client, signed with the key, and never knows which kind it speaks.

// DataBinding is the binding's data section. It names one probe, by its
// member: s3 (the keys open their bucket on an S3 data plane) or caller
// (the keys sign requests as their user, and the probe asks who the
// caller is). A binding without one names no data plane: its keys are
// then taken to open buckets on S3, found at -data-endpoint alone (the
// three data-plane checks are skipped, with that reason, without it).
type DataBinding struct {
	S3     *S3Data     `json:"s3,omitempty"`
	Caller *CallerData `json:"caller,omitempty"`
}

// What a key opens on its data plane (Probe.Opens).
const (
	// OpensBucket: the key opens its own bucket, and no other.
	OpensBucket = "bucket"
	// OpensUser: the key acts as the user that owns it, and no other.
	OpensUser = "user"
)

// Where is what a run knows of where a bucket's data plane may be.
type Where struct {
	// Endpoint is the API endpoint's base URL.
	Endpoint string
	// Data is -data-endpoint ("" when not given): it wins over
	// everything the binding and the replies say.
	Data string
	// BucketURL is the url the endpoint's replies declared for the
	// bucket (the binding's data.s3.url pointers), "" when none did.
	BucketURL string
	// Region is the run's signing region (-region).
	Region string
}

// Place is where a probe sends: the base URL its requests' paths and
// queries go to, and how they are signed there.
type Place struct {
	// Base is the URL requests are sent to, their path and query
	// appended: a bucket's own URL (S3), or an endpoint.
	Base string
	// Service and Region are the SigV4 scope a key signs with there.
	Service, Region string
	// Via says how the place was found, for messages: "-data-endpoint",
	// "the bucket's url", "the binding's data.s3.endpoint", "the API
	// endpoint", "STS".
	Via string
	// sts: the caller is asked of STS (GetCallerIdentity); op: of the
	// description's operation. The caller probe sets them (data_caller.go).
	sts bool
	op  *Operation
}

// Ask is one request that uses a key on the data plane, before it is
// signed: Base + Request.URL() is where it goes.
type Ask struct {
	// Name names what it asks, for messages: ListObjectsV2,
	// GetCallerIdentity, or the description's operation id.
	Name    string
	Base    string
	Request Request
	// Service and Region are the SigV4 scope the key signs with.
	Service, Region string
	// Op is the description's operation the ask sends (the caller probe's
	// operation), nil when it sends none the description declares.
	Op *Operation
	// Tentative: the endpoint may not answer this ask at all, in any way
	// (STS's GetCallerIdentity asked of an IAM endpoint), so only a
	// success that names the caller decides a use; any other reply leaves
	// it to the next ask. Once it has named a caller at a place, it
	// decides every use there.
	Tentative bool
}

// Outcome is what one use of a key showed.
type Outcome int

const (
	// Works: the key opened what it was used on (S3: the bucket listed;
	// caller: the caller named, or a key that authenticated without a
	// permission, a Denied use).
	Works Outcome = iota + 1
	// Refused: the data plane refused the key (or the unsigned or wrongly
	// signed request) with a refusal its protocol documents.
	Refused
	// Unknown: the endpoint does not serve what was asked (an unknown
	// operation): the probe's next ask is tried instead.
	Unknown
	// Neither: an answer that is neither a success nor a refusal, which
	// is a finding.
	Neither
)

// Use is what a reply to an ask says of the key used.
type Use struct {
	Outcome Outcome
	// Caller is the user a caller probe's success names ("" when the
	// reply names none). An ARN names the user after its ":user/" path.
	Caller string
	// Denied: the key authenticated, but lacks a permission (IAM's
	// AccessDenied to a new user): it works, and the reply names no
	// caller.
	Denied bool
	// Code is the error code the reply carries ("" for none).
	Code string
	// Why says how the reply reads, for messages: "200 ListBucketResult",
	// "403 InvalidAccessKeyId", "404 NoSuchBucket".
	Why string
}

// Probe uses a key on one kind of data plane: it says where the plane is
// for a bucket (Locate), what to send there (Asks), and what a reply says
// of the key (Reply, Judge). A Probe is the document's, shared by every
// run: it keeps no state of its own.
type Probe interface {
	// Opens says what a key opens: OpensBucket or OpensUser.
	Opens() string
	// Locate says where the data plane of the bucket (IAM user) called
	// parent is, or why the run cannot know (an error wrapping
	// ErrNoDataPlane).
	Locate(w Where, parent string) (Place, error)
	// Asks are the requests that use a key at p, in the order to try
	// them: a later one only when the earlier ones are Unknown to the
	// endpoint (or Tentative and not a success naming the caller).
	Asks(p Place, parent string) []Ask
	// Reply keeps the reply to a, decoded as its protocol says.
	Reply(a Ask, status int, header http.Header, body []byte) *Reply
	// Judge reads r, the reply to a, sent signed (with the key, or a
	// wrong secret) or not.
	Judge(a Ask, r *Reply, signed bool) Use
}

// ErrNoDataPlane is wrapped by the reason Probe.Locate gives when the run
// cannot know where the data plane is.
var ErrNoDataPlane = errors.New("no data plane")

// dataProbe is one kind of data plane's entry in the registry.
type dataProbe struct {
	// name is the data section's member that names it.
	name string
	// named reports whether the data section names it.
	named func(DataBinding) bool
	// check validates its member of the data section, one error (wrapping
	// ErrBinding) per problem.
	check func(Binding) []error
	// open makes its Probe for d, whose binding passed check.
	open func(d *Document) (Probe, error)
}

// dataProbes is the registry: one line per kind of data plane, each
// defined in its own file. A binding without a data section gets the
// first, with nothing declared.
var dataProbes = []*dataProbe{
	&s3Probe,     // data_s3.go
	&callerProbe, // data_caller.go
}

// checkData validates the data section: at most one probe named, and
// that probe's own members.
func (b Binding) checkData() []error {
	var named []string
	var errs []error
	for _, p := range dataProbes {
		if p.named(b.Data) {
			named = append(named, p.name)
			errs = append(errs, p.check(b)...)
		}
	}
	if len(named) > 1 {
		errs = append(errs, fmt.Errorf("%w: data names %s: name one data plane", ErrBinding, strings.Join(named, " and ")))
	}
	return errs
}

// openData makes the document's Probe: the one its data section names,
// else the first registered, with nothing declared.
func openData(d *Document) (Probe, error) {
	for _, p := range dataProbes {
		if p.named(d.Binding.Data) {
			return p.open(d)
		}
	}
	return dataProbes[0].open(d)
}

// DataProbe is the document's probe of its data plane (see DataBinding).
func (d *Document) DataProbe() Probe { return d.data }

// HasData reports whether the binding names a data plane (a data
// section); without one, only -data-endpoint locates it.
func (b Binding) HasData() bool {
	for _, p := range dataProbes {
		if p.named(b.Data) {
			return true
		}
	}
	return false
}

// isPointer reports whether p is empty or a JSON pointer.
func isPointer(p string) bool { return p == "" || strings.HasPrefix(p, "/") }

// checkURL reports whether raw, with its {bucket} and {region} filled in,
// is an http(s) URL with a host.
func checkURL(raw string) error {
	u, err := url.Parse(fill(raw, "bucket", "us-east-1"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

// fill replaces {bucket} and {region} in a URL template.
func fill(template, bucket, region string) string {
	return strings.NewReplacer("{bucket}", bucket, "{region}", region).Replace(template)
}

// onAWS reports whether raw's host is AWS's own (ends in amazonaws.com).
func onAWS(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), "amazonaws.com")
}

// joinQuery appends query to base, after its own query if it has one.
func joinQuery(base, query string) (string, string) {
	if b, q, ok := strings.Cut(base, "?"); ok {
		return b, q + "&" + query
	}
	return base, query
}
