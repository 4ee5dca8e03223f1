package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kube4c/kube4c/internal/audit"
)

// AuditFormats are the formats of kube4c audit analyze.
func AuditFormats() []string { return []string{"table", "jsonl"} }

// AlertWriter writes the alerts of audit analyze as they come: as JSON
// lines, or as a table (flushed with every alert when following a log)
// that Finish ends with a summary. Errors of the underlying writer are
// those of its Flush.
type AlertWriter struct {
	w      *bufio.Writer
	format string
	follow bool
	table  *tabwriter.Writer
	rows   int
}

// NewAlertWriter returns a writer of alerts to w in one of the
// AuditFormats; with follow, every alert is flushed as it comes.
func NewAlertWriter(w *bufio.Writer, format string, follow bool) (*AlertWriter, error) {
	switch format {
	case "table", "jsonl":
		return &AlertWriter{w: w, format: format, follow: follow}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(AuditFormats(), " or "))
}

// Add writes an alert.
func (s *AlertWriter) Add(al audit.Alert) {
	if s.format == "jsonl" {
		WriteAlertLine(s.w, al)
	} else {
		if s.table == nil {
			s.table = tabwriter.NewWriter(s.w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(s.table, "TIME\tSEVERITY\tRULE\tUSER\tOBJECT\tWHY")
		}
		// Users, objects and the why that quotes them come from the
		// audit log: escaped, they cannot reach the terminal.
		user := safeCell(al.User)
		if al.ImpersonatedUser != "" {
			user += " as " + safeCell(al.ImpersonatedUser)
		}
		fmt.Fprintf(s.table, "%s\t%s\t%s\t%s\t%s\t%s\n", al.Time.UTC().Format(time.RFC3339), al.Severity, safeCell(al.Rule), user, safeCell(al.Object), safeCell(al.Why))
		s.rows++
		if s.follow {
			s.table.Flush()
		}
	}
	if s.follow {
		s.w.Flush()
	}
}

// Finish ends the table with a summary of what a read: events, malformed
// lines and alerts by rule. It writes nothing after JSON lines.
func (s *AlertWriter) Finish(a *audit.Analyzer) error {
	if s.format != "table" {
		return nil
	}
	if s.table != nil {
		s.table.Flush()
		fmt.Fprintln(s.w)
	}
	rules := make([]string, 0, len(a.ByRule))
	for r := range a.ByRule {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool {
		if a.ByRule[rules[i]] != a.ByRule[rules[j]] {
			return a.ByRule[rules[i]] > a.ByRule[rules[j]]
		}
		return rules[i] < rules[j]
	})
	summary := make([]string, len(rules))
	for i, r := range rules {
		summary[i] = fmt.Sprintf("%s %d", r, a.ByRule[r])
	}
	fmt.Fprintf(s.w, "%d events read (%d outside the time window), %d malformed lines, %d alerts", a.Events, a.Outside, a.Malformed, s.rows)
	if len(summary) > 0 {
		fmt.Fprintf(s.w, ": %s", strings.Join(summary, ", "))
	}
	fmt.Fprintln(s.w)
	return nil
}

// WriteAlertLine writes an alert as one line of JSON (HTML characters
// escaped, as encoding/json does by default).
func WriteAlertLine(w io.Writer, al audit.Alert) error {
	data, err := json.Marshal(al)
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
