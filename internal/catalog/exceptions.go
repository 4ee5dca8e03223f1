package catalog

import (
	"fmt"
	"time"

	"github.com/kube4c/kube4c/internal/check"
)

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "exception-expired",
			Title:    "Exception in the configuration has expired",
			Layer:    check.LayerCode,
			Reads:    []string{},
			Severity: check.Medium,
			Looks:    "The expires date of every exception in the configuration file, compared with the time of the scan.",
			Rationale: "An exception is a risk accepted for a while, for a stated reason. Once its date has passed " +
				"it no longer suppresses anything, so the findings it covered count again; and the decision " +
				"behind it is due for review: the reason may no longer hold, or the fix may have been forgotten.",
			Remediation: "Fix the findings the exception covered and delete the exception. If the risk is still " +
				"accepted, review the reason and renew the exception with a new expires date.",
			Example: `exceptions:
  - checks: [privileged-container]
    kinds: [DaemonSet]
    namespaces: [kube-system]
    names: ["calico-*"]
    reason: "CNI agent needs host access; reviewed by the platform team"
    expires: 2027-09-30`,
		},
		Run: func(ctx *check.Context) {
			for _, e := range ctx.Exceptions {
				if e.Expired(ctx.Now) {
					ctx.ReportFinding(check.Finding{Location: e.Source, Message: expiredMessage(e)})
				}
			}
		},
	})
}

// expiredMessage names the exception by its checks, reason and expiry.
func expiredMessage(e check.Exception) string {
	return fmt.Sprintf("the exception for %s (reason: %s) expired on %s: fix the findings it covered, "+
		"or renew the exception with a new expires date", joinQuoted(e.Checks), quote(e.Reason), formatExpiry(e.Expires))
}

// formatExpiry prints a time at the end of a UTC day as that date, and any
// other as an RFC 3339 time.
func formatExpiry(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 23 && t.Minute() == 59 && t.Second() == 59 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}
