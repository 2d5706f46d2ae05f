package engine

import (
	"errors"
	"net/http"
	"time"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/record"
	"github.com/keycontract/keycontract/contract/report"
)

// Evidence: a run records its exchanges (Target.Record) and replays a
// recording instead of the network (Target.Replay).

// openReplay loads t.Replay, when set, and turns t into its replay.
func openReplay(t *Target) (*record.Recording, error) {
	if t.Replay == "" {
		return nil, nil
	}
	rec, err := record.Load(t.Replay)
	if err != nil {
		return nil, &SetupError{err.Error()}
	}
	applyRecording(rec, t)
	return rec, nil
}

// applyRecording turns t into a replay of the recording: the recorded
// seed, run id, checks and sizes, credentials as placeholders (so that
// auth-required runs as it did), and the replay transport instead of the
// network.
func applyRecording(rec *record.Recording, t *Target) {
	m := rec.Meta
	if t.Endpoint == "" {
		t.Endpoint = m.Target.Endpoint
	}
	if t.Doc == nil && t.Dialect == "" {
		t.Dialect = m.Target.Dialect
	}
	t.Seed = m.Seed
	if len(t.Checks) == 0 {
		t.Checks = m.Checks
	}
	t.Sequences, t.Steps, t.Buckets, t.SharedBuckets = m.Sequences, m.Steps, m.Buckets, m.SharedBuckets
	t.Settle = time.Duration(m.SettleMS) * time.Millisecond
	t.DataEndpoint = m.DataEndpoint
	t.Propagation = time.Duration(m.PropagationMS) * time.Millisecond
	t.Revocation = time.Duration(m.RevocationMS) * time.Millisecond
	t.Rate = 0
	t.Signer = m.Signer()
	t.Headers = http.Header{}
	for _, name := range m.Headers {
		t.Headers.Set(name, "<redacted>")
	}
	t.Client = &http.Client{Transport: record.NewTransport(rec)}
}

// startEvidence connects the session to its replay (the recorded run id,
// the replay transport) and opens its recording.
func (s *Session) startEvidence(rec *record.Recording) error {
	if rec != nil {
		s.replaying = rec
		s.runID = rec.Meta.RunID
		if rt, ok := s.t.Client.Transport.(*record.Transport); ok {
			rt.TargetHeader = s.doc.OperationHeader()
			s.replay = rt
			s.c.Replaying = true
		}
	}
	if s.t.Record != "" {
		r, err := record.NewRecorder(s.t.Record, s.red)
		if err != nil {
			return &SetupError{err.Error()}
		}
		s.rec = r
		s.c.Recorder = r
	}
	return nil
}

// finishEvidence writes the recording's run.json with the verdicts, and in
// a replay reports recorded exchanges the harness never asked for.
func (s *Session) finishEvidence(rep *report.Report, runErr error) error {
	var errs []error
	if s.replay != nil && runErr == nil {
		if err := s.replay.Unserved(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.rec != nil {
		meta := record.Meta{
			Tool: "keycontract", Version: report.Version(), Recorded: rep.Started, Target: rep.Target,
			Args: s.t.RecordArgs, Seed: s.seed, RunID: s.runID, Checks: s.t.Checks,
			Sequences: s.t.Sequences, Steps: s.t.Steps, Buckets: s.t.Buckets, SharedBuckets: s.t.SharedBuckets,
			SettleMS: s.t.Settle.Milliseconds(), Signed: s.t.Signer != nil, Notes: s.notes,
			DataEndpoint: s.t.DataEndpoint, PropagationMS: s.t.Propagation.Milliseconds(), RevocationMS: s.t.Revocation.Milliseconds(),
			Verdicts: map[check.ID]string{},
		}
		_, meta.WrongSigned = s.t.Signer.(client.WrongSigner)
		for name := range s.t.Headers {
			meta.Headers = append(meta.Headers, name)
		}
		if runErr != nil {
			meta.Error = s.red.String(runErr.Error())
		}
		for _, c := range rep.Checks {
			meta.Verdicts[c.ID] = c.Status
		}
		if err := s.rec.Finish(meta); err != nil {
			errs = append(errs, &SetupError{err.Error()})
		}
	}
	return errors.Join(errs...)
}

// Note keeps a value a driver needs to replay the run alike (how far
// shrinking went, say); recordings carry it.
func (s *Session) Note(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notes == nil {
		s.notes = map[string]string{}
	}
	s.notes[key] = value
}

// Recorded returns the value Note kept under key in the run being
// replayed; ok is false when the session is not a replay or the recording
// has no such note.
func (s *Session) Recorded(key string) (value string, ok bool) {
	if s.replaying == nil {
		return "", false
	}
	value, ok = s.replaying.Meta.Notes[key]
	return value, ok
}

// Replaying reports whether the session answers from a recording.
func (s *Session) Replaying() bool { return s.replaying != nil }

// ReplayedExchanges is how many exchanges the recording being replayed
// holds (0 when the session is not a replay).
func (s *Session) ReplayedExchanges() int {
	if s.replaying == nil {
		return 0
	}
	return len(s.replaying.Steps)
}
