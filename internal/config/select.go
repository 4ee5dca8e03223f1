package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// Select returns the checks to run, in registry order: those not disabled
// by default plus those the file enables, minus those it disables. A
// non-empty only (the --checks flag) replaces that choice with exactly the
// checks it names, even ones disabled by default or in the file; skip (the
// --skip-checks flag) then removes checks. Unknown IDs in only or skip are
// errors; empty entries are ignored.
func (c *Config) Select(reg *check.Registry, only, skip []string) ([]*check.Check, error) {
	only, errOnly := knownIDs(reg, "--checks", only)
	skip, errSkip := knownIDs(reg, "--skip-checks", skip)
	if err := errors.Join(errOnly, errSkip); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, ch := range reg.All() {
		want[ch.ID] = len(only) == 0 && c.enabled(ch)
	}
	for _, id := range only {
		want[id] = true
	}
	for _, id := range skip {
		want[id] = false
	}
	var out []*check.Check
	for _, ch := range reg.All() {
		if want[ch.ID] {
			out = append(out, ch)
		}
	}
	return out, nil
}

// knownIDs returns ids without blanks, or an error naming those reg does not know.
func knownIDs(reg *check.Registry, flag string, ids []string) ([]string, error) {
	var out []string
	var errs []error
	for _, id := range ids {
		switch id = strings.TrimSpace(id); {
		case id == "":
		case reg.Get(id) == nil:
			errs = append(errs, fmt.Errorf("%s: %s", flag, reg.UnknownID(id)))
		default:
			out = append(out, id)
		}
	}
	return out, errors.Join(errs...)
}

// enabled reports whether ch runs unless flags say otherwise.
func (c *Config) enabled(ch *check.Check) bool {
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
