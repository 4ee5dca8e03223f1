package catalog

import (
	"strings"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// kube4cDecision is the audit annotation that kube4c admission serve sets
// on every request it reviews; the API server prefixes it with the
// webhook's name ("validate.kube4c.io/decision").
const kube4cDecision = "/decision"

// admissionAnnotation returns the value of kube4c's audit annotation with
// the suffix (of any webhook name), and whether the event has it.
func admissionAnnotation(ev *auditv1.Event, suffix string) (string, bool) {
	for k, v := range ev.Annotations {
		if strings.HasSuffix(k, suffix) && strings.Contains(k, "kube4c") {
			return v, true
		}
	}
	return "", false
}

func init() {
	registerAuditRule(check.Meta{
		ID:       "audit-admission-refused",
		Title:    "Request refused by kube4c's admission webhook",
		Severity: check.Medium,
		Looks: "Audit events whose kube4c admission annotations (" + "`<webhook>/decision`, `<webhook>/findings`" +
			") say the webhook refused the request, with the checks that refused it.",
		Rationale: "A refusal is kube4c working, but who keeps trying to create privileged or host-sharing workloads, and with " +
			"which identity, is worth knowing: a stolen token probing for a way onto a node looks exactly like this.",
		Remediation: "Ask the user (or the owner of the service account) what they meant to deploy; fix the manifest or add an " +
			"exception with a reason if the workload really needs it.",
		References: check.References{MITRE: []string{"T1610", "T1611"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if ev.Stage != auditv1.StageResponseComplete {
			return
		}
		if decision, ok := admissionAnnotation(ev, kube4cDecision); !ok || decision != "denied" {
			return
		}
		findings, _ := admissionAnnotation(ev, "/findings")
		var refusing []string
		for _, item := range strings.Split(findings, ",") {
			if id, ok := strings.CutSuffix(item, "=deny"); ok {
				refusing = append(refusing, id)
			}
		}
		alert(ev.User.Username + " was refused " + ev.Verb + " of " + targetOf(ev).resource + " " + targetOf(ev).where() +
			" by kube4c admission: " + strings.Join(refusing, ", "))
	})
}
