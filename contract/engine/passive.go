package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// maxPerCheck bounds the violations one passive check reports: one broken
// behaviour seen on every request is one finding, not a flood.
const maxPerCheck = 5

// passive applies, as each exchange arrives, the checks that hold for
// every exchange of the run: the envelopes, no-server-errors, the limit in
// every list, and secret-only-once across all later responses. Judging as
// the run goes reports a failure when it happens and keeps no log of the
// run's exchanges.
type passive struct {
	s       *Session
	mu      sync.Mutex
	count   map[check.ID]int
	secrets *secretLedger
}

func newPassive(s *Session) *passive {
	return &passive{s: s, count: map[check.ID]int{}, secrets: newSecretLedger()}
}

// judge checks one exchange.
func (p *passive) judge(ex *exchange.Exchange) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !ex.Data { // a data plane's replies are its probe's to judge
		for _, v := range p.s.ShapeProblems(context.Background(), ex) {
			p.report(v.Check, v.Message, v.Exchanges...)
		}
	}
	for _, leak := range p.secrets.observe(p.s, ex) {
		p.report(check.SecretOnlyOnce, leak.msg, leak.exs...)
	}
}

func (p *passive) report(id check.ID, msg string, exs ...*exchange.Exchange) {
	if !p.s.t.selected(id) {
		return
	}
	if p.count[id]++; p.count[id] <= maxPerCheck {
		p.s.Fail(id, msg, exs...)
	}
}

// finish reports how many violations went beyond maxPerCheck.
func (p *passive) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, n := range p.count {
		if n > maxPerCheck && p.s.t.selected(id) {
			p.s.Fail(id, fmt.Sprintf("... and %d more violations like these", n-maxPerCheck))
		}
	}
}

// ShapeProblems judges one exchange on its own: its envelope, its status,
// and the limit in a list. It records nothing.
func (s *Session) ShapeProblems(ctx context.Context, ex *exchange.Exchange) []*Violation {
	var out []*Violation
	add := func(id check.ID, msg string) {
		out = append(out, &Violation{Check: id, Message: msg, Exchanges: []*exchange.Exchange{ex}})
	}
	r := ex.Reply
	args := []string{"#" + fmt.Sprint(ex.Seq)}
	switch {
	case r.OK() && ex.Op != nil:
		if err := s.doc.ValidateSuccess(ctx, ex.Op, r); err != nil {
			add(check.SuccessEnvelope, Describe(ex.Describe(), args, fmt.Sprintf("%d with %v", r.Status, err), "the documented success response"))
		}
		if msg, over := s.overfullPage(ex, args); over {
			add(check.SuccessEnvelope, msg)
		}
	case !r.OK():
		if _, err := s.doc.ValidateError(ctx, ex.Op, r); err != nil {
			add(check.ErrorEnvelope, Describe(ex.Describe(), args, fmt.Sprintf("%d: %v", r.Status, err), "a well-formed, documented error"))
		}
	}
	if s.b.ServerError(r) { // a 5xx, or a code the description says is one
		add(check.NoServerErrors, Describe(ex.Describe(), args, s.Outcome(ex), "no 5xx"))
	}
	if ex.Op != nil && ex.Op.Role == spec.ListKeys && r.OK() {
		if keys, ok := s.b.ListedKeys(r); ok && len(keys) > s.b.Limit {
			add(check.TwoKeyLimit, Describe(ex.Describe(), args, fmt.Sprintf("%d keys", len(keys)), fmt.Sprintf("at most %d", s.b.Limit)))
		}
	}
	return out
}

// overfullPage judges a list's success reply against the page size its
// request asked for (Binding.PageSize, at the binding's pages.size): a
// page holding more items than that breaks the operation's documented
// reply (IAM's MaxItems is "the maximum number of items you want in the
// response"), and fails success-envelope. Fewer items are always allowed,
// even when more pages follow. A request with no page size, or one the
// schema refuses (0, -1: invalid-input-rejected's concern), holds the reply
// to nothing. Every page is judged on its own, wherever it was sent: the
// passive checks and a Checker (the sequences) both call shapeProblems.
// Known false negative: the concurrent history's pages, which no passive
// check judges (their shape is not what that check is about).
func (s *Session) overfullPage(ex *exchange.Exchange, args []string) (string, bool) {
	role := ex.Op.Role
	size, ok := s.b.PageSize(role, ex.RequestValue())
	if !ok {
		return "", false
	}
	n, ok := s.b.ListedItems(role, ex.Reply)
	if !ok || n <= size {
		return "", false
	}
	args = append(slices.Clone(args), fmt.Sprintf("%s=%d", s.b.Pages[role].SizeName(), size))
	return Describe(ex.Describe(), args, fmt.Sprintf("%d items", n), fmt.Sprintf("at most %d", size)), true
}

// secretLedger remembers every secret a create returned, and where.
type secretLedger struct {
	order  []string
	origin map[string]*exchange.Exchange
}

func newSecretLedger() *secretLedger { return &secretLedger{origin: map[string]*exchange.Exchange{}} }

type leak struct {
	msg string
	exs []*exchange.Exchange
}

// observe checks one exchange: a create must return a non-empty secret not
// seen before, and no response may show a secret returned earlier, in its
// body or its headers.
func (l *secretLedger) observe(s *Session, ex *exchange.Exchange) []leak {
	var out []leak
	r := ex.Reply
	args := []string{"#" + fmt.Sprint(ex.Seq)}
	for _, secret := range l.order {
		if ContainsSecret(r, secret) {
			orig := l.origin[secret]
			out = append(out, leak{Describe(ex.Describe(), args, fmt.Sprintf("a response showing the secret created at #%d (%s)", orig.Seq, s.red.String(secret)), "the secret returned once, at creation, and never again"), []*exchange.Exchange{orig, ex}})
		}
	}
	if ex.Op == nil || ex.Op.Role != spec.CreateKey || !r.OK() {
		return out
	}
	// The secret is tracked whatever else is wrong with the key (a
	// mistyped id, say): the envelope checks judge the rest.
	secret, _ := s.b.CreatedSecret(r)
	_, hasKey := r.Value().(map[string]any)
	if obj, found := spec.Pointer(r.Value(), s.b.Response.Key); !found || obj == nil {
		hasKey = false
	}
	switch {
	case !hasKey:
	case strings.TrimSpace(secret) == "":
		out = append(out, leak{Describe(ex.Describe(), args, "a key with an empty or missing secret", "a non-empty secret at creation"), []*exchange.Exchange{ex}})
	case l.origin[secret] != nil:
		// Already reported above as a repeat.
	default:
		l.order = append(l.order, secret)
		l.origin[secret] = ex
	}
	return out
}

// ContainsSecret reports whether a reply shows secret anywhere: in its body
// (as sent, or with JSON's escaped slashes) or in a header value.
func ContainsSecret(r *spec.Reply, secret string) bool {
	forms := [][]byte{[]byte(secret)}
	if esc := strings.ReplaceAll(secret, "/", `\/`); esc != secret {
		forms = append(forms, []byte(esc))
	}
	if strings.ContainsAny(secret, "<>&") {
		// A replayed placeholder, <secret-N>, as Go's encoder writes it,
		// and as a recorded XML body holds it.
		if esc, err := json.Marshal(secret); err == nil {
			forms = append(forms, esc[1:len(esc)-1])
		}
		var x bytes.Buffer
		_ = xml.EscapeText(&x, []byte(secret))
		forms = append(forms, x.Bytes())
	}
	for _, f := range forms {
		if bytes.Contains(r.Body, f) {
			return true
		}
		for _, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, string(f)) {
					return true
				}
			}
		}
	}
	return false
}
