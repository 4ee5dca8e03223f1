package catalog

import (
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

func hasWildcard(values []string) bool {
	for _, v := range values {
		if v == "*" {
			return true
		}
	}
	return false
}

// wildcardFields names the fields of a rule that hold "*".
func wildcardFields(r *rbacv1.PolicyRule) []string {
	var fields []string
	for _, f := range []struct {
		name   string
		values []string
	}{{"verbs", r.Verbs}, {"apiGroups", r.APIGroups}, {"resources", r.Resources}} {
		if hasWildcard(f.values) {
			fields = append(fields, f.name)
		}
	}
	return fields
}

func init() {
	registerRBAC(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-wildcard",
			Title:    "Role grants wildcard permissions",
			Severity: check.High,
			Looks: "the verbs, apiGroups and resources of every rule of every Role and ClusterRole (aggregated rules included). " +
				"For a role that a binding uses, it reports each subject of each such binding, with the binding, role and rule; " +
				"for a role no binding uses (directly or through aggregation), it reports the rule itself, since binding it later " +
				"grants the wildcard. Subjects in system:masters are left out: they are superusers anyway.",
			Rationale: "A \"*\" grants every verb or every resource, including ones added later by upgrades and " +
				"CRDs: secrets, escalate, bind, impersonate. Least privilege cannot be reviewed when the grant is open-ended.",
			Remediation: "Replace each \"*\" with the explicit verbs, API groups and resources the subject needs; " +
				"use kube4c rbac can to see what a subject is granted today.",
			Example: `rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch"]`,
			References: check.References{
				CIS:   []string{"5.1.3"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1078"},
			},
		},
		Run: func(ctx *check.Context) {
			e := ctx.RBAC()
			for _, g := range grantsWhere(e, func(r *rbacv1.PolicyRule, _ string) bool { return len(wildcardFields(r)) > 0 }) {
				rule := &g.binding.Role.Rules[g.rules[0]]
				reportGrant(ctx, g, "use \"*\" in "+strings.Join(wildcardFields(rule), ", "), 0)
			}
			for _, r := range e.Roles() {
				if !e.Used(r) {
					reportUnusedWildcards(ctx, r)
				}
			}
		},
	})
}

// reportUnusedWildcards reports the wildcard rules written in a role that
// no binding uses. Built-in roles are Kubernetes' own, there to be bound:
// one the input has as shipped is reported only with --include-builtin,
// at info; one kube4c supplies is not the input's at all.
func reportUnusedWildcards(ctx *check.Context, r *rbac.Role) {
	sev, note := check.Unset, ""
	switch r.Builtin {
	case rbac.BuiltinSupplied:
		return
	case rbac.BuiltinAsShipped:
		if !ctx.IncludeBuiltin {
			return
		}
		sev, note = check.Info, " (built-in, expected: the bootstrap policy of Kubernetes "+r.BuiltinVersion+" defines it)"
	}
	for i, rule := range r.Rules {
		if r.Origins[i].Role != r {
			continue // aggregated: reported where it is written
		}
		fields := wildcardFields(&rule)
		if len(fields) == 0 {
			continue
		}
		ctx.ReportFinding(check.Finding{Object: r.Object, Path: "rules[" + strconv.Itoa(i) + "]." + fields[0], Severity: sev,
			Message: r.Kind + " " + quote(r.Name) + " grants \"*\" in " + strings.Join(fields, ", ") + " of rule " + strconv.Itoa(i) +
				" (no binding uses it yet): list the exact verbs, groups and resources needed" + note})
	}
}
