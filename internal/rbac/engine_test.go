package rbac_test

import (
	"github.com/kube4c/kube4c/internal/testutil/fixture"

	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/rbac"
)

// engineFor loads YAML text and resolves its RBAC objects.
func engineFor(t testing.TB, text string) *rbac.Engine {
	t.Helper()
	return rbac.New(fixture.Inventory(t, text), rbac.Options{})
}

func mustSubject(t testing.TB, s string) rbac.Subject {
	t.Helper()
	sub, err := rbac.ParseSubject(s)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// who lists the subjects and scopes who-can finds, as "SUBJECT@SCOPE" with
// the implicit superuser left out.
func who(e *rbac.Engine, q rbac.Query, all bool) []string {
	var out []string
	for _, g := range e.WhoCan(q, all) {
		if !g.Implicit() {
			out = append(out, g.Subject.String()+"@"+g.Scope)
		}
	}
	return out
}

func expectList(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

const aggregationWorld = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
    - matchExpressions:
        - {key: example.com/aggregate-to-monitoring, operator: In, values: ["true", "yes"]}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics-reader, labels: {example.com/aggregate-to-monitoring: "yes"}}
rules:
  - nonResourceURLs: ["/metrics", "/metrics/*"]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader, labels: {example.com/aggregate-to-monitoring: "no", tier: view}}
rules:
  - apiGroups: [""]
    resources: [pods, pods/log]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: top, labels: {tier: top}}
aggregationRule:
  clusterRoleSelectors:
    - matchExpressions: [{key: tier, operator: Exists}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mid, labels: {tier: mid}}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {example.com/aggregate-to-monitoring: "yes"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: not-monitoring}
aggregationRule:
  clusterRoleSelectors:
    - matchExpressions:
        - {key: example.com/aggregate-to-monitoring, operator: NotIn, values: ["yes"]}
        - {key: tier, operator: DoesNotExist}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: prefilled}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {tier: view}}]
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: broken}
aggregationRule:
  clusterRoleSelectors:
    - matchExpressions: [{key: tier, operator: In}]
`

func TestAggregation(t *testing.T) {
	e := engineFor(t, aggregationWorld)
	rules := func(name string) []string {
		var out []string
		for _, r := range e.Role(rbac.KindClusterRole, "", name).Rules {
			out = append(out, rbac.RuleString(&r))
		}
		return out
	}
	metrics := "get on URLs /metrics,/metrics/*"
	pods := `get,list,watch on pods,pods/log in group ""`
	configmaps := `get on configmaps in group ""`
	expectList(t, "monitoring (In)", rules("monitoring"), metrics)
	expectList(t, "mid (matchLabels)", rules("mid"), metrics)
	// top gathers mid (itself aggregated) and pod-reader, by name, and
	// leaves itself out although its own label matches.
	expectList(t, "top (Exists, through mid)", rules("top"), metrics, pods)
	// NotIn matches roles without the label, DoesNotExist rules out the
	// tiers: monitoring (aggregated) and prefilled (written rules) feed it.
	expectList(t, "not-monitoring (NotIn, DoesNotExist)", rules("not-monitoring"), metrics, configmaps)
	expectList(t, "prefilled keeps its rules", rules("prefilled"), configmaps)
	expectList(t, "broken selector", rules("broken"))
	if w := e.Warnings(); len(w) != 1 || !strings.Contains(w[0], "ClusterRole/broken") {
		t.Errorf("warnings: %q", w)
	}
	top := e.Role(rbac.KindClusterRole, "", "top")
	if !top.Aggregated || top.Origins[0].Role.Name != "metrics-reader" || top.Origins[1].Role.Name != "pod-reader" || top.Origins[1].Index != 0 {
		t.Errorf("top: aggregated %t, origins %+v", top.Aggregated, top.Origins)
	}
	if e.Role(rbac.KindClusterRole, "", "prefilled").Aggregated {
		t.Error("prefilled is not aggregated")
	}
}

func TestAggregatedRoleGrants(t *testing.T) {
	e := engineFor(t, aggregationWorld+`
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: top}
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
`)
	expectList(t, "who-can get /metrics/cadvisor", who(e, rbac.Query{Verb: "get", URL: "/metrics/cadvisor"}, false), "ServiceAccount/monitoring/prometheus@")
	expectList(t, "who-can get pods/log", who(e, rbac.Query{Verb: "get", Resource: "pods", Subresource: "log", Namespace: "x"}, false), "ServiceAccount/monitoring/prometheus@")
	for _, name := range []string{"top", "mid", "metrics-reader", "pod-reader"} {
		if !e.Used(e.Role(rbac.KindClusterRole, "", name)) {
			t.Errorf("%s should count as used", name)
		}
	}
	if e.Used(e.Role(rbac.KindClusterRole, "", "prefilled")) {
		t.Error("prefilled is not used")
	}
}

const scopingWorld = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
  - nonResourceURLs: ["/metrics"]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-secrets, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
  - {kind: ServiceAccount, name: worker}
  - {kind: ServiceAccount, name: auditor, namespace: audit}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm, namespace: app}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm, namespace: other}
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cm, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm}
subjects:
  - {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: role-ref}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm}
subjects:
  - {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}
`

func TestRoleBindingToClusterRoleGrantsInItsNamespace(t *testing.T) {
	e := engineFor(t, scopingWorld)
	get := func(ns string) rbac.Query { return rbac.Query{Verb: "get", Resource: "secrets", Namespace: ns} }
	both := []string{"ServiceAccount/app/worker@app", "ServiceAccount/audit/auditor@app"}
	expectList(t, "in app", who(e, get("app"), false), both...)
	expectList(t, "in other", who(e, get("other"), false))
	expectList(t, "cluster-wide", who(e, get(""), false))
	expectList(t, "all namespaces", who(e, get(""), true), both...)
	expectList(t, "URL rules of a RoleBinding grant nothing", who(e, rbac.Query{Verb: "get", URL: "/metrics"}, true))

	worker := rbac.IdentityOf(mustSubject(t, "sa:app/worker"))
	for ns, want := range map[string]bool{"app": true, "other": false, "": false} {
		if got := e.Allowed(worker, get(ns)); got != want {
			t.Errorf("worker get secrets in %q: %t, want %t", ns, got, want)
		}
	}
}

func TestRoleReferences(t *testing.T) {
	e := engineFor(t, scopingWorld)
	for _, b := range e.Bindings() {
		wantRole := map[string]string{"RoleBinding/app/cm": "Role/app/cm", "RoleBinding/app/read-secrets": "ClusterRole/secret-reader",
			"ClusterRoleBinding/role-ref": ""}[b.Ref()]
		got := ""
		if b.Role != nil {
			got = b.Role.Ref()
		}
		if got != wantRole {
			t.Errorf("%s refers to %q, want %q", b.Ref(), got, wantRole)
		}
	}
	// A Role is looked up in the binding's namespace only; a
	// ClusterRoleBinding to a Role grants nothing.
	expectList(t, "delete configmaps in other", who(e, rbac.Query{Verb: "delete", Resource: "configmaps", Namespace: "other"}, true))
	expectList(t, "get configmaps", who(e, rbac.Query{Verb: "get", Resource: "configmaps", Namespace: "app"}, false), "User/alice@app")
	// A ClusterRoleBinding's service account without a namespace is nobody.
	if e.Allowed(rbac.IdentityOf(mustSubject(t, "sa:default/default")), rbac.Query{Verb: "get", Resource: "secrets"}) {
		t.Error("a service account subject without namespace in a ClusterRoleBinding must grant nothing")
	}
}

const groupWorld = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-sas}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all-sas, namespace: shared}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: everyone, namespace: public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: anonymous, namespace: open}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: by-username, namespace: named}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: User, name: "system:serviceaccount:ci:builder", apiGroup: rbac.authorization.k8s.io}]
`

func TestServiceAccountAndAuthenticatedGroups(t *testing.T) {
	e := engineFor(t, groupWorld)
	ids := map[string]rbac.Identity{
		"ci builder": rbac.IdentityOf(mustSubject(t, "sa:ci/builder")),
		"web sa":     rbac.IdentityOf(mustSubject(t, "sa:web/default")),
		"alice":      rbac.IdentityOf(mustSubject(t, "user:alice")),
		"anonymous":  rbac.IdentityOf(mustSubject(t, "user:system:anonymous")),
	}
	// namespace -> who may list pods there
	want := map[string][]string{
		"anywhere": {"ci builder"},
		"shared":   {"ci builder", "web sa"},
		"public":   {"ci builder", "web sa", "alice"},
		"open":     {"ci builder", "anonymous"},
		"named":    {"ci builder"},
	}
	for ns, allowed := range want {
		for name, id := range ids {
			q := rbac.Query{Verb: "list", Resource: "pods", Namespace: ns}
			if got := e.Allowed(id, q); got != slices.Contains(allowed, name) {
				t.Errorf("%s lists pods in %s: %t", name, ns, got)
			}
		}
	}
}

func TestSuperuser(t *testing.T) {
	e := engineFor(t, groupWorld)
	g := e.WhoCan(rbac.Query{Verb: "*", Group: "*", Resource: "*"}, true)
	if len(g) != 1 || !g[0].Implicit() || g[0].Subject.String() != "Group/system:masters" {
		t.Fatalf("who-can * * -A: %+v", g)
	}
	root := rbac.IdentityOf(mustSubject(t, "user:root"), rbac.GroupMasters)
	if !e.Allowed(root, rbac.Query{Verb: "delete", Resource: "nodes"}) || !e.Allowed(root, rbac.Query{Verb: "post", URL: "/x"}) {
		t.Error("system:masters is allowed everything")
	}
	perms := e.Can(root, "")
	if len(perms) != 3 || perms[0].String() != `* on * in group *` || perms[1].String() != "* on URLs *" || perms[0].Via[0].Binding != nil {
		t.Errorf("can root: %v", perms)
	}
}

func TestOlderAPIVersions(t *testing.T) {
	e := engineFor(t, `
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRole
metadata: {name: beta, labels: {agg: "yes"}}
rules:
  - apiGroups: [""]
    resources: [secrets]
    resourceNames: [tls]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1alpha1
kind: ClusterRole
metadata: {name: alpha}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]}
---
apiVersion: rbac.authorization.k8s.io/v1alpha1
kind: RoleBinding
metadata: {name: alpha, namespace: ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: alpha}
subjects: [{kind: ServiceAccount, name: app}]
---
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRoleBinding
metadata: {name: beta}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: beta}
subjects: [{kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]
`)
	q := rbac.Query{Verb: "get", Resource: "secrets", Name: "tls", Namespace: "ns"}
	expectList(t, "get secrets/tls", who(e, q, false), "Group/devs@", "ServiceAccount/ns/app@ns")
	q.Name = ""
	expectList(t, "get secrets", who(e, q, false))
}

func TestLaterDuplicateWins(t *testing.T) {
	role := func(verb string) string {
		return "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [''], resources: [pods], verbs: [" + verb + "]}]\n---\n"
	}
	e := engineFor(t, role("get")+role("delete")+`apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects: [{kind: User, name: alice}]
`)
	if len(e.Roles()) != 1 {
		t.Fatalf("roles: %d", len(e.Roles()))
	}
	expectList(t, "delete", who(e, rbac.Query{Verb: "delete", Resource: "pods"}, false), "User/alice@")
	expectList(t, "get", who(e, rbac.Query{Verb: "get", Resource: "pods"}, false))
	expectList(t, "warnings", e.Warnings(), "1 RBAC objects are defined more than once; the last definition of each counts: ClusterRole/r (2)")
}

func TestNamespacedObjectsWithoutNamespaceAreInDefault(t *testing.T) {
	e := engineFor(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: app}]
`)
	get := rbac.Query{Verb: "get", Resource: "secrets"}
	expectList(t, "cluster-wide", who(e, get, false))
	expectList(t, "all namespaces", who(e, get, true), "ServiceAccount/default/app@default")
}

func TestCanMergesAndSorts(t *testing.T) {
	e := engineFor(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a}
rules:
  - {apiGroups: [""], resources: [pods], verbs: [list, get]}
  - {apiGroups: [""], resources: [pods], verbs: [watch, get]}
  - {apiGroups: [""], resources: [services], verbs: [get, list, watch]}
  - {apiGroups: [apps], resources: [deployments, "*"], verbs: [get]}
  - {nonResourceURLs: [/metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b}
rules:
  - {apiGroups: [""], resources: [secrets], resourceNames: [tls], verbs: [get]}
  - {nonResourceURLs: [/healthz], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: a}
subjects: [{kind: Group, name: devs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: b}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: a, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: a}
subjects: [{kind: User, name: alice}]
`)
	alice := rbac.IdentityOf(mustSubject(t, "user:alice"), "devs")
	var got []string
	for _, p := range e.Can(alice, "") {
		got = append(got, p.Scope+": "+p.String())
	}
	expectList(t, "can alice (in devs)", got,
		`: get,list,watch on pods,services in group ""`,
		`: get on * in group apps`,
		`: get on URLs /metrics`,
		`team: get,list,watch on pods,services in group ""`,
		`team: get on secrets named tls in group ""`,
		`team: get on * in group apps`,
	)
	if perms := e.Can(alice, "elsewhere"); len(perms) != 3 {
		t.Errorf("in another namespace only the cluster-wide rules hold: %v", perms)
	}
}
