package check

import (
	"fmt"
)

// Patch is the mechanical fix of a finding: one field of the finding's
// object set to a value, or one item added to a list. kube4c fix writes
// patches into the source files; the SARIF report offers them as fixes.
type Patch struct {
	// Path is the field to set, relative to the object, in field.Path
	// notation.
	Path string
	// Value is what to write: a bool or a string.
	Value any
	// Append makes Path a list that must hold Value: Value is added to
	// the list (or the list created) and the other items stay.
	Append bool
	// IfAbsent leaves a field that is already set alone: the patch only
	// adds the field where the object does not set it, and a field set
	// to another value is refused as a choice to review by hand.
	IfAbsent bool
}

// String describes the patch for a person: "set PATH: VALUE".
func (p Patch) String() string {
	if p.Append {
		return fmt.Sprintf("add %v to %s", p.Value, p.Path)
	}
	return fmt.Sprintf("set %s: %v", p.Path, p.Value)
}

// SetTo is the Fix of a check whose finding's field must hold v.
func SetTo(v any) func(*Finding) (Patch, error) {
	return func(f *Finding) (Patch, error) { return Patch{Path: f.Path, Value: v}, nil }
}

// AddTo is the Fix of a check whose finding's field is a list that must
// hold v.
func AddTo(v any) func(*Finding) (Patch, error) {
	return func(f *Finding) (Patch, error) { return Patch{Path: f.Path, Value: v, Append: true}, nil }
}

// SetIfAbsent is the Fix of a check whose finding's field must be set to v
// where it is not set; a value set on purpose is left to a person.
func SetIfAbsent(v any) func(*Finding) (Patch, error) {
	return func(f *Finding) (Patch, error) { return Patch{Path: f.Path, Value: v, IfAbsent: true}, nil }
}
