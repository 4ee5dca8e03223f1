package audit

import (
	"time"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// Analyzer evaluates an engine's rules on the events of a time window and
// counts what it sees. Its Handler feeds Read and Follow.
type Analyzer struct {
	// Engine evaluates the rules.
	Engine *Engine
	// Since and Until bound the events evaluated (by EventTime); zero
	// means unbounded. Since is inclusive, Until exclusive.
	Since, Until time.Time
	// OnAlert receives each alert; OnMalformed each malformed line.
	OnAlert     func(Alert)
	OnMalformed func(Malformed)

	// Events counts the events read; Outside those left out by the window.
	Events, Outside int
	// Malformed counts the malformed lines.
	Malformed int
	// ByRule counts the alerts of each rule.
	ByRule map[string]int
}

// Handler returns the handler that feeds a.
func (a *Analyzer) Handler() Handler {
	if a.ByRule == nil {
		a.ByRule = map[string]int{}
	}
	emit := func(al Alert) {
		a.ByRule[al.Rule]++
		if a.OnAlert != nil {
			a.OnAlert(al)
		}
	}
	return Handler{
		Event: func(ev *auditv1.Event) {
			a.Events++
			if !a.inWindow(EventTime(ev)) {
				a.Outside++
				return
			}
			a.Engine.Evaluate(ev, emit)
		},
		Malformed: func(m Malformed) {
			a.Malformed++
			if a.OnMalformed != nil {
				a.OnMalformed(m)
			}
		},
	}
}

func (a *Analyzer) inWindow(t time.Time) bool {
	return (a.Since.IsZero() || !t.Before(a.Since)) && (a.Until.IsZero() || t.Before(a.Until))
}
