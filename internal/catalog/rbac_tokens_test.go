package catalog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

const tokenWorld = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: metrics-token, namespace: shop}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [metrics-reader], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: metrics-token, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: metrics-token}
subjects: [{kind: User, name: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: metrics-reader, namespace: shop}
rules: [{apiGroups: [metrics.k8s.io], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: metrics-reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: metrics-reader}
subjects: [{kind: ServiceAccount, name: metrics-reader}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer-token, namespace: shop}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [deployer, metrics-reader], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-token, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer-token}
subjects: [{kind: User, name: release}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer, namespace: shop}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: controller-token}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [namespace-controller], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: controller-token, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: controller-token}
subjects: [{kind: User, name: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: any-token, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: any-token}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: any-token}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]
`

// rbac-create-tokens limited by resourceNames to named accounts is rated
// by what those accounts can do (the built-in controllers' bindings
// included), not as a token for any account.
func TestCreateTokensIsRatedByTheNamedAccounts(t *testing.T) {
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: strings.NewReader(tokenWorld)})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	set, err := bootstrap.Load(bootstrap.Latest())
	if err != nil {
		t.Fatal(err)
	}
	for _, complete := range []bool{true, false} {
		ratesNamedTokens(t, res.Objects, set, complete)
	}
}

func ratesNamedTokens(t *testing.T, objects []*inventory.Object, set *bootstrap.Set, complete bool) {
	env := check.Env{Now: time.Now(), Complete: complete, EngineOptions: check.EngineOptions{RBAC: rbac.Options{Builtin: set}}}
	findings, failures, _ := check.Run(context.Background(), inventory.New(objects), []*check.Check{check.Default.Get("rbac-create-tokens")}, env)
	if len(failures) > 0 {
		t.Fatal(failures[0].Err)
	}
	// Accounts with nothing kube4c can see are low in a whole cluster,
	// medium in files (their grants may be in other files).
	nothing := check.Medium
	if complete {
		nothing = check.Low
	}
	want := map[string]struct {
		severity check.Severity
		says     string
	}{
		"metrics-token":    {nothing, `no risk kube4c checks`},
		"deployer-token":   {check.Critical, `rated by what those accounts can do: ServiceAccount "shop/deployer" can impersonate other identities in namespace "shop"`}, // edit
		"deployer":         {check.High, `create service account tokens in namespace "shop"`},                                                                            // edit: any account of shop
		"controller-token": {check.Critical, `ServiceAccount "kube-system/namespace-controller" can read secrets cluster-wide`},
		"any-token":        {check.High, `create service account tokens in namespace "shop"`},
	}
	for _, f := range findings {
		w, ok := want[f.Object.Name()]
		if !ok {
			t.Errorf("unexpected finding on %s: %s", f.Object.Ref(), f.Message)
			continue
		}
		delete(want, f.Object.Name())
		if f.Severity != w.severity || !strings.Contains(f.Message, w.says) {
			t.Errorf("complete=%v: %s: %s %s; want %s and %q", complete, f.Object.Name(), f.Severity, f.Message, w.severity, w.says)
		}
	}
	for name := range want {
		t.Errorf("no finding on %s", name)
	}
}
