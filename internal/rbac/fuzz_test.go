package rbac_test

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/rbac"
)

// FuzzRuleAllowsMatchesCovers compares rbac.RuleAllows with the API
// server's rule-coverage helper (validation.Covers) on arbitrary rules and
// requests. Lists are comma-separated. The two differ, by design, where
// Covers is stricter than the authorizer: a rule that lists "" among its
// resourceNames, and resourceNames on a non-resource rule; and requests
// whose resource has a "/", which the API server never makes.
func FuzzRuleAllowsMatchesCovers(f *testing.F) {
	f.Add("get,list", "", "pods,pods/exec", "", "", "get", "", "pods", "exec", "", "")
	f.Add("*", "*", "*", "", "", "delete", "apps", "deployments", "scale", "web", "")
	f.Add("update", "apps", "*/scale", "a,b", "", "update", "apps", "statefulsets", "scale", "a", "")
	f.Add("get", "", "", "", "/healthz/*,/api*", "get", "", "", "", "", "/healthz/etcd")
	f.Add("get", "", "secrets", "tls", "", "list", "", "secrets", "", "", "")
	f.Fuzz(func(t *testing.T, verbs, groups, resources, names, urls, verb, group, resource, sub, name, url string) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		rule := rbacv1.PolicyRule{Verbs: split(verbs), APIGroups: split(groups), Resources: split(resources), ResourceNames: split(names), NonResourceURLs: split(urls)}
		q := rbac.Query{Verb: verb, Group: group, Resource: resource, Subresource: sub, Name: name, URL: url}
		if slices.Contains(rule.ResourceNames, "") || len(rule.ResourceNames) > 0 && q.NonResource() || strings.Contains(q.Resource, "/") {
			t.Skip("outside the common ground")
		}
		if got, want := rbac.RuleAllows(&rule, &q), covers([]rbacv1.PolicyRule{rule}, q); got != want {
			t.Errorf("RuleAllows(%s, %s) = %t, Covers says %t", rbac.RuleString(&rule), q.String(), got, want)
		}
	})
}
