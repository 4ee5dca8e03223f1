package catalog

import (
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

func auditPolicy(body string) string {
	return "apiVersion: audit.k8s.io/v1\nkind: Policy\n" + body
}

func TestAuditPolicy(t *testing.T) {
	api := apiServerPod("--audit-policy-file=/etc/kubernetes/audit.yaml", "--audit-log-path=/var/log/audit.log")
	good := "omitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources:\n  - group: ''\n    resources: [secrets, configmaps, serviceaccounts/token]\n  - group: authentication.k8s.io\n    resources: [tokenreviews]\n- level: RequestResponse\n- level: Metadata\n"
	for _, tt := range []struct {
		name string
		docs []string
		want []string // "severity path"
	}{
		{"no policy", []string{apiServerPod("--audit-log-path=/var/log/audit.log")}, []string{"high spec.containers[0].command"}},
		{"no backend", []string{apiServerPod("--audit-policy-file=/etc/kubernetes/audit.yaml")}, []string{"high spec.containers[0].command"}},
		{"good", []string{api, auditPolicy(good)}, nil},
		{"webhook backend", []string{apiServerPod("--audit-policy-file=/p.yaml", "--audit-webhook-config-file=/w.yaml"), auditPolicy(good)}, nil},
		{"catch-all RequestResponse logs secrets", []string{api, auditPolicy("omitStages: [RequestReceived]\nrules:\n- level: RequestResponse\n")},
			[]string{"critical rules[0]"}},
		{"secrets logged for one group only", []string{api, auditPolicy("omitStages: [RequestReceived]\nrules:\n" +
			"- level: Request\n  userGroups: [system:nodes]\n  resources: [{group: '', resources: [secrets]}]\n- level: Metadata\n")}, []string{"critical rules[0]"}},
		{"token requests leak through a subresource wildcard", []string{api, auditPolicy("omitStages: [RequestReceived]\nrules:\n" +
			"- level: Metadata\n  resources: [{group: '', resources: [secrets, configmaps]}, {group: authentication.k8s.io}]\n- level: Request\n  resources: [{group: '', resources: ['serviceaccounts/*']}]\n- level: Metadata\n")},
			[]string{"critical rules[1]"}},
		{"exec not logged, no catch-all, RequestReceived kept", []string{api, auditPolicy("rules:\n- level: None\n  resources: [{group: '', resources: [pods/exec]}]\n- level: Metadata\n  namespaces: [default, kube-system, team-a]\n")},
			[]string{"info omitStages", "medium rules", "low rules"}}, // in file order: omitStages is absent, so at the top
	} {
		t.Run(tt.name, func(t *testing.T) {
			findings, verdicts := runCIS(t, "audit-policy", tt.docs...)
			var got []string
			for _, f := range findings {
				got = append(got, f.Severity.String()+" "+f.Path)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("findings %v, want %v", got, tt.want)
				for _, f := range findings {
					t.Log(f.Message)
				}
			}
			if len(tt.want) == 0 && (len(verdicts) != 1 || verdicts[0].Status != check.StatusPass) {
				t.Errorf("no pass recorded: %v", verdicts)
			}
		})
	}
}
