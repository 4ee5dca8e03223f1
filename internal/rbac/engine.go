// Package rbac computes effective permissions from the Roles, ClusterRoles,
// RoleBindings and ClusterRoleBindings of an inventory, with the matching
// of the Kubernetes RBAC authorizer. It answers who can do what (WhoCan),
// what a subject can do (Can) and whether a request is allowed (Allowed).
// It reads only the inventory: files and live clusters are alike to it.
package rbac

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Role is a Role or ClusterRole with the rules the authorizer evaluates.
type Role struct {
	// Object is the inventory object.
	Object *inventory.Object
	// Kind is Role or ClusterRole.
	Kind string
	// Namespace is empty for a ClusterRole.
	Namespace, Name string
	// Rules are the effective rules: as written, or, for a ClusterRole
	// with an aggregation rule and no rules written, the rules of the
	// ClusterRoles its selectors match (what the aggregation controller
	// fills in).
	Rules []rbacv1.PolicyRule
	// Origins[i] is where Rules[i] is written.
	Origins []RuleOrigin
	// Aggregated is set when Rules were computed from the aggregation rule.
	Aggregated bool
	// AggregatedFrom lists the ClusterRoles the rules were gathered from.
	AggregatedFrom []*Role
	// Builtin says whether the role is the bootstrap policy's: supplied
	// (the input lacks it), or the input's, as shipped or changed.
	Builtin Builtin
	// BuiltinVersion is the version of that bootstrap policy (v1.37), when
	// Builtin is set.
	BuiltinVersion string

	aggregation *rbacv1.AggregationRule
	// ruleIDs[i] identifies the content of Rules[i] in Engine.distinct.
	ruleIDs []int32
}

// RuleOrigin is where a rule is written: rules[Index] of Role.
type RuleOrigin struct {
	Role  *Role
	Index int
}

// Ref formats the role as ClusterRole/NAME or Role/NAMESPACE/NAME.
func (r *Role) Ref() string { return ref(r.Kind, r.Namespace, r.Name) }

// Binding is a RoleBinding or ClusterRoleBinding.
type Binding struct {
	// Object is the inventory object.
	Object *inventory.Object
	// Kind is RoleBinding or ClusterRoleBinding.
	Kind string
	// Namespace is empty for a ClusterRoleBinding.
	Namespace, Name string
	// RoleRef is the role reference as written.
	RoleRef rbacv1.RoleRef
	// Subjects are the subjects as the authorizer reads them; Subjects[i]
	// is subjects[i] of the object.
	Subjects []Subject
	// Role is the role referred to, or nil when it is not in the inventory
	// (or a ClusterRoleBinding refers to a Role, which grants nothing).
	Role *Role
	// Builtin says whether the binding bears a name of the bootstrap
	// policy, and whether its role reference and subjects are as shipped.
	Builtin Builtin
	// shipped marks the subjects that the bootstrap policy's binding of
	// that name and role reference has.
	shipped []bool
}

// AddedSubject reports whether Subjects[i] was added to a binding of the
// bootstrap policy: the binding bears a built-in name and role reference,
// and the built-in one lacks the subject.
func (b *Binding) AddedSubject(i int) bool { return i < len(b.shipped) && !b.shipped[i] }

// Expected reports whether the bootstrap policy grants Subjects[i] its
// role by design: the binding bears a built-in name, refers to the same
// role, the subject is one of the built-in binding's, and the role is the
// built-in one, unchanged (or supplied). A subject added to a built-in
// binding, or a changed built-in role, is not expected.
func (b *Binding) Expected(i int) bool {
	return i < len(b.shipped) && b.shipped[i] && b.Role != nil &&
		(b.Role.Builtin == BuiltinSupplied || b.Role.Builtin == BuiltinAsShipped)
}

// Ref formats the binding as ClusterRoleBinding/NAME or
// RoleBinding/NAMESPACE/NAME.
func (b *Binding) Ref() string { return ref(b.Kind, b.Namespace, b.Name) }

// Scope is where the binding grants: "" (every namespace and cluster-scoped
// resources) for a ClusterRoleBinding, its namespace for a RoleBinding.
func (b *Binding) Scope() string {
	if b.Kind == KindClusterRoleBinding {
		return ""
	}
	return b.Namespace
}

// DefaultNamespace is the namespace of Roles and RoleBindings written
// without one, as kubectl apply without -n puts them.
const DefaultNamespace = "default"

// namespaceOf returns the namespace of a namespaced object, defaulted.
func namespaceOf(obj *inventory.Object) string {
	if ns := obj.Namespace(); ns != "" {
		return ns
	}
	return DefaultNamespace
}

// RoleRefString formats the role reference as Kind/NAME.
func (b *Binding) RoleRefString() string { return b.RoleRef.Kind + "/" + b.RoleRef.Name }

func ref(kind, namespace, name string) string {
	if namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + namespace + "/" + name
}

type roleKey struct {
	kind, namespace, name string
}

// Engine holds the RBAC objects of an inventory, resolved and indexed. It
// is read-only after New and safe for concurrent use.
type Engine struct {
	roles     []*Role
	bindings  []*Binding
	roleByKey map[roleKey]*Role
	byRole    map[*Role][]*Binding
	used      map[*Role]bool
	warnings  []string

	clusterRolesByName []*Role
	// defined counts the definitions of objects defined more than once.
	defined    map[string]int
	duplicates []string
	// distinct holds each distinct rule once, by ID.
	distinct []*rbacv1.PolicyRule
	// builtinVersion is the version of the bootstrap policy known.
	builtinVersion string
	// supplied are the bootstrap policy's bindings the input lacks, for
	// CanOnCluster only: the others answer about the input's bindings.
	supplied []*Binding
}

// New resolves the RBAC objects of the inventory: it adds the built-in
// roles the inventory lacks (opts.Builtin), computes aggregated
// ClusterRoles, resolves role references and indexes bindings by role.
// When the inventory holds an object twice, the later one wins, as with
// kubectl apply.
func New(inv *inventory.Inventory, opts Options) *Engine {
	roles := len(inv.ByKind(KindClusterRole)) + len(inv.ByKind(KindRole))
	bindings := len(inv.ByKind(KindClusterRoleBinding)) + len(inv.ByKind(KindRoleBinding))
	e := &Engine{roleByKey: make(map[roleKey]*Role, roles), byRole: make(map[*Role][]*Binding, roles), used: make(map[*Role]bool, roles)}
	position := make(map[*Role]int, roles)
	for _, kind := range []string{KindClusterRole, KindRole} {
		for _, obj := range inv.ByKind(kind) {
			e.addRole(kind, obj, position)
		}
	}
	e.builtinRoles(opts.Builtin, position)
	// Roles replaced by a later definition left holes.
	e.roles = slices.DeleteFunc(e.roles, func(r *Role) bool { return r == nil })
	e.intern()
	e.aggregate()
	bindingByKey := make(map[roleKey]*Binding, bindings)
	for _, kind := range []string{KindClusterRoleBinding, KindRoleBinding} {
		for _, obj := range inv.ByKind(kind) {
			if b := e.newBinding(kind, obj); b != nil {
				key := roleKey{kind, b.Namespace, b.Name}
				if bindingByKey[key] != nil {
					e.duplicate(b.Ref())
				}
				bindingByKey[key] = b
			}
		}
	}
	e.builtinBindings(opts.Builtin, bindingByKey)
	for _, b := range bindingByKey {
		e.bindings = append(e.bindings, b)
		if b.Role != nil {
			e.byRole[b.Role] = append(e.byRole[b.Role], b)
		}
	}
	slices.SortFunc(e.bindings, compareBindings)
	for _, bs := range e.byRole {
		slices.SortFunc(bs, compareBindings)
	}
	e.markUsed()
	if len(e.duplicates) > 0 {
		list := make([]string, len(e.duplicates))
		for i, ref := range e.duplicates {
			list[i] = fmt.Sprintf("%s (%d)", ref, e.defined[ref])
		}
		e.warnings = append(e.warnings, fmt.Sprintf("%d RBAC objects are defined more than once; the last definition of each counts: %s",
			len(list), strings.Join(list, ", ")))
	}
	return e
}

// duplicate notes that ref is defined once more.
func (e *Engine) duplicate(ref string) {
	if e.defined == nil {
		e.defined = map[string]int{}
	}
	if e.defined[ref] == 0 {
		e.defined[ref] = 1
		e.duplicates = append(e.duplicates, ref)
	}
	e.defined[ref]++
}

func compareBindings(a, b *Binding) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

// addRole adds the role defined by obj. A later definition of the same
// role replaces the earlier one, whose place in e.roles becomes nil;
// position records where each role is in e.roles.
func (e *Engine) addRole(kind string, obj *inventory.Object, position map[*Role]int) {
	ro, ok := asRole(obj)
	if !ok {
		return
	}
	r := &Role{Object: obj, Kind: kind, Name: obj.Name(), Rules: ro.rules, aggregation: ro.aggregation}
	if kind == KindRole {
		r.Namespace = namespaceOf(obj)
	}
	r.Origins = make([]RuleOrigin, len(r.Rules))
	for i := range r.Origins {
		r.Origins[i] = RuleOrigin{Role: r, Index: i}
	}
	key := roleKey{kind, r.Namespace, r.Name}
	if old := e.roleByKey[key]; old != nil {
		e.roles[position[old]] = nil
		e.duplicate(r.Ref())
	}
	e.roleByKey[key] = r
	position[r] = len(e.roles)
	e.roles = append(e.roles, r)
}

func (e *Engine) newBinding(kind string, obj *inventory.Object) *Binding {
	bo, ok := asBinding(obj)
	if !ok {
		return nil
	}
	b := &Binding{Object: obj, Kind: kind, Name: obj.Name(), RoleRef: bo.roleRef}
	if kind == KindRoleBinding {
		b.Namespace = namespaceOf(obj)
	}
	b.Subjects = make([]Subject, len(bo.subjects))
	for i, s := range bo.subjects {
		sub := Subject{Kind: s.Kind, Name: s.Name, Namespace: s.Namespace}
		if sub.Kind == rbacv1.ServiceAccountKind && sub.Namespace == "" {
			sub.Namespace = b.Namespace
		}
		b.Subjects[i] = sub
	}
	b.Role = e.resolve(b)
	return b
}

// resolve returns the role a binding refers to, or nil. The authorizer
// looks a Role up in the binding's namespace, so a ClusterRoleBinding's
// Role reference finds nothing.
func (e *Engine) resolve(b *Binding) *Role {
	switch b.RoleRef.Kind {
	case KindClusterRole:
		return e.roleByKey[roleKey{KindClusterRole, "", b.RoleRef.Name}]
	case KindRole:
		if b.Namespace != "" {
			return e.roleByKey[roleKey{KindRole, b.Namespace, b.RoleRef.Name}]
		}
	}
	return nil
}

// markUsed marks the roles a binding refers to and, transitively, the
// ClusterRoles aggregated into them.
func (e *Engine) markUsed() {
	var mark func(r *Role)
	mark = func(r *Role) {
		if e.used[r] {
			return
		}
		e.used[r] = true
		for _, src := range r.AggregatedFrom {
			mark(src)
		}
	}
	for r := range e.byRole {
		mark(r)
	}
}

// Roles returns every Role and ClusterRole: the input's, ClusterRoles
// first, in load order, then the built-in ones the input lacks
// (Builtin == BuiltinSupplied).
func (e *Engine) Roles() []*Role { return e.roles }

// Bindings returns every binding, ClusterRoleBindings first, sorted by
// namespace and name.
func (e *Engine) Bindings() []*Binding { return e.bindings }

// BindingsOf returns the bindings that refer to the role.
func (e *Engine) BindingsOf(r *Role) []*Binding { return e.byRole[r] }

// Used reports whether a binding refers to the role, directly or through
// a ClusterRole that aggregates it.
func (e *Engine) Used(r *Role) bool { return e.used[r] }

// Role returns the Role (namespace set) or ClusterRole (namespace empty)
// of the name, or nil.
func (e *Engine) Role(kind, namespace, name string) *Role {
	return e.roleByKey[roleKey{kind, namespace, name}]
}

// Warnings lists problems met while resolving, such as an aggregation
// selector that does not parse.
func (e *Engine) Warnings() []string { return e.warnings }
