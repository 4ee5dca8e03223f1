package admission

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/report"
)

// Limits of what goes back to the client.
const (
	// maxWarning is the length of one warning: kubectl prints each on a
	// line of its own.
	maxWarning = 120
	// maxWarnings is how many warnings are listed before "and N more".
	maxWarnings = 10
	// maxAnnotation bounds the audit annotation that lists findings.
	maxAnnotation = 1024
	// maxFix bounds the fix quoted per refusing finding.
	maxFix = 240
)

// findingKey identifies a finding across two versions of an object.
type findingKey struct{ check, container, path string }

func keyOf(f *check.Finding) findingKey { return findingKey{f.CheckID, f.Container, f.Path} }

// respond turns the decided findings into the answer: refused when one
// denies, with every finding that does not in the warnings.
func (r *Reviewer) respond(decided []Decided, out *Outcome) *admissionv1.AdmissionResponse {
	slices.SortStableFunc(decided, func(a, b Decided) int { return int(b.Severity) - int(a.Severity) })
	var deny, warn []Decided
	for _, d := range decided {
		if d.Decision == config.Deny {
			deny = append(deny, d)
		} else {
			warn = append(warn, d)
		}
	}
	resp := &admissionv1.AdmissionResponse{Allowed: len(deny) == 0, Warnings: warnings(warn),
		AuditAnnotations: map[string]string{}}
	switch {
	case len(deny) > 0:
		out.Verdict = "denied"
		resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
			Message: denial(deny)}
	case len(warn) > 0:
		out.Verdict = "warned"
	default:
		out.Verdict = "allowed"
	}
	resp.AuditAnnotations["decision"] = out.Verdict
	if len(decided) > 0 {
		resp.AuditAnnotations["findings"] = findingsAnnotation(decided)
	}
	return resp
}

// denial is the message of a refusal: one line per refusing finding,
// like a row of kube4c's table, with its fix.
func denial(deny []Decided) string {
	var b strings.Builder
	noun := "finding"
	if len(deny) > 1 {
		noun = "findings"
	}
	fmt.Fprintf(&b, "kube4c: %d %s at or above the deny threshold", len(deny), noun)
	for _, d := range deny {
		b.WriteString("\n" + row(d.Finding))
		if fix := strings.TrimSpace(d.Remediation); fix != "" {
			b.WriteString(" Fix: " + clipTo(safe(firstParagraph(fix)), maxFix))
		}
	}
	return b.String()
}

// row formats a finding as "[severity] check-id field.path: message".
func row(f *check.Finding) string {
	s := "[" + f.Severity.String() + "] " + f.CheckID
	if f.Path != "" {
		s += " " + safe(f.Path)
	}
	return s + ": " + safe(f.Message)
}

// warnings lists the findings that do not refuse, each clipped, at most
// maxWarnings and then how many more.
func warnings(warn []Decided) []string {
	var out []string
	for i, d := range warn {
		if i == maxWarnings {
			out = append(out, fmt.Sprintf("and %d more kube4c findings (kube4c scan lists them)", len(warn)-i))
			break
		}
		w := row(d.Finding)
		if d.Why != "" {
			w = "(not refused: " + d.Why + ") " + w
		}
		out = append(out, clip(w))
	}
	return out
}

// findingsAnnotation lists check=decision pairs for the audit log.
func findingsAnnotation(decided []Decided) string {
	var b strings.Builder
	for i, d := range decided {
		item := d.CheckID + "=" + string(d.Decision)
		if b.Len()+len(item)+1 > maxAnnotation {
			fmt.Fprintf(&b, ",+%d", len(decided)-i)
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(item)
	}
	return b.String()
}

// safe escapes control characters: object names and messages come from
// whoever wrote the object, and kubectl prints them on a terminal.
func safe(s string) string { return report.SafeText(s) }

// clip shortens s to maxWarning characters.
func clip(s string) string { return clipTo(s, maxWarning) }

// clipTo shortens s to n runes, ending in "…" when cut.
func clipTo(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := 0
	for i := range s {
		if runes == n-1 {
			return s[:i] + "…"
		}
		runes++
	}
	return s
}

// firstParagraph is the text up to the first blank line, on one line.
func firstParagraph(s string) string {
	s, _, _ = strings.Cut(s, "\n\n")
	return strings.Join(strings.Fields(s), " ")
}
