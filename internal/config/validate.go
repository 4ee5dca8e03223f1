package config

import (
	"errors"

	"github.com/kube4c/kube4c/internal/check"
)

// Validate checks the file against the registered checks: every check ID
// it names (under checks, settings and in exceptions) must be known to reg.
// Each unknown ID is an *Error at its position, suggesting the closest known
// ID when one is close.
func (c *Config) Validate(reg *check.Registry) error {
	if c == nil {
		return nil
	}
	var errs []error
	for _, r := range c.refs {
		if reg.Get(r.id) == nil {
			errs = append(errs, &Error{Location: r.at, Message: r.where + ": " + reg.UnknownID(r.id)})
		}
	}
	return errors.Join(errs...)
}
