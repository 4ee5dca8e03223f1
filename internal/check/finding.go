package check

import (
	"github.com/kube4c/kube4c/internal/inventory"
)

// Finding is one problem a check found in one object.
type Finding struct {
	// CheckID is the ID of the check that reported it.
	CheckID string
	// Severity is the check's default unless the check or the config set another.
	Severity Severity
	// Layer is the check's 4C layer.
	Layer Layer
	// Object is the object the finding is about. It may be nil for findings
	// about the scan itself (for example an expired exception in the config).
	Object *inventory.Object
	// Container names the container concerned, if any.
	Container string
	// Path is the field path inside the object, in field.Path notation.
	Path string
	// Message says what was found and what to do.
	Message string
	// Remediation says how to fix it; the check's remediation by default.
	Remediation string
	// Location is where the field (or, when it is absent, its nearest
	// present parent) is in the source file.
	Location inventory.Location
	// Suppressed is set when an exception covers the finding.
	Suppressed *Suppression
	// Folded is set on the findings of checks of a Fold (Meta.Fold) and
	// nil on the others, which keeps findings small.
	Folded *Folded
	// Advisories are the published vulnerabilities the finding stands
	// for (image-vulnerability); nil for other findings.
	Advisories *Advisories
	// AttackPaths counts the attack paths (kube4c paths) that take a step
	// the finding makes, when a scan prioritizes; 0 otherwise.
	AttackPaths int
}

// Folded is what a finding of a check of a Fold carries.
type Folded struct {
	// Summary names what was found in a few words ("read secrets"): a
	// folded finding's message lists the others by it. Empty means the
	// check's title.
	Summary string
	// Details are the findings this one stands for when checks of the
	// Fold found several things about the same object and field path:
	// its own first, then the others, worst first. Nil otherwise.
	Details []Detail
}

// Details returns the findings f stands for (see Folded.Details), or nil.
func (f *Finding) Details() []Detail {
	if f.Folded == nil {
		return nil
	}
	return f.Folded.Details
}

// Detail is one of the findings a folded finding stands for.
type Detail struct {
	CheckID  string
	Severity Severity
	Message  string
}

// Suppression says why a finding is not counted.
type Suppression struct {
	// Kind is "annotation" or "config".
	Kind string `json:"kind"`
	// Reason is the justification given for the exception.
	Reason string `json:"reason,omitempty"`
	// Source names where the exception was declared (annotation or file:line).
	Source string `json:"source"`
}

// GroupByObject orders findings by object, objects in order of first
// appearance and findings of one object in their original order. Group g
// is order[bounds[g]:bounds[g+1]], as indices into findings.
func GroupByObject(findings []*Finding) (order, bounds []int) {
	groupOf := make([]int, len(findings))
	index := make(map[*inventory.Object]int, len(findings)/4)
	var sizes []int
	var last *inventory.Object
	g := -1
	for i := range findings {
		// A check reports the findings of one object one after the other:
		// the map is asked only when the object changes.
		if o := findings[i].Object; g < 0 || o != last {
			var ok bool
			if g, ok = index[o]; !ok {
				g = len(sizes)
				index[o] = g
				sizes = append(sizes, 0)
			}
			last = o
		}
		groupOf[i] = g
		sizes[g]++
	}
	bounds = make([]int, len(sizes)+1)
	for g, n := range sizes {
		bounds[g+1] = bounds[g] + n
	}
	next := append([]int(nil), bounds[:len(sizes)]...)
	order = make([]int, len(findings))
	for i, g := range groupOf {
		order[next[g]] = i
		next[g]++
	}
	return order, bounds
}
