package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// wildcardForThree binds a wildcard ClusterRole to three subjects.
const wildcardForThree = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
subjects:
  - {kind: User, name: alice}
  - {kind: Group, name: ops}
  - {kind: ServiceAccount, name: ci, namespace: ci}
`

// foldedReport is the part of the JSON report the fold tests read.
type foldedReport struct {
	Findings   []foldedFinding `json:"findings"`
	Suppressed []foldedFinding `json:"suppressed"`
}

type foldedFinding struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	Message  string `json:"message"`
	Details  []struct {
		CheckID  string `json:"checkId"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	} `json:"details"`
}

func (f foldedFinding) detailIDs() []string {
	var ids []string
	for _, d := range f.Details {
		ids = append(ids, d.CheckID)
	}
	return ids
}

func scanFolded(t *testing.T, dir string, args ...string) foldedReport {
	t.Helper()
	_, out, errOut := run(t, "", append(append([]string{"scan", "-o", "json", "--fail-on", "none"}, args...), dir)...)
	var rep foldedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	return rep
}

// One root cause, one finding: the risks a binding grants one subject
// are one finding at the severity of the worst, which lists each risk
// (check ID, severity, message). Each risk check is still selected and
// suppressed by its own ID.
func TestRBACRisksFoldIntoOneFindingPerBindingSubject(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("rbac.yaml", wildcardForThree)

	rep := scanFolded(t, dir)
	if len(rep.Findings) != 3 {
		t.Fatalf("%d findings, want one per subject (3)", len(rep.Findings))
	}
	var risks []string
	for i, f := range rep.Findings {
		if f.CheckID != "rbac-cluster-admin" || f.Severity != "critical" || f.Path != "subjects["+string(rune('0'+i))+"]" {
			t.Errorf("finding %d: %s %s at %s", i, f.CheckID, f.Severity, f.Path)
		}
		risks = f.detailIDs()
		if len(risks) != 15 || risks[0] != "rbac-cluster-admin" || !slices.Contains(risks, "rbac-read-secrets") || !slices.Contains(risks, "rbac-modify-status") {
			t.Errorf("finding %d lists %v", i, risks)
		}
		if !strings.Contains(f.Message, "; read secrets [rbac-read-secrets, critical];") {
			t.Errorf("finding %d does not name the other risks: %s", i, f.Message)
		}
	}
	for _, d := range rep.Findings[0].Details {
		if d.Message == "" || d.Severity == "" {
			t.Errorf("detail %+v", d)
		}
	}

	// --checks runs one risk: one finding per subject, of that check only.
	rep = scanFolded(t, dir, "--checks", "rbac-read-secrets")
	if len(rep.Findings) != 3 || rep.Findings[0].CheckID != "rbac-read-secrets" || len(rep.Findings[0].Details) != 0 {
		t.Errorf("--checks rbac-read-secrets: %+v", rep.Findings)
	}

	// An exception for one risk takes it out of the folded finding.
	write(".kube4c.yaml", "exceptions:\n  - checks: [rbac-cluster-admin, rbac-read-secrets]\n    names: [ops]\n    reason: break-glass group\n")
	rep = scanFolded(t, dir, "--show-suppressed")
	if len(rep.Findings) != 3 || len(rep.Suppressed) != 3 {
		t.Fatalf("%d findings and %d suppressed, want 3 and 3", len(rep.Findings), len(rep.Suppressed))
	}
	f := rep.Findings[0]
	if f.CheckID == "rbac-cluster-admin" || f.Severity != "critical" || slices.Contains(f.detailIDs(), "rbac-read-secrets") || len(f.Details) != 13 {
		t.Errorf("the suppressed risks are still in the finding: %s %v", f.CheckID, f.detailIDs())
	}
	if s := rep.Suppressed[0]; s.CheckID != "rbac-cluster-admin" || !slices.Equal(s.detailIDs(), []string{"rbac-cluster-admin", "rbac-read-secrets"}) {
		t.Errorf("suppressed: %s %v", s.CheckID, s.detailIDs())
	}

	// So does the ignore annotation of the binding.
	os.Remove(filepath.Join(dir, ".kube4c.yaml"))
	write("rbac.yaml", strings.Replace(wildcardForThree, "metadata: {name: ops}", "metadata: {name: ops, annotations: {kube4c.io/ignore: rbac-wildcard}}", 1))
	rep = scanFolded(t, dir)
	if len(rep.Findings) != 3 || len(rep.Findings[0].Details) != 14 || slices.Contains(rep.Findings[0].detailIDs(), "rbac-wildcard") {
		t.Errorf("annotation: %d findings, %v", len(rep.Findings), rep.Findings[0].detailIDs())
	}
}
