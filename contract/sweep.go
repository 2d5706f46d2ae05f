package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/keycontract/keycontract/spec"
)

// SweptBucket is one bucket a sweep found.
type SweptBucket struct {
	// Name is the bucket's name; it starts with the sweep's prefix.
	Name string
	// Keys is how many access keys the bucket held when it was listed, or
	// -1 when its keys could not be listed.
	Keys int
	// Deleted reports that the endpoint accepted the bucket's deletion.
	Deleted bool
}

// SweepResult is what a sweep found and did.
type SweepResult struct {
	// Buckets are the buckets whose names start with the prefix, sorted by
	// name.
	Buckets []SweptBucket
	// Requests and Retries count the requests sent and the throttled or
	// transient attempts that were retried.
	Requests, Retries int64
}

// maxBucketPages bounds how many pages of the bucket list a sweep reads.
const maxBucketPages = 100

// Sweep finds what earlier runs left behind: every bucket whose name starts
// with prefix (BucketPrefix for the buckets runs create), found with the
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
func Sweep(ctx context.Context, target Target, prefix string, del bool, out io.Writer) (res SweepResult, err error) {
	if prefix == "" {
		return res, &SetupError{"sweep needs a non-empty bucket name prefix"}
	}
	if err := target.validate(); err != nil {
		return res, &SetupError{err.Error()}
	}
	doc, err := target.document()
	if err != nil {
		return res, &SetupError{err.Error()}
	}
	s, err := newSession(&target, doc, 1)
	if err != nil {
		return res, err
	}
	defer func() { res.Requests, res.Retries = s.c.requests.Load(), s.c.retries.Load() }()
	names, err := s.bucketNames(ctx)
	if err != nil {
		return res, s.redactErr(err)
	}
	var failed []error
	for _, name := range names {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		b := SweptBucket{Name: name, Keys: -1}
		ex, keys, ok, err := s.listKeys(ctx, name, nil)
		if err != nil {
			return res, s.redactErr(err)
		}
		if ok {
			b.Keys = len(keys)
		}
		status := ""
		if del {
			if b.Deleted, status, err = s.sweepBucket(ctx, name, keys); err != nil {
				res.Buckets = append(res.Buckets, b)
				return res, s.redactErr(err)
			}
			if !b.Deleted {
				failed = append(failed, fmt.Errorf("bucket %s: %s", name, status))
			}
		}
		res.Buckets = append(res.Buckets, b)
		count := fmt.Sprintf("%d keys", b.Keys)
		if b.Keys < 0 {
			count = "keys unknown: " + doc.Op(spec.ListKeys).ID + " answered " + s.outcome(ex)
		}
		line := name + "\t" + count
		if status != "" {
			line += "\t" + status
		}
		if _, err := fmt.Fprintln(out, s.red.String(line)); err != nil {
			return res, err
		}
	}
	if len(failed) > 0 {
		return res, s.redactErr(fmt.Errorf("%d of %d buckets could not be deleted: %w", len(failed), len(res.Buckets), errors.Join(failed...)))
	}
	return res, nil
}

// bucketNames lists every bucket, page by page, sorted.
func (s *session) bucketNames(ctx context.Context) ([]string, error) {
	op := s.doc.Op(spec.ListBuckets)
	paged := op.Request != nil && op.Request.Properties["pageToken"] != nil
	nextPage := s.b.Response.Buckets[:strings.LastIndex(s.b.Response.Buckets, "/")+1] + "nextPageToken"
	if _, declared := s.b.Pages[spec.ListBuckets]; declared {
		// The binding says how the list pages (IAM's Marker).
		exs, names, ok, err := s.listBuckets(ctx, 0)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &SetupError{fmt.Sprintf("cannot list buckets: %s answered %s", op.ID, s.outcome(exs[len(exs)-1]))}
		}
		sort.Strings(names)
		return names, nil
	}
	var names []string
	token := ""
	for page := 0; page < maxBucketPages; page++ {
		body := s.doc.Minimal(op, spec.Resources{})
		if token != "" {
			body["pageToken"] = token
		}
		ex, err := s.c.do(ctx, spec.ListBuckets, body)
		if err != nil {
			return nil, err
		}
		got, ok := s.b.ListedBuckets(ex.Reply)
		if !ex.Reply.OK() || !ok {
			return nil, &SetupError{fmt.Sprintf("cannot list buckets: %s answered %s", op.ID, s.outcome(ex))}
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
func (s *session) sweepBucket(ctx context.Context, bucket string, keys []spec.Key) (deleted bool, status string, err error) {
	ex, err := s.call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket})
	if err != nil {
		return false, "", err
	}
	if !ex.Reply.OK() && len(keys) > 0 {
		for _, k := range keys {
			if _, err := s.deleteKey(ctx, bucket, k.ID); err != nil {
				return false, "", err
			}
		}
		if ex, err = s.call(ctx, spec.DeleteBucket, spec.Resources{Bucket: bucket}); err != nil {
			return false, "", err
		}
	}
	switch {
	case ex.Reply.OK():
		return true, "deleted", nil
	case s.is(ex, spec.NotFound):
		return true, "already gone", nil
	}
	return false, "not deleted: " + ex.Op.ID + " answered " + s.outcome(ex), nil
}

// redactErr keeps secrets and credentials out of an error's text while
// keeping its type (SetupError, EndpointError) for the caller.
func (s *session) redactErr(err error) error {
	var se *SetupError
	var ee *EndpointError
	switch {
	case errors.As(err, &se):
		return &SetupError{s.red.String(se.Reason)}
	case errors.As(err, &ee):
		return &EndpointError{Op: ee.Op, Err: errors.New(s.red.String(ee.Err.Error()))}
	}
	return errors.New(s.red.String(err.Error()))
}
