package catalog

import (
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// streamStarted reports whether ev records that the API server began
// streaming a subresource of the resource (an exec, attach or port-forward
// session was granted). Such sessions last, so the start is what counts.
func streamStarted(ev *auditv1.Event, resource string, subresources ...string) bool {
	t := targetOf(ev)
	return ev.Stage == auditv1.StageResponseStarted && t.resource == resource && anyOf(t.subresource, subresources...) && code(ev) < 400
}

func init() {
	registerAuditRule(check.Meta{
		ID:          "audit-pod-exec",
		Title:       "Command executed in or attached to a pod",
		Severity:    check.High,
		Looks:       "Audit events of the pods/exec and pods/attach subresources at stage ResponseStarted: a session the API server granted.",
		Rationale:   "Exec and attach give an interactive shell inside a running container, with its service account token and secrets; attackers use them to move laterally, and in production they bypass the deployment pipeline.",
		Remediation: "Confirm the session was expected. Restrict create on pods/exec and pods/attach to break-glass roles, and debug through logs or ephemeral containers under review.",
		References:  check.References{MITRE: []string{"T1609"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if streamStarted(ev, "pods", "exec", "attach") {
			t := targetOf(ev)
			alert(ev.User.Username + " opened an " + t.subresource + " session into pod " + t.where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-port-forward",
		Title:       "Port forwarded to a pod",
		Severity:    check.Medium,
		Looks:       "Audit events of the pods/portforward subresource at stage ResponseStarted.",
		Rationale:   "Port-forwarding tunnels traffic from a workstation straight into a pod, around Services, ingress controls and network policies.",
		Remediation: "Confirm the tunnel was expected; grant create on pods/portforward only to the people who debug that namespace.",
		References:  check.References{MITRE: []string{"T1090"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if streamStarted(ev, "pods", "portforward") {
			alert(ev.User.Username + " forwarded a port to pod " + targetOf(ev).where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-ephemeral-container",
		Title:       "Ephemeral container added to a pod",
		Severity:    check.High,
		Looks:       "Completed, successful updates and patches of the pods/ephemeralcontainers subresource.",
		Rationale:   "An ephemeral container runs an arbitrary image inside a running pod, sharing its namespaces and volumes; it is how kubectl debug works, and a way to run tools the pod's image left out.",
		Remediation: "Confirm the debugging session was expected; restrict update and patch on pods/ephemeralcontainers.",
		References:  check.References{MITRE: []string{"T1610"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if completed(ev) && targetOf(ev).is("pods", "ephemeralcontainers") && isWrite(ev.Verb) {
			alert(ev.User.Username + " added an ephemeral container to pod " + targetOf(ev).where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-node-proxy",
		Title:       "Kubelet API reached through nodes/proxy",
		Severity:    check.High,
		Looks:       "Completed, successful requests of the nodes/proxy subresource.",
		Rationale:   "nodes/proxy passes requests to the kubelet's API, which can run commands in every pod of the node without any pods/exec audit event.",
		Remediation: "Confirm the access was expected (metrics collectors use it); grant nodes/proxy to nothing but monitoring, and read metrics through nodes/metrics instead.",
		References:  check.References{MITRE: []string{"T1609"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if ev.Stage == auditv1.StageResponseComplete && code(ev) < 400 && targetOf(ev).is("nodes", "proxy") {
			alert(ev.User.Username + " reached the kubelet of node " + targetOf(ev).where() + " through nodes/proxy (" + ev.RequestURI + ")")
		}
	})
}
