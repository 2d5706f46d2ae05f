// Package sweep finds what earlier runs left behind (buckets named with the
// run prefix, and how many keys each holds) and, when asked, deletes them.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/keycontract/keycontract/contract/client"
	"github.com/keycontract/keycontract/contract/engine"
	"github.com/keycontract/keycontract/spec"
)

// Bucket is one bucket a sweep found.
type Bucket struct {
	// Name is the bucket's name; it starts with the sweep's prefix.
	Name string
	// Keys is how many access keys the bucket held when it was listed, or
	// -1 when its keys could not be listed.
	Keys int
	// Deleted reports that the endpoint accepted the bucket's deletion.
	Deleted bool
}

// Result is what a sweep found and did.
type Result struct {
	// Buckets are the buckets whose names start with the prefix, sorted by
	// name.
	Buckets []Bucket
	// Requests and Retries count the requests sent and the throttled or
	// transient attempts that were retried.
	Requests, Retries int64
}

// maxBucketPages bounds how many pages of the bucket list a sweep reads.
const maxBucketPages = 100

// Run finds what earlier runs left behind: every bucket whose name starts
// with prefix (engine.BucketPrefix for the buckets runs create), found with the
// binding's listBuckets operation, and how many keys each holds. It writes
// one line per bucket to out: the name and the key count, never a secret
// or a key id. With del it also deletes each bucket with the binding's
// deleteBucket operation, whose fixed members force the deletion of a
// bucket that still holds keys (forceDelete on Lightsail); when the
// endpoint refuses to delete a bucket that holds keys, the keys are deleted
// and the bucket is tried once more.
//
// Buckets whose names do not start with prefix are never touched, and an
// empty prefix is refused. A bucket list whose reply carries a
// "nextPageToken" beside the bucket array is followed page by page through
// the listBuckets request's "pageToken" member, as Lightsail's GetBuckets
// pages; a binding that declares how listBuckets pages (pages.listBuckets,
// IAM's Marker) is followed as it says. Keys are deleted before their bucket
// when the endpoint will not delete a bucket holding keys (IAM).
//
// The error is non-nil when the sweep could not be made (bad target, an
// endpoint that does not answer or refuses the list) or when a bucket could
// not be deleted; the result holds what was found until then. Every message
// is redacted.
func Run(ctx context.Context, target engine.Target, prefix string, del bool, out io.Writer) (res Result, err error) {
	if prefix == "" {
		return res, &engine.SetupError{Reason: "sweep needs a non-empty bucket name prefix"}
	}
	target.Seed, target.Record, target.Replay = 1, "", ""
	s, err := engine.Start(target)
	if err != nil {
		return res, err
	}
	doc := s.Doc()
	defer func() { res.Requests, res.Retries = s.Requests(), s.Retries() }()
	names, err := bucketNames(ctx, s)
	if err != nil {
		return res, redactErr(s, err)
	}
	var failed []error
	for _, name := range names {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		b := Bucket{Name: name, Keys: -1}
		ex, keys, ok, err := s.ListKeys(ctx, name, nil)
		if err != nil {
			return res, redactErr(s, err)
		}
		if ok {
			b.Keys = len(keys)
		}
		status := ""
		if del {
			if b.Deleted, status, err = sweepBucket(ctx, s, name, keys); err != nil {
				res.Buckets = append(res.Buckets, b)
				return res, redactErr(s, err)
			}
			if !b.Deleted {
				failed = append(failed, fmt.Errorf("bucket %s: %s", name, status))
			}
		}
		res.Buckets = append(res.Buckets, b)
		count := fmt.Sprintf("%d keys", b.Keys)
		if b.Keys < 0 {
			count = "keys unknown: " + doc.Op(spec.ListKeys).ID + " answered " + s.Outcome(ex)
		}
		line := name + "\t" + count
		if status != "" {
			line += "\t" + status
		}
		if _, err := fmt.Fprintln(out, s.Redact(line)); err != nil {
			return res, err
		}
	}
	if len(failed) > 0 {
		return res, redactErr(s, fmt.Errorf("%d of %d buckets could not be deleted: %w", len(failed), len(res.Buckets), errors.Join(failed...)))
	}
	return res, nil
}

// bucketNames lists every bucket, page by page, sorted.
func bucketNames(ctx context.Context, s *engine.Session) ([]string, error) {
	op := s.Doc().Op(spec.ListBuckets)
	paged := op.Request != nil && op.Request.Properties["pageToken"] != nil
	nextPage := s.Binding().Response.Buckets[:strings.LastIndex(s.Binding().Response.Buckets, "/")+1] + "nextPageToken"
	if _, declared := s.Binding().Pages[spec.ListBuckets]; declared {
		// The binding says how the list pages (IAM's Marker).
		exs, names, ok, err := s.ListBuckets(ctx, 0)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &engine.SetupError{Reason: fmt.Sprintf("cannot list buckets: %s answered %s", op.ID, s.Outcome(exs[len(exs)-1]))}
		}
		sort.Strings(names)
		return names, nil
	}
	var names []string
	token := ""
	for page := 0; page < maxBucketPages; page++ {
		body := s.Request(spec.ListBuckets, spec.Resources{})
		if token != "" {
			body["pageToken"] = token
		}
		ex, err := s.Do(ctx, spec.ListBuckets, body)
		if err != nil {
			return nil, err
		}
		got, ok := s.Binding().ListedBuckets(ex.Reply)
		if !ex.Reply.OK() || !ok {
			return nil, &engine.SetupError{Reason: fmt.Sprintf("cannot list buckets: %s answered %s", op.ID, s.Outcome(ex))}
		}
		names = append(names, got...)
		next, _ := spec.Pointer(ex.Reply.Value(), nextPage)
		token, _ = next.(string)
		if token == "" || !paged {
			break
		}
	}
	sort.Strings(names)
	return names, nil
}

// sweepBucket deletes bucket (forcibly, as the binding's fixed members
// say). When the endpoint refuses and the bucket holds keys, it deletes
// them and tries once more. status says what happened, for the sweep's
// line; err is an endpoint that could not be talked to.
func sweepBucket(ctx context.Context, s *engine.Session, bucket string, keys []spec.Key) (deleted bool, status string, err error) {
	ex, err := s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket})
	if err != nil {
		return false, "", err
	}
	if !ex.Reply.OK() && len(keys) > 0 {
		for _, k := range keys {
			if _, err := s.DeleteKey(ctx, bucket, k.ID); err != nil {
				return false, "", err
			}
		}
		if ex, err = s.Call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket}); err != nil {
			return false, "", err
		}
	}
	switch {
	case ex.Reply.OK():
		return true, "deleted", nil
	case s.Is(ex, spec.NotFound):
		return true, "already gone", nil
	}
	return false, "not deleted: " + ex.Op.ID + " answered " + s.Outcome(ex), nil
}

// redactErr keeps secrets and credentials out of an error's text while
// keeping its type (SetupError, EndpointError) for the caller.
func redactErr(s *engine.Session, err error) error {
	var se *engine.SetupError
	var ee *client.EndpointError
	switch {
	case errors.As(err, &se):
		return &engine.SetupError{Reason: s.Redact(se.Reason)}
	case errors.As(err, &ee):
		return &client.EndpointError{Op: ee.Op, Err: errors.New(s.Redact(ee.Err.Error()))}
	}
	return errors.New(s.Redact(err.Error()))
}
