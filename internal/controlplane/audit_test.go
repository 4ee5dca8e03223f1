package controlplane

import (
	"testing"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

func TestAuditLevelFirstMatchWins(t *testing.T) {
	p := &auditv1.Policy{Rules: []auditv1.PolicyRule{
		{Level: auditv1.LevelNone, NonResourceURLs: []string{"/healthz*"}},
		{Level: auditv1.LevelMetadata, Resources: []auditv1.GroupResources{{Group: "", Resources: []string{"secrets"}, ResourceNames: []string{"db"}}}},
		{Level: auditv1.LevelRequest, UserGroups: []string{"system:nodes"}, Verbs: []string{"get"}},
		{Level: auditv1.LevelRequestResponse, Namespaces: []string{"kube-system"}},
		{Level: auditv1.LevelMetadata, Resources: []auditv1.GroupResources{{Group: "", Resources: []string{"*/exec", "deployments/*"}}}},
	}}
	node := []string{"system:nodes"}
	for _, tt := range []struct {
		name string
		req  AuditRequest
		want auditv1.Level
		rule int
	}{
		{"health path", AuditRequest{Path: "/healthz/ready", Verb: "get"}, auditv1.LevelNone, 0},
		{"named secret", AuditRequest{Resource: "secrets", Name: "db", Namespace: "a", Verb: "get"}, auditv1.LevelMetadata, 1},
		{"other secret by a node", AuditRequest{Resource: "secrets", Name: "x", Namespace: "a", Verb: "get", Groups: node}, auditv1.LevelRequest, 2},
		{"other verb by a node in kube-system", AuditRequest{Resource: "secrets", Name: "x", Namespace: "kube-system", Verb: "list", Groups: node}, auditv1.LevelRequestResponse, 3},
		{"namespaced rule skips non-resource requests", AuditRequest{Path: "/version", Verb: "get"}, auditv1.LevelNone, -1},
		{"subresource wildcard", AuditRequest{Resource: "pods", Subresource: "exec", Namespace: "a", Verb: "create"}, auditv1.LevelMetadata, 4},
		{"resource wildcard", AuditRequest{Group: "", Resource: "deployments", Subresource: "scale", Namespace: "a", Verb: "update"}, auditv1.LevelMetadata, 4},
		{"plain pod not matched", AuditRequest{Resource: "pods", Namespace: "a", Verb: "create"}, auditv1.LevelNone, -1},
	} {
		if level, rule := AuditLevel(p, tt.req); level != tt.want || rule != tt.rule {
			t.Errorf("%s: %s by rule %d, want %s by rule %d", tt.name, level, rule, tt.want, tt.rule)
		}
	}
	if !CatchAll(&auditv1.PolicyRule{Level: auditv1.LevelMetadata}) || CatchAll(&p.Rules[3]) {
		t.Error("CatchAll misjudged a rule")
	}
}
