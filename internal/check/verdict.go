package check

import (
	"slices"
	"strings"
	"sync"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Status is the outcome of a check for one item it decides.
type Status string

// Statuses. A failure is a finding; checks that decide benchmark items also
// record passes and items that do not apply, with the reason.
const (
	StatusPass          Status = "pass"
	StatusFail          Status = "fail"
	StatusNotApplicable Status = "not-applicable"
)

// Verdict is one outcome of a check: a pass or a not-applicable recorded
// by the check, or a failure made from a finding (see Verdicts.Outcomes).
type Verdict struct {
	CheckID string
	Status  Status
	// Object is what the verdict is about; nil when nothing is.
	Object *inventory.Object
	// Path is the field path in Object.
	Path string
	// Message says what passed, or why the item does not apply.
	Message string
	// Location is resolved from Object and Path.
	Location inventory.Location
}

// Verdicts collects the passes and not-applicables that checks record
// while running in parallel. A scan that does not want them passes none.
type Verdicts struct {
	mu   sync.Mutex
	list []Verdict
}

func (v *Verdicts) add(list []Verdict) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, list...)
}

// Outcomes returns the verdict of every selected check: the recorded passes
// and not-applicables, a failure for each finding of a check, and a
// not-applicable for each suppressed finding (an exception says the item
// does not apply), ordered by check ID. A check that recorded nothing and
// found nothing passes.
func (v *Verdicts) Outcomes(checks []*Check, findings, suppressed []*Finding) []Verdict {
	v.mu.Lock()
	out := append([]Verdict(nil), v.list...)
	v.mu.Unlock()
	decided := map[string]bool{}
	for _, x := range out {
		decided[x.CheckID] = true
	}
	for _, f := range findings {
		out = append(out, Verdict{CheckID: f.CheckID, Status: StatusFail, Object: f.Object, Path: f.Path, Message: f.Message, Location: f.Location})
		decided[f.CheckID] = true
	}
	for _, f := range suppressed {
		reason := "suppressed"
		if f.Suppressed != nil {
			reason += " by " + f.Suppressed.Kind + " exception " + f.Suppressed.Source
			if f.Suppressed.Reason != "" {
				reason += ": " + f.Suppressed.Reason
			}
		}
		out = append(out, Verdict{CheckID: f.CheckID, Status: StatusNotApplicable, Object: f.Object, Path: f.Path, Message: reason + " (" + f.Message + ")", Location: f.Location})
		decided[f.CheckID] = true
	}
	for _, c := range checks {
		if !decided[c.ID] {
			out = append(out, Verdict{CheckID: c.ID, Status: StatusPass, Message: "nothing to report"})
		}
	}
	for i := range out {
		if x := &out[i]; x.Object != nil && x.Location.File == "" {
			x.Location, _ = x.Object.Locate(x.Path)
		}
	}
	slices.SortStableFunc(out, func(a, b Verdict) int {
		if c := strings.Compare(a.CheckID, b.CheckID); c != 0 {
			return c
		}
		return strings.Compare(string(a.Status), string(b.Status))
	})
	return out
}

// Pass records that the item the check decides passes for obj.
func (c *Context) Pass(obj *inventory.Object, path, message string) {
	c.verdict(StatusPass, obj, path, message)
}

// NotApplicable records that the item the check decides does not apply,
// and why.
func (c *Context) NotApplicable(obj *inventory.Object, reason string) {
	c.verdict(StatusNotApplicable, obj, "", reason)
}

func (c *Context) verdict(s Status, obj *inventory.Object, path, message string) {
	if c.verdicts != nil {
		*c.verdicts = append(*c.verdicts, Verdict{CheckID: c.check.ID, Status: s, Object: obj, Path: path, Message: message})
	}
}
