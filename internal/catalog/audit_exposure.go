package catalog

import (
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// credentialKey matches ConfigMap keys that name a credential.
var credentialKey = regexp.MustCompile(`(?i)(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)`)

// credentialValue matches values that are credentials whatever their key.
var credentialValue = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b|\bxox[baprs]-[A-Za-z0-9-]{10,}`)

// credentialKeys returns the keys of data that name or hold a credential.
func credentialKeys(data map[string]string) []string {
	var out []string
	for k, v := range data {
		if credentialValue.MatchString(v) || credentialKey.MatchString(k) && strings.TrimSpace(v) != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func init() {
	registerAuditRule(check.Meta{
		ID:          "audit-nodeport-service",
		Title:       "NodePort service created",
		Severity:    check.Medium,
		Looks:       "Completed creates, updates and patches of Services whose recorded object has spec.type NodePort.",
		Rationale:   "A NodePort opens the port on every node's address, usually outside the ingress and load-balancer controls the cluster relies on.",
		Remediation: "Expose the service through an Ingress or a LoadBalancer with source ranges, or confirm the node ports are firewalled.",
		References:  check.References{MITRE: []string{"T1133"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		var svc corev1.Service
		if changes(ev, "services") && objectOf(ev, &svc) && svc.Spec.Type == corev1.ServiceTypeNodePort {
			alert(ev.User.Username + " " + pastTense(ev.Verb) + " NodePort service " + targetOf(ev).where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-ingress-without-tls",
		Title:       "Ingress created without TLS",
		Severity:    check.Medium,
		Looks:       "Completed creates, updates and patches of Ingresses whose recorded object has no spec.tls.",
		Rationale:   "An Ingress without TLS serves its hosts in clear text: credentials and session cookies cross the network readable.",
		Remediation: "Add spec.tls with a certificate secret for every host, for example one issued by cert-manager.",
		References:  check.References{MITRE: []string{"T1557"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		var ing networkingv1.Ingress
		if changes(ev, "ingresses") && objectOf(ev, &ing) && len(ing.Spec.TLS) == 0 {
			alert(ev.User.Username + " " + pastTense(ev.Verb) + " ingress " + targetOf(ev).where() + " without spec.tls")
		}
	})

	registerAuditRule(check.Meta{
		ID:       "audit-configmap-credentials",
		Title:    "ConfigMap written with credentials",
		Severity: check.Medium,
		Looks: "Completed creates, updates and patches of ConfigMaps whose recorded data has a non-empty key naming a credential " +
			"(password, secret, token, API or access key) or a value that is one (a private key, an AWS, GitHub or Slack token).",
		Rationale:   "ConfigMaps are readable by far more subjects than Secrets, are not encrypted at rest and end up in logs and Git; credentials in them leak.",
		Remediation: "Move the values to a Secret (or an external secret store) and rotate the credentials that were exposed.",
		References:  check.References{MITRE: []string{"T1552.007"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		var cm corev1.ConfigMap
		if !changes(ev, "configmaps") || !objectOf(ev, &cm) {
			return
		}
		if keys := credentialKeys(cm.Data); len(keys) > 0 {
			alert(ev.User.Username + " " + pastTense(ev.Verb) + " ConfigMap " + targetOf(ev).where() + " with credentials in " + joinQuoted(keys))
		}
	})
}
