package report

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/audit"
	_ "github.com/kube4c/kube4c/internal/catalog" // the audit rules
	"github.com/kube4c/kube4c/internal/check"
)

// analyzeAuditLog evaluates the audit rules on a log and writes the
// alerts in format, as kube4c audit analyze does.
func analyzeAuditLog(t *testing.T, path, format string) []byte {
	t.Helper()
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	w, err := NewAlertWriter(bw, format, false)
	if err != nil {
		t.Fatal(err)
	}
	a := &audit.Analyzer{Engine: audit.NewEngine(audit.Rules.All(), nil), OnAlert: w.Add}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := audit.Read(file, path, a.Handler()); err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(a); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Both formats of the alerts of a log with a malformed line, and the
// table of a log without alerts.
func TestAlertsGolden(t *testing.T) {
	for _, format := range AuditFormats() {
		golden(t, "audit/alerts."+format+".golden", analyzeAuditLog(t, "testdata/audit/audit.log", format))
	}
	golden(t, "audit/none.table.golden", analyzeAuditLog(t, os.DevNull, "table"))
}

// When following a log, each alert reaches the output as it comes, in
// either format.
func TestAlertWriterFollowFlushesEachAlert(t *testing.T) {
	al := audit.Alert{Rule: "audit-pod-exec", Severity: check.High, Time: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), User: "alice", Why: "exec"}
	for _, format := range AuditFormats() {
		var out bytes.Buffer
		w, err := NewAlertWriter(bufio.NewWriter(&out), format, true)
		if err != nil {
			t.Fatal(err)
		}
		w.Add(al)
		if !strings.Contains(out.String(), "alice") {
			t.Errorf("%s: the first alert is not flushed: %q", format, out.String())
		}
		w.Add(al)
		if strings.Count(out.String(), "alice") != 2 {
			t.Errorf("%s: the second alert is not flushed: %q", format, out.String())
		}
	}
}

// A JSON line escapes what a browser would read as HTML.
func TestWriteAlertLine(t *testing.T) {
	var b bytes.Buffer
	if err := WriteAlertLine(&b, audit.Alert{Rule: "r", Severity: check.Low, User: "<script>&"}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.HasSuffix(got, "}\n") || strings.Count(got, "\n") != 1 || !strings.Contains(got, `"user":"\u003cscript\u003e\u0026"`) {
		t.Errorf("line %q", got)
	}
}

func TestNewAlertWriterRefusesUnknownFormat(t *testing.T) {
	if _, err := NewAlertWriter(bufio.NewWriter(&bytes.Buffer{}), "sarif", false); err == nil || !strings.Contains(err.Error(), "table or jsonl") {
		t.Errorf("error %v", err)
	}
}
