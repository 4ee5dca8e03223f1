package checks

import (
	"strconv"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// roleRules returns the rules of a Role or ClusterRole in the API versions
// kube4c reads, converted to rbac/v1.
func roleRules(obj *inventory.Object) ([]rbacv1.PolicyRule, bool) {
	switch r := obj.Obj.(type) {
	case *rbacv1.Role:
		return r.Rules, true
	case *rbacv1.ClusterRole:
		return r.Rules, true
	case *rbacv1beta1.Role:
		return v1beta1Rules(r.Rules), true
	case *rbacv1beta1.ClusterRole:
		return v1beta1Rules(r.Rules), true
	}
	return nil, false
}

func v1beta1Rules(in []rbacv1beta1.PolicyRule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(in))
	for i, r := range in {
		out[i] = rbacv1.PolicyRule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
	}
	return out
}

func hasWildcard(values []string) bool {
	for _, v := range values {
		if v == "*" {
			return true
		}
	}
	return false
}

func init() {
	check.Register(&check.Check{
		ID:       "rbac-wildcard",
		Title:    "Role grants wildcard permissions",
		Layer:    check.LayerCluster,
		Severity: check.High,
		Looks:    "the verbs, apiGroups and resources of every rule of every Role and ClusterRole.",
		Rationale: "A \"*\" grants every verb or every resource, including ones added later by upgrades and " +
			"CRDs: secrets, escalate, bind, impersonate. Least privilege cannot be reviewed when the grant is open-ended.",
		Remediation: "Replace each \"*\" with the explicit verbs, API groups and resources the subject needs; " +
			"use kube4c rbac can to see what a subject uses today.",
		Example: `rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch"]`,
		References: check.References{
			CIS:   []string{"5.1.3"},
			NSA:   []string{"Authentication and authorization: Role-based access control"},
			MITRE: []string{"T1078"},
		},
		Run: func(ctx *check.Context) {
			for _, kind := range []string{"ClusterRole", "Role"} {
				for _, obj := range ctx.Inventory.ByKind(kind) {
					rules, ok := roleRules(obj)
					if !ok {
						continue
					}
					for i, r := range rules {
						var fields []string
						for _, f := range []struct {
							name   string
							values []string
						}{{"verbs", r.Verbs}, {"apiGroups", r.APIGroups}, {"resources", r.Resources}} {
							if hasWildcard(f.values) {
								fields = append(fields, f.name)
							}
						}
						if len(fields) == 0 {
							continue
						}
						ctx.Report(obj, "rules["+strconv.Itoa(i)+"]."+fields[0], kind+" "+quote(obj.Name())+
							" grants \"*\" in "+strings.Join(fields, ", ")+" of rule "+strconv.Itoa(i)+
							": list the exact verbs, groups and resources needed")
					}
				}
			}
		},
	})
}
