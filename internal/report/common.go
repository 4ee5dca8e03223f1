package report

import (
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// checkIndex maps the IDs of the checks that ran to their metadata.
func checkIndex(checks []*check.Check) map[string]*check.Check {
	m := make(map[string]*check.Check, len(checks))
	for _, c := range checks {
		m[c.ID] = c
	}
	return m
}

// objectRef names the object of a finding as Kind/namespace/name, or ""
// when the finding is not about an object.
func objectRef(o *inventory.Object) string {
	if o == nil {
		return ""
	}
	return o.Ref().String()
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// firstSentence returns the first sentence of the first line of s: up to
// a full stop that a space and a capital letter follow.
func firstSentence(s string) string {
	s = firstLine(s)
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			return s[:i+1]
		}
	}
	return s
}

// validSeverity reports whether s is a real severity (not Unset).
func validSeverity(s check.Severity) bool { return s >= check.Info && s <= check.Critical }

// countAtOrAbove counts the findings whose severity reaches the threshold.
func countAtOrAbove(findings []*check.Finding, threshold check.Severity) int {
	n := 0
	for i := range findings {
		if findings[i].Severity >= threshold {
			n++
		}
	}
	return n
}

// Plural returns one when n is 1, else many: for the messages of commands.
func Plural(n int, one, many string) string { return plural(n, one, many) }
