package contract

import (
	"errors"

	"github.com/keycontract/keycontract/contract/check"
)

// openReplay loads t.Replay, when set, and turns t into its replay.
func openReplay(t *Target) (*Recording, error) {
	if t.Replay == "" {
		return nil, nil
	}
	rec, err := LoadRecording(t.Replay)
	if err != nil {
		return nil, &SetupError{err.Error()}
	}
	rec.apply(t)
	return rec, nil
}

// startEvidence connects the session to its replay (the recorded run id,
// the replay transport) and opens its recording.
func (s *session) startEvidence(rec *Recording) error {
	if rec != nil {
		s.replaying = rec
		s.runID = rec.Meta.RunID
		if rt, ok := s.t.Client.Transport.(*replayTransport); ok {
			rt.header = s.b.Target.Header
			s.c.replay = rt
		}
	}
	if s.t.Record != "" {
		r, err := newRecorder(s.t.Record, s.red)
		if err != nil {
			return &SetupError{err.Error()}
		}
		s.c.rec = r
	}
	return nil
}

// finishEvidence writes the recording's run.json with the verdicts, and in
// a replay reports recorded exchanges the harness never asked for.
func (s *session) finishEvidence(rep *Report, runErr error) error {
	var errs []error
	if s.c.replay != nil && runErr == nil {
		if err := s.c.replay.unserved(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.c.rec != nil {
		meta := RecordingMeta{
			Tool: "keycontract", Version: Version(), Recorded: rep.Started, Target: rep.Target,
			Args: s.t.RecordArgs, Seed: s.seed, RunID: s.runID, Checks: s.t.Checks,
			Sequences: s.t.Sequences, Steps: s.t.Steps, Buckets: s.t.Buckets, SharedBuckets: s.t.SharedBuckets,
			SettleMS: s.t.Settle.Milliseconds(), Signed: s.t.Signer != nil, Notes: s.notes,
			Verdicts: map[check.ID]string{},
		}
		_, meta.WrongSigned = s.t.Signer.(WrongSigner)
		for name := range s.t.Headers {
			meta.Headers = append(meta.Headers, name)
		}
		if runErr != nil {
			meta.Error = s.red.String(runErr.Error())
		}
		for _, c := range rep.Checks {
			meta.Verdicts[c.ID] = c.Status
		}
		if err := s.c.rec.finish(meta); err != nil {
			errs = append(errs, &SetupError{err.Error()})
		}
	}
	return errors.Join(errs...)
}

// Note keeps a value an extension needs to replay the run alike (how far
// shrinking went, say); recordings carry it.
func (x *Session) Note(key, value string) {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.notes == nil {
		x.s.notes = map[string]string{}
	}
	x.s.notes[key] = value
}

// Recorded returns the value Note kept under key in the run being
// replayed; ok is false when the session is not a replay or the recording
// has no such note.
func (x *Session) Recorded(key string) (value string, ok bool) {
	if x.s.replaying == nil {
		return "", false
	}
	value, ok = x.s.replaying.Meta.Notes[key]
	return value, ok
}

// Replaying reports whether the session answers from a recording.
func (x *Session) Replaying() bool { return x.s.replaying != nil }
