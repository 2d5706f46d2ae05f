package spec

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The caller probe (docs/DESIGN.md, "The key works: the data plane", IAM
// users): an IAM user's key signs requests as that user, so the probe asks
// who the caller is, signed with the key, and reads the name the reply
// gives.
//
//   - On amazonaws.com it is STS GetCallerIdentity at
//     https://sts.amazonaws.com (AWS query, SigV4 service sts, us-east-1):
//     it needs no permission, and a new user has none. Its Arn names the
//     user after ":user/" (the last segment of a path: a user created
//     under /keycontract/ is ":user/keycontract/NAME").
//   - -data-endpoint points at an STS endpoint instead (service sts, the
//     run's region; us-east-1 for sts.amazonaws.com).
//   - Elsewhere it is asked of the API endpoint itself: GetCallerIdentity
//     (Version=2011-06-15, signed for service sts, as every client signs
//     it: versitygw refuses it signed for iam, and moto routes a request
//     by its signing scope) where the endpoint answers it, else the
//     description's operation the data section names (IAM's GetUser with
//     no UserName, signed as the binding's service), whose reply names
//     the caller at data.caller.name (/GetUserResult/User/UserName).
//     "Where the endpoint answers it" is learnt: GetCallerIdentity there
//     is tentative (Ask.Tentative) until a success of it has named a
//     caller, and is no longer asked once the endpoint calls it unknown
//     (an unknown-operation error) or refuses it for a key that the next
//     ask finds working.
//
// A success names the caller. A refusal is 403 with a refusal code
// (InvalidClientTokenId, SignatureDoesNotMatch; for the unsigned probe
// also MissingAuthenticationToken). AccessDenied is not a refusal of a
// signed probe: the key authenticated and lacks a permission (a new user
// has none, on IAM and on moto with its auth on); the use works and names
// no caller. Anything else is an answer that is neither: a finding.
//
// Known false negatives: a reply that names no caller (AccessDenied)
// cannot show that the key acts as another user; a name is compared as
// the reply spells it (an ARN by its last path segment).

// CallerData is the data section's caller member.
type CallerData struct {
	// STS: ask STS's GetCallerIdentity first (at the API endpoint, or at
	// STS on amazonaws.com or -data-endpoint).
	STS bool `json:"sts,omitempty"`
	// Operation is an operationId of the description that names the
	// caller when sent with the key's credentials, Input the input it is
	// sent with (none: IAM's GetUser names the caller when no UserName is
	// given), and Name the pointer into its success reply to the
	// caller's name.
	Operation string         `json:"operation,omitempty"`
	Input     map[string]any `json:"input,omitempty"`
	Name      string         `json:"name,omitempty"`
	// Refused lists the codes that refuse a signed probe (default:
	// InvalidClientTokenId, SignatureDoesNotMatch); Unsigned the codes
	// that also refuse an unsigned one (default:
	// MissingAuthenticationToken); Denied the codes that say the key
	// authenticated without a permission (default: AccessDenied), which
	// refuse an unsigned probe too.
	Refused  []string `json:"refused,omitempty"`
	Unsigned []string `json:"unsigned,omitempty"`
	Denied   []string `json:"denied,omitempty"`
}

// The STS ask (GetCallerIdentity) and its reply.
const (
	stsEndpoint  = "https://sts.amazonaws.com"
	stsVersion   = "2011-06-15"
	stsAction    = "GetCallerIdentity"
	stsArn       = "/GetCallerIdentityResult/Arn"
	stsErrorCode = "/Error/Code"
)

// callerProbe is the registry's entry (data.go).
var callerProbe = dataProbe{
	name:  "caller",
	named: func(d DataBinding) bool { return d.Caller != nil },
	check: func(b Binding) []error {
		c := b.Data.Caller
		var errs []error
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrBinding}, args...)...))
		}
		switch {
		case !c.STS && c.Operation == "":
			bad("data.caller names no operation and no sts: nothing to ask who the caller is")
		case c.Operation != "" && c.Name == "":
			bad("data.caller.name is empty: where does %s's reply name the caller?", c.Operation)
		}
		if !isPointer(c.Name) {
			bad("data.caller.name = %q is not a JSON pointer", c.Name)
		}
		return errs
	},
	open: func(d *Document) (Probe, error) {
		c := *d.Binding.Data.Caller
		c.Refused = orDefault(c.Refused, "InvalidClientTokenId", "SignatureDoesNotMatch")
		c.Unsigned = orDefault(c.Unsigned, "MissingAuthenticationToken")
		c.Denied = orDefault(c.Denied, "AccessDenied")
		service := d.Binding.Service
		if service == "" {
			service = "lightsail"
		}
		return caller{d: d, c: c, op: d.dataOp, service: service}, nil
	},
}

func orDefault(codes []string, def ...string) []string {
	if len(codes) == 0 {
		return def
	}
	return codes
}

// caller is the caller probe.
type caller struct {
	d       *Document
	c       CallerData
	op      *Operation // the description's operation (data.caller.operation), nil for none
	service string     // the API endpoint's signing name
}

// Opens: a user.
func (caller) Opens() string { return OpensUser }

// Locate: STS at -data-endpoint, or on amazonaws.com; else the API
// endpoint itself. The same place for every user.
func (p caller) Locate(w Where, _ string) (Place, error) {
	switch {
	case w.Data != "":
		region := w.Region
		if strings.TrimRight(w.Data, "/") == stsEndpoint {
			region = "us-east-1"
		}
		return Place{Base: strings.TrimRight(w.Data, "/"), Service: "sts", Region: region, Via: "-data-endpoint", sts: true}, nil
	case p.c.STS && onAWS(w.Endpoint):
		return Place{Base: stsEndpoint, Service: "sts", Region: "us-east-1", Via: "STS", sts: true}, nil
	}
	return Place{Base: strings.TrimRight(w.Endpoint, "/"), Service: p.service, Region: w.Region, Via: "the API endpoint",
		sts: p.c.STS, op: p.op}, nil
}

// Asks: GetCallerIdentity where the place asks STS, then the
// description's operation where it has one.
func (p caller) Asks(at Place, _ string) []Ask {
	var out []Ask
	if at.sts {
		h := http.Header{}
		h.Set("Content-Type", formContentType)
		body := "Action=" + stsAction + "&Version=" + stsVersion
		out = append(out, Ask{Name: stsAction, Base: at.Base, Service: "sts", Region: at.Region, Tentative: at.op != nil,
			Request: Request{Method: http.MethodPost, Path: "/", Header: h, Body: []byte(body), Target: stsAction}})
	}
	if at.op != nil {
		req := p.d.Encode(at.op, maps.Clone(p.c.Input))
		out = append(out, Ask{Name: at.op.ID, Base: at.Base, Service: at.Service, Region: at.Region, Request: req, Op: at.op})
	}
	return out
}

// Reply: the description's operation's reply is decoded by its wire, as
// that operation documents it; STS's is AWS query XML.
func (p caller) Reply(a Ask, status int, header http.Header, body []byte) *Reply {
	if a.Op != nil {
		return p.d.NewReply(a.Op, status, header, body)
	}
	return &Reply{Status: status, Header: header, Body: body, ok: status2xx(status), decoder: decodeXMLLoose}
}

// Judge: see above.
func (p caller) Judge(a Ask, r *Reply, signed bool) Use {
	name, code := p.c.Name, ""
	if a.Op == nil {
		name = stsArn
		if v, ok := Pointer(r.Value(), stsErrorCode); ok {
			code, _ = v.(string)
		}
	} else {
		code, _ = p.d.Binding.ErrorCode(r)
	}
	if r.OK() {
		v, _ := Pointer(r.Value(), name)
		who, _ := v.(string)
		u := Use{Outcome: Works, Caller: CallerName(who), Why: fmt.Sprintf("%d naming %q", r.Status, CallerName(who))}
		if u.Caller == "" {
			u.Why = fmt.Sprintf("%d naming no caller at %s", r.Status, name)
		}
		return u
	}
	why := fmt.Sprintf("%d %s", r.Status, code)
	if code == "" {
		why = fmt.Sprintf("%d (no error code)", r.Status)
	}
	refusals := p.c.Refused
	if !signed {
		refusals = slices.Concat(refusals, p.c.Unsigned, p.c.Denied)
	}
	switch {
	case code != "" && (code == "InvalidAction" || p.d.Binding.Accepts(UnknownOperation, code)):
		return Use{Outcome: Unknown, Code: code, Why: why}
	case r.Status == http.StatusForbidden && slices.Contains(refusals, code):
		return Use{Outcome: Refused, Code: code, Why: why}
	case r.Status == http.StatusForbidden && signed && slices.Contains(p.c.Denied, code):
		return Use{Outcome: Works, Denied: true, Code: code, Why: why + " (authenticated, without the permission)"}
	}
	return Use{Outcome: Neither, Code: code, Why: why}
}

// CallerName is the user a caller probe's reply names: the name as
// given, or an ARN's last path segment after ":user/" (an ARN naming no
// user is kept whole, and names none of the run's users).
func CallerName(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "arn:") {
		return v
	}
	_, user, ok := strings.Cut(v, ":user/")
	if !ok {
		return v
	}
	return user[strings.LastIndex(user, "/")+1:]
}

// decodeXMLLoose decodes a data plane's reply: XML (as its elements
// come, no schema), or JSON.
func decodeXMLLoose(body []byte) (any, error) {
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '<' {
		return DecodeXML(body, nil, false)
	}
	return decodeJSON(body)
}
