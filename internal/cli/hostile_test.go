package cli

import (
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/testutil"
)

// hostileManifests hold names with control characters (a YAML
// double-quoted "\e[2J" clears the screen): a Pod that does not decode,
// and a binding to a role that is not in the input.
const hostileManifests = `apiVersion: v1
kind: Pod
metadata: {name: "pod\e[2J", namespace: default}
spec: {containers: 3}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "binding\e[2J"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "role\e[2J"}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: "mallory\e[2J"}]
`

// The errors and warnings that commands print on standard error beside
// their report escape names as the reports do.
func TestStderrEscapesControlCharacters(t *testing.T) {
	dir := testutil.WriteTree(t, map[string]string{"/hostile.yaml": hostileManifests})
	for _, args := range [][]string{
		{"rbac", "who-can", "get", "pods", "-f", dir},
		{"netpol", "reach", dir},
		{"scan", "-o", "json", dir},
	} {
		_, _, errOut := run(t, "", args...)
		if !strings.Contains(errOut, `\x1b[2J`) {
			t.Errorf("%v: stderr does not name the hostile objects:\n%q", args, errOut)
		}
		if strings.Contains(errOut, "\x1b") {
			t.Errorf("%v: stderr holds a raw escape:\n%q", args, errOut)
		}
	}
}
