package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes kube4c with args and stdin, returning its exit code, stdout
// and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(strings.NewReader(stdin), &out, &errOut)
	root.SetArgs(args)
	code := Execute(root)
	return code, out.String(), errOut.String()
}

const examples = "../../examples"

func TestScanExamplesReportsTheDeliberateMistakes(t *testing.T) {
	code, out, errOut := run(t, "", "scan", "--color", "never", examples)
	if code != ExitFindings {
		t.Fatalf("exit code %d, want 1; stderr: %s", code, errOut)
	}
	for _, want := range []string{
		"privileged-container", "examples/shop/40-log-agent.yaml:22:13",
		"container-runtime-socket", "examples/shop/30-build-runner.yaml:29:13",
		"service-loadbalancer-open", "examples/shop/10-storefront.yaml:50:3",
		"rbac-wildcard", "examples/shop/30-build-runner.yaml:57:5",
		"ingress-no-tls", "examples/shop/10-storefront.yaml:64:1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes with --color never")
	}
}

func TestExitCodes(t *testing.T) {
	good := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n"
	privileged := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n"
	broken := "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: c, ports: [{containerPort: eighty}]}]}\n"
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  int
	}{
		{"clean", good, []string{"scan", "-"}, ExitOK},
		{"finding above threshold", privileged, []string{"scan", "--checks", "privileged-container", "-"}, ExitFindings},
		{"finding below threshold", privileged, []string{"scan", "--checks", "privileged-container", "--fail-on", "none", "-"}, ExitOK},
		{"finding below custom threshold", privileged, []string{"scan", "--checks", "writable-root-filesystem", "--fail-on", "high", "-"}, ExitOK},
		{"input error wins", privileged + "---\n" + broken, []string{"scan", "--checks", "privileged-container", "-"}, ExitError},
		{"unknown check", good, []string{"scan", "--checks", "no-such-check", "-"}, ExitError},
		{"unknown format", good, []string{"scan", "-o", "yaml", "-"}, ExitError},
		{"bad fail-on", good, []string{"scan", "--fail-on", "severe", "-"}, ExitError},
		{"bad pss version", good, []string{"scan", "--pss-version", "v1.99", "-"}, ExitError},
		{"pss version", privileged, []string{"scan", "--checks", "pss-baseline", "--pss-version", "v1.20", "-"}, ExitFindings},
		{"no path", "", []string{"scan"}, ExitError},
		{"unknown flag", "", []string{"scan", "--bogus", "-"}, ExitError},
		{"missing file", "", []string{"scan", "/no/such/file.yaml"}, ExitError},
		{"empty stdin", "", []string{"scan", "-"}, ExitError},
		{"stdin without objects", "# nothing\n---\n", []string{"scan", "-"}, ExitError},
		{"empty List", "apiVersion: v1\nitems: []\nkind: List\n", []string{"scan", "-"}, ExitOK},
		{"newline-delimited JSON", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"apps"}}` + "\n" +
			`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}`,
			[]string{"scan", "--checks", "privileged-container", "-"}, ExitFindings},
		{"JSON array", `[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}]`,
			[]string{"scan", "--checks", "privileged-container", "-"}, ExitFindings},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, c.stdin, c.args...)
			if code != c.want {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, c.want, out, errOut)
			}
		})
	}
}

func TestInputErrorDoesNotHideFindings(t *testing.T) {
	stdin := "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: c, ports: [{containerPort: eighty}]}]}\n---\n" +
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n"
	code, out, _ := run(t, stdin, "scan", "-o", "json", "--checks", "privileged-container", "-")
	if code != ExitError {
		t.Fatalf("exit code %d", code)
	}
	var rep struct {
		Findings []struct {
			CheckID string `json:"checkId"`
		} `json:"findings"`
		InputErrors []struct {
			Location struct{ Line int } `json:"location"`
		} `json:"inputErrors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].CheckID != "privileged-container" || len(rep.InputErrors) != 1 || rep.InputErrors[0].Location.Line != 4 {
		t.Errorf("got %+v", rep)
	}
}

func TestOutputFileAndSkipChecks(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.sarif")
	code, out, _ := run(t, "", "scan", "-o", "sarif", "--output-file", file, "--skip-checks", "privileged-container", examples)
	if code != ExitFindings || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"container-runtime-socket"`)) || bytes.Contains(data, []byte(`"ruleId": "privileged-container"`)) {
		t.Error("sarif output does not reflect --skip-checks")
	}
}

func TestConfigExceptionsAndExpiry(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: ops}\nspec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n")
	write(".kube4c.yaml", `exceptions:
  - checks: [privileged-container]
    names: [agent]
    reason: node agent
    expires: 2000-01-01
`)
	code, out, errOut := run(t, "", "scan", "--checks", "privileged-container,exception-expired", "--color", "never", dir)
	if code != ExitFindings || !strings.Contains(out, "exception-expired") || !strings.Contains(out, "privileged-container") {
		t.Fatalf("expired exception: exit %d\n%s\n%s", code, out, errOut)
	}
	write(".kube4c.yaml", `exceptions:
  - checks: [privileged-container]
    names: [agent]
    reason: node agent
    expires: 2999-01-01
`)
	code, out, _ = run(t, "", "scan", "--checks", "privileged-container,exception-expired", "--show-suppressed", "--color", "never", dir)
	if code != ExitOK || !strings.Contains(out, "node agent") {
		t.Fatalf("valid exception: exit %d\n%s", code, out)
	}
	write(".kube4c.yaml", "exceptions:\n  - checks: [privileged-containr]\n    reason: typo\n")
	code, _, errOut = run(t, "", "scan", dir)
	if code != ExitError || !strings.Contains(errOut, `did you mean "privileged-container"`) || !strings.Contains(errOut, ".kube4c.yaml:2:") {
		t.Fatalf("config error: exit %d, stderr %s", code, errOut)
	}
}

func TestChecksCommand(t *testing.T) {
	code, out, _ := run(t, "", "checks")
	if code != ExitOK || !strings.Contains(out, "privileged-container") || !strings.Contains(out, "LAYER") {
		t.Fatalf("checks table: %d %s", code, out)
	}
	code, out, _ = run(t, "", "checks", "-o", "json")
	var list []map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) < 5 {
		t.Fatalf("checks json: %d %s", code, out)
	}
	code, _, _ = run(t, "", "checks", "-o", "xml")
	if code != ExitError {
		t.Errorf("unknown checks format: exit %d", code)
	}
}

// A check ID of the wrong door is a usage error: a scan asked to run only
// an audit-log rule would otherwise run nothing and pass.
func TestChecksOfTheWrongDoor(t *testing.T) {
	if code, _, errOut := run(t, "", "scan", "--checks", "audit-pod-exec", examples); code != ExitError || !strings.Contains(errOut, "audit-pod-exec is an audit-log rule") {
		t.Errorf("scan --checks audit-pod-exec: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "scan", "--skip-checks", "audit-pod-exec", examples); code != ExitError {
		t.Errorf("scan --skip-checks audit-pod-exec: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "audit", "analyze", "--checks", "privileged-container", "-"); code != ExitError || !strings.Contains(errOut, "privileged-container is a check of kube4c scan") {
		t.Errorf("audit analyze --checks privileged-container: exit %d, %s", code, errOut)
	}
	_, out, _ := run(t, "", "checks", "-o", "json")
	var listed []struct {
		ID        string `json:"id"`
		AuditRule bool   `json:"auditRule"`
	}
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"audit-pod-exec": true, "audit-forbidden-burst": true, "audit-policy": false, "privileged-container": false}
	for _, c := range listed {
		if w, ok := want[c.ID]; ok && c.AuditRule != w {
			t.Errorf("checks -o json: %s has auditRule %v", c.ID, c.AuditRule)
		}
	}
}

// Names of formats and severities are taken in any case.
func TestFlagValuesInAnyCase(t *testing.T) {
	code, out, errOut := run(t, "", "scan", "-o", "JSON", "--fail-on", "HIGH", "--color", "NEVER", examples)
	if code != ExitFindings || !json.Valid([]byte(out)) {
		t.Errorf("exit %d, stderr %s, valid JSON %v", code, errOut, json.Valid([]byte(out)))
	}
}

func TestVersionCommand(t *testing.T) {
	if code, out, _ := run(t, "", "version"); code != ExitOK || !strings.HasPrefix(out, "kube4c ") {
		t.Errorf("exit %d: %q", code, out)
	}
}

// A kustomization directory is an input error unless --allow-unrendered;
// with it, the resources are scanned and the patches are not.
func TestScanKustomizationDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("kustomization.yaml", "resources: [pod.yaml]\npatches: [{path: patch.yaml}]\n")
	write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec: {containers: [{name: c, image: x}]}\n")
	write("patch.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec: {containers: [{name: c, securityContext: {privileged: true}}]}\n")
	code, out, errOut := run(t, "", "scan", "--color", "never", "--checks", "privileged-container", dir)
	if code != ExitError || !strings.Contains(out, "kubectl kustomize "+dir+" | kube4c scan -") {
		t.Fatalf("exit %d, want 2 with the hint\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, "", "scan", "--color", "never", "--checks", "privileged-container", "--allow-unrendered", dir)
	if code != ExitOK || strings.Contains(out, "CRITICAL") {
		t.Fatalf("--allow-unrendered: exit %d, want 0 and the patch not scanned\n%s\n%s", code, out, errOut)
	}
}
