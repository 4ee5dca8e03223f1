package report

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// markdownLimit is the size a pull-request comment may have on GitHub.
const markdownLimit = 65536

// markdownBudget is what the findings may take of it: the rest is for the
// heading, the totals and the closing lines.
const markdownBudget = markdownLimit - 4096

// renderMarkdown writes a summary for a pull-request comment: the totals,
// the findings at or above the fail-on threshold in a table (file:line
// linked when opts.LinkBase is set), the others in a collapsed section, and
// "and N more" where the comment would outgrow GitHub's limit.
func renderMarkdown(w io.Writer, r *Report, opts Options) error {
	var b strings.Builder
	s := r.Summarize()
	threshold := r.FailOn
	if !validSeverity(threshold) {
		threshold = check.Critical + 1 // none: nothing fails
	}
	verdict := "passes"
	if validSeverity(r.FailOn) && r.Failed() {
		verdict = fmt.Sprintf("fails: %d at or above %s", countAtOrAbove(r.Findings, threshold), r.FailOn)
	}
	fmt.Fprintf(&b, "### kube4c: %d %s, %s\n\n", s.Total, plural(s.Total, "finding", "findings"), verdict)
	b.WriteString("| critical | high | medium | low | info | code | container | cluster | cloud | suppressed | score |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d/100 |\n\n",
		s.BySeverity["critical"], s.BySeverity["high"], s.BySeverity["medium"], s.BySeverity["low"], s.BySeverity["info"],
		s.ByLayer["code"], s.ByLayer["container"], s.ByLayer["cluster"], s.ByLayer["cloud"], s.Suppressed, s.Score.Overall)
	if n := len(r.Errors); n > 0 {
		fmt.Fprintf(&b, "**%d input %s**: ", n, plural(n, "error", "errors"))
		for i, e := range r.Errors[:min(n, 5)] {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(markdownText(e.Error()))
		}
		if n > 5 {
			fmt.Fprintf(&b, "; and %d more", n-5)
		}
		b.WriteString("\n\n")
	}
	var above, below []*check.Finding
	for _, f := range r.Findings {
		if f.Severity >= threshold {
			above = append(above, f)
		} else {
			below = append(below, f)
		}
	}
	// The worst first, in report order within a severity.
	slices.SortStableFunc(above, func(a, b *check.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	slices.SortStableFunc(below, func(a, b *check.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	left := markdownBudget - b.Len()
	if len(above) > 0 {
		b.WriteString(markdownTable(above, opts.LinkBase, &left))
	}
	if len(below) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%d more below %s</summary>\n\n", len(below), threshold)
		b.WriteString(markdownTable(below, opts.LinkBase, &left))
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdownTable writes findings as table rows while they fit in left
// bytes, then says how many more there are.
func markdownTable(fs []*check.Finding, linkBase string, left *int) string {
	var b strings.Builder
	head := "| severity | check | object | where | message |\n|---|---|---|---|---|\n"
	b.WriteString(head)
	*left -= len(head)
	for i, f := range fs {
		row := markdownRow(f, linkBase)
		if len(row) > *left {
			fmt.Fprintf(&b, "\n… and %d more (see the full report: -o json, sarif or table)\n", len(fs)-i)
			*left = 0
			return b.String()
		}
		b.WriteString(row)
		*left -= len(row)
	}
	return b.String()
}

// markdownRow is one finding as a table row.
func markdownRow(f *check.Finding, linkBase string) string {
	object := ""
	if f.Object != nil {
		object = markdownText(f.Object.Ref().String())
	}
	where := ""
	if l := f.Location; l.File != "" {
		where = markdownCode(l.String())
		if link := markdownLink(linkBase, l.File, l.Line); link != "" {
			where = "[" + where + "](" + link + ")"
		}
	}
	if f.Path != "" {
		where = strings.TrimSpace(where + " " + markdownCode(f.Path))
	}
	return "| " + strings.ToUpper(f.Severity.String()) + " | " + markdownText(f.CheckID) + " | " + object + " | " + where + " | " +
		markdownText(f.Message) + " |\n"
}

// markdownLink links a relative file and line under base; "" when there
// is no base or the file is not relative to the repository.
func markdownLink(base, file string, line int) string {
	if base == "" || filepath.IsAbs(file) || file == "-" || strings.HasPrefix(filepath.Clean(file), "..") {
		return ""
	}
	u := strings.TrimSuffix(base, "/") + "/" + (&url.URL{Path: filepath.ToSlash(filepath.Clean(file))}).EscapedPath()
	if line > 0 {
		u += "#L" + strconv.Itoa(line)
	}
	return u
}

// markdownText makes untrusted text safe in a table cell: control
// characters escaped, and the characters that would end the cell, start
// HTML or markup written as entities.
func markdownText(s string) string {
	return markdownEscaper.Replace(safeCell(s))
}

var markdownEscaper = strings.NewReplacer("|", "&#124;", "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "&#96;", "*", "&#42;",
	"_", "&#95;", "[", "&#91;", "]", "&#93;", "\\", "&#92;")

// markdownCode writes s as inline code, which shows it as it is; a
// backquote or bar in it becomes an entity outside the code.
func markdownCode(s string) string {
	s = safeCell(s)
	if strings.ContainsAny(s, "`|") {
		return markdownText(s)
	}
	return "`" + s + "`"
}
