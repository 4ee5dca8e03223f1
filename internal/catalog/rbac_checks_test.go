package catalog

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// runRBACWorld runs one check over testdata/rbac-world.yaml and returns its
// findings as "OBJECT PATH SEVERITY", sorted.
func runRBACWorld(t *testing.T, id string, complete bool) ([]string, []*check.Finding) {
	t.Helper()
	text, err := os.ReadFile("testdata/rbac-world.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: strings.NewReader(string(text))})
	if len(res.Errors) > 0 {
		t.Fatalf("fixture does not load: %v", res.Errors)
	}
	c := check.Default.Get(id)
	if c == nil {
		t.Fatalf("no check %q", id)
	}
	findings, failures, _ := check.Run(context.Background(), inventory.New(res.Objects), []*check.Check{c}, check.Env{Now: time.Now(), Complete: complete})
	if len(failures) > 0 {
		t.Fatalf("check failed: %v", failures[0].Err)
	}
	var got []string
	for _, f := range findings {
		if f.Location.Line == 0 {
			t.Errorf("%s: finding without a line: %s", id, f.Message)
		}
		got = append(got, f.Object.Ref().String()+" "+f.Path+" "+f.Severity.String())
	}
	slices.Sort(got)
	return got, findings
}

func TestRBACChecks(t *testing.T) {
	tests := []struct {
		id       string
		complete bool
		want     []string
	}{
		{id: "rbac-cluster-admin", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"RoleBinding/team/team-admin subjects[0] critical",
		}},
		{id: "rbac-wildcard", want: []string{
			"ClusterRole/unused-wildcard rules[1].resources high",
			"ClusterRoleBinding/admins subjects[0] high",
			"RoleBinding/team/team-admin subjects[0] high",
		}},
		{id: "rbac-read-secrets", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"ClusterRoleBinding/read-secrets-everywhere subjects[0] critical",
			"RoleBinding/kube-system/read-secrets-system subjects[0] critical",
			"RoleBinding/team/read-secrets-team subjects[0] high",
			"RoleBinding/team/read-secrets-team subjects[1] high",
			"RoleBinding/team/team-admin subjects[0] high",
		}},
		{id: "rbac-escalate", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"ClusterRoleBinding/power-users subjects[0] critical",
			"RoleBinding/team/team-admin subjects[0] critical",
		}},
		{id: "rbac-bind", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"ClusterRoleBinding/ca-binders subjects[0] critical",
			"ClusterRoleBinding/power-users subjects[0] critical",
			"RoleBinding/team/team-admin subjects[0] critical",
		}},
		{id: "rbac-impersonate", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"ClusterRoleBinding/ca-binders subjects[0] critical",
			"ClusterRoleBinding/power-users subjects[0] critical",
			"RoleBinding/team/delegate-in-team subjects[0] critical",
			"RoleBinding/team/team-admin subjects[0] critical",
		}},
		{id: "rbac-create-tokens", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"RoleBinding/kube-system/tokens-system subjects[0] medium", // named accounts that hold nothing in the input
			"RoleBinding/team/team-admin subjects[0] high",
		}},
		{id: "rbac-pod-exec", want: []string{
			"ClusterRoleBinding/admins subjects[0] high",
			"RoleBinding/team/debug-team subjects[0] high",
			"RoleBinding/team/team-admin subjects[0] high",
		}},
		{id: "rbac-create-workloads", want: []string{
			"ClusterRoleBinding/admins subjects[0] high",
			"ClusterRoleBinding/deploy-everywhere subjects[0] high",
		}},
		{id: "rbac-nodes-proxy", want: []string{
			"ClusterRoleBinding/admins subjects[0] high",
			"ClusterRoleBinding/node-agents subjects[0] high",
		}},
		{id: "rbac-ephemeral-containers", want: []string{
			"ClusterRoleBinding/admins subjects[0] high",
			"RoleBinding/team/debug-team subjects[0] high",
			"RoleBinding/team/team-admin subjects[0] high",
		}},
		{id: "rbac-approve-csr", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"ClusterRoleBinding/csr-approvers subjects[0] critical",
		}},
		{id: "rbac-webhook-control", want: []string{
			"ClusterRoleBinding/admins subjects[0] high",
			"ClusterRoleBinding/node-agents subjects[0] high",
		}},
		{id: "rbac-modify-status", want: []string{
			"ClusterRoleBinding/admins subjects[0] low",
			"RoleBinding/team/debug-team subjects[0] low",
			"RoleBinding/team/team-admin subjects[0] low",
		}},
		{id: "rbac-anonymous", want: []string{
			"ClusterRoleBinding/anonymous-pods subjects[0] critical",
			"ClusterRoleBinding/anonymous-pods subjects[1] high",
		}},
		{id: "rbac-binding-missing-role", want: []string{
			"ClusterRoleBinding/crb-to-role roleRef.kind medium",
		}},
		{id: "rbac-binding-missing-role", complete: true, want: []string{
			"ClusterRoleBinding/crb-to-role roleRef.kind medium",
			"RoleBinding/team/ghost roleRef.name medium",
		}},
		{id: "rbac-default-sa-bound", want: []string{
			"RoleBinding/team/read-secrets-team subjects[1] medium",
		}},
		{id: "rbac-eks-aws-auth", want: []string{
			"ClusterRoleBinding/admins subjects[0] critical",
			"RoleBinding/kube-system/aws-auth-editors subjects[0] critical",
		}},
	}
	for _, tt := range tests {
		got, _ := runRBACWorld(t, tt.id, tt.complete)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s (complete %t):\n got  %s\n want %s", tt.id, tt.complete, strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
		}
	}
}

func TestRBACFindingMessagesNameTheChain(t *testing.T) {
	messages := func(id string) string {
		_, findings := runRBACWorld(t, id, false)
		var out []string
		for _, f := range findings {
			out = append(out, f.Message)
		}
		return strings.Join(out, "\n")
	}
	for _, tt := range []struct{ id, want string }{
		{"rbac-escalate", `User "carol" can escalate (write roles granting what it lacks) cluster-wide: ClusterRoleBinding "power-users" → ClusterRole "power" rules[0] (aggregated from ClusterRole "rbac-manager" rules[0]): escalate,bind on clusterroles,roles in group rbac.authorization.k8s.io`},
		{"rbac-read-secrets", `ServiceAccount "team/app" can read secrets in namespace "team": RoleBinding "team/read-secrets-team" → ClusterRole "secret-reader" rules[0]: get,list on secrets in group ""`},
		{"rbac-approve-csr", `User "gina" can approve certificate signing requests cluster-wide: ClusterRoleBinding "csr-approvers" → ClusterRole "csr-approve" rules[0]`},
		{"rbac-approve-csr", `; and update on certificatesigningrequests/approval: ClusterRoleBinding "csr-updaters" → ClusterRole "csr-update" rules[0]`},
		{"rbac-cluster-admin", `Group "team-leads" is bound to ClusterRole "cluster-admin" in namespace "team" by RoleBinding "team/team-admin"`},
		{"rbac-wildcard", `User "alice" can use "*" in verbs, apiGroups, resources cluster-wide: ClusterRoleBinding "admins" → ClusterRole "cluster-admin"`},
		{"rbac-binding-missing-role", `ClusterRoleBinding "crb-to-role" refers to Role "token-maker": a ClusterRoleBinding can only use a ClusterRole`},
	} {
		if got := messages(tt.id); !strings.Contains(got, tt.want) {
			t.Errorf("%s: no message contains\n %s\ngot:\n %s", tt.id, tt.want, got)
		}
	}
}
