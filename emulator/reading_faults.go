package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The reading family: how a request is read and how a reply is labelled.
// Three are legal variations (Breaks() == ""): choices the contract leaves
// to an endpoint, which no check may fail (docs/DESIGN.md, "What a check
// may demand, and what it may not"). Two are faults, each shown by its check.
const (
	// FaultFormSkipsUndecodable is a legal variation (iam): a form pair
	// that does not percent-decode is skipped and the rest are read, as
	// Go's url.ParseQuery gives them when its error is ignored. No effect
	// in the other dialects.
	FaultFormSkipsUndecodable Fault = "form-skips-undecodable"
	// FaultFormKeepsEscapes is a legal variation (iam): a "%" not followed
	// by two hex digits stays in the value as it is, as WHATWG's form
	// parser and Python's parse_qs read it. No effect in the other
	// dialects.
	FaultFormKeepsEscapes Fault = "form-keeps-escapes"
	// FaultFormNamePercent breaks invalid-input-rejected (iam): the form
	// is read as form-keeps-escapes reads it and a user name may hold "%"
	// (its pattern is not checked for it), so UserName=a%zz names the user
	// "a%zz" (whose CreateUser reply then also breaks the documented User:
	// success-envelope). No effect in the other dialects.
	FaultFormNamePercent Fault = "form-name-percent"
	// FaultMediaTypeSynonym is a legal variation: every reply carries
	// another spelling of its dialect's media type (aws: application/json;
	// envelope and rest: application/vnd.keycontract+json; charset=utf-8;
	// iam: application/xml; charset=utf-8), the same media type by RFC
	// 7303, RFC 6839 and the awsJson protocol.
	FaultMediaTypeSynonym Fault = "media-type-synonym"
	// FaultRedirectNoOperation breaks invalid-input-rejected (and
	// error-envelope): a request that names no operation (aws, envelope:
	// no X-Amz-Target; iam: no Action, an empty body included; rest: an
	// unknown path) is answered 302 Found with Location
	// Options.RedirectTo, as versitygw answers a POST with no Action.
	FaultRedirectNoOperation Fault = "redirect-no-operation"
)

var readingFaults = []faultInfo{
	{FaultFormSkipsUndecodable, "legal variation (iam): a form pair that does not percent-decode is skipped, the rest read", ""},
	{FaultFormKeepsEscapes, "legal variation (iam): a % not followed by two hex digits stays in the value as it is (WHATWG, Python)", ""},
	{FaultFormNamePercent, "iam: the form is read keeping undecodable escapes and a user name may hold %, so UserName=a%zz names user a%zz", "invalid-input-rejected"},
	{FaultMediaTypeSynonym, "legal variation: replies carry another spelling of the media type (aws application/json, envelope and rest application/vnd.keycontract+json, iam application/xml)", ""},
	{FaultRedirectNoOperation, "a request naming no operation (no target, no Action, an unknown rest path) is answered 302 to Options.RedirectTo", "invalid-input-rejected"},
}

// DefaultRedirectTo is where FaultRedirectNoOperation points when
// Options.RedirectTo is empty: the loopback discard port, so that a client
// that wrongly follows it leaves the machine for nowhere.
const DefaultRedirectTo = "http://127.0.0.1:9/keycontract-redirected"

// formReading is how a form-reading wire reads a form's escapes.
type formReading int

const (
	formStrict  formReading = iota // an undecodable escape makes the body invalid
	formSkip                       // form-skips-undecodable
	formLiteral                    // form-keeps-escapes, form-name-percent
)

// formReadingOf is the reading the options' faults choose.
func formReadingOf(o Options) formReading {
	switch {
	case slices.Contains(o.Faults, FaultFormKeepsEscapes), slices.Contains(o.Faults, FaultFormNamePercent):
		return formLiteral
	case slices.Contains(o.Faults, FaultFormSkipsUndecodable):
		return formSkip
	}
	return formStrict
}

// parse reads a form as r says; err is set only by the strict reading.
func (r formReading) parse(raw string) (url.Values, error) {
	switch r {
	case formSkip:
		form, _ := url.ParseQuery(raw) // the pairs that decode
		return form, nil
	case formLiteral:
		return parseFormLiteral(raw), nil
	}
	return url.ParseQuery(raw)
}

// parseFormLiteral reads a form as WHATWG's application/x-www-form-
// urlencoded parser does: pairs split on "&", name and value on the first
// "=", "+" is a space, %XX a byte, and any other "%" stays as it is.
func parseFormLiteral(raw string) url.Values {
	form := url.Values{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		form.Add(unescapeLiteral(k), unescapeLiteral(v))
	}
	return form
}

func unescapeLiteral(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s):
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// redirect answers rep with fault redirect-no-operation's 302.
func (s *Server) redirect(rep *reply) {
	to := s.opts.RedirectTo
	if to == "" {
		to = DefaultRedirectTo
	}
	rep.status, rep.header, rep.body = http.StatusFound, http.Header{"Location": {to}}, nil
}

// respell applies FaultMediaTypeSynonym to a reply about to be written.
func (s *Server) respell(rep *reply) {
	if !s.has(FaultMediaTypeSynonym) || rep.header == nil {
		return
	}
	if syn, ok := s.d.mediaSynonyms[rep.header.Get("Content-Type")]; ok {
		rep.header.Set("Content-Type", syn)
	}
}
