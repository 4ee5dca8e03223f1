package rbac

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
)

// Options say what an Engine knows beside the inventory.
type Options struct {
	// Builtin is the bootstrap policy of the cluster's Kubernetes version
	// (bootstrap.Load): a role the input lacks is taken from it, and the
	// input's objects that bear its names are compared with it. Nil knows
	// no built-in object.
	Builtin *bootstrap.Set
}

// Builtin says how a role or binding relates to the bootstrap policy of
// the engine's Kubernetes version.
type Builtin int

const (
	// NotBuiltin: the bootstrap policy has no object of that kind and name.
	NotBuiltin Builtin = iota
	// BuiltinSupplied: the input lacks the object; kube4c supplies the
	// bootstrap policy's, as every cluster of the version has it.
	BuiltinSupplied
	// BuiltinAsShipped: the input's object is the bootstrap policy's,
	// unchanged.
	BuiltinAsShipped
	// BuiltinChanged: the input's object bears a name of the bootstrap
	// policy with other content (rules, aggregation rule, role reference
	// or subjects): it overrides the built-in one.
	BuiltinChanged
)

// String names the state in JSON output: "", "supplied", "as-shipped" or
// "changed".
func (b Builtin) String() string {
	return [...]string{"", "supplied", "as-shipped", "changed"}[b]
}

// builtinRoles adds the bootstrap policy's roles that the input lacks and
// classifies the input's roles that bear their names. A built-in
// aggregated ClusterRole gets its rules again from the ClusterRoles its
// selectors match, built-in or not, as the aggregation controller gives
// them on a cluster.
func (e *Engine) builtinRoles(set *bootstrap.Set, position map[*Role]int) {
	if set == nil {
		return
	}
	e.builtinVersion = set.Version
	for i := range set.ClusterRoles {
		cr := &set.ClusterRoles[i]
		e.builtinRole(KindClusterRole, cr, cr.Rules, cr.AggregationRule, position)
	}
	for i := range set.Roles {
		r := &set.Roles[i]
		e.builtinRole(KindRole, r, r.Rules, nil, position)
	}
	var changed []string
	for _, r := range e.roles {
		if r != nil && r.Builtin == BuiltinChanged {
			changed = append(changed, r.Ref())
		}
	}
	if len(changed) > 0 {
		e.warnings = append(e.warnings, fmt.Sprintf("%d roles of the input override built-in roles of Kubernetes %s with other rules: %s",
			len(changed), set.Version, strings.Join(changed, ", ")))
	}
}

// builtinObject is what a role of the bootstrap policy needs from the
// inventory: a typed object and its metadata.
type builtinObject interface {
	runtime.Object
	metav1.Object
}

func (e *Engine) builtinRole(kind string, obj builtinObject, rules []rbacv1.PolicyRule, agg *rbacv1.AggregationRule, position map[*Role]int) {
	key := roleKey{kind, obj.GetNamespace(), obj.GetName()}
	if r := e.roleByKey[key]; r != nil {
		r.Builtin, r.BuiltinVersion = BuiltinChanged, e.builtinVersion
		if reflect.DeepEqual(r.aggregation, agg) && (agg != nil || sameRules(r.Rules, rules)) {
			r.Builtin = BuiltinAsShipped
		}
		return
	}
	r := &Role{Object: &inventory.Object{GVK: rbacv1.SchemeGroupVersion.WithKind(kind), Obj: obj, Meta: obj},
		Kind: kind, Namespace: key.namespace, Name: key.name, Rules: rules, aggregation: agg, Builtin: BuiltinSupplied, BuiltinVersion: e.builtinVersion}
	if agg != nil {
		r.Rules = nil // gathered again by aggregate
	}
	r.Origins = make([]RuleOrigin, len(r.Rules))
	for i := range r.Origins {
		r.Origins[i] = RuleOrigin{Role: r, Index: i}
	}
	e.roleByKey[key] = r
	position[r] = len(e.roles)
	e.roles = append(e.roles, r)
}

// builtinBindings compares the input's bindings that bear names of the
// bootstrap policy with its bindings, subject by subject. Built-in
// bindings the input lacks are not added: they bind the control plane's
// own identities, which manifests do not deploy.
func (e *Engine) builtinBindings(set *bootstrap.Set, byKey map[roleKey]*Binding) {
	if set == nil {
		return
	}
	for i := range set.ClusterRoleBindings {
		cb := &set.ClusterRoleBindings[i]
		e.builtinBinding(byKey, KindClusterRoleBinding, cb, cb.RoleRef, cb.Subjects)
	}
	for i := range set.RoleBindings {
		rb := &set.RoleBindings[i]
		e.builtinBinding(byKey, KindRoleBinding, rb, rb.RoleRef, rb.Subjects)
	}
}

// builtinBinding compares the input's binding of a built-in binding's
// kind and name with it, or keeps the built-in one aside (e.supplied)
// when the input lacks it.
func (e *Engine) builtinBinding(byKey map[roleKey]*Binding, kind string, obj builtinObject, roleRef rbacv1.RoleRef, subjects []rbacv1.Subject) {
	key := roleKey{kind, obj.GetNamespace(), obj.GetName()}
	if b := byKey[key]; b != nil {
		compareBinding(b, roleRef, subjects, key.namespace)
		return
	}
	b := &Binding{Object: &inventory.Object{GVK: rbacv1.SchemeGroupVersion.WithKind(kind), Obj: obj, Meta: obj},
		Kind: kind, Namespace: key.namespace, Name: key.name, RoleRef: roleRef, Builtin: BuiltinSupplied}
	for _, s := range subjects {
		sub := Subject{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace}
		if sub.Kind == rbacv1.ServiceAccountKind && sub.Namespace == "" {
			sub.Namespace = key.namespace
		}
		b.Subjects = append(b.Subjects, sub)
	}
	b.Role = e.resolve(b)
	e.supplied = append(e.supplied, b)
}

// compareBinding marks b (nil when the input lacks it) as the built-in
// binding with roleRef and subjects, as shipped or changed, and which of
// its subjects the built-in one has.
func compareBinding(b *Binding, roleRef rbacv1.RoleRef, subjects []rbacv1.Subject, namespace string) {
	if b == nil {
		return
	}
	b.Builtin = BuiltinChanged
	if b.RoleRef.Kind != roleRef.Kind || b.RoleRef.Name != roleRef.Name {
		return
	}
	shipped := map[Subject]bool{}
	for _, s := range subjects {
		sub := Subject{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace}
		if sub.Kind == rbacv1.ServiceAccountKind && sub.Namespace == "" {
			sub.Namespace = namespace
		}
		shipped[sub] = true
	}
	b.shipped = make([]bool, len(b.Subjects))
	same := len(b.Subjects) == len(shipped)
	for i, s := range b.Subjects {
		b.shipped[i] = shipped[s]
		same = same && shipped[s]
	}
	if same {
		b.Builtin = BuiltinAsShipped
	}
}

// SuppliedBindings returns the bootstrap policy's bindings that the input
// lacks. They are not among Bindings (the answers are about the input);
// CanOnCluster counts them.
func (e *Engine) SuppliedBindings() []*Binding { return e.supplied }

// sameRules reports whether two lists of rules hold the same rules, each
// rule's lists compared as sets, whatever their order.
func sameRules(a, b []rbacv1.PolicyRule) bool {
	keys := func(rules []rbacv1.PolicyRule) []string {
		out := make([]string, len(rules))
		for i, r := range rules {
			n := rbacv1.PolicyRule{Verbs: normalize(r.Verbs, ""), APIGroups: normalize(r.APIGroups, ""), Resources: normalize(r.Resources, ""),
				ResourceNames: normalize(r.ResourceNames, ""), NonResourceURLs: normalize(r.NonResourceURLs, "")}
			out[i] = ruleKey(&n)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(keys(a), keys(b))
}

// BuiltinVersion returns the Kubernetes version of the bootstrap policy
// the engine knows (v1.37), or "" when it knows none.
func (e *Engine) BuiltinVersion() string { return e.builtinVersion }
