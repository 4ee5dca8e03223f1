package audit

import (
	"fmt"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// Rule is an audit-log rule: the metadata it shares with checks, and the
// evaluator it makes for each stream of events.
type Rule struct {
	check.Meta
	// New returns the evaluator of one stream of audit events, configured
	// with the rule's settings.
	New func(s check.Settings) EventRule
}

// EventRule evaluates the events of one audit stream, in order. It calls
// alert, with why the event matters, for each event the rule matches. A
// rule may keep state between events (for example to count denials).
type EventRule func(ev *auditv1.Event, alert func(why string))

// Rules is the registry the built-in audit-log rules add themselves to.
var Rules = check.NewRegistry[*Rule]()

// Register adds r to Rules. It panics when the metadata is incomplete, New
// is missing or the ID is taken: all are programming errors found at start.
func Register(r *Rule) {
	if r.New == nil {
		panic(fmt.Sprintf("audit rule %q has no New function", r.ID))
	}
	Rules.Add(r)
}
