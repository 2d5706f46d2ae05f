package sequence

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/spec"
)

// createKey creates a key on one of the run's buckets, with a minimal
// request.
func (m *machine) createKey(t *rapid.T) {
	b := m.drawBucket(t)
	m.judgeCreate(t, b, m.sendJSON(t, spec.CreateKey, m.sess.Request(spec.CreateKey, spec.Resources{Bucket: b})))
}

// createGenerated creates a key with a valid request generated from the
// description.
func (m *machine) createGenerated(t *rapid.T) {
	b := m.drawBucket(t)
	body := m.doc.Valid(m.doc.Op(spec.CreateKey), spec.Resources{Bucket: b}).Draw(t, "request")
	m.judgeCreate(t, b, m.sendJSON(t, spec.CreateKey, body))
}

// judgeCreate checks a create on bucket b against the model: below the
// limit it must succeed with a new key and a new, non-empty secret; at the
// limit it must get the limit error.
func (m *machine) judgeCreate(t *rapid.T, b string, ex *exchange.Exchange) {
	full, n := m.model.Full(b), m.model.Count(b)
	args := []string{b}
	if !ex.Reply.OK() {
		refused := m.model.Refusals(b)
		if m.sess.Is(ex, spec.LimitExceeded) {
			m.model.Refused(b)
		}
		switch {
		case full && !m.sess.Is(ex, spec.LimitExceeded):
			m.fail(t, check.TwoKeyLimit, engine.Describe(ex.Describe(), args, m.sess.Outcome(ex), fmt.Sprintf("the limit error (bucket holds %d keys)", n)))
		case full:
		case m.sess.Is(ex, spec.LimitExceeded):
			// A slot the model counts free is taken: a deleted key still
			// counts (key-lifecycle), or an earlier refused create stored
			// its key (two-key-limit). Only the second shows in a list.
			if refused > 0 && m.listShowsMore(b) {
				m.fail(t, check.TwoKeyLimit, engine.Describe(ex.Describe(), args, m.sess.Outcome(ex), fmt.Sprintf("a new key: the bucket holds %d keys, and the list shows a key an earlier create refused at the limit stored", n)))
			}
			m.fail(t, check.KeyLifecycle, engine.Describe(ex.Describe(), args, m.sess.Outcome(ex), fmt.Sprintf("a new key: the bucket holds %d keys (%d deleted in this sequence), the limit is %d", n, m.model.Deletes(b), m.b.Limit)))
		case !full:
			m.fail(t, check.ValidInputAccepted, engine.Describe(ex.Describe(), args, m.sess.Outcome(ex), fmt.Sprintf("a new key (bucket holds %d of %d)", n, m.b.Limit)))
		}
		return
	}
	k, ok := m.b.CreatedKey(ex.Reply)
	if !ok {
		m.fail(t, check.SuccessEnvelope, engine.Describe(ex.Describe(), args, "a success without a key", "the created key"))
		return
	}
	known := m.model.Known(k.ID)
	m.model.Created(b, k.ID) // even when wrong, so that the key is cleaned up
	switch {
	case full:
		m.fail(t, check.TwoKeyLimit, engine.Describe(ex.Describe(), args, "a new key "+k.ID, fmt.Sprintf("the limit error (bucket already holds %d keys)", n)))
	case known:
		m.fail(t, check.KeyLifecycle, engine.Describe(ex.Describe(), args, "key id "+k.ID+" again", "a new key id"))
	case strings.TrimSpace(k.Secret) == "":
		m.fail(t, check.SecretOnlyOnce, engine.Describe(ex.Describe(), args, "a key with an empty secret", "a non-empty secret at creation"))
	}
	for _, p := range m.secrets {
		if p.Value == k.Secret {
			m.fail(t, check.SecretOnlyOnce, engine.Describe(ex.Describe(), args, "the secret of the key created at "+p.Origin, "a new secret"))
		}
	}
	m.secrets = append(m.secrets, engine.PriorSecret{Value: k.Secret, Origin: fmt.Sprintf("step %d", len(m.trail))})
	if k.Secret != "" {
		m.keys = append(m.keys, k)
	}
}

// listShowsMore lists b, outside the steps (the exchange joins the trail
// but is judged only here), and reports whether it shows a key the model
// never saw: one a refused create stored. A key the sequence deleted that
// is still listed is a lifecycle fault instead.
func (m *machine) listShowsMore(b string) bool {
	exs, keys, _, err := m.sess.ReadKeys(m.ctx, b, 0)
	if err != nil {
		return false
	}
	m.trail = append(m.trail, exs...)
	for _, k := range keys {
		if !m.model.Known(k.ID) {
			return true
		}
	}
	return false
}

// createInvalid sends a create request that breaks one constraint of the
// description: it must be rejected and change nothing.
func (m *machine) createInvalid(t *rapid.T) {
	b := m.drawBucket(t)
	c := rapid.SampledFrom(m.invalidCreates(b)).Draw(t, "invalid")
	ex := m.send(t, spec.CreateKey, c.Request)
	for _, sit := range c.Expect {
		if m.sess.Is(ex, sit) {
			return
		}
	}
	if k, ok := m.b.CreatedKey(ex.Reply); ok && ex.Reply.OK() {
		m.model.Created(b, k.ID)
	}
	m.fail(t, check.InvalidInputRejected, engine.Describe(ex.Describe(), []string{c.Name}, m.sess.Outcome(ex), "a 4xx invalid-input error"))
}

// createUnknownBucket creates a key on a bucket that does not exist.
func (m *machine) createUnknownBucket(t *rapid.T) {
	missing := m.sess.MissingBucket()
	ex := m.sendJSON(t, spec.CreateKey, m.sess.Request(spec.CreateKey, spec.Resources{Bucket: missing}))
	if m.sess.Is(ex, spec.NotFound) {
		return
	}
	if ex.Reply.OK() {
		m.sess.Adopt(missing)
	}
	m.fail(t, check.UnknownBucket, engine.Describe(ex.Describe(), []string{missing}, m.sess.Outcome(ex), "the not-found error"))
}

// listKeys lists a bucket, every page: the keys must be exactly the
// model's, with no secret. The sequence is the only client, so the pages
// read to the end are the bucket's content.
func (m *machine) listKeys(t *rapid.T) {
	b := m.drawBucket(t)
	size := m.drawPageSize(t)
	want := m.model.Keys(b)
	// An eventually consistent endpoint gets the settle window to agree.
	deadline := time.Now().Add(m.sess.Target().Settle)
	for {
		ex, keys, ok := m.listPages(t, b, size)
		if !ok || sameIDs(keys, want) || time.Now().After(deadline) {
			m.judgeList(t, b, ex, keys)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// drawPageSize draws the page size a list asks for, where the binding
// says where one goes (pages.size): 0 (none: the endpoint's own), or 1 to
// one more than the limit, so that lists span pages and each page is
// judged against the size asked (success-envelope). Without pages.size it
// draws nothing, and the sequences are those of a binding without it.
func (m *machine) drawPageSize(t *rapid.T) int {
	if m.b.Pages[spec.ListKeys].Size == "" {
		return 0
	}
	return rapid.IntRange(0, m.b.Limit+1).Draw(t, "page size")
}

// listPages lists b as steps, every page of it (Binding.Pages), asking for
// pages of size items (0: none), and returns the exchange that decides
// (the first page's, or the first that failed) with every page's keys.
func (m *machine) listPages(t *rapid.T, b string, size int) (*exchange.Exchange, []spec.Key, bool) {
	exs, keys, ok, err := m.sess.ReadKeys(m.ctx, b, size)
	var decisive *exchange.Exchange
	for _, ex := range exs {
		m.judge(t, ex, nil)
		if decisive == nil || !ex.Reply.OK() && decisive.Reply.OK() {
			decisive = ex
		}
	}
	if err != nil {
		m.abort(t, err)
	}
	return decisive, keys, ok
}

// judgeList checks a list of bucket b against the model: exactly its keys,
// none with a secret.
func (m *machine) judgeList(t *rapid.T, b string, ex *exchange.Exchange, keys []spec.Key) {
	want := m.model.Keys(b)
	if !ex.Reply.OK() {
		m.fail(t, check.ValidInputAccepted, engine.Describe(ex.Describe(), []string{b}, m.sess.Outcome(ex), "the bucket's keys"))
		return
	}
	args := []string{b}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
		if k.Secret != "" {
			m.fail(t, check.SecretOnlyOnce, engine.Describe(ex.Describe(), args, "key "+k.ID+" listed with its secret", "no secret outside the create"))
		}
	}
	for _, id := range ids {
		if slices.Contains(want, id) {
			continue
		}
		switch owner := m.model.Owner(id); {
		case owner != "" && owner != b:
			m.fail(t, check.BucketIsolation, engine.Describe(ex.Describe(), args, fmt.Sprintf("key %s of bucket %s", id, owner), "only the bucket's own keys"))
		case m.model.WasDeleted(b, id):
			m.fail(t, check.KeyLifecycle, engine.Describe(ex.Describe(), args, "deleted key "+id+" still listed", "deleted keys gone"))
		case len(ids) > m.b.Limit || m.model.Refusals(b) > 0:
			m.fail(t, check.TwoKeyLimit, engine.Describe(ex.Describe(), args, fmt.Sprintf("%d keys, with unknown key %s", len(ids), id),
				fmt.Sprintf("the %d keys created: a create refused at the limit (%d so far) changes nothing", len(want), m.model.Refusals(b))))
		default:
			m.fail(t, check.KeyLifecycle, engine.Describe(ex.Describe(), args, "unknown key "+id, "only keys created"))
		}
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			m.fail(t, check.KeyLifecycle, engine.Describe(ex.Describe(), args, fmt.Sprintf("%d keys, without %s", len(ids), id), fmt.Sprintf("every key the bucket holds: %v", want)))
		}
	}
}

func sameIDs(keys []spec.Key, want []string) bool {
	if len(keys) != len(want) {
		return false
	}
	for _, k := range keys {
		if !slices.Contains(want, k.ID) {
			return false
		}
	}
	return true
}

// deleteLive deletes a live key through its own bucket: it must succeed and
// the key be gone.
func (m *machine) deleteLive(t *rapid.T) {
	b, id, ok := m.drawLive(t)
	if !ok {
		return
	}
	ex := m.sendJSON(t, spec.DeleteKey, m.sess.Request(spec.DeleteKey, spec.Resources{Bucket: b, KeyID: id}))
	if !ex.Reply.OK() {
		m.fail(t, check.KeyLifecycle, engine.Describe(ex.Describe(), []string{b, id}, m.sess.Outcome(ex), "success for a live key"))
		return
	}
	m.model.Removed(b, id)
}

// deleteDeleted deletes a key again: not-found.
func (m *machine) deleteDeleted(t *rapid.T) {
	b, id, ok := m.pickKey(t, "deleted", m.model.Deleted)
	if !ok {
		return
	}
	m.expectNotFound(t, b, id, check.KeyLifecycle, "deleted twice")
}

// deleteUnknownKey deletes a key id no endpoint issued: not-found.
func (m *machine) deleteUnknownKey(t *rapid.T) {
	m.expectNotFound(t, m.drawBucket(t), missingKey, check.KeyLifecycle, "no such key")
}

// deleteThroughOther deletes a live key through another bucket's name:
// not-found, and the key stays.
func (m *machine) deleteThroughOther(t *rapid.T) {
	buckets := m.buckets
	if len(buckets) < 2 {
		t.Skip("needs two buckets")
	}
	b, id, ok := m.drawLive(t)
	if !ok {
		return
	}
	other := buckets[0]
	if other == b {
		other = buckets[1]
	}
	m.use(t, other)
	m.expectNotFound(t, other, id, check.BucketIsolation, "the key belongs to "+b)
}

func (m *machine) expectNotFound(t *rapid.T, b, id string, failing check.ID, why string) {
	ex := m.sendJSON(t, spec.DeleteKey, m.sess.Request(spec.DeleteKey, spec.Resources{Bucket: b, KeyID: id}))
	if !m.sess.Is(ex, spec.NotFound) {
		if ex.Reply.OK() && m.model.Holds(b, id) {
			m.model.Removed(b, id)
		}
		m.fail(t, failing, engine.Describe(ex.Describe(), []string{b, id}, m.sess.Outcome(ex), "the not-found error ("+why+")"))
	}
}

// drawLive picks a live key the sequence created; ok is false when there
// is none.
func (m *machine) drawLive(t *rapid.T) (bucket, id string, ok bool) {
	return m.pickKey(t, "live", m.model.Live)
}

// pickKey draws one of the keys that keys lists for a bucket (in the order
// the bucket got them): first a bucket, the drawn one or, when keys lists
// none there, the next that has some, then a key of that bucket. It draws
// the same way whether or not there is anything to pick, and an action
// with nothing to act on does nothing rather than t.Skip: a skipped action
// makes rapid draw another from the following bits, so removing one step
// while shrinking would shift every later one. For the same reason a key
// is drawn within its bucket, not among all the sequence's keys: removing
// the steps on one bucket leaves the draws on the other meaning the same
// keys, and shrinking reaches the minimal sequence instead of stalling
// above it.
func (m *machine) pickKey(t *rapid.T, label string, keys func(bucket string) []string) (bucket, id string, ok bool) {
	bi := rapid.IntRange(0, 255).Draw(t, label+" bucket")
	ki := rapid.IntRange(0, 255).Draw(t, label)
	for n := range len(m.buckets) {
		b := m.buckets[(bi+n)%len(m.buckets)]
		if ids := keys(b); len(ids) > 0 {
			return b, ids[ki%len(ids)], true
		}
	}
	return "", "", false
}
