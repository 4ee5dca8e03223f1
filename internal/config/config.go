// Package config reads the .kube4c.yaml configuration file: per-check
// overrides, per-check settings and exceptions.
//
// Parsing is strict: unknown keys, wrong types and unknown check IDs are
// errors, each naming file:line:column. A nil *Config behaves as an empty
// configuration.
package config

import (
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// FileNames are the names Find looks for, in order of preference.
var FileNames = []string{".kube4c.yaml", ".kube4c.yml"}

// Config is a parsed configuration file.
type Config struct {
	// Path is the file it was read from.
	Path string
	// Checks holds the per-check overrides by check ID.
	Checks map[string]Override
	// Exceptions are the configured exceptions, in file order.
	Exceptions []check.Exception

	admission     *Admission            // nil when the file has no admission section
	imagePolicies []ImagePolicy         // the images.verify section
	settings      map[string]*yaml.Node // per-check settings by check ID
	refs          []idRef               // check IDs the file mentions, for Validate
	// text and root are the file's content and its parsed document, from
	// which Decode reads settings.
	text []byte
	root *yaml.Node
}

// Override changes a check's defaults. Nil fields keep the default.
type Override struct {
	// Enabled turns the check on or off.
	Enabled *bool
	// Severity replaces the severity of the check's findings.
	Severity *check.Severity
}

// idRef is a check ID written in the file, with where it stands.
type idRef struct {
	id    string
	where string // e.g. "checks" or "exceptions[2].checks"
	at    inventory.Location
}

// Error is a problem in the configuration file.
type Error struct {
	// Location is where in the file; Line or Column is zero when unknown.
	inventory.Location
	// Message says what is wrong, prefixed by the key path concerned.
	Message string
}

// Error formats the problem as "file:line:column: message", leaving out
// what is unknown.
func (e *Error) Error() string {
	prefix := e.File
	if e.Line > 0 {
		prefix += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			prefix += fmt.Sprintf(":%d", e.Column)
		}
	}
	return prefix + ": " + e.Message
}

// Load reads and parses the configuration file at path. All problems found
// are returned together (see errors.Join), each an *Error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Find looks for a configuration file in start (a directory, or a file's
// directory) and then in each parent up to the filesystem root. It returns
// the path of the first one found, relative to the working directory when
// start is relative.
func Find(start string) (string, bool) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", false
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = filepath.Dir(dir)
	}
	for {
		for _, name := range FileNames {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return relativeIf(!filepath.IsAbs(start), p), true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// relativeIf returns p relative to the working directory when rel is set
// and that is possible, and p otherwise.
func relativeIf(rel bool, p string) string {
	if !rel {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil {
		return r
	}
	return p
}

// ExceptionList returns the configured exceptions; none for a nil Config.
func (c *Config) ExceptionList() []check.Exception {
	if c == nil {
		return nil
	}
	return c.Exceptions
}
