package contract

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keycontract/keycontract/contract/check"
	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/contract/exchange"
	"github.com/keycontract/keycontract/contract/record"
	"github.com/keycontract/keycontract/contract/report"
	"github.com/keycontract/keycontract/contract/sweep"
)

// The front door: the names a user of the harness needs, whichever
// subpackage holds them (check IDs in check, the run in engine, sending and
// signing in client, reports in report, recordings in record).

// Target is an endpoint under test and how to talk to it (engine.Target
// documents every field).
type Target = engine.Target

// ID is a check's stable identifier (package check names them all).
type ID = check.ID

// IDs returns every check ID in report order.
func IDs() []ID { return check.IDs() }

// The sentinel errors of the checks (package check holds them). Every
// violation a check reports wraps its sentinel, so errors.Is(err,
// ErrTwoKeyLimit) tells which property broke.
var (
	ErrSuccessEnvelope    = check.ErrSuccessEnvelope
	ErrErrorEnvelope      = check.ErrErrorEnvelope
	ErrValidInputAccepted = check.ErrValidInputAccepted
	ErrInvalidInput       = check.ErrInvalidInput
	ErrUnknownBucket      = check.ErrUnknownBucket
	ErrTwoKeyLimit        = check.ErrTwoKeyLimit
	ErrSecretOnlyOnce     = check.ErrSecretOnlyOnce
	ErrKeyLifecycle       = check.ErrKeyLifecycle
	ErrBucketIsolation    = check.ErrBucketIsolation
	ErrNoServerErrors     = check.ErrNoServerErrors
	ErrAuthRequired       = check.ErrAuthRequired
	ErrConcurrentLimit    = check.ErrConcurrentLimit
	ErrKeyWorks           = check.ErrKeyWorks
	ErrKeyScoped          = check.ErrKeyScoped
	ErrKeyRevoked         = check.ErrKeyRevoked
)

// Report is the outcome of a run; CheckResult one check's verdict.
type (
	Report       = report.Report
	ReportTarget = report.Target
	CheckResult  = report.CheckResult
	Failure      = report.Failure
	Summary      = report.Summary
)

// Status values of a check.
const (
	Pass = report.Pass
	Fail = report.Fail
	Skip = report.Skip
)

// RecordedExchange is a redacted exchange, as reports carry it.
type (
	RecordedExchange = exchange.Recorded
	RecordedRequest  = exchange.Request
	RecordedResponse = exchange.Response
)

// Signing: Target.Signer signs every request.
type (
	Signer       = client.Signer
	WrongSigner  = client.WrongSigner
	SecretHolder = client.SecretHolder
	SigV4        = client.SigV4
)

// NewSigV4 returns a SigV4 signer for region, with credentials from creds
// (the AWS default chain, or static credentials in tests).
func NewSigV4(creds aws.CredentialsProvider, region string) *SigV4 {
	return client.NewSigV4(creds, region)
}

// The errors a run that could not be made returns: a *SetupError (bad
// target, unusable buckets) or an *EndpointError (an endpoint that cannot
// be talked to).
type (
	SetupError    = engine.SetupError
	EndpointError = client.EndpointError
)

// BucketPrefix starts the name of every bucket a run creates; sweep finds
// leftovers by it.
const BucketPrefix = engine.BucketPrefix

// Recordings (Target.Record, Target.Replay).
type (
	Recording     = record.Recording
	RecordingMeta = record.Meta
	RecordedStep  = record.Step
)

// ErrReplayMismatch is wrapped by the error a replay stops with when the
// harness sends a request the recording does not hold at that point.
var ErrReplayMismatch = record.ErrReplayMismatch

// LoadRecording reads a recording directory.
func LoadRecording(dir string) (*Recording, error) { return record.Load(dir) }

// Sweeping what earlier runs left behind (package sweep).
type (
	SweepResult = sweep.Result
	SweptBucket = sweep.Bucket
)

// Sweep finds every bucket whose name starts with prefix and how many keys
// each holds, writes one line per bucket to out (never a secret or a key
// id) and, with del, deletes them: see sweep.Run.
func Sweep(ctx context.Context, target Target, prefix string, del bool, out io.Writer) (SweepResult, error) {
	return sweep.Run(ctx, target, prefix, del, out)
}
