package config

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Decode fills out, a pointer, with the settings configured for the check
// checkID, and leaves it as it is when there are none. Decoding is strict:
// keys out has no field for and values of the wrong type are errors naming
// file:line. Decode makes *Config a check.Settings.
func (c *Config) Decode(checkID string, out any) error {
	if c == nil || c.settings[checkID] == nil {
		return nil
	}
	n := c.settings[checkID]
	ns := &nodes{file: c.Path}
	where := "settings." + checkID
	unknownFields(n, out, func(k *yaml.Node, known []string) {
		if len(known) == 0 {
			ns.errorf(k, "%s: unknown setting %q (the check has no settings here)", where, k.Value)
			return
		}
		ns.errorf(k, "%s: unknown setting %q (want %s)", where, k.Value, strings.Join(known, ", "))
	})
	if err := n.Decode(out); err != nil {
		ns.errs = append(ns.errs, decodeErrors(c.Path, where, err)...)
	}
	return errors.Join(ns.errs...)
}

var typeErrorLine = regexp.MustCompile(`^line (\d+): `)

// decodeErrors turns an error of yaml.Node.Decode into *Errors with lines.
func decodeErrors(file, where string, err error) []error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []error{&Error{Location: inventory.Location{File: file}, Message: where + ": " + err.Error()}}
	}
	out := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		e := &Error{Location: inventory.Location{File: file}, Message: where + ": " + msg}
		if m := typeErrorLine.FindStringSubmatch(msg); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Message = where + ": " + msg[len(m[0]):]
		}
		out = append(out, e)
	}
	return out
}
