package audit

import (
	"strings"
	"time"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// Alert is one match of an audit-log rule.
type Alert struct {
	// Rule is the ID of the rule that matched.
	Rule string `json:"rule"`
	// Severity is the rule's.
	Severity check.Severity `json:"severity"`
	// Time is when the event's stage happened.
	Time time.Time `json:"time"`
	// User is the authenticated user; ImpersonatedUser the one acted as.
	User             string `json:"user"`
	ImpersonatedUser string `json:"impersonatedUser,omitempty"`
	// SourceIPs are the request's client addresses.
	SourceIPs []string `json:"sourceIPs,omitempty"`
	// Verb is the request's verb; Object the resource it acted on, as
	// resource[.group][/subresource] namespace/name.
	Verb   string `json:"verb"`
	Object string `json:"object,omitempty"`
	// RequestURI is the request's path and query.
	RequestURI string `json:"requestURI"`
	// Code is the HTTP response code, when known.
	Code int32 `json:"code,omitempty"`
	// AuditID identifies the request in the audit log.
	AuditID string `json:"auditID"`
	// Stage is the event's stage.
	Stage string `json:"stage"`
	// Why says what the rule saw.
	Why string `json:"why"`
}

// Engine evaluates audit-log rules on a stream of events. It keeps the
// rules' state, so one Engine serves one stream, from one goroutine.
type Engine struct {
	rules []rule
	// The event being evaluated and where its alerts go, read by the
	// rules' alert functions (made once, not once per event).
	event *auditv1.Event
	emit  func(Alert)
}

type rule struct {
	rule  *Rule
	eval  EventRule
	alert func(why string)
}

// NewEngine prepares rules with their settings.
func NewEngine(rules []*Rule, settings check.Settings) *Engine {
	e := &Engine{}
	for _, r := range rules {
		e.rules = append(e.rules, rule{rule: r, eval: r.New(settings), alert: func(why string) { e.emit(newAlert(r, e.event, why)) }})
	}
	return e
}

// Rules returns the rules the engine evaluates.
func (e *Engine) Rules() []*Rule {
	out := make([]*Rule, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.rule
	}
	return out
}

// Evaluate runs every rule on ev and passes their alerts to emit.
func (e *Engine) Evaluate(ev *auditv1.Event, emit func(Alert)) {
	e.event, e.emit = ev, emit
	for _, r := range e.rules {
		r.eval(ev, r.alert)
	}
	e.event, e.emit = nil, nil
}

func newAlert(c *Rule, ev *auditv1.Event, why string) Alert {
	a := Alert{
		Rule:       c.ID,
		Severity:   c.Severity,
		Time:       EventTime(ev),
		User:       ev.User.Username,
		SourceIPs:  append([]string(nil), ev.SourceIPs...),
		Verb:       ev.Verb,
		Object:     ObjectString(ev.ObjectRef),
		RequestURI: ev.RequestURI,
		AuditID:    string(ev.AuditID),
		Stage:      string(ev.Stage),
		Why:        why,
	}
	if ev.ImpersonatedUser != nil {
		a.ImpersonatedUser = ev.ImpersonatedUser.Username
	}
	if ev.ResponseStatus != nil {
		a.Code = ev.ResponseStatus.Code
	}
	return a
}

// EventTime is when the event's stage happened, or when the request was
// received if the stage time is missing.
func EventTime(ev *auditv1.Event) time.Time {
	if !ev.StageTimestamp.IsZero() {
		return ev.StageTimestamp.Time
	}
	return ev.RequestReceivedTimestamp.Time
}

// ObjectString formats an object reference as
// resource[.group][/subresource] namespace/name; "" for none.
func ObjectString(ref *auditv1.ObjectReference) string {
	if ref == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(ref.Resource)
	if ref.APIGroup != "" {
		b.WriteString("." + ref.APIGroup)
	}
	if ref.Subresource != "" {
		b.WriteString("/" + ref.Subresource)
	}
	switch {
	case ref.Namespace != "" && ref.Name != "":
		b.WriteString(" " + ref.Namespace + "/" + ref.Name)
	case ref.Namespace != "":
		b.WriteString(" " + ref.Namespace + "/*")
	case ref.Name != "":
		b.WriteString(" " + ref.Name)
	}
	return b.String()
}
