package emulator

import (
	"encoding/xml"
	"net/http"
	"net/url"
)

// The iam dialect's data plane (docs/DESIGN.md, "The key works: the data
// plane", IAM users): an IAM user's key signs requests as that user, on
// the IAM endpoint itself. The plane intercepts, before the API's own
// checks, every GetUser and every request signed with a key the store
// issued (live or deleted):
//
//	signed with                 GetUser (no UserName)    GetUser UserName=U       other actions
//	a user's live key           200, that user           200 if U is that user,   403 AccessDenied (a new user
//	                                                     else 403 AccessDenied    has no permission); an unknown
//	                                                                              one 400 InvalidAction
//	an unknown or deleted key   403 InvalidClientTokenId
//	a user's key, wrong secret  403 SignatureDoesNotMatch
//	the API's credentials       400 ValidationError      200, user U (404         the API's
//	                            (non-user credentials)   NoSuchEntity)
//	nothing                     403 MissingAuthenticationToken; with UserName, as the API
//	                            authenticates (its credentials off: user U)
//
// A signature is verified for service iam in the server's region. Other
// requests (the API's credentials, unsigned or a bearer token) go to the
// API as before. GetCallerIdentity is not served: it is an unknown action
// (InvalidAction), and the harness falls back to GetUser.
var callerPlane = &dataPlane{opens: opensUser, intercept: interceptCaller}

const actionGetUser = "GetUser"

func interceptCaller(s *Server, r *http.Request, body requestBody, rep *reply) bool {
	raw := string(body.data)
	if r.Method == http.MethodGet {
		raw = r.URL.RawQuery
	}
	form, _ := url.ParseQuery(raw) // what parses; the API judges the rest
	action, name := form.Get("Action"), form.Get("UserName")
	authz := r.Header.Get("Authorization")
	p, parsed := parseSigV4(authz)
	_, root := s.opts.Credentials[p.accessKeyID]
	byKey := parsed && !root
	if action != actionGetUser && !(byKey && s.issued(p.accessKeyID)) {
		return false
	}
	if op, known := iamOperation[action]; known {
		rep.op = op
	} else if action == actionGetUser {
		rep.op = actionGetUser
	}
	fail := func(e *apiError) {
		e.requestID = rep.id
		rep.status, rep.header, rep.body = s.wire.failure(e)
	}
	switch {
	case byKey:
		st := s.keyStanding(p.accessKeyID)
		if !st.ok {
			fail(newErr(errUnrecognizedClient, ""))
			return true
		}
		if e := verifySigV4(r, authz, body.data, body.complete(), s.dataScope(st, s.d.signingService)); e != nil {
			fail(e)
			return true
		}
		_, known := iamOperation[action]
		switch {
		case !known && action != actionGetUser:
			fail(newErr(errUnknownOperation, "Could not find operation: the Action is not one this endpoint implements"))
			return true
		case action != actionGetUser || name != "" && name != st.owner:
			fail(newErr(errAccessDenied, s.notAuthorized(st.owner, action)))
			return true
		}
		if e := versionOf(form); e != nil {
			fail(e)
			return true
		}
		s.answerUser(rep, st.owner, s.has(FaultKeyWrongUser))
	case authz == "" && name == "":
		if s.has(FaultDataOpen) && s.answerNewest(rep) {
			return true
		}
		fail(newErr(errMissingAuth, "GetUser names the caller: sign the request with the user's access key"))
	default:
		if e := s.authenticate(r, body.data, body.complete()); e != nil {
			fail(e)
			return true
		}
		if e := versionOf(form); e != nil {
			fail(e)
			return true
		}
		if name == "" {
			fail(newErr(errInvalidInput, "Must specify userName when calling with non-User credentials"))
			return true
		}
		if !validUserName(name) {
			fail(newErr(errInvalidInput, "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"))
			return true
		}
		s.mu.Lock()
		_, exists := s.st.buckets[name]
		missing := s.notFoundBucket(name)
		s.mu.Unlock()
		if !exists {
			fail(missing)
			return true
		}
		s.answerUser(rep, name, false)
	}
	return true
}

// versionOf checks the form's Version, as the API does.
func versionOf(form url.Values) *apiError {
	if form.Get("Version") != IAMVersion {
		return newErr(errInvalidInput, "1 validation error detected: Value at 'version' failed to satisfy constraint: Member must be "+IAMVersion)
	}
	return nil
}

// issued reports whether the store ever issued key id.
func (s *Server) issued(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.st.ids[id]
	return ok
}

// notAuthorized is IAM's AccessDenied message for user acting, a known
// action (never arbitrary request text).
func (s *Server) notAuthorized(user, action string) string {
	s.mu.Lock()
	u := s.userNamed(user)
	s.mu.Unlock()
	return "User: " + iamUserOf(&u, false).Arn + " is not authorized to perform: iam:" + action + " because no identity-based policy allows it"
}

// userNamed is the user called name, a copy; a user that is no longer
// there (its key outlived it, under a fault) as it would be, path /.
// Called with s.mu held.
func (s *Server) userNamed(name string) bucket {
	if b := s.st.buckets[name]; b != nil {
		return *b
	}
	return bucket{name: name, arnID: newUUID(), createdAt: now()}
}

// answerUser writes GetUser's success for the user called name, or, with
// other, for another user: the next in creation order, or one no user is
// called when name's user is alone.
func (s *Server) answerUser(rep *reply, name string, other bool) {
	s.mu.Lock()
	if other {
		name = s.otherUser(name)
	}
	u := s.userNamed(name)
	s.mu.Unlock()
	type getUserResult struct {
		XMLName xml.Name `xml:"GetUserResult"`
		User    iamUser
	}
	rep.bucket = name
	rep.status, rep.header = http.StatusOK, headerWith(ctXML)
	rep.body = mustXML(iamResponse{
		XMLName: xml.Name{Local: "GetUserResponse"},
		Xmlns:   iamNamespace,
		Result:  getUserResult{User: iamUserOf(&u, true)},
		Meta:    iamMeta{RequestID: rep.id},
	})
}

// otherUser is a user other than name, with s.mu held.
func (s *Server) otherUser(name string) string {
	for i, n := range s.st.order {
		if n == name && len(s.st.order) > 1 {
			return s.st.order[(i+1)%len(s.st.order)]
		}
	}
	other := name + "-other"
	for s.st.buckets[other] != nil {
		other += "-other"
	}
	return other
}

// answerNewest answers GetUser as the newest user (fault data-open),
// false when there is none.
func (s *Server) answerNewest(rep *reply) bool {
	s.mu.Lock()
	n := len(s.st.order)
	newest := ""
	if n > 0 {
		newest = s.st.order[n-1]
	}
	s.mu.Unlock()
	if newest == "" {
		return false
	}
	s.answerUser(rep, newest, false)
	return true
}
