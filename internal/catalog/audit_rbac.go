package catalog

import (
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// roleRulesOfEvent returns the rules of the Role or ClusterRole an event
// created or changed, and whether there was one.
func roleRulesOfEvent(ev *auditv1.Event) ([]rbacv1.PolicyRule, bool) {
	if !changes(ev, "roles") && !changes(ev, "clusterroles") {
		return nil, false
	}
	var role rbacv1.ClusterRole // a Role has the same fields but aggregation
	if !objectOf(ev, &role) {
		return nil, false
	}
	return role.Rules, true
}

// describeRules reports, for each rule that problem finds something in,
// "rule N: what".
func describeRules(rules []rbacv1.PolicyRule, problem func(r *rbacv1.PolicyRule) string) []string {
	var out []string
	for i := range rules {
		if p := problem(&rules[i]); p != "" {
			out = append(out, "rule "+strconv.Itoa(i)+": "+p)
		}
	}
	return out
}

// execResources returns the exec-like subresources a rule grants.
func execResources(r *rbacv1.PolicyRule) []string {
	var out []string
	for _, res := range r.Resources {
		if anyOf(res, "pods/exec", "pods/attach", "pods/*") {
			out = append(out, res)
		}
	}
	return out
}

// escalationVerbs returns the verbs of a rule that let its holder exceed
// its own permissions.
func escalationVerbs(r *rbacv1.PolicyRule) []string {
	var out []string
	for _, v := range r.Verbs {
		if anyOf(v, "escalate", "bind", "impersonate") {
			out = append(out, v)
		}
	}
	return out
}

// registerRoleRule registers a rule about the rules of created roles.
func registerRoleRule(m check.Meta, problem func(r *rbacv1.PolicyRule) string) {
	registerAuditRule(m, func(ev *auditv1.Event, alert func(string)) {
		rules, ok := roleRulesOfEvent(ev)
		if !ok {
			return
		}
		if found := describeRules(rules, problem); len(found) > 0 {
			alert(ev.User.Username + " " + pastTense(ev.Verb) + " " + strings.TrimSuffix(targetOf(ev).resource, "s") + " " + targetOf(ev).where() + ": " + strings.Join(found, "; "))
		}
	})
}

func init() {
	registerAuditRule(check.Meta{
		ID:          "audit-cluster-admin-binding",
		Title:       "Binding to cluster-admin created",
		Severity:    check.Critical,
		Looks:       "Completed creates, updates and patches of ClusterRoleBindings and RoleBindings whose recorded roleRef is the ClusterRole cluster-admin.",
		Rationale:   "cluster-admin is every permission on every resource; a new binding to it hands full control of the cluster (or the namespace) to its subjects.",
		Remediation: "Confirm the grant was expected; bind a role with only the permissions needed, and keep cluster-admin for break-glass accounts.",
		References:  check.References{CIS: []string{"5.1.1"}, MITRE: []string{"T1098"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if !changes(ev, "clusterrolebindings") && !changes(ev, "rolebindings") {
			return
		}
		var b rbacv1.RoleBinding
		if objectOf(ev, &b) && b.RoleRef.Kind == "ClusterRole" && b.RoleRef.Name == "cluster-admin" {
			var subjects []string
			for _, s := range b.Subjects {
				subjects = append(subjects, s.Kind+" "+refName(s.Namespace, s.Name))
			}
			alert(ev.User.Username + " bound cluster-admin to " + strings.Join(subjects, ", ") + " in " + strings.TrimSuffix(targetOf(ev).resource, "s") + " " + targetOf(ev).where())
		}
	})

	registerRoleRule(check.Meta{
		ID:          "audit-role-wildcard",
		Title:       "Role created with wildcards or exec rights",
		Severity:    check.High,
		Looks:       "Completed creates, updates and patches of Roles and ClusterRoles whose recorded rules hold \"*\" in apiGroups, resources or verbs, or grant pods/exec, pods/attach or pods/*.",
		Rationale:   "Wildcards grant every present and future resource or verb; exec rights open a shell in every pod in reach. Both are common in over-broad roles and in backdoors.",
		Remediation: "List the API groups, resources and verbs the subject needs; grant exec only to break-glass roles.",
		References:  check.References{CIS: []string{"5.1.3"}, MITRE: []string{"T1098"}},
	}, func(r *rbacv1.PolicyRule) string {
		var parts []string
		if w := wildcardFields(r); len(w) > 0 {
			parts = append(parts, "\"*\" in "+strings.Join(w, ", "))
		}
		if e := execResources(r); len(e) > 0 {
			parts = append(parts, "grants "+joinQuoted(e))
		}
		return strings.Join(parts, " and ")
	})

	registerRoleRule(check.Meta{
		ID:          "audit-role-escalation-verbs",
		Title:       "Role created with escalate, bind or impersonate",
		Severity:    check.High,
		Looks:       "Completed creates, updates and patches of Roles and ClusterRoles whose recorded rules grant the escalate, bind or impersonate verbs.",
		Rationale:   "escalate and bind let a subject write roles and bindings with permissions it does not hold; impersonate lets it act as anyone. Each is a path to cluster-admin.",
		Remediation: "Remove the verbs; only the controllers that manage RBAC need them.",
		References:  check.References{MITRE: []string{"T1098", "T1078"}},
	}, func(r *rbacv1.PolicyRule) string {
		if v := escalationVerbs(r); len(v) > 0 {
			return "grants " + joinQuoted(v)
		}
		return ""
	})

	registerAuditRule(check.Meta{
		ID:          "audit-system-clusterrole-modified",
		Title:       "System ClusterRole modified or deleted",
		Severity:    check.High,
		Looks:       "Completed updates, patches and deletes of ClusterRoles named system:* by users other than control-plane identities.",
		Rationale:   "The system: ClusterRoles define what the control plane and nodes may do; changing one silently widens or breaks the permissions of every component bound to it.",
		Remediation: "Revert the change (the API server reconciles missing permissions at restart, not additions); grant extra permissions through a new ClusterRole instead.",
		References:  check.References{MITRE: []string{"T1098"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		t := targetOf(ev)
		if completed(ev) && t.is("clusterroles", "") && anyOf(ev.Verb, "update", "patch", "delete") &&
			strings.HasPrefix(t.name, "system:") && !isSystemUser(ev.User.Username) {
			alert(ev.User.Username + " " + pastTense(ev.Verb) + " the system ClusterRole " + quote(t.name))
		}
	})
}
