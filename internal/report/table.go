package report

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// ANSI select-graphic-rendition sequences of the table format.
const (
	sgrReset = "\x1b[0m"
	sgrBold  = "\x1b[1m"
	sgrDim   = "\x1b[2m"
	sgrRed   = "\x1b[31m"
)

// Severity labels and colours, indexed by check.Severity. Labels share
// one width so that the check IDs after them line up.
var (
	severityLabels = [...]string{"", "INFO    ", "LOW     ", "MEDIUM  ", "HIGH    ", "CRITICAL"}
	severityStyles = [...]string{"", sgrDim, "\x1b[36m", "\x1b[33m", sgrRed, "\x1b[1;31m"}
)

const (
	// findingIndent lines up the lines under a finding with its check ID.
	findingIndent = 2 + len("CRITICAL") + 2
	// maxIDWidth and maxLocWidth cap column padding, so that one long
	// value does not push every line to the right.
	maxIDWidth  = 32
	maxLocWidth = 48
	// verboseHint and suppressedHint tell how to list what is only counted.
	verboseHint    = " (use --verbose to list them)"
	suppressedHint = " (use --show-suppressed to list them)"
)

// renderTable writes the human format: findings grouped by object, then
// input problems and a summary.
func renderTable(w io.Writer, r *Report, opts Options) error {
	t := &tableWriter{
		Writer: bufio.NewWriterSize(w, 64<<10), color: opts.Color, verbose: opts.Verbose, width: opts.Width,
		showSuppressed: opts.ShowSuppressed, fixed: map[string]bool{},
	}
	t.idWidth = idWidth(r.Findings)
	if opts.ShowSuppressed {
		t.idWidth = max(t.idWidth, idWidth(r.Suppressed))
	}
	t.incompleteWarning(r.Coverage)
	t.findings(r.Findings)
	if opts.ShowSuppressed && len(r.Suppressed) > 0 {
		t.heading("Suppressed findings", len(r.Suppressed), sgrBold)
		t.WriteByte('\n')
		t.findings(r.Suppressed)
	}
	t.problems(r)
	t.failures(r.Failures)
	t.coverage(r.Coverage)
	t.verdicts(r.Verdicts)
	t.summary(r)
	return t.Flush()
}

// tableWriter writes the table format without formatting allocations:
// numbers go through a scratch buffer and padding through a constant.
type tableWriter struct {
	*bufio.Writer
	color          bool
	verbose        bool
	showSuppressed bool
	width          int // of the terminal; 0 when unknown
	idWidth        int
	num            [20]byte
	// fixed records the checks whose remediation the current object block
	// already shows.
	fixed map[string]bool
}

func idWidth(findings []*check.Finding) int {
	w := 0
	for i := range findings {
		w = max(w, len(findings[i].CheckID))
	}
	return min(w, maxIDWidth)
}

func (t *tableWriter) heading(title string, n int, sgr string) {
	t.begin(sgr)
	t.WriteString(title)
	t.WriteString(" (")
	t.int(n)
	t.WriteString("):")
	t.end(sgr)
	t.WriteByte('\n')
}

// findings writes findings grouped by object, one block per object, the
// findings of an object by severity, worst first (in report order within
// a severity).
func (t *tableWriter) findings(fs []*check.Finding) {
	order, bounds := check.GroupByObject(fs)
	for g := 0; g+1 < len(bounds); g++ {
		group := order[bounds[g]:bounds[g+1]]
		slices.SortStableFunc(group, func(a, b int) int { return cmp.Compare(fs[b].Severity, fs[a].Severity) })
		t.objectHeader(fs[group[0]].Object)
		locWidth := 0
		for _, i := range group {
			locWidth = max(locWidth, locationWidth(fs[i].Location))
		}
		locWidth = min(locWidth, maxLocWidth)
		clear(t.fixed)
		for _, i := range group {
			t.finding(fs[i], locWidth)
		}
		t.WriteByte('\n')
	}
}

func (t *tableWriter) objectHeader(o *inventory.Object) {
	if o == nil {
		t.styled(sgrBold, "(not about an object)")
		t.WriteByte('\n')
		return
	}
	t.begin(sgrBold)
	t.text(o.Ref().String())
	t.end(sgrBold)
	if o.Source.File != "" {
		t.WriteString("  ")
		t.begin(sgrDim)
		t.text(o.Source.File)
		t.end(sgrDim)
	}
	t.WriteByte('\n')
}

// finding writes one finding: a line with severity, check ID, location,
// field path and message, then its suppression and the first sentence of
// its remediation (once per check and object). On a terminal too narrow
// for the line, the message goes under it, wrapped between words.
func (t *tableWriter) finding(f *check.Finding, locWidth int) {
	t.WriteString("  ")
	t.severity(f.Severity)
	t.WriteString("  ")
	t.WriteString(f.CheckID)
	t.pad(t.idWidth - len(f.CheckID))
	row := findingIndent + t.idWidth + 2
	if locWidth > 0 {
		t.WriteString("  ")
		t.location(f.Location)
		row += locWidth + 2
	}
	switch {
	case t.width > 0 && row+textWidth(f.Path) > t.width:
		t.WriteByte('\n')
		t.pad(findingIndent)
		t.text(f.Path)
		t.WriteByte('\n')
		t.wrapped(f.Message, findingIndent, 0)
	case t.width > 0 && row+textWidth(f.Path)+2+textWidth(f.Message) > t.width:
		t.padTo(row, f, locWidth)
		t.text(f.Path)
		t.WriteByte('\n')
		t.wrapped(f.Message, findingIndent, 0)
	default:
		t.padTo(row, f, locWidth)
		if f.Path != "" {
			t.text(f.Path)
			t.WriteString(": ")
		}
		t.text(f.Message)
		t.WriteByte('\n')
	}
	if n := f.AttackPaths; n > 0 {
		t.pad(findingIndent)
		t.WriteString("on ")
		t.int(n)
		if n == 1 {
			t.WriteString(" attack path (kube4c paths)\n")
		} else {
			t.WriteString(" attack paths (kube4c paths)\n")
		}
	}
	if s := f.Suppressed; s != nil {
		t.pad(findingIndent)
		t.begin(sgrDim)
		t.WriteString("suppressed by ")
		t.text(s.Kind)
		if s.Source != "" {
			t.WriteString(" (")
			t.text(s.Source)
			t.WriteByte(')')
		}
		if s.Reason != "" {
			t.WriteString(": ")
			t.text(s.Reason)
		}
		t.end(sgrDim)
		t.WriteByte('\n')
	}
	if rem := firstSentence(f.Remediation); rem != "" && !t.fixed[f.CheckID] {
		t.fixed[f.CheckID] = true
		t.pad(findingIndent)
		t.styled(sgrDim, "fix: ")
		t.wrapped(rem, findingIndent, len("fix: "))
	}
}

// padTo pads a finding's row after its check ID (and location) to the
// column where its path starts.
func (t *tableWriter) padTo(row int, f *check.Finding, locWidth int) {
	if locWidth > 0 {
		t.pad(locWidth - locationWidth(f.Location))
	}
	t.WriteString("  ")
}

func (t *tableWriter) severity(s check.Severity) {
	if !validSeverity(s) {
		label := strings.ToUpper(s.String())
		t.WriteString(label)
		t.pad(len(severityLabels[check.Critical]) - len(label))
		return
	}
	t.styled(severityStyles[s], severityLabels[s])
}

// problems writes input errors in full; warnings and skipped documents in
// full only when verbose, otherwise as counts on one line each.
func (t *tableWriter) problems(r *Report) {
	t.problemList("Input errors", r.Errors, sgrRed)
	if t.verbose {
		t.problemList("Warnings", r.Warnings, sgrBold)
		t.problemList("Skipped documents", r.Skipped, sgrBold)
		return
	}
	counted := t.problemCount("Warnings", len(r.Warnings))
	if t.problemCount("Skipped documents", len(r.Skipped)) || counted {
		t.WriteByte('\n')
	}
}

func (t *tableWriter) problemList(title string, ps []source.Problem, sgr string) {
	if len(ps) == 0 {
		return
	}
	t.heading(title, len(ps), sgr)
	for _, p := range ps {
		t.WriteString("  ")
		if p.File != "" {
			t.location(p.Location)
			t.WriteString(": ")
		}
		if p.Object != "" {
			t.text(p.Object)
			t.WriteString(": ")
		}
		t.indented(p.Message)
	}
	t.WriteByte('\n')
}

// problemCount writes "title: n" with a hint, unless n is zero.
func (t *tableWriter) problemCount(title string, n int) bool {
	if n == 0 {
		return false
	}
	t.styled(sgrBold, title)
	t.WriteString(": ")
	t.int(n)
	t.WriteString(verboseHint)
	t.WriteByte('\n')
	return true
}

// failures writes the checks that failed to run; the error's first line
// only, unless verbose (a panic's error carries its stack).
func (t *tableWriter) failures(fs []check.Failure) {
	if len(fs) == 0 {
		return
	}
	t.heading("Check failures", len(fs), sgrRed)
	for _, f := range fs {
		t.WriteString("  ")
		t.WriteString(f.CheckID)
		t.WriteString(": ")
		msg := ""
		if f.Err != nil {
			msg = f.Err.Error()
		}
		if !t.verbose {
			msg = firstLine(msg)
		}
		t.indented(msg)
	}
	t.WriteByte('\n')
}

// summary writes what was scanned, the counts by severity and layer, and
// whether the fail-on threshold was reached.
func (t *tableWriter) summary(r *Report) {
	t.WriteString("Scanned ")
	t.count(r.Files, "file", "files")
	t.WriteString(", ")
	t.count(r.Documents, "document", "documents")
	t.WriteString(", ")
	t.count(r.Objects, "object", "objects")
	t.WriteString(" with ")
	t.count(len(r.Checks), "check", "checks")
	t.WriteString(".\n")

	s := r.Summarize()
	switch {
	case s.Total == 0 && len(r.Errors) > 0:
		// Input that could not be read may hold problems: never a clean bill.
		t.WriteString("No findings in what could be read")
	case s.Total == 0:
		t.WriteString("No findings")
	default:
		t.begin(sgrBold)
		t.count(s.Total, "finding", "findings")
		t.end(sgrBold)
		t.WriteString(": ")
		for i, sev := range check.Severities() {
			if i > 0 {
				t.WriteString(", ")
			}
			n := s.BySeverity[sev.String()]
			if n > 0 {
				t.begin(severityStyles[sev])
			}
			t.int(n)
			t.WriteByte(' ')
			t.WriteString(sev.String())
			if n > 0 {
				t.end(severityStyles[sev])
			}
		}
		t.WriteString("; by layer: ")
		t.layers(s.ByLayer)
	}
	t.WriteString("; ")
	t.int(s.Suppressed)
	t.WriteString(" suppressed")
	if s.Suppressed > 0 && !t.showSuppressed {
		t.WriteString(suppressedHint)
	}
	t.WriteString(".\n")
	t.score(s.Score, len(r.Errors) > 0)

	if validSeverity(r.FailOn) {
		if n := countAtOrAbove(r.Findings, r.FailOn); n > 0 {
			t.begin(sgrRed)
			t.count(n, "finding", "findings")
			t.WriteString(" at or above the fail-on severity (")
			t.WriteString(r.FailOn.String())
			t.WriteString(").")
			t.end(sgrRed)
			t.WriteByte('\n')
		}
	}
}

// score writes the report's score line: overall, then each layer. With
// input errors, it says the score is of what could be read.
func (t *tableWriter) score(s *Score, partial bool) {
	t.WriteString("Score ")
	t.int(s.Overall)
	t.WriteString("/100 (")
	t.layers(s.ByLayer)
	t.WriteString("; see docs/output.md#score)")
	if partial {
		t.WriteString(", of what could be read")
	}
	t.WriteString(".\n")
}

// layers writes a number per 4C layer: "code 1, container 4, ...".
func (t *tableWriter) layers(byLayer map[string]int) {
	for i, l := range check.Layers() {
		if i > 0 {
			t.WriteString(", ")
		}
		t.WriteString(string(l))
		t.WriteByte(' ')
		t.int(byLayer[string(l)])
	}
}
