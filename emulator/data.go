package emulator

import (
	"net/http"
	"time"
)

// The data plane (docs/DESIGN.md, "The key works: the data plane"): where
// the keys the store issues are used. A dialect names its plane
// (dialect.data); shared code asks the plane, never the dialect:
//
//   - a plane with a handler is served on a listener of its own
//     (Server.DataHandler; NewTestServer and keycontract serve start it):
//     the S3 subset, where each key opens its own bucket (data_s3.go);
//   - a plane with an intercept answers, on the API endpoint itself, the
//     requests that belong to it, before the API's own checks: IAM's
//     GetUser as the caller, and any request signed with a user's key
//     (data_iam.go).
//
// A key opens what it was made for while it lives, and nothing once it is
// deleted; the data-plane faults (data_faults.go) bend exactly that, in
// standing.
type dataPlane struct {
	// opens is what a key opens: opensBucket (its own bucket) or opensUser
	// (it acts as its own user). Faults that bend one of them apply to
	// the dialects whose plane opens it (Fault.Dialects).
	opens string
	// handler serves the plane on its own listener; nil when it is served
	// on the API endpoint.
	handler func(*Server) http.Handler
	// intercept answers, on the API endpoint, a request that belongs to
	// the plane and reports true; false leaves the request to the API.
	// body is the request's body as the API reads it.
	intercept func(s *Server, r *http.Request, body requestBody, rep *reply) bool
}

// What a plane's keys open.
const (
	opensBucket = "bucket"
	opensUser   = "user"
)

// DataHandler is the dialect's data plane for a listener of its own (the
// S3 subset of the bucket dialects), or nil when the dialect's data plane
// is answered on the API endpoint itself (iam: GetUser as the caller) or
// the dialect has none. It shares the server's store: the keys the API
// issues are the keys it verifies. Serve it, then tell the server where
// with SetDataURL.
func (s *Server) DataHandler() http.Handler {
	if s.d.data == nil || s.d.data.handler == nil {
		return nil
	}
	return s.d.data.handler(s)
}

// SetDataURL records the base URL (scheme, host and port, no path) at
// which DataHandler is served. From then on every bucket object the
// dialect returns carries its url there, path-style: base + "/" + name +
// "/" (aws's Bucket.url; envelope's and rest's optional url member).
// NewTestServer and keycontract serve call it; without it, aws's url is
// the real-looking https://{bucket}.s3.{region}.amazonaws.com/ and the
// envelope's and rest's bucket objects carry none.
func (s *Server) SetDataURL(base string) { s.dataURL.Store(&base) }

// DataURL is the base URL SetDataURL recorded ("" before, and always for
// a dialect whose data plane is its API endpoint: there the data plane is
// the endpoint's own URL). The bucket called NAME is at DataURL() + "/" +
// NAME + "/"; its probe is GET on that URL with ?list-type=2.
func (s *Server) DataURL() string {
	if p := s.dataURL.Load(); p != nil {
		return *p
	}
	return ""
}

// bucketURL is where the bucket called name is on the data plane served
// at base, path-style (base/name/, the name as one path segment), or
// otherwise when no plane is served (base "").
func bucketURL(base, name, otherwise string) string {
	if base == "" {
		return otherwise
	}
	return base + "/" + escapeSegment(name) + "/"
}

// standing is what the data plane knows of an access key id: whether it
// opens anything now, and if so what (owner: a bucket, or a user) and
// with which secret its signatures are verified.
type standing struct {
	ok     bool
	owner  string
	secret string
}

// standing says what key id opens now, by the server's clock, with s.mu
// held. A live key opens its bucket; a deleted or unknown one opens
// nothing. The faults bend that: key-dead (a live key opens nothing),
// key-late (nor before FaultDelay has passed since its creation),
// key-outlives-delete (a deleted key opens its bucket still), revoke-late
// (until FaultDelay has passed since its deletion) and revoke-needs-empty
// (while one of the keys its bucket held besides it when it was deleted
// lives). Where the bucket went with the key, the key opens a bucket that
// is not there.
func (s *Server) standing(id string) standing {
	now := s.st.clock()
	for _, name := range s.st.order {
		b := s.st.buckets[name]
		if i := b.keyIndex(id); i >= 0 {
			k := b.keys[i]
			if s.has(FaultKeyDead) || s.has(FaultKeyLate) && now.Before(k.CreatedAt.Add(s.opts.FaultDelay)) {
				return standing{}
			}
			return standing{ok: true, owner: name, secret: k.Secret}
		}
	}
	r, deleted := s.st.revoked[id]
	if !deleted {
		return standing{}
	}
	alive := s.has(FaultKeyOutlivesDelete) ||
		s.has(FaultRevokeLate) && now.Before(r.at.Add(s.opts.FaultDelay)) ||
		s.has(FaultRevokeNeedsEmpty) && s.othersLive(r)
	if !alive {
		return standing{}
	}
	return standing{ok: true, owner: r.bucket, secret: r.secret}
}

// othersLive reports whether one of the keys r's bucket held besides r
// when r was deleted still lives there, with s.mu held.
func (s *Server) othersLive(r revokedKey) bool {
	b := s.st.buckets[r.bucket]
	for _, id := range r.others {
		if b != nil && b.keyIndex(id) >= 0 {
			return true
		}
	}
	return false
}

// keyStanding is standing under s.mu.
func (s *Server) keyStanding(id string) standing {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.standing(id)
}

// dataScope is the SigV4 scope of a data-plane request signed with key
// id: the key's own secret while it opens anything, the server's region,
// and service.
func (s *Server) dataScope(st standing, service string) sigV4Scope {
	return sigV4Scope{
		secret: func(string) (string, bool) { return st.secret, st.ok },
		region: s.opts.Region, service: service,
	}
}

// serveData answers one data-plane request on its own listener: handle
// fills rep (a panic is recovered into internal, the plane's 500); every
// response carries a fresh request id in idHeader, and the request is
// logged as the API's are, before the response is written.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request, idHeader string, handle func(*http.Request, *reply), internal func(*reply)) {
	start := time.Now()
	s.served.Add(1)
	rep := &reply{op: "-", bucket: "-", id: newUUID()}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				internal(rep)
			}
		}()
		s.wait(r.Context())
		handle(r, rep)
	}()
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.header.Set(idHeader, rep.id)
	s.logRequest(r.Method, rep, time.Since(start))
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}
