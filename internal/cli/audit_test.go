package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/audit"
)

// auditLine is one audit event as a JSON line.
func auditLine(id, stage, verb, user, resource, sub string, code int, at string) string {
	return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":%q,"stage":%q,"requestURI":"/x","verb":%q,`+
		`"user":{"username":%q},"sourceIPs":["10.1.2.3"],"objectRef":{"resource":%q,"subresource":%q,"namespace":"ns","name":"p"},`+
		`"responseStatus":{"code":%d},"requestReceivedTimestamp":%q,"stageTimestamp":%q}`, id, stage, verb, user, resource, sub, code, at, at)
}

var auditLog = strings.Join([]string{
	auditLine("1", "ResponseStarted", "create", "alice", "pods", "exec", 101, "2026-11-26T08:00:00.000000Z"),
	auditLine("2", "ResponseComplete", "get", "bob", "secrets", "", 200, "2026-11-26T09:00:00.000000Z"),
	auditLine("3", "ResponseComplete", "get", "bob", "pods", "", 200, "2026-11-26T09:30:00.000000Z"),
}, "\n") + "\n"

func TestAuditAnalyze(t *testing.T) {
	code, out, errOut := run(t, auditLog, "audit", "analyze", "-")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d: %s", code, ExitFindings, errOut)
	}
	for _, want := range []string{"audit-pod-exec", "audit-secret-read", "3 events read", "2 alerts"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = run(t, auditLog, "audit", "analyze", "-o", "jsonl", "--since", "2026-11-26T08:30:00Z", "-")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != ExitOK || len(lines) != 1 {
		t.Fatalf("exit %d, output %q; want 0 and one alert (secret read is medium)", code, out)
	}
	var alert map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &alert); err != nil {
		t.Fatal(err)
	}
	if alert["rule"] != "audit-secret-read" || alert["user"] != "bob" || alert["verb"] != "get" || alert["severity"] != "medium" ||
		alert["object"] != "secrets ns/p" || alert["sourceIPs"].([]any)[0] != "10.1.2.3" || alert["why"] == "" {
		t.Errorf("alert %v", alert)
	}

	if code, out, _ := run(t, auditLog, "audit", "analyze", "-o", "jsonl", "--until", "2026-11-26T08:30:00Z", "--fail-on", "critical", "-"); code != ExitOK || !strings.Contains(out, "audit-pod-exec") || strings.Contains(out, "secret") {
		t.Errorf("--until: exit %d, %s", code, out)
	}
	if code, out, _ := run(t, auditLog, "audit", "analyze", "--skip-checks", "audit-pod-exec", "-o", "jsonl", "-"); code != ExitOK || strings.Contains(out, "audit-pod-exec") {
		t.Errorf("--skip-checks: exit %d, %s", code, out)
	}
}

func TestAuditAnalyzeMalformedAndErrors(t *testing.T) {
	code, out, errOut := run(t, "garbage\n"+auditLog, "audit", "analyze", "-")
	if code != ExitError || !strings.Contains(errOut, "-:1:") || !strings.Contains(out, "audit-pod-exec") {
		t.Errorf("malformed line: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{
		{"audit", "analyze"},
		{"audit", "analyze", "-o", "sarif", "-"},
		{"audit", "analyze", "--since", "last tuesday", "-"},
		{"audit", "analyze", "--follow", "a", "b"},
		{"audit", "analyze", filepath.Join(t.TempDir(), "missing.log")},
		{"audit", "analyze", "--checks", "audit-no-such-rule", "-"},
	} {
		if code, _, _ := run(t, "", args...); code != ExitError {
			t.Errorf("%v: exit %d, want %d", args, code, ExitError)
		}
	}
}

func TestAuditRulesAreListedAndNotScanned(t *testing.T) {
	_, out, _ := run(t, "", "checks")
	if !strings.Contains(out, "audit-pod-exec") {
		t.Error("kube4c checks does not list the audit rules")
	}
	dir := t.TempDir()
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: x}]}\n"
	if err := os.WriteFile(filepath.Join(dir, "pod.yaml"), []byte(pod), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = run(t, "", "scan", "-o", "json", "--fail-on", "none", dir)
	if strings.Contains(out, "audit-") {
		t.Error("scan ran audit rules")
	}
}

func TestAuditVerify(t *testing.T) {
	dir := t.TempDir()
	archive, err := audit.OpenArchive(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := archive.Append([][]byte{[]byte(fmt.Sprintf(`{"auditID":"%d"}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	archive.Close()
	if code, out, errOut := run(t, "", "audit", "verify", dir); code != ExitOK || !strings.Contains(out, "1 files, 3 events") {
		t.Errorf("intact archive: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.Rename(filepath.Join(dir, audit.ArchiveFileName(1)), filepath.Join(dir, audit.ArchiveFileName(2))); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "", "audit", "verify", dir); code != ExitFindings || !strings.Contains(out, "missing") {
		t.Errorf("renamed file: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, "", "audit", "verify", filepath.Join(dir, "nope")); code != ExitError {
		t.Errorf("missing directory: exit %d", code)
	}
	if code, _, _ := run(t, "", "audit", "serve", "--archive-dir", dir); code != ExitError {
		t.Errorf("serve without TLS files: exit %d", code)
	}
}

func TestAuditAnalyzeBurstSettings(t *testing.T) {
	denial := auditLine("d", "ResponseComplete", "list", "eve", "secrets", "", 403, "2026-11-26T08:00:00.000000Z") + "\n"
	dir := t.TempDir()
	config := func(body string) string {
		path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", len(body)))
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := config("settings:\n  audit-forbidden-burst: {count: 2, window: 30s}\n")
	code, out, _ := run(t, strings.Repeat(denial, 2), "audit", "analyze", "-o", "jsonl", "--config", good, "--checks", "audit-forbidden-burst", "-")
	if code != ExitOK || !strings.Contains(out, "eve was refused 2 times within 30s") {
		t.Errorf("exit %d: %s", code, out)
	}
	if code, _, errOut := run(t, denial, "audit", "analyze", "--config", config("settings:\n  audit-forbidden-burst: {count: 1}\n"), "-"); code != ExitError || !strings.Contains(errOut, "count") {
		t.Errorf("count 1: exit %d %s", code, errOut)
	}
}

func TestAuditAnalyzeSeverityOverride(t *testing.T) {
	config := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(config, []byte("checks:\n  audit-pod-exec: {severity: low}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, auditLog, "audit", "analyze", "-o", "jsonl", "--config", config, "--checks", "audit-pod-exec", "-")
	if code != ExitOK || !strings.Contains(out, `"severity":"low"`) {
		t.Errorf("exit %d: %s", code, out)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAuditAnalyzeFollow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte(auditLog), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	root := NewRoot(strings.NewReader(""), &out, &errOut)
	root.SetArgs([]string{"audit", "analyze", "--follow", "--poll", "1ms", "-o", "jsonl", path})
	root.SetContext(ctx)
	done := make(chan int)
	go func() { done <- Execute(root) }()
	for deadline := time.Now().Add(10 * time.Second); strings.Count(out.String(), "\n") < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("alerts of the existing lines never came: %s", errOut.String())
		}
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(auditLine("4", "ResponseStarted", "create", "carol", "pods", "attach", 101, "2026-11-26T10:00:00.000000Z")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "carol"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the rotated file's alert never came: %s", out.String())
		}
	}
	cancel()
	if code := <-done; code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
}
