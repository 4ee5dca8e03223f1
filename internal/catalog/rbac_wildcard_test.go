package catalog

import "testing"

func TestRBACWildcard(t *testing.T) {
	text := `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: admin-ish}
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get]
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: Role
metadata: {name: r, namespace: ns}
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: ["*"]
`
	f := scanText(t, "rbac-wildcard", text)
	expectFindings(t, f, "rules[1].verbs", "rules[0].verbs")
	if f[0].Object.Kind() != "ClusterRole" || f[1].Object.Kind() != "Role" {
		t.Errorf("objects: %s, %s", f[0].Object.Ref(), f[1].Object.Ref())
	}
	nearMiss := `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: ns}
rules:
  - apiGroups: [""]
    resources: [pods, pods/log]
    verbs: [get, list, watch]
  - nonResourceURLs: ["/metrics*"]
    verbs: [get]
`
	expectFindings(t, scanText(t, "rbac-wildcard", nearMiss))
}
