package sequence

import (
	"errors"
	"fmt"
	"slices"

	"pgregory.net/rapid"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/spec"
)

// useLive and useDeleted are the sequences' "use a key" step
// (docs/DESIGN.md, "The key works: the data plane"): it uses a key the
// sequence created, live (on its own bucket or the other) or deleted
// (on its own), signed with the key, once (with iam: asks who the caller
// is), and checks the answer against the model:
//
//   - a live key opens its own bucket (key-works) and no other
//     (key-scoped); with iam, it acts as its own user (key-scoped);
//   - a deleted key is refused on its own bucket (key-revoked).
//
// The sequences find what no fixed scenario does: a key that works only
// in some states of its bucket (a deleted key that lives on while its
// bucket holds another), shrunk like every other failure.
//
// The step judges the first use: it needs both windows to be 0
// (-propagation, -revocation). With a window above 0 it is skipped: not
// one of the sequences' actions at all (useSkipped), so that rapid never
// draws it, and the data-plane checks say so in their reason. (A t.Skip
// in the action would be a rejected step, and rapid ends a sequence whose
// first step is rejected.) Like the other actions, it draws the same way
// whether or not it has a key to use, and does nothing without one (see
// pick): where the run knows no data plane, or it does not answer (the
// fixed scenario says so), and before a key was created. A key whose
// create showed no secret is never used.
//
// It is two actions, useLive and useDeleted, each drawing among its own
// keys: so that a deleted key's use is as likely as a live one's.
func (m *machine) useLive(t *rapid.T) { m.useKey(t, true) }

// useDeleted is useKey on a key the sequence deleted.
func (m *machine) useDeleted(t *rapid.T) { m.useKey(t, false) }

// useKey uses a live (or deleted) key the sequence created.
func (m *machine) useKey(t *rapid.T, wantLive bool) {
	// Within its bucket, by creation order, as every key action draws
	// (pickKey): ids differ from one replay of the same draws to the next,
	// and shrinking replays them. Only keys whose create showed a secret
	// (m.keys) are used.
	usable := func(b string) []string {
		var ids []string
		for _, k := range m.keys {
			if m.model.Owner(k.ID) == b && m.model.Holds(b, k.ID) == wantLive {
				ids = append(ids, k.ID)
			}
		}
		return ids
	}
	label := "deleted key"
	if wantLive {
		label = "live key"
	}
	owner, id, ok := m.pickKey(t, label, usable)
	toOther := rapid.Bool().Draw(t, "other bucket")
	j := rapid.IntRange(0, 255).Draw(t, "bucket")
	if !ok {
		return
	}
	var k spec.Key
	for _, c := range m.keys {
		if c.ID == id {
			k = c
		}
	}
	bucket := owner
	// A live key on the other bucket tests its scope; a deleted key is
	// used on its own bucket, where it opened something before its delete.
	if others := m.otherBuckets(owner); len(others) > 0 && toOther && wantLive && m.sess.Opens() == spec.OpensBucket {
		bucket = m.use(t, others[j%len(others)])
	}
	live := m.model.Holds(owner, k.ID)
	p, err := m.sess.Probe(m.ctx, engine.KeyUse{Key: k, Bucket: bucket, Auth: client.AsConfigured})
	var down *engine.DataUnavailable
	switch {
	case errors.As(err, &down):
		return
	case err != nil:
		m.abort(t, err)
	}
	for _, ex := range p.Trail {
		m.steps++
		m.trail = append(m.trail, ex)
	}
	m.collect(t)

	what := fmt.Sprintf("key %s of %s", k.ID, owner)
	if !live {
		what = "deleted " + what
	}
	args := []string{what}
	if bucket != owner {
		args = append(args, "on "+bucket)
	}
	msg := func(want string) string { return engine.Describe(p.Ask, args, p.Why, want) }
	switch {
	case !live && p.Outcome != spec.Refused:
		m.fail(t, check.KeyRevoked, msg("a refusal: the key was deleted"))
	case !live:
	case bucket != owner && p.Outcome != spec.Refused:
		m.fail(t, check.KeyScoped, msg("a refusal: the key is "+owner+"'s"))
	case bucket != owner:
	case p.Outcome != spec.Works:
		m.fail(t, check.KeyWorks, msg("a success: the key is live"))
	case p.Caller != "" && p.Caller != owner:
		m.fail(t, check.KeyScoped, msg("the key's own user "+owner+" named"))
	}
}

// useSkipped says why the sequences use no key ("" when they do): none of
// the data plane's checks selected, or a window above 0, which the
// data-plane checks' reason then gives.
func useSkipped(sess *engine.Session) string {
	if !slices.ContainsFunc(check.DataPlane, sess.Selected) {
		return "no data-plane check selected"
	}
	tgt := sess.Target()
	if tgt.Propagation == 0 && tgt.Revocation == 0 {
		return ""
	}
	reason := fmt.Sprintf("the property-based sequences use no key: their step judges a key's first use, and the windows are above 0 (-propagation %v, -revocation %v)", tgt.Propagation, tgt.Revocation)
	for _, id := range check.DataPlane {
		sess.Remark(id, reason)
	}
	return reason
}

// otherBuckets are the sequence's buckets other than b.
func (m *machine) otherBuckets(b string) []string {
	var out []string
	for _, o := range m.buckets {
		if o != b {
			out = append(out, o)
		}
	}
	return out
}
