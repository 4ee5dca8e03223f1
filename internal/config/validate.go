package config

import (
	"errors"

	"github.com/kube4c/kube4c/internal/check"
)

// Validate checks the file against the known checks and audit-log rules:
// every check ID it names (under checks, settings and in exceptions) must
// be known.
// Each unknown ID is an *Error at its position, suggesting the closest known
// ID when one is close.
func (c *Config) Validate(known check.Known) error {
	if c == nil {
		return nil
	}
	var errs []error
	for _, r := range c.refs {
		if !known.Has(r.id) {
			errs = append(errs, &Error{Location: r.at, Message: r.where + ": " + known.UnknownID(r.id)})
		}
	}
	return errors.Join(errs...)
}
