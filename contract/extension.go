package contract

import (
	"errors"
	"fmt"
)

// Session is a run in progress, as an Extension sees it.
type Session struct{ s *session }

// RegisterExtension adds an Extension to every run. Packages call it from
// init; the checks it drives are named with Drives.
func RegisterExtension(ext Extension) { extensions = append(extensions, ext) }

// Err joins every failure of the report, each wrapping its check's
// sentinel, so that callers can use errors.Is(err, ErrTwoKeyLimit).
func (r *Report) Err() error {
	var errs []error
	for _, c := range r.Checks {
		for _, f := range c.Failures {
			errs = append(errs, fmt.Errorf("%w: %s", c.ID.Err(), f.Message))
		}
	}
	return errors.Join(errs...)
}
