package fuzz_test

// Benchmarks of issues 6 and 13: the harness's requests per second against
// the wire's limit, a plain net/http loop sending the same requests, both
// against one in-process emulator over loopback (no auth), on the aws and the
// iam wires. make bench runs BenchmarkRatio, which interleaves the two so
// that both see the same noise.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/fuzz/sequence"
	"github.com/keycontract/keycontract/spec"
)

// benchRound is how many requests each loop sends per round of
// BenchmarkRatio: 67 create/list/delete cycles.
const benchRound = 67

// benchEnv is one emulator of a dialect, a session on it, and its first
// bucket.
type benchEnv struct {
	ctx    context.Context
	sess   *engine.Session
	bucket string
}

// newBenchEnv opens the session on a fresh emulator of dialect, without
// authentication; with record, it also writes every exchange, redacted, to
// a recording, as -record does.
func newBenchEnv(b *testing.B, dialect string, record bool) *benchEnv {
	b.Helper()
	ts, _ := emulator.NewTestServer(b, emulator.Options{Dialect: dialect})
	ctx := context.Background()
	tgt := engine.Target{Endpoint: ts.URL, Dialect: dialect, Seed: 1}
	if record {
		tgt.Record = filepath.Join(b.TempDir(), "recording")
	}
	sess, err := engine.Open(ctx, tgt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sess.Close() })
	return &benchEnv{ctx: ctx, sess: sess, bucket: sess.Buckets()[0]}
}

// rawLoop sends the harness's create/list/delete cycle with a plain client:
// the same requests (built once by the document's wire, doc.Encode, as the
// harness builds them), the body read and discarded, nothing validated.
// Only the key id is picked out of the create's body, by bytes: after
// `"accessKeyId":"` in JSON, inside <AccessKeyId>...</AccessKeyId> in XML
// (the query protocol's replies).
type rawLoop struct {
	hc                   *http.Client
	endpoint             string
	create, list, delete spec.Request
	idStart              []byte // `"accessKeyId":"` or `<AccessKeyId>`
	idEnd                byte   // '"' or '<'
	placeholder          []byte
	buf                  bytes.Buffer
}

const rawPlaceholder = "KEYCONTRACTBENCHPLACE"

func newRawLoop(b *testing.B, e *benchEnv) *rawLoop {
	doc := e.sess.Doc()
	res := spec.Resources{Bucket: e.bucket, KeyID: rawPlaceholder}
	build := func(role spec.Role) spec.Request {
		return doc.Encode(doc.Op(role), e.sess.Request(role, res))
	}
	r := &rawLoop{
		hc:       &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}},
		endpoint: e.sess.Target().Endpoint, create: build(spec.CreateKey), list: build(spec.ListKeys), delete: build(spec.DeleteKey),
		placeholder: []byte(rawPlaceholder),
	}
	member := path.Base(doc.Binding.Response.KeyID)
	if doc.Binding.ProtocolName() == spec.ProtocolQuery {
		r.idStart, r.idEnd = fmt.Appendf(nil, "<%s>", member), '<'
	} else {
		r.idStart, r.idEnd = fmt.Appendf(nil, "%q:\"", member), '"'
	}
	if !bytes.Contains(r.delete.Body, r.placeholder) && !strings.Contains(r.delete.URL(), rawPlaceholder) {
		b.Fatalf("raw: the delete request carries no key id: %s %s", r.delete.URL(), r.delete.Body)
	}
	return r
}

// send sends q (with its key id, if any, replaced by id) and returns the
// response body; any status but a success stops the benchmark.
func (r *rawLoop) send(b *testing.B, q spec.Request, id []byte) []byte {
	url, body := r.endpoint+q.URL(), q.Body
	if id != nil {
		url = strings.Replace(url, rawPlaceholder, string(id), 1)
		body = bytes.Replace(body, r.placeholder, id, 1)
	}
	var rd io.Reader = http.NoBody
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(q.Method, url, rd)
	if err != nil {
		b.Fatal(err)
	}
	req.Header = q.Header.Clone()
	resp, err := r.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	r.buf.Reset()
	_, err = r.buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode/100 != 2 {
		b.Fatalf("raw: status %d, %v", resp.StatusCode, err)
	}
	return r.buf.Bytes()
}

// cycle sends create, list, delete: 3 requests.
func (r *rawLoop) cycle(b *testing.B) {
	created := r.send(b, r.create, nil)
	i := bytes.Index(created, r.idStart)
	if i < 0 {
		b.Fatalf("raw: no key id in %s", created)
	}
	id := created[i+len(r.idStart):]
	id = bytes.Clone(id[:bytes.IndexByte(id, r.idEnd)]) // the buffer is reused
	r.send(b, r.list, nil)
	r.send(b, r.delete, id)
}

// harnessLoop sends the same cycle through the harness as the state
// machine does: the session's client (each exchange kept, numbered and
// observed; with a recording, also redacted and written), the checks every
// response gets (on a Checker, while the next request is sent), the secret
// search, and the key model.
type harnessLoop struct {
	e       *benchEnv
	b       spec.Binding
	checker *engine.Checker
	model   *sequence.Model
	secrets []engine.PriorSecret // secrets returned in this sequence
	cycles  int
	steps   int
}

func newHarnessLoop(b *testing.B, e *benchEnv) *harnessLoop {
	h := &harnessLoop{e: e, b: e.sess.Doc().Binding, checker: e.sess.NewChecker()}
	b.Cleanup(h.checker.Close)
	return h
}

// step sends one request and judges it as the state machine does.
func (h *harnessLoop) step(b *testing.B, role spec.Role, res spec.Resources) *exchange.Exchange {
	sess := h.e.sess
	ex, err := sess.SendJSON(h.e.ctx, role, sess.Request(role, res))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range h.checker.Findings() {
		b.Fatalf("[%s] %s", f.Check, f.Message)
	}
	if !ex.Reply.OK() {
		b.Fatalf("%s: %s", ex.Describe(), sess.Outcome(ex))
	}
	h.checker.Check(ex, h.steps, slices.Clone(h.secrets))
	h.steps++
	return ex
}

// cycle is create, list, delete with the model checked at each step. A new
// model starts every 3 cycles, as the state machine starts one for every
// sequence of about sequence.DefaultSteps steps.
func (h *harnessLoop) cycle(b *testing.B) {
	if h.cycles%3 == 0 {
		h.model, h.secrets = sequence.NewModel(h.b.Limit, nil), nil
	}
	h.cycles++
	bucket := h.e.bucket
	if h.model.Full(bucket) {
		b.Fatal("model: bucket full")
	}
	ex := h.step(b, spec.CreateKey, spec.Resources{Bucket: bucket})
	k, ok := h.b.CreatedKey(ex.Reply)
	if !ok || h.model.Known(k.ID) || k.Secret == "" {
		b.Fatalf("create: bad key %s", k.ID)
	}
	for _, p := range h.secrets {
		if p.Value == k.Secret {
			b.Fatalf("create: secret of %s repeated", k.ID)
		}
	}
	h.model.Created(bucket, k.ID)
	h.secrets = append(h.secrets, engine.PriorSecret{Value: k.Secret, Origin: fmt.Sprintf("step %d", h.steps)})

	ex = h.step(b, spec.ListKeys, spec.Resources{Bucket: bucket})
	keys, _ := h.b.ListedKeys(ex.Reply)
	want := h.model.Keys(bucket)
	if len(keys) != len(want) {
		b.Fatalf("list: %d keys, want %v", len(keys), want)
	}
	for _, lk := range keys {
		if !slices.Contains(want, lk.ID) || lk.Secret != "" {
			b.Fatalf("list: key %s, want %v", lk.ID, want)
		}
	}

	h.step(b, spec.DeleteKey, spec.Resources{Bucket: bucket, KeyID: k.ID})
	h.model.Removed(bucket, k.ID)
}

func reqPerSec(cycles int, d time.Duration) float64 {
	return float64(3*cycles) / d.Seconds()
}

// BenchmarkRaw is the wire's limit: a plain net/http loop.
func BenchmarkRaw(b *testing.B) {
	raw := newRawLoop(b, newBenchEnv(b, "aws", false))
	n := 0
	for b.Loop() {
		raw.cycle(b)
		n++
	}
	b.ReportMetric(reqPerSec(n, b.Elapsed()), "req/s")
}

// BenchmarkHarness is the same cycle through the harness.
func BenchmarkHarness(b *testing.B) {
	h := newHarnessLoop(b, newBenchEnv(b, "aws", false))
	n := 0
	for b.Loop() {
		h.cycle(b)
		n++
	}
	b.ReportMetric(reqPerSec(n, b.Elapsed()), "req/s")
}

// BenchmarkRatio alternates rounds of the raw and the harness loops against
// one emulator, so that both see the same machine noise; the ratio of their
// requests per second is the figure make bench reports, per wire: aws
// (awsJson RPC, JSON replies: issue 6's figure) and iam (AWS query, form
// bodies, XML replies: issue 13 wants its ratio within 20% of aws's). The
// loop that goes first alternates too: garbage one round leaves is
// collected during the next, whichever loop that is.
func BenchmarkRatio(b *testing.B) {
	for _, dialect := range []string{"aws", "iam"} {
		b.Run(dialect, func(b *testing.B) { ratio(b, dialect, false) })
	}
}

// BenchmarkRatioRecording is BenchmarkRatio's aws figure with the harness
// writing every exchange to a recording (-record).
func BenchmarkRatioRecording(b *testing.B) { ratio(b, "aws", true) }

func ratio(b *testing.B, dialect string, record bool) {
	e := newBenchEnv(b, dialect, record)
	raw, h := newRawLoop(b, e), newHarnessLoop(b, e)
	var rawTime, harnessTime time.Duration
	timed := func(cycle func(*testing.B)) time.Duration {
		start := time.Now()
		for range benchRound {
			cycle(b)
		}
		return time.Since(start)
	}
	rounds := 0
	for b.Loop() {
		if rounds%2 == 0 {
			rawTime += timed(raw.cycle)
			harnessTime += timed(h.cycle)
		} else {
			harnessTime += timed(h.cycle)
			rawTime += timed(raw.cycle)
		}
		rounds++
	}
	rawRate, harnessRate := reqPerSec(rounds*benchRound, rawTime), reqPerSec(rounds*benchRound, harnessTime)
	b.ReportMetric(rawRate, "raw-req/s")
	b.ReportMetric(harnessRate, "harness-req/s")
	b.ReportMetric(harnessRate/rawRate, "ratio")
}
