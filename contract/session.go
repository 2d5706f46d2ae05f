package contract

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/spec"
)

// session is one run against a target: its buckets, what it created, and
// the violations found. Scenarios drive it; the client observes every reply
// into it so that cleanup knows everything the run created.
type session struct {
	t     *Target
	doc   *spec.Document
	b     spec.Binding
	c     *client
	red   *Redactor
	seed  int64
	rng   *mrand.Rand
	runID string

	buckets []string            // the buckets checks use: [A] or [A, B]
	owned   map[string]bool     // buckets this run created
	foreign map[string][]string // keys that were there before the run

	mu         sync.Mutex
	created    map[string]string   // live key id -> bucket, for keys this run created
	unread     map[string]int      // bucket -> creates that succeeded without a readable key
	ever       map[string]string   // every key id this run created -> bucket, until the bucket is deleted
	everIn     map[string][]string // bucket -> the ids of ever created in it
	violations map[check.ID][]*Violation
	skips      map[check.ID]string
	extended   map[check.ID]bool // checks an Extension drove
	ran        map[check.ID]bool // checks whose scenario started
	fresh      int               // FreshBuckets calls so far
	viz        []byte            // porcupine's page of the concurrent history
	notes      map[string]string
	replaying  *Recording
}

func newSession(t *Target, doc *spec.Document, seed int64) (*session, error) {
	red := NewRedactor()
	for _, vs := range t.Headers {
		for _, v := range vs {
			red.AddCredential(v)
		}
	}
	if sh, ok := t.Signer.(SecretHolder); ok {
		for _, v := range sh.Secrets(context.Background()) {
			red.AddCredential(v)
		}
	}
	if sv, ok := t.Signer.(*SigV4); ok && sv.Service == "" && doc.Binding.Service != "" {
		signer := *sv // the caller's signer stays as it was
		signer.Service = doc.Binding.Service
		t.Signer = &signer
	}
	hc := t.Client
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			// Each request's context carries the timeout.
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 16,
			IdleConnTimeout: 30 * time.Second,
		}}
	}
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	s := &session{
		t: t, doc: doc, b: doc.Binding, red: red, seed: seed,
		rng:   mrand.New(mrand.NewPCG(uint64(seed), 0x6b6579)),
		runID: hex.EncodeToString(id[:]),
		owned: map[string]bool{}, foreign: map[string][]string{},
		created: map[string]string{}, unread: map[string]int{}, ever: map[string]string{}, everIn: map[string][]string{}, violations: map[check.ID][]*Violation{}, skips: map[check.ID]string{}, extended: map[check.ID]bool{}, ran: map[check.ID]bool{},
	}
	s.c = &client{
		doc: doc, base: trimSlash(t.Endpoint), http: noRedirects(hc), signer: t.Signer, headers: t.Headers,
		red: red, timeout: t.timeout(), limiter: newLimiter(t.Rate), onReply: s.observe,
	}
	return s, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// observe keeps the ledger of what the run created, and registers every
// secret a reply shows so that it is redacted everywhere, by value.
//
// A create reply's secrets are registered whatever is wrong with it (its
// status, content type, id or shape: see spec.Document.RedactionValues),
// before anything else sees the exchange, so that no output ever shows them.
func (s *session) observe(ex *Exchange) {
	r := ex.Reply
	if ex.Op == nil || r == nil {
		return
	}
	req := ex.RequestValue()
	bucket, _ := stringAt(req, s.b.Request.Bucket)
	if ex.Op.Role == spec.CreateKey && r.OK() {
		h := s.doc.RedactionValues(r, func(v string) bool { return v == bucket || s.isBucket(v) })
		for _, v := range h.Secrets {
			s.red.AddSecret(v)
		}
		for _, v := range h.Others {
			s.red.AddCredential(v)
		}
	}
	if !r.OK() {
		return
	}
	switch ex.Op.Role {
	case spec.CreateKey:
		k, ok := s.b.CreatedKey(r)
		if !ok {
			s.mu.Lock()
			s.unread[bucket]++
			s.mu.Unlock()
		}
		if ok {
			s.mu.Lock()
			s.created[k.ID] = bucket
			s.ever[k.ID] = bucket
			s.everIn[bucket] = append(s.everIn[bucket], k.ID)
			s.mu.Unlock()
		}
	case spec.ListKeys:
		for _, v := range s.b.ListedSecrets(r) {
			s.red.AddSecret(v)
		}
	case spec.DeleteKey:
		if id, ok := stringAt(req, s.b.Request.KeyID); ok {
			s.mu.Lock()
			if s.created[id] == bucket {
				delete(s.created, id)
			}
			s.mu.Unlock()
		}
	case spec.CreateBucket:
		if bucket != "" {
			s.mu.Lock()
			s.owned[bucket] = true
			s.mu.Unlock()
		}
	case spec.DeleteBucket:
		// A deleted bucket's keys are gone with it: forgetting them keeps
		// a long run's memory flat (the sequences drop a bucket pair each).
		// Known false negative: one of them reappearing in another bucket.
		s.mu.Lock()
		delete(s.owned, bucket)
		for _, id := range s.everIn[bucket] {
			delete(s.ever, id)
		}
		delete(s.everIn, bucket)
		for id, b := range s.created {
			if b == bucket {
				delete(s.created, id)
			}
		}
		s.mu.Unlock()
	}
}

// stringAt reads a string member of a decoded JSON value by pointer.
func stringAt(v any, pointer string) (string, bool) {
	m, ok := spec.Pointer(v, pointer)
	str, isString := m.(string)
	return str, ok && isString
}

// fail records a violation of check, shown by exs.
// The first violation of a check is also a progress line, so that a long
// run shows a failure when it is found.
func (s *session) fail(id check.ID, msg string, exs ...*Exchange) {
	msg = s.red.String(msg)
	s.mu.Lock()
	first := len(s.violations[id]) == 0
	s.violations[id] = append(s.violations[id], &Violation{Check: id, Message: msg, Exchanges: exs})
	s.mu.Unlock()
	if first {
		line, _, _ := strings.Cut(msg, "\n")
		s.progress("[%s] FAIL: %s", id, line)
	}
}

// failCapped is fail for violations that may repeat once per sequence:
// beyond maxPerCheck of a check it only counts them.
func (s *session) failCapped(id check.ID, msg string, exs ...*Exchange) {
	s.mu.Lock()
	n := len(s.violations[id])
	s.mu.Unlock()
	if n < maxPerCheck {
		s.fail(id, msg, exs...)
	}
}

func (s *session) skip(id check.ID, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skips[id] = reason
}

func (s *session) progress(format string, args ...any) {
	if s.t.Progress != nil {
		fmt.Fprintf(s.t.Progress, "keycontract: "+format+"\n", args...)
	}
}

// call sends a request for role with resources bound into a minimal body.
func (s *session) call(ctx context.Context, role spec.Role, res spec.Resources) (*Exchange, error) {
	return s.c.do(ctx, role, s.doc.Minimal(s.doc.Op(role), res))
}

// code is the error code of a non-2xx reply ("" for a 2xx or none).
func (s *session) code(ex *Exchange) string {
	if ex.Reply == nil || ex.Reply.OK() {
		return ""
	}
	c, _ := s.b.ErrorCode(ex.Reply)
	return c
}

// outcome describes a reply for messages: "200", "400 NotFoundException".
func (s *session) outcome(ex *Exchange) string {
	if ex.Reply.OK() {
		return fmt.Sprintf("%d success", ex.Reply.Status)
	}
	if c := s.code(ex); c != "" {
		return fmt.Sprintf("%d %s", ex.Reply.Status, c)
	}
	return fmt.Sprintf("%d (no error code)", ex.Reply.Status)
}

// is reports whether ex is a 4xx error of situation sit.
func (s *session) is(ex *Exchange, sit spec.Situation) bool {
	r := ex.Reply
	return r.Status >= 400 && r.Status < 500 && s.b.Accepts(sit, s.code(ex))
}

// want names what a situation expects, for messages.
func (s *session) want(sit spec.Situation) string {
	return fmt.Sprintf("a 4xx %v error", s.b.Errors.Accept[sit])
}

// createKey creates a key in bucket and returns it when the reply is a
// success that shows one.
func (s *session) createKey(ctx context.Context, bucket string) (*Exchange, spec.Key, bool, error) {
	ex, err := s.call(ctx, spec.CreateKey, spec.Resources{Bucket: bucket})
	if err != nil {
		return nil, spec.Key{}, false, err
	}
	if !ex.Reply.OK() {
		return ex, spec.Key{}, false, nil
	}
	k, ok := s.b.CreatedKey(ex.Reply)
	return ex, k, ok, nil
}

func (s *session) deleteKey(ctx context.Context, bucket, id string) (*Exchange, error) {
	return s.call(ctx, spec.DeleteKey, spec.Resources{Bucket: bucket, KeyID: id})
}

// ours returns the live keys this run created in bucket, sorted.
func (s *session) ours(bucket string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, b := range s.created {
		if b == bucket {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// free is how many keys the run may create in bucket.
func (s *session) free(bucket string) int {
	return s.b.Limit - len(s.foreign[bucket]) - len(s.ours(bucket))
}

// clearKeys deletes every key the run created in bucket, so that the next
// scenario starts from the same state.
//
// A create that succeeded without a key the binding can read (a mistyped
// id, a body that does not decode) still made a key: the bucket is listed
// then, and every key in it that was not there before the run is taken
// as the run's, so that a broken create does not leave the bucket full
// for the scenarios after it.
func (s *session) clearKeys(ctx context.Context, bucket string) error {
	s.mu.Lock()
	unread := s.unread[bucket]
	s.mu.Unlock()
	if unread > 0 {
		if _, keys, ok, err := s.listKeys(ctx, bucket, nil); err != nil {
			return err
		} else if ok {
			s.mu.Lock()
			foreign := s.foreign[bucket]
			for _, k := range keys {
				if !slices.Contains(foreign, k.ID) {
					s.created[k.ID] = bucket
				}
			}
			delete(s.unread, bucket)
			s.mu.Unlock()
		}
	}
	for _, id := range s.ours(bucket) {
		if _, err := s.deleteKey(ctx, bucket, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) everCreated(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ever[id]
}

func hasKey(keys []spec.Key, id string) bool {
	for _, k := range keys {
		if k.ID == id {
			return true
		}
	}
	return false
}

// isBucket reports whether name is one of the run's buckets: a name the
// run chose, never a secret, whatever member a reply shows it in.
func (s *session) isBucket(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.buckets, name) || s.owned[name]
}
