package check

import (
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// EventRule evaluates the events of one audit stream, in order. It calls
// alert, with why the event matters, for each event the rule matches. A
// rule may keep state between events (for example to count denials).
type EventRule func(ev *auditv1.Event, alert func(why string))

// IsAuditRule reports whether the check is an audit-log rule: it evaluates
// audit events (Audit is set) rather than an inventory (Run is nil).
func (c *Check) IsAuditRule() bool { return c.Audit != nil }
