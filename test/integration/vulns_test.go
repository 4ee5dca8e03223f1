//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scan --cluster joins scanner reports to the workloads of the live
// cluster as a file scan does.
func TestClusterScanJoinsScannerReports(t *testing.T) {
	apply(t, admin, load(t, filepath.Join("..", "..", "examples")))
	report := filepath.Join(t.TempDir(), "shipper.json")
	if err := os.WriteFile(report, []byte(`{"SchemaVersion": 2, "ArtifactName": "registry.example.com/logging/shipper:3.1.4",
  "ArtifactType": "container_image", "Results": [{"Target": "x", "Vulnerabilities": [
    {"VulnerabilityID": "CVE-2024-5535", "PkgName": "libssl3", "InstalledVersion": "3.3.1-r0", "FixedVersion": "3.3.1-r1", "Severity": "CRITICAL"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", adminKubeconfig, "-q", "-o", "json", "--fail-on", "none",
		"--checks", "image-vulnerability", "--vulns", report)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := parseReport(t, out)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Object.Kind+"/"+f.Object.Namespace+"/"+f.Object.Name+" "+f.Severity+" "+f.Message)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "DaemonSet/logging/log-agent critical ") || !strings.Contains(got[0], `"CVE-2024-5535"`) {
		t.Errorf("findings %q, want the log agent's critical vulnerability", got)
	}
}
