package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// Select returns the entries of all (checks, or audit-log rules) to run,
// in the order of all: those not disabled by default plus those the file c
// enables, minus those it disables. A non-empty only (the --checks flag)
// replaces that choice with exactly the entries it names, even ones
// disabled by default or in the file; skip (the --skip-checks flag) then
// removes entries. IDs in only or skip that known does not hold are
// errors; known IDs that are not in all select nothing; empty entries
// are ignored.
func Select[T check.Described](c *Config, all []T, known check.Known, only, skip []string) ([]T, error) {
	only, errOnly := knownIDs(known, "--checks", only)
	skip, errSkip := knownIDs(known, "--skip-checks", skip)
	if err := errors.Join(errOnly, errSkip); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, x := range all {
		want[x.Metadata().ID] = len(only) == 0 && c.enabled(x.Metadata())
	}
	for _, id := range only {
		want[id] = true
	}
	for _, id := range skip {
		want[id] = false
	}
	var out []T
	for _, x := range all {
		if want[x.Metadata().ID] {
			out = append(out, x)
		}
	}
	return out, nil
}

// knownIDs returns ids without blanks, or an error naming those known does
// not hold.
func knownIDs(known check.Known, flag string, ids []string) ([]string, error) {
	var out []string
	var errs []error
	for _, id := range ids {
		switch id = strings.TrimSpace(id); {
		case id == "":
		case !known.Has(id):
			errs = append(errs, fmt.Errorf("%s: %s", flag, known.UnknownID(id)))
		default:
			out = append(out, id)
		}
	}
	return out, errors.Join(errs...)
}

// enabled reports whether ch runs unless flags say otherwise.
func (c *Config) enabled(ch *check.Meta) bool {
	if o := c.override(ch.ID); o.Enabled != nil {
		return *o.Enabled
	}
	return !ch.DisabledByDefault
}

// override returns the override of the check id; the zero Override if none.
func (c *Config) override(id string) Override {
	if c == nil {
		return Override{}
	}
	return c.Checks[id]
}

// overridesSeverities reports whether the config overrides a severity.
func (c *Config) overridesSeverities() bool {
	if c == nil {
		return false
	}
	for _, o := range c.Checks {
		if o.Severity != nil {
			return true
		}
	}
	return false
}

// ApplySeverities sets the severity of findings whose check has a severity
// override.
func (c *Config) ApplySeverities(findings []*check.Finding) {
	if !c.overridesSeverities() {
		return // the common case: no need to visit every finding
	}
	for _, f := range findings {
		if s := c.override(f.CheckID).Severity; s != nil {
			f.Severity = *s
		}
	}
}

// Severity returns the severity override of the check id, or def.
func (c *Config) Severity(id string, def check.Severity) check.Severity {
	if s := c.override(id).Severity; s != nil {
		return *s
	}
	return def
}
