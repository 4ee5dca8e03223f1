package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Decode fills out, a pointer, with the settings configured for the check
// checkID, and leaves it as it is when there are none. Decoding is strict:
// keys out has no field for (as go-yaml's Decoder.KnownFields finds them)
// are errors naming file:line:column, with the keys that would be known,
// and values of the wrong type are errors naming file:line. Decode makes
// *Config a check.Settings.
func (c *Config) Decode(checkID string, out any) error {
	if c == nil || c.settings[checkID] == nil {
		return nil
	}
	where := "settings." + checkID
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("%s: settings are decoded into a non-nil pointer, not %T", where, out)
	}
	err := decodeKnownFields(c.text, checkID, v)
	if err == nil {
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return &Error{Location: inventory.Location{File: c.Path}, Message: where + ": " + err.Error()}
	}
	d := decodeErrors{c: c, checkID: checkID, where: where, known: knownKeys{}, seen: map[string]int{}}
	d.known.add(v.Type())
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		errs = append(errs, d.error(msg))
	}
	return errors.Join(errs...)
}

var (
	typeErrorLine = regexp.MustCompile(`^line (\d+): `)
	unknownField  = regexp.MustCompile(`^line (\d+): field (.*) not found in type (.+)$`)
)

// decodeErrors turns the messages of go-yaml's TypeError for the settings
// of checkID into *Errors.
type decodeErrors struct {
	c              *Config
	checkID, where string
	known          knownKeys
	// seen counts the unknown keys reported by line and name, so that
	// keys of the same name on one line get their own columns.
	seen map[string]int
}

// error turns one message into an *Error at its line. An unknown key gets
// its column and the keys that would have been known.
func (d *decodeErrors) error(msg string) error {
	e := &Error{Location: inventory.Location{File: d.c.Path}, Message: d.where + ": " + msg}
	m := unknownField.FindStringSubmatch(msg)
	if m == nil {
		if m := typeErrorLine.FindStringSubmatch(msg); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Message = d.where + ": " + msg[len(m[0]):]
		}
		return e
	}
	line, key, typeName := m[1], m[2], m[3]
	e.Line, _ = strconv.Atoi(line)
	// The key is looked for in the check's settings first, and then in the
	// whole file, where an anchor it comes through may stand.
	keys := keysAt(d.c.settings[d.checkID], e.Line, key)
	if len(keys) == 0 {
		keys = keysAt(d.c.root, e.Line, key)
	}
	if n := d.seen[line+":"+key]; n < len(keys) {
		e.Column = keys[n].Column
	}
	d.seen[line+":"+key]++
	e.Message = fmt.Sprintf("%s: unknown setting %q", d.where, key)
	switch keys, ok := d.known.named(typeName); {
	case ok && len(keys) == 0:
		e.Message += " (the check has no settings here)"
	case ok:
		e.Message += " (want " + strings.Join(keys, ", ") + ")"
	}
	return e
}
