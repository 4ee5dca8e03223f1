package rbac

import (
	"cmp"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Grant is one way a subject is allowed a query: the binding that names
// the subject, the role it refers to and the rules of the role that allow
// the query.
type Grant struct {
	Subject Subject
	// Binding is nil for the implicit superuser group system:masters.
	Binding *Binding
	// Role is nil for the implicit superuser group system:masters.
	Role *Role
	// Rules are the indexes in Role.Rules of the rules that allow the query.
	Rules []int
	// Scope is "" when the grant holds in every namespace (a
	// ClusterRoleBinding), else the namespace of the RoleBinding.
	Scope string
}

// Implicit reports whether the grant is the superuser group's, which holds
// without a binding.
func (g *Grant) Implicit() bool { return g.Binding == nil }

// WhoCan returns every subject the query is allowed to, with the binding,
// role and rules that allow it, sorted by subject, scope and binding. The
// query's namespace decides which RoleBindings count: none when it is
// empty (cluster-scoped resources, or the same access in every namespace),
// those of the namespace otherwise; with allNamespaces the RoleBindings of
// every namespace count, each grant saying its namespace. Non-resource
// queries only consider ClusterRoleBindings, as the authorizer does. The
// group system:masters is listed first, as an implicit superuser.
func (e *Engine) WhoCan(q Query, allNamespaces bool) []Grant {
	out := []Grant{{Subject: Subject{Kind: rbacv1.GroupKind, Name: GroupMasters}}}
	var matched []int
	// allows[id] caches whether distinct rule id allows the query: 0
	// unknown, 1 yes, 2 no.
	allows := make([]uint8, len(e.distinct))
	for _, r := range e.roles {
		bindings := e.byRole[r]
		if len(bindings) == 0 || r.Kind == KindRole && !roleInScope(r, &q, allNamespaces) {
			continue
		}
		matched = matched[:0]
		for i, id := range r.ruleIDs {
			if allows[id] == 0 {
				allows[id] = 2
				if RuleAllows(e.distinct[id], &q) {
					allows[id] = 1
				}
			}
			if allows[id] == 1 {
				matched = append(matched, i)
			}
		}
		if len(matched) == 0 {
			continue
		}
		rules := slices.Clone(matched)
		for _, b := range bindings {
			if !bindingInScope(b, &q, allNamespaces) {
				continue
			}
			for _, s := range b.Subjects {
				if !s.Matchable() {
					continue
				}
				out = append(out, Grant{Subject: s, Binding: b, Role: r, Rules: rules, Scope: b.Scope()})
			}
		}
	}
	slices.SortFunc(out[1:], compareGrants)
	return out
}

func roleInScope(r *Role, q *Query, all bool) bool {
	return !q.NonResource() && (all || r.Namespace == q.Namespace)
}

func bindingInScope(b *Binding, q *Query, all bool) bool {
	if b.Kind == KindClusterRoleBinding {
		return true
	}
	return !q.NonResource() && (all || b.Namespace == q.Namespace && q.Namespace != "")
}

func compareGrants(a, b Grant) int {
	return cmp.Or(a.Subject.Compare(b.Subject), cmp.Compare(a.Scope, b.Scope), compareBindings(a.Binding, b.Binding))
}

// Allows reports whether the grant covers the identity: the identity is
// in system:masters for the implicit grant, or the subject names it.
func (g *Grant) Allows(id Identity) bool {
	if g.Implicit() {
		return id.Superuser()
	}
	return id.Matches(g.Subject)
}
