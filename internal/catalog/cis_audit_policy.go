package catalog

import (
	"fmt"
	"slices"
	"strings"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/inventory"
)

func init() {
	registerCIS(cisItem{
		id: "audit-policy", title: "Audit policy missing, leaking secrets or blind to exec", cis: []string{"3.2.1", "3.2.2"}, severity: check.High,
		looks: "the API server's --audit-policy-file, --audit-log-path and --audit-webhook-config-file, and the audit Policy the flag names, judged " +
			"first-match-wins over a matrix of probe requests (users, verbs, namespaces and sensitive resources).",
		rationale: "Without a policy and a backend nothing is audited. A rule that logs Secrets, ConfigMaps, TokenReviews or token requests " +
			"at Request or RequestResponse writes credentials into the audit log, which is usually shipped to less protected systems. " +
			"Interactive access to pods (exec, attach, port-forward, ephemeral containers) is what an investigation looks for first.",
		remediation: "Set --audit-policy-file and --audit-log-path (or --audit-webhook-config-file). In the policy, put a Metadata rule for " +
			"secrets, configmaps, tokenreviews and serviceaccounts/token before any Request or RequestResponse rule, log pods/exec, " +
			"pods/attach, pods/portforward and pods/ephemeralcontainers at Metadata or more, end with a catch-all rule, and omit the " +
			"RequestReceived stage.",
		example: `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets, configmaps, serviceaccounts/token]
      - group: authentication.k8s.io
        resources: [tokenreviews]
  - level: Metadata
    resources:
      - group: ""
        resources: [pods/exec, pods/attach, pods/portforward, pods/ephemeralcontainers]
  - level: Metadata`,
		decide: decideAuditPolicy,
	})
}

// auditProbe is a kind of request the audit policy is judged on.
type auditProbe struct {
	group, resource, subresource string
	verbs                        []string
}

// sensitiveProbes are requests whose bodies hold credentials.
var sensitiveProbes = []auditProbe{
	{"", "secrets", "", []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
	{"", "configmaps", "", []string{"get", "list", "watch", "create", "update", "patch"}},
	{"authentication.k8s.io", "tokenreviews", "", []string{"create"}},
	{"", "serviceaccounts", "token", []string{"create"}},
}

// interactiveProbes are the requests that open a session into a pod.
var interactiveProbes = []auditProbe{
	{"", "pods", "exec", []string{"create", "get"}},
	{"", "pods", "attach", []string{"create", "get"}},
	{"", "pods", "portforward", []string{"create", "get"}},
	{"", "pods", "ephemeralcontainers", []string{"update", "patch"}},
}

// probeUsers are who the probes are sent as.
var probeUsers = []struct {
	name   string
	groups []string
}{
	{"jane", []string{"developers", "system:authenticated"}},
	{"system:serviceaccount:kube-system:default", []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}},
	{"system:node:node-1", []string{"system:nodes", "system:authenticated"}},
	{"system:kube-controller-manager", []string{"system:authenticated"}},
}

var probeNamespaces = []string{"default", "kube-system", "team-a"}

// probeRequests expands a probe over users, namespaces and verbs.
func probeRequests(p auditProbe) []controlplane.AuditRequest {
	var out []controlplane.AuditRequest
	for _, u := range probeUsers {
		for _, ns := range probeNamespaces {
			if p.resource == "tokenreviews" {
				ns = ""
			}
			for _, verb := range p.verbs {
				out = append(out, controlplane.AuditRequest{User: u.name, Groups: u.groups, Verb: verb, Namespace: ns,
					Group: p.group, Resource: p.resource, Subresource: p.subresource, Name: "probe"})
			}
		}
	}
	return out
}

func decideAuditPolicy(ctx *check.Context, v *controlplane.View) {
	api := component(ctx, v, controlplane.APIServer)
	if api == nil {
		return
	}
	f := api.Flags
	file, _ := f.Value("audit-policy-file")
	logPath, _ := f.Value("audit-log-path")
	switch {
	case file == "":
		ctx.Report(api.Pod, api.FlagPath("audit-policy-file"), "kube-apiserver has no --audit-policy-file: nothing is audited")
		return
	case logPath == "" && !f.Has("audit-webhook-config-file"):
		ctx.Report(api.Pod, api.FlagPath("audit-log-path"), "kube-apiserver has an audit policy but neither --audit-log-path nor --audit-webhook-config-file: audit events go nowhere")
		return
	case v.Audit == nil:
		ctx.NotApplicable(api.Pod, unread(v, "audit policy", file))
		return
	}
	if n := judgePolicy(ctx, v.Audit.Object, v.Audit.Value); n == 0 {
		ctx.Pass(v.Audit.Object, "rules", "the audit policy logs sensitive resources at Metadata, records interactive access and has a catch-all rule")
	}
}

// judgePolicy reports the policy's problems and returns how many it found.
func judgePolicy(ctx *check.Context, obj *inventory.Object, p *auditv1.Policy) int {
	found := 0
	report := func(path string, sev check.Severity, msg string) {
		ctx.ReportFinding(check.Finding{Object: obj, Path: path, Severity: sev, Message: msg})
		found++
	}
	leaks := map[int][]string{}
	for _, probe := range sensitiveProbes {
		for _, req := range probeRequests(probe) {
			level, rule := controlplane.AuditLevel(p, req)
			name := probeName(probe)
			if (level == auditv1.LevelRequest || level == auditv1.LevelRequestResponse) && !slices.Contains(leaks[rule], name) {
				leaks[rule] = append(leaks[rule], name)
			}
		}
	}
	for _, rule := range sortedKeys(leaks) {
		report(fmt.Sprintf("rules[%d]", rule), check.Critical, fmt.Sprintf("rule %d logs %s at %s: their bodies (credentials) leak into the audit log; log them at Metadata in an earlier rule",
			rule, strings.Join(leaks[rule], ", "), p.Rules[rule].Level))
	}
	var blind []string
	for _, probe := range interactiveProbes {
		for _, req := range probeRequests(probe) {
			if level, _ := controlplane.AuditLevel(p, req); level == auditv1.LevelNone || level == "" {
				blind = append(blind, probeName(probe))
				break
			}
		}
	}
	if len(blind) > 0 {
		report("rules", check.Medium, "some "+strings.Join(blind, ", ")+" requests are not logged: interactive access to pods leaves no trail")
	}
	if !slices.ContainsFunc(p.Rules, func(r auditv1.PolicyRule) bool { return controlplane.CatchAll(&r) && r.Level != auditv1.LevelNone }) {
		report("rules", check.Low, "the policy has no catch-all rule: requests no rule names are not logged")
	}
	if !slices.Contains(p.OmitStages, auditv1.StageRequestReceived) {
		report("omitStages", check.Info, "the RequestReceived stage is not omitted: every request is logged twice")
	}
	return found
}

func probeName(p auditProbe) string {
	name := p.resource
	if p.subresource != "" {
		name += "/" + p.subresource
	}
	return name
}

func sortedKeys(m map[int][]string) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
