package report

import (
	"regexp"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/kube4c/kube4c/internal/check"
)

// sarifRule describes a check as a SARIF reporting descriptor.
func sarifRule(c *check.Check) *sarif.ReportingDescriptor {
	rule := sarif.NewRule(c.ID).
		WithName(ruleName(c.ID)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(c.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(c.Rationale)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(helpText(c)).WithMarkdown(helpMarkdown(c))).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(c.Severity))).
		WithProperties(ruleProperties(c))
	if urls := c.References.URLs; len(urls) > 0 {
		rule.WithHelpURI(urls[0])
	}
	return rule
}

// advisoryRule describes a published vulnerability as a SARIF rule, for
// the findings of check checkID that stand for it alone (one vulnerability
// of an image): code scanning then lists each CVE as a rule of its own,
// with its page. sev is the severity kube4c gives the finding. The text
// comes from a scanner's report: it goes into plain-text fields only.
func advisoryRule(a check.Advisory, checkID string, sev check.Severity) *sarif.ReportingDescriptor {
	short := a.ID
	if a.Package != "" {
		short += " in " + a.Package
	}
	if a.Title != "" {
		short += ": " + a.Title
	}
	help := "No fixed version is known yet: weigh the exposure, and add an exception with until: fix-available."
	if a.HasFix() {
		help = "Update the image to one with " + strings.TrimSpace(a.Package+" "+a.Fixed) + " or later."
	}
	rule := sarif.NewRule(a.ID).
		WithName(ruleName(checkID)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(short)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(help)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(sev))).
		WithProperties(sarif.NewPropertyBag().
			WithTags([]string{"security", "vulnerability", string(check.LayerContainer)}).
			Add("security-severity", securitySeverity[sev]).
			Add("scannerSeverity", a.Severity).
			Add("check", checkID))
	if url := a.HelpURL(); url != "" {
		rule.WithHelpURI(url)
	}
	return rule
}

// ruleName turns a check ID into the PascalCase name SARIF viewers show,
// e.g. "privileged-container" into "PrivilegedContainer".
func ruleName(id string) string {
	var b strings.Builder
	for _, word := range strings.Split(id, "-") {
		if word != "" {
			b.WriteString(strings.ToUpper(word[:1]))
			b.WriteString(word[1:])
		}
	}
	return b.String()
}

func ruleProperties(c *check.Check) *sarif.PropertyBag {
	props := sarif.NewPropertyBag().
		WithTags([]string{"security", "kubernetes", string(c.Layer)}).
		Add("layer", string(c.Layer)).
		Add("security-severity", securitySeverity[c.Severity])
	refs := c.References
	for key, list := range map[string][]string{"cis": refs.CIS, "nsa": refs.NSA, "mitre": refs.MITRE, "pss": refs.PSS} {
		if len(list) > 0 {
			props.Add(key, list)
		}
	}
	return props
}

// reference is one line of a rule's list of references.
type reference struct {
	label, link string
}

var mitreTechnique = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// references lists a check's references for its help.
func references(r check.References) []reference {
	var out []reference
	for _, s := range r.CIS {
		out = append(out, reference{label: "CIS Kubernetes Benchmark " + s})
	}
	for _, s := range r.NSA {
		out = append(out, reference{label: "NSA/CISA Kubernetes Hardening Guide: " + s})
	}
	for _, s := range r.MITRE {
		ref := reference{label: "MITRE ATT&CK " + s}
		if mitreTechnique.MatchString(s) {
			ref.link = "https://attack.mitre.org/techniques/" + strings.ReplaceAll(s, ".", "/") + "/"
		}
		out = append(out, ref)
	}
	for _, s := range r.PSS {
		out = append(out, reference{label: "Pod Security Standards, " + s})
	}
	for _, s := range r.URLs {
		out = append(out, reference{label: s, link: s})
	}
	return out
}

// helpText is the plain-text help of a rule: remediation, example and
// references.
func helpText(c *check.Check) string {
	sections := []string{strings.TrimSpace(c.Remediation)}
	if ex := strings.TrimRight(c.Example, "\n"); ex != "" {
		sections = append(sections, "Example:\n    "+strings.ReplaceAll(ex, "\n", "\n    "))
	}
	if refs := references(c.References); len(refs) > 0 {
		lines := []string{"References:"}
		for _, r := range refs {
			line := "  - " + r.label
			if r.link != "" && r.link != r.label {
				line += " <" + r.link + ">"
			}
			lines = append(lines, line)
		}
		sections = append(sections, strings.Join(lines, "\n"))
	}
	return strings.Join(sections, "\n\n")
}

// helpMarkdown is the Markdown help of a rule, as code scanning shows it.
func helpMarkdown(c *check.Check) string {
	var b strings.Builder
	b.WriteString("**Remediation**\n\n")
	b.WriteString(strings.TrimSpace(c.Remediation))
	if ex := strings.TrimRight(c.Example, "\n"); ex != "" {
		fence := "```"
		for strings.Contains(ex, fence) {
			fence += "`"
		}
		b.WriteString("\n\n**Example**\n\n" + fence + "yaml\n" + ex + "\n" + fence)
	}
	if refs := references(c.References); len(refs) > 0 {
		b.WriteString("\n\n**References**\n")
		for _, r := range refs {
			switch {
			case r.link == "":
				b.WriteString("\n- " + r.label)
			case r.link == r.label:
				b.WriteString("\n- <" + r.link + ">")
			default:
				b.WriteString("\n- [" + r.label + "](" + r.link + ")")
			}
		}
	}
	return b.String()
}
