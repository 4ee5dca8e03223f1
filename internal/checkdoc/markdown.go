// Package checkdoc renders the reference documentation of checks from their
// registry metadata, so docs/checks.md is never written by hand.
package checkdoc

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// Markdown returns the reference page for checks (and audit-log rules):
// an index table, then one section per check with what it looks at, why,
// how to fix and references.
func Markdown(checks []*check.Meta) []byte {
	var b bytes.Buffer
	b.WriteString("# kube4c checks\n\n")
	b.WriteString("<!-- Generated from the check registry by `kube4c checks -o markdown`; do not edit. -->\n\n")
	fmt.Fprintf(&b, "%d checks. Layers follow the 4C model: code, container, cluster, cloud. ", len(checks))
	b.WriteString("Checks marked *off by default* run only when enabled in `.kube4c.yaml` or named with `--checks`.\n\n")
	b.WriteString("| ID | Layer | Severity | Title |\n|---|---|---|---|\n")
	for _, c := range checks {
		title := c.Title
		if c.DisabledByDefault {
			title += " *(off by default)*"
		}
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", c.ID, c.ID, c.Layer, c.Severity, escapeCell(title))
	}
	for _, c := range checks {
		fmt.Fprintf(&b, "\n## %s\n\n", c.ID)
		fmt.Fprintf(&b, "**%s** — layer `%s`, severity `%s`", c.Title, c.Layer, c.Severity)
		if c.DisabledByDefault {
			b.WriteString(", off by default")
		}
		b.WriteString(".\n\n")
		fmt.Fprintf(&b, "**Looks at:** %s\n\n", c.Looks)
		if c.Fold != nil {
			fmt.Fprintf(&b, "**Folded:** its findings and those of the other `%s` checks about the same object and field path are one "+
				"finding, at the worst severity, that lists each (`details` in JSON); each check is still selected and suppressed by its own ID.\n\n", c.Fold.ID)
		}
		fmt.Fprintf(&b, "**Why it matters:** %s\n\n", c.Rationale)
		fmt.Fprintf(&b, "**How to fix:** %s\n", c.Remediation)
		if c.Example != "" {
			fmt.Fprintf(&b, "\n```yaml\n%s\n```\n", strings.TrimRight(c.Example, "\n"))
		}
		if fixable(c.ID) {
			b.WriteString("\n**Mechanical fix:** `kube4c fix` makes it in the manifest files, and SARIF reports carry it (docs/output.md#fix).\n")
		}
		if refs := references(c.References); refs != "" {
			fmt.Fprintf(&b, "\n**References:**\n\n%s", refs)
		}
	}
	return b.Bytes()
}

func references(r check.References) string {
	var b strings.Builder
	line := func(label string, values []string) {
		if len(values) > 0 {
			fmt.Fprintf(&b, "- %s: %s\n", label, strings.Join(values, "; "))
		}
	}
	line("CIS Kubernetes Benchmark", r.CIS)
	line("NSA/CISA Kubernetes Hardening Guide", r.NSA)
	line("MITRE ATT&CK for Containers", r.MITRE)
	line("Pod Security Standards", r.PSS)
	line("Further reading", r.URLs)
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// fixable reports whether a registered check has a mechanical fix.
func fixable(id string) bool {
	c := check.Default.Get(id)
	return c != nil && c.Fix != nil
}
