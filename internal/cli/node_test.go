package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/testutil"
)

const nodeAPIServer = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.34.1
    command: [kube-apiserver, --authorization-mode=Node,RBAC, --anonymous-auth=false%s]
`

func TestNodeCommandJSON(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{"/etc/kubernetes/manifests/kube-apiserver.yaml": strings.Replace(nodeAPIServer, "%s", "", 1)})
	code, out, errOut := run(t, "", "node", "--root", root, "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit code %d, want 1 (encryption-at-rest is critical); stderr: %s", code, errOut)
	}
	var doc report.JSONReport
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, r := range doc.Results {
		status[r.CheckID] = r.Status
		if r.CheckID == "apiserver-anonymous-auth" && (len(r.CIS) != 1 || r.CIS[0] != "1.2.1" || r.Location == nil || r.Location.Line != 8) {
			t.Errorf("anonymous-auth result lacks its CIS ID or location: %+v", r)
		}
	}
	for id, want := range map[string]string{
		"apiserver-anonymous-auth": "pass", "encryption-at-rest": "fail", "etcd-tls": "not-applicable", "kubelet-anonymous-auth": "not-applicable",
	} {
		if status[id] != want {
			t.Errorf("%s is %q, want %q", id, status[id], want)
		}
	}
	for _, f := range doc.Findings {
		if !strings.HasPrefix(f.CheckID, "apiserver-") && !strings.HasPrefix(f.CheckID, "encryption") && !strings.HasPrefix(f.CheckID, "audit") && !strings.HasPrefix(f.CheckID, "etcd-exposed") && !strings.HasPrefix(f.CheckID, "file-") {
			t.Errorf("unexpected finding of %s: node runs only node checks", f.CheckID)
		}
	}
}

func TestNodeCommandMissingFile(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{"/etc/kubernetes/manifests/kube-apiserver.yaml": strings.Replace(nodeAPIServer, "%s", ", --encryption-provider-config=/etc/kubernetes/enc.yaml", 1)})
	code, out, errOut := run(t, "", "node", "--root", root, "--color", "never")
	if code != ExitError {
		t.Fatalf("exit code %d, want 2 for a missing file; stderr: %s", code, errOut)
	}
	if !strings.Contains(out+errOut, "/etc/kubernetes/enc.yaml") {
		t.Errorf("the missing file is not named:\n%s%s", out, errOut)
	}
	if !strings.Contains(out, "Items: ") {
		t.Errorf("the table lacks the pass/fail/not-applicable count:\n%s", out)
	}
}

func TestNodeCommandBadRoot(t *testing.T) {
	if code, _, errOut := run(t, "", "node", "--root", filepath.Join(t.TempDir(), "missing")); code != ExitError || !strings.Contains(errOut, "not a directory") {
		t.Errorf("exit code %d, stderr %q; want 2 and a message", code, errOut)
	}
}
