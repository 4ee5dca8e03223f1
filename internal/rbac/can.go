package rbac

import (
	"cmp"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Permission is one effective rule of a subject in a scope, with the
// bindings and roles it comes from.
type Permission struct {
	// Scope is "" for rules that hold in every namespace and on
	// cluster-scoped resources, else the namespace they hold in.
	Scope string
	// Rule is either about resources (APIGroups, Resources and maybe
	// ResourceNames set) or about non-resource URLs, never both; its lists
	// are sorted and without duplicates.
	Rule rbacv1.PolicyRule
	// Via are the bindings and roles the rule comes from.
	Via []Source
}

// Source is a binding and the role it refers to. Both are nil for the
// rules system:masters holds without a binding.
type Source struct {
	Binding *Binding
	Role    *Role
}

// String formats the source as BINDING -> ROLE.
func (s Source) String() string {
	if s.Binding == nil {
		return "(implicit: " + GroupMasters + ")"
	}
	return s.Binding.Ref() + " -> " + s.Role.Ref()
}

// Allowed reports whether the authorizer allows the identity the query:
// system:masters always; otherwise a rule of a role that a binding in the
// query's scope grants to one of the identity's names must allow it.
func (e *Engine) Allowed(id Identity, q Query) bool {
	if id.Superuser() {
		return true
	}
	for _, b := range e.bindings {
		if b.Role == nil || !bindingInScope(b, &q, false) || !bindsIdentity(b, id) {
			continue
		}
		for i := range b.Role.Rules {
			if RuleAllows(&b.Role.Rules[i], &q) {
				return true
			}
		}
	}
	return false
}

func bindsIdentity(b *Binding, id Identity) bool {
	return slices.ContainsFunc(b.Subjects, id.Matches)
}

// Can returns the effective rules of the identity, merged and sorted: for
// namespace "" the cluster-wide rules and those of every namespace, else
// the cluster-wide rules and those of the namespace. Merging keeps the
// meaning exact: a query is allowed in namespace N exactly when a rule of
// scope "" or N allows it (non-resource queries: a rule of scope "").
func (e *Engine) Can(id Identity, namespace string) []Permission {
	return e.can(id, namespace, e.bindings)
}

// CanOnCluster is Can with the bootstrap policy's bindings that the input
// lacks counted too: what the identity holds on a cluster of the engine's
// Kubernetes version, where they are (the control plane's accounts hold
// most of their permissions through them).
func (e *Engine) CanOnCluster(id Identity, namespace string) []Permission {
	return e.can(id, namespace, slices.Concat(e.bindings, e.supplied))
}

func (e *Engine) can(id Identity, namespace string, bindings []*Binding) []Permission {
	var raw []Permission
	if id.Superuser() {
		raw = append(raw,
			Permission{Rule: rbacv1.PolicyRule{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}, Via: []Source{{}}},
			Permission{Rule: rbacv1.PolicyRule{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}, Via: []Source{{}}})
	}
	// The same rule granted in the same scope by several bindings (or
	// copied by aggregation) is split and merged once.
	type grantKey struct {
		scope string
		id    int32
	}
	index := map[grantKey]int{}
	var unique []Permission
	for _, b := range bindings {
		if b.Role == nil || namespace != "" && b.Namespace != "" && b.Namespace != namespace || !bindsIdentity(b, id) {
			continue
		}
		src := Source{Binding: b, Role: b.Role}
		for i, ruleID := range b.Role.ruleIDs {
			k := grantKey{b.Scope(), ruleID}
			if j, ok := index[k]; ok {
				unique[j].Via = append(unique[j].Via, src)
				continue
			}
			index[k] = len(unique)
			unique = append(unique, Permission{Scope: b.Scope(), Rule: b.Role.Rules[i], Via: []Source{src}})
		}
	}
	for _, u := range unique {
		for _, part := range splitRule(u.Rule, u.Scope == "") {
			raw = append(raw, Permission{Scope: u.Scope, Rule: part, Via: slices.Clone(u.Via)})
		}
	}
	return mergePermissions(raw)
}

// splitRule splits a rule into its resource part and its URL part (a rule
// may carry both when read from a file), normalized. Parts that can allow
// nothing are dropped, and so is the URL part of a namespaced grant: the
// authorizer asks only ClusterRoleBindings about URLs.
func splitRule(r rbacv1.PolicyRule, clusterWide bool) []rbacv1.PolicyRule {
	verbs := normalize(r.Verbs, rbacv1.VerbAll)
	if len(verbs) == 0 {
		return nil
	}
	var out []rbacv1.PolicyRule
	if len(r.APIGroups) > 0 && len(r.Resources) > 0 {
		out = append(out, rbacv1.PolicyRule{
			Verbs:         verbs,
			APIGroups:     normalize(r.APIGroups, rbacv1.APIGroupAll),
			Resources:     normalize(r.Resources, rbacv1.ResourceAll),
			ResourceNames: normalize(r.ResourceNames, ""),
		})
	}
	if clusterWide && len(r.NonResourceURLs) > 0 {
		out = append(out, rbacv1.PolicyRule{Verbs: verbs, NonResourceURLs: normalize(r.NonResourceURLs, rbacv1.NonResourceAll)})
	}
	return out
}

// normalize sorts and deduplicates a list; when it holds the wildcard
// (unless wildcard is ""), the wildcard alone means the same.
func normalize(list []string, wildcard string) []string {
	if len(list) == 0 {
		return nil
	}
	if wildcard != "" && slices.Contains(list, wildcard) {
		return []string{wildcard}
	}
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

// field selects one list of a rule.
type field func(*rbacv1.PolicyRule) *[]string

var (
	verbsField     field = func(r *rbacv1.PolicyRule) *[]string { return &r.Verbs }
	groupsField    field = func(r *rbacv1.PolicyRule) *[]string { return &r.APIGroups }
	resourcesField field = func(r *rbacv1.PolicyRule) *[]string { return &r.Resources }
	namesField     field = func(r *rbacv1.PolicyRule) *[]string { return &r.ResourceNames }
	urlsField      field = func(r *rbacv1.PolicyRule) *[]string { return &r.NonResourceURLs }
)

// mergePermissions merges rules of the same scope that differ in one list
// only: their union is the rule with the union of that list (rules are
// products of their lists). Verbs are merged first, then resources, then
// API groups; URL rules by URL, then by verbs.
func mergePermissions(perms []Permission) []Permission {
	steps := []struct {
		merge    field
		wildcard string
	}{
		{verbsField, rbacv1.VerbAll},
		{resourcesField, rbacv1.ResourceAll},
		{groupsField, rbacv1.APIGroupAll},
		{urlsField, rbacv1.NonResourceAll},
		{verbsField, rbacv1.VerbAll},
	}
	for _, s := range steps {
		perms = mergeOn(perms, s.merge, s.wildcard)
	}
	for i := range perms {
		perms[i].Via = sortSources(perms[i].Via)
	}
	slices.SortFunc(perms, comparePermissions)
	return perms
}

// mergeOn merges permissions whose scope and lists other than merge are
// equal, uniting their merge lists and sources. The first of each kind
// keeps its place. Each permission owns its Via slice.
func mergeOn(perms []Permission, merge field, wildcard string) []Permission {
	index := map[string]int{}
	var out []Permission
	for _, p := range perms {
		k := mergeKey(&p, merge)
		if i, ok := index[k]; ok {
			m := &out[i]
			*merge(&m.Rule) = normalize(append(slices.Clone(*merge(&m.Rule)), *merge(&p.Rule)...), wildcard)
			m.Via = append(m.Via, p.Via...)
			continue
		}
		index[k] = len(out)
		out = append(out, p)
	}
	return out
}

func mergeKey(p *Permission, skip field) string {
	r := p.Rule
	*skip(&r) = nil
	return p.Scope + "\x02" + ruleKey(&r)
}

// sortSources sorts sources by binding and drops duplicates.
func sortSources(via []Source) []Source {
	slices.SortFunc(via, func(a, b Source) int {
		switch {
		case a.Binding == b.Binding:
			return 0
		case a.Binding == nil:
			return -1
		case b.Binding == nil:
			return 1
		}
		return compareBindings(a.Binding, b.Binding)
	})
	return slices.Compact(via)
}

// comparePermissions orders by scope, resource rules before URL rules,
// then by API groups, resources, names, URLs and verbs.
func comparePermissions(a, b Permission) int {
	aURL, bURL := len(a.Rule.NonResourceURLs) > 0, len(b.Rule.NonResourceURLs) > 0
	c := cmp.Or(cmp.Compare(a.Scope, b.Scope), compareBool(aURL, bURL))
	for _, f := range sortFields {
		c = cmp.Or(c, slices.Compare(*f(&a.Rule), *f(&b.Rule)))
	}
	return c
}

var sortFields = []field{groupsField, resourcesField, namesField, urlsField, verbsField}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// String formats the rule compactly, for tables and messages.
func (p *Permission) String() string { return RuleString(&p.Rule) }

// RuleString formats a rule compactly, e.g. `get,list on secrets named
// tls in group ""` or `get on URLs /metrics`.
func RuleString(r *rbacv1.PolicyRule) string {
	var b strings.Builder
	b.WriteString(strings.Join(r.Verbs, ","))
	if len(r.Resources) > 0 || len(r.APIGroups) > 0 {
		b.WriteString(" on " + strings.Join(r.Resources, ","))
		if len(r.ResourceNames) > 0 {
			b.WriteString(" named " + strings.Join(r.ResourceNames, ","))
		}
		if len(r.APIGroups) == 1 {
			b.WriteString(" in group ")
		} else {
			b.WriteString(" in groups ")
		}
		b.WriteString(GroupsString(r.APIGroups))
	}
	if len(r.NonResourceURLs) > 0 {
		b.WriteString(" on URLs " + strings.Join(r.NonResourceURLs, ","))
	}
	return b.String()
}

// GroupsString lists API groups for people, with the core group as "".
func GroupsString(groups []string) string {
	out := make([]string, len(groups))
	for i, g := range groups {
		if g == "" {
			g = `""`
		}
		out[i] = g
	}
	return strings.Join(out, ",")
}

// Allows reports whether permissions (from Can) allow the query: a rule of
// scope "" does, and so does, for a resource query in a namespace, a rule
// of that namespace.
func Allows(perms []Permission, q Query) bool {
	for i := range perms {
		p := &perms[i]
		inScope := p.Scope == "" || !q.NonResource() && q.Namespace != "" && p.Scope == q.Namespace
		if inScope && RuleAllows(&p.Rule, &q) {
			return true
		}
	}
	return false
}
