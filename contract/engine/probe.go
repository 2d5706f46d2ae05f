package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/contract/record"
	"github.com/keycontract/keycontract/spec"
)

// Using keys on the data plane (docs/DESIGN.md, "The key works: the data
// plane"). Probe uses one key once, as the description's probe
// (spec.Probe) says, through the run's own client: recorded, redacted and
// replayed like every exchange, signed with the key alone (never with the
// run's credentials nor a -header value), no redirect followed. Await
// repeats a use within a window (probe_window.go). The fixed scenarios of
// key-works, key-scoped and key-revoked drive them (package contract);
// so may a property-based sequence's step.

// KeyUse is one use of a key on the data plane.
type KeyUse struct {
	// Key is the key used: its id and secret (unused when unsigned).
	Key spec.Key
	// Bucket is the bucket (IAM user) whose data plane the key is used
	// on: its own, or another.
	Bucket string
	// Auth: AsConfigured signs with the key, NoCredentials sends the
	// request unsigned, WrongSecret signs with the key's id and a wrong
	// secret.
	Auth client.Auth
}

// Probed is what one use showed.
type Probed struct {
	spec.Use
	// Ex is the exchange that decided (its request alone when no answer
	// came); nil only for a replayed use whose recorded run got no answer.
	Ex *exchange.Exchange
	// Trail is every exchange of the use: asks the endpoint did not know,
	// then Ex.
	Trail []*exchange.Exchange
	// Place is where it was sent, and Ask what was asked there
	// (ListObjectsV2, GetCallerIdentity, GetUser).
	Place spec.Place
	Ask   string
}

// DataUnavailable says the run cannot use keys on the data plane: the
// binding names none, or the run cannot know where a bucket's is, or it
// does not answer at all (no connection). The data-plane checks are then
// skipped, with Reason; it never fails a run nor ends it.
type DataUnavailable struct{ Reason string }

func (e *DataUnavailable) Error() string { return e.Reason }

// dataState is what the run learns of its data plane.
type dataState struct {
	mu     sync.Mutex
	urls   map[string]string   // bucket -> the url replies declared for it
	ask    map[string]askState // place base -> which of its asks the endpoint answers
	sent   int                 // uses sent, numbering the notes a replay reads
	down   string              // why the data plane cannot be reached ("" while it can)
	probed bool                // a use was answered
	// the windows measured, per key (Measure)
	propagation, revocation []time.Duration
}

// askState is what the run learnt of the asks an endpoint answers (Probe):
// the first worth sending, and whether it is sure (a Tentative ask that
// has named a caller there, and decides from then on).
type askState struct {
	first int
	sure  bool
}

// learnAsk keeps what a use showed of the asks the endpoint at base
// answers.
func (s *Session) learnAsk(base string, st askState) {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	if s.data.ask == nil {
		s.data.ask = map[string]askState{}
	}
	s.data.ask[base] = st
}

// noteURLs keeps the bucket urls a reply declares (the binding's
// data.s3.url), on createBucket and listBuckets replies.
func (s *Session) noteURLs(role spec.Role, bucket string, r *spec.Reply) {
	urls := s.b.BucketURLs(role, bucket, r)
	if len(urls) == 0 {
		return
	}
	d := &s.data
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.urls == nil {
		d.urls = map[string]string{}
	}
	for b, u := range urls {
		d.urls[b] = u
	}
}

// forgetURL drops a deleted bucket's url, so that a long run's memory
// stays flat (every sequence makes and deletes buckets).
func (s *Session) forgetURL(bucket string) {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	delete(s.data.urls, bucket)
}

// BucketURL is the url the endpoint's replies declared for bucket ("" for
// none).
func (s *Session) BucketURL(bucket string) string {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	return s.data.urls[bucket]
}

// LearnBucketURLs lists the buckets, every page, when one of the run's
// buckets has no url yet and the binding says where a listBuckets item
// declares one (buckets given with -bucket, whose create the run never
// saw).
func (s *Session) LearnBucketURLs(ctx context.Context) error {
	if s.b.Data.S3 == nil || s.b.Data.S3.URL.ListBuckets == "" || s.t.DataEndpoint != "" {
		return nil
	}
	for _, b := range s.buckets {
		if s.BucketURL(b) == "" {
			_, _, _, err := s.ListBuckets(ctx, 0)
			return err
		}
	}
	return nil
}

// DataPlace says where bucket's data plane is, or why the run cannot know
// (a *DataUnavailable).
func (s *Session) DataPlace(bucket string) (spec.Place, error) {
	s.data.mu.Lock()
	down := s.data.down
	s.data.mu.Unlock()
	if down != "" {
		return spec.Place{}, &DataUnavailable{down}
	}
	w := spec.Where{Endpoint: s.t.Endpoint, Data: s.t.DataEndpoint, BucketURL: s.BucketURL(bucket), Region: s.t.region()}
	p, err := s.doc.DataProbe().Locate(w, bucket)
	if err != nil {
		return p, &DataUnavailable{err.Error()}
	}
	return p, nil
}

// Opens says what a key opens on the description's data plane:
// spec.OpensBucket or spec.OpensUser.
func (s *Session) Opens() string { return s.doc.DataProbe().Opens() }

// Probe uses a key once (see KeyUse). The error is a *DataUnavailable
// when the run cannot use keys on the data plane, or what ends the run
// (an interrupt, a replay that does not match its recording). A request
// that connected and got no answer within the timeout, or an answer that
// could not be read, is a use that is Neither, a finding, with the
// request as its exchange.
func (s *Session) Probe(ctx context.Context, u KeyUse) (Probed, error) {
	if u.Auth != client.NoCredentials && (u.Key.ID == "" || u.Key.Secret == "") {
		return Probed{}, fmt.Errorf("a key without an id or a secret cannot sign a use of it (bucket %s)", u.Bucket)
	}
	place, err := s.DataPlace(u.Bucket)
	if err != nil {
		return Probed{}, err
	}
	probe := s.doc.DataProbe()
	asks := probe.Asks(place, u.Bucket)
	s.data.mu.Lock()
	known := s.data.ask[place.Base]
	s.data.mu.Unlock()
	out := Probed{Place: place}
	tentativeFailed := false
	for i := known.first; i < len(asks); i++ {
		a := asks[i]
		ex, use, err := s.probeOnce(ctx, probe, place, a, u)
		if err != nil {
			return out, err
		}
		out.Use, out.Ex, out.Ask = use, ex, a.Name
		if ex != nil {
			out.Trail = append(out.Trail, ex)
		}
		switch {
		case use.Outcome == spec.Unknown:
			s.learnAsk(place.Base, askState{first: i + 1})
			continue
		case a.Tentative && !known.sure && i+1 < len(asks):
			if use.Outcome == spec.Works && use.Caller != "" {
				s.learnAsk(place.Base, askState{first: i, sure: true})
				return out, nil
			}
			tentativeFailed = true // the next ask decides
			continue
		case tentativeFailed && use.Outcome == spec.Works:
			// The endpoint refused (or mangled) the tentative ask of a
			// key that works: it does not answer that ask.
			s.learnAsk(place.Base, askState{first: i})
		}
		return out, nil
	}
	names := make([]string, len(asks))
	for i, a := range asks {
		names[i] = a.Name
	}
	reason := fmt.Sprintf("no data plane: %s at %s answers none of %s (the last: %s)", place.Via, place.Base, strings.Join(names, ", "), out.Why)
	s.markDown(reason)
	return out, &DataUnavailable{reason}
}

// probeNote is the recording's note for the nth use that got no answer,
// which a replay gives back instead of sending it.
func probeNote(n int) string { return fmt.Sprintf("data-plane use %d", n) }

// The notes' kinds.
const (
	noteUnreachable = "unreachable: "
	noteNoAnswer    = "no answer: "
)

// probeOnce sends one ask of a use and judges its reply.
func (s *Session) probeOnce(ctx context.Context, probe spec.Probe, place spec.Place, a spec.Ask, u KeyUse) (*exchange.Exchange, spec.Use, error) {
	s.data.mu.Lock()
	s.data.sent++
	n := s.data.sent
	s.data.mu.Unlock()
	if note, ok := s.Recorded(probeNote(n)); ok {
		// The recorded run got no answer here; nothing was recorded to
		// replay it with.
		if reason, down := strings.CutPrefix(note, noteUnreachable); down {
			s.markDown(reason)
			return nil, spec.Use{}, &DataUnavailable{reason}
		}
		return nil, spec.Use{Outcome: spec.Neither, Why: strings.TrimPrefix(note, noteNoAnswer)}, nil
	}
	call := client.Call{Op: a.Op, Req: a.Request, Auth: u.Auth, Data: &client.DataCall{
		Base: a.Base, Signer: keySigner(u, a),
		Reply: func(status int, h http.Header, body []byte) *spec.Reply {
			return probe.Reply(a, status, h, body)
		},
	}}
	ex, err := s.c.Send(ctx, call)
	var de *client.DataError
	switch {
	case err == nil:
	case errors.Is(err, record.ErrReplayMismatch) || ctx.Err() != nil || !errors.As(err, &de):
		return nil, spec.Use{}, err
	case !de.Connected:
		reason := s.red.String(fmt.Sprintf("the data plane at %s (%s) does not answer: %v", place.Base, place.Via, de.Err))
		s.Note(probeNote(n), noteUnreachable+reason)
		s.markDown(reason)
		return nil, spec.Use{}, &DataUnavailable{reason}
	default:
		why := s.red.String(fmt.Sprintf("%s: no answer: %v", a.Name, de.Err))
		s.Note(probeNote(n), noteNoAnswer+why)
		return ex, spec.Use{Outcome: spec.Neither, Why: why}, nil
	}
	s.data.mu.Lock()
	s.data.probed = true
	s.data.mu.Unlock()
	return ex, probe.Judge(a, ex.Reply, u.Auth != client.NoCredentials), nil
}

// keySigner signs a use with the key (or its id and a wrong secret), for
// the ask's SigV4 scope; nil for an unsigned use.
func keySigner(u KeyUse, a spec.Ask) client.Signer {
	if u.Auth == client.NoCredentials {
		return nil
	}
	sv := client.NewSigV4(credentials.NewStaticCredentialsProvider(u.Key.ID, u.Key.Secret, ""), a.Region)
	sv.Service = a.Service
	if u.Auth == client.WrongSecret {
		return sv.Wrong()
	}
	return sv
}

// markDown notes that the data plane cannot be reached: every later use
// is unavailable at once.
func (s *Session) markDown(reason string) {
	s.data.mu.Lock()
	defer s.data.mu.Unlock()
	if s.data.down == "" {
		s.data.down = reason
	}
}
