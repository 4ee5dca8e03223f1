package rbac_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
	"github.com/kube4c/kube4c/internal/testutil/fixture"
)

func latestBuiltin(t testing.TB) *bootstrap.Set {
	t.Helper()
	set, err := bootstrap.Load(bootstrap.Latest())
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// builtinEngine resolves the RBAC objects of text with the newest
// built-in roles.
func builtinEngine(t testing.TB, text string) *rbac.Engine {
	t.Helper()
	return rbac.New(fixture.Inventory(t, text), rbac.Options{Builtin: latestBuiltin(t)})
}

// Without any input, kube4c's aggregation of the built-in sources gives
// admin, edit and view exactly the rules the aggregation controller gave
// them (the data set), in the same order.
func TestBuiltinAggregatedRolesAreRecomputedAsTheControllerDid(t *testing.T) {
	set := latestBuiltin(t)
	e := builtinEngine(t, "")
	aggregated := 0
	for _, want := range set.ClusterRoles {
		r := e.Role(rbac.KindClusterRole, "", want.Name)
		if r == nil || r.Builtin != rbac.BuiltinSupplied || r.BuiltinVersion != set.Version {
			t.Fatalf("ClusterRole %s: %+v", want.Name, r)
		}
		if want.AggregationRule == nil {
			continue
		}
		aggregated++
		if !r.Aggregated || len(r.Rules) != len(want.Rules) {
			t.Errorf("%s: %d rules (aggregated %v), the controller gave %d", want.Name, len(r.Rules), r.Aggregated, len(want.Rules))
			continue
		}
		for i := range want.Rules {
			if r.Rules[i].String() != want.Rules[i].String() {
				t.Errorf("%s rules[%d]: %s, the controller gave %s", want.Name, i, r.Rules[i].String(), want.Rules[i].String())
			}
		}
	}
	if aggregated < 3 {
		t.Errorf("%d aggregated built-in ClusterRoles, want admin, edit and view", aggregated)
	}
	if len(e.Bindings()) != 0 {
		t.Errorf("built-in bindings are not supplied: %d", len(e.Bindings()))
	}
}

// A ClusterRole of the input labelled to aggregate into view adds its
// rules to the built-in view, edit and admin, as on a cluster.
func TestInputRolesAggregateIntoBuiltinRoles(t *testing.T) {
	e := builtinEngine(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, name: devs}]
`)
	q := rbac.Query{Verb: "get", Group: "example.com", Resource: "widgets", Namespace: "shop"}
	expectList(t, "who can get widgets in shop", who(e, q, false), "Group/devs@shop")
	q = rbac.Query{Verb: "get", Resource: "secrets", Namespace: "shop"}
	expectList(t, "who can get secrets in shop", who(e, q, false), "Group/devs@shop")
}

// The input's objects that bear built-in names are compared with the
// data set: the bootstrap policy read back from a cluster is as shipped,
// a role with other rules or another aggregation rule is changed, and
// rules that differ only in order are the same.
func TestInputRolesWithBuiltinNamesAreClassified(t *testing.T) {
	set := latestBuiltin(t)
	var objs []*inventory.Object
	for i := range set.ClusterRoles {
		cr := set.ClusterRoles[i].DeepCopy()
		switch cr.Name {
		case "system:basic-user": // the same rules, in another order
			for j, k := 0, len(cr.Rules)-1; j < k; j, k = j+1, k-1 {
				cr.Rules[j], cr.Rules[k] = cr.Rules[k], cr.Rules[j]
			}
			for j := range cr.Rules {
				v := cr.Rules[j].Verbs
				for a, b := 0, len(v)-1; a < b; a, b = a+1, b-1 {
					v[a], v[b] = v[b], v[a]
				}
			}
		case "system:discovery":
			cr.Rules = append(cr.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}})
		case "view":
			cr.AggregationRule = &rbacv1.AggregationRule{}
		case "edit":
			cr.Rules = cr.Rules[:1] // the served rules of an aggregated role are the controller's business
		}
		objs = append(objs, &inventory.Object{GVK: rbacv1.SchemeGroupVersion.WithKind(rbac.KindClusterRole), Obj: cr, Meta: cr})
	}
	e := rbac.New(inventory.New(objs), rbac.Options{Builtin: set})
	want := map[string]rbac.Builtin{"system:basic-user": rbac.BuiltinAsShipped, "system:discovery": rbac.BuiltinChanged,
		"view": rbac.BuiltinChanged, "edit": rbac.BuiltinAsShipped, "cluster-admin": rbac.BuiltinAsShipped}
	for name, w := range want {
		if got := e.Role(rbac.KindClusterRole, "", name).Builtin; got != w {
			t.Errorf("%s: %v, want %v", name, got, w)
		}
	}
	for _, r := range e.Roles() {
		if r.Builtin == rbac.BuiltinSupplied && r.Kind == rbac.KindClusterRole {
			t.Errorf("%s is supplied though the input has it", r.Ref())
		}
	}
	if r := e.Role(rbac.KindRole, "kube-system", "system:controller:token-cleaner"); r == nil || r.Builtin != rbac.BuiltinSupplied {
		t.Errorf("the built-in Role kube-system/system:controller:token-cleaner is not supplied: %+v", r)
	}
	if e.BuiltinVersion() != set.Version {
		t.Errorf("BuiltinVersion %q", e.BuiltinVersion())
	}
}

// Bindings with built-in names are compared subject by subject: the
// shipped subjects of a binding to an unchanged built-in role are
// expected, an added subject is not, and nothing is expected of a
// binding whose role changed or that refers to another role.
func TestBuiltinBindingsAreComparedBySubject(t *testing.T) {
	e := builtinEngine(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:kube-scheduler"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kube-scheduler"}
subjects:
  - {kind: User, name: "system:kube-scheduler", apiGroup: rbac.authorization.k8s.io}
  - {kind: User, name: mallory, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:node-proxier"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: "system:kube-proxy", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "system:controller:token-cleaner", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "system:controller:token-cleaner"}
subjects: [{kind: ServiceAccount, name: token-cleaner}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "system:controller:bootstrap-signer", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "system:controller:bootstrap-signer"}
subjects: [{kind: ServiceAccount, name: bootstrap-signer, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "system:controller:bootstrap-signer", namespace: kube-system}
rules: [{apiGroups: [""], resources: [secrets], verbs: ["*"]}]
`)
	type want struct {
		builtin         rbac.Builtin
		expected, added []bool
	}
	for ref, w := range map[string]want{
		"ClusterRoleBinding/system:kube-scheduler": {rbac.BuiltinChanged, []bool{true, false}, []bool{false, true}},
		"ClusterRoleBinding/system:node-proxier":   {rbac.BuiltinChanged, []bool{false}, []bool{false}},
		// The subject's namespace defaults to the binding's, as shipped.
		"RoleBinding/kube-system/system:controller:token-cleaner":    {rbac.BuiltinAsShipped, []bool{true}, []bool{false}},
		"RoleBinding/kube-system/system:controller:bootstrap-signer": {rbac.BuiltinAsShipped, []bool{false}, []bool{false}},
	} {
		var b *rbac.Binding
		for _, x := range e.Bindings() {
			if x.Ref() == ref {
				b = x
			}
		}
		if b == nil || b.Builtin != w.builtin {
			t.Errorf("%s: %+v, want %v", ref, b, w.builtin)
			continue
		}
		for i := range w.expected {
			if b.Expected(i) != w.expected[i] || b.AddedSubject(i) != w.added[i] {
				t.Errorf("%s subjects[%d]: expected %v added %v, want %v %v", ref, i, b.Expected(i), b.AddedSubject(i), w.expected[i], w.added[i])
			}
		}
	}
}
