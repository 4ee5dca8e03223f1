package catalog

import (
	"strconv"
	"strings"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// healthPaths are the endpoints anonymous clients are expected to call.
var healthPaths = []string{"/healthz", "/livez", "/readyz", "/version"}

// isHealthPath reports whether a request URI is a health or version
// endpoint (or one of their sub-paths).
func isHealthPath(uri string) bool {
	path, _, _ := strings.Cut(uri, "?")
	for _, p := range healthPaths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// isAnonymous reports whether the event's user is unauthenticated.
func isAnonymous(ev *auditv1.Event) bool {
	return ev.User.Username == "system:anonymous" || anyOf("system:unauthenticated", ev.User.Groups...)
}

func init() {
	registerAuditRule(check.Meta{
		ID:          "audit-anonymous-allowed",
		Title:       "Anonymous request allowed",
		Severity:    check.High,
		Looks:       "Completed requests of system:anonymous (or the system:unauthenticated group) that succeeded, other than to /healthz, /livez, /readyz and /version.",
		Rationale:   "Anything an unauthenticated client may do, anyone who reaches the API server may do; a successful anonymous request other than a health probe means RBAC grants something to everyone.",
		Remediation: "Remove the bindings that grant system:anonymous or system:unauthenticated, or run the API server with --anonymous-auth=false.",
		References:  check.References{CIS: []string{"1.2.1"}, MITRE: []string{"T1078.001"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if completed(ev) && isAnonymous(ev) && !isHealthPath(ev.RequestURI) {
			alert("an unauthenticated client was allowed to " + ev.Verb + " " + ev.RequestURI)
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-impersonation",
		Title:       "Request made by impersonation",
		Severity:    check.Medium,
		Looks:       "Completed, successful requests that carry an impersonated user.",
		Rationale:   "Impersonation runs a request with another identity's permissions; outside of a few admin tools it hides who really acted.",
		Remediation: "Confirm the impersonation was expected; grant impersonate on users, groups and service accounts only to the tools that need it.",
		References:  check.References{MITRE: []string{"T1078", "T1134"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if completed(ev) && ev.ImpersonatedUser != nil {
			alert(ev.User.Username + " acted as " + ev.ImpersonatedUser.Username + " to " + ev.Verb + " " + ev.RequestURI)
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-secret-read",
		Title:       "Secrets read by a non-system user",
		Severity:    check.Medium,
		Looks:       "Completed, successful get, list and watch requests on Secrets by users other than control-plane identities and kube-system service accounts.",
		Rationale:   "Secrets hold passwords, tokens and keys; a person or an application service account reading them outside its usual pattern is how credentials are stolen.",
		Remediation: "Confirm the read was expected; grant get on named secrets only, and never list or watch on all secrets.",
		References:  check.References{MITRE: []string{"T1552.007"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		t := targetOf(ev)
		if completed(ev) && t.is("secrets", "") && anyOf(ev.Verb, "get", "list", "watch") && !isSystemUser(ev.User.Username) {
			alert(ev.User.Username + " " + ev.Verb + " secrets " + t.where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-secret-read-denied",
		Title:       "Attempt to read secrets denied",
		Severity:    check.Medium,
		Looks:       "get, list and watch requests on Secrets refused with 401 or 403.",
		Rationale:   "A refused attempt to read secrets is a typical sign of an attacker probing what a stolen credential can reach.",
		Remediation: "Find out which workload or person holds the credential and why it tried; rotate it if it should not have been used.",
		References:  check.References{MITRE: []string{"T1552.007", "T1087"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		t := targetOf(ev)
		if denied(ev) && t.is("secrets", "") && anyOf(ev.Verb, "get", "list", "watch") {
			alert(ev.User.Username + " was refused (" + strconv.Itoa(int(code(ev))) + ") to " + ev.Verb + " secrets " + t.where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-serviceaccount-token",
		Title:       "Service account token requested by a non-system user",
		Severity:    check.Medium,
		Looks:       "Completed, successful creates of the serviceaccounts/token subresource by users other than control-plane identities.",
		Rationale:   "The TokenRequest API mints a token of the service account: whoever calls it gains the account's permissions, for as long as the token lives.",
		Remediation: "Confirm the token was expected; restrict create on serviceaccounts/token, and keep token lifetimes short.",
		References:  check.References{MITRE: []string{"T1528"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		t := targetOf(ev)
		if completed(ev) && ev.Verb == "create" && t.is("serviceaccounts", "token") && !isSystemUser(ev.User.Username) {
			alert(ev.User.Username + " requested a token of service account " + t.where())
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-node-joined",
		Title:       "Node joined the cluster",
		Severity:    check.Low,
		Looks:       "Completed, successful creates of Nodes.",
		Rationale:   "A node that joins receives the pods scheduled to it and their secrets; an unexpected node is a way to capture workloads.",
		Remediation: "Confirm the node is one of yours; approve kubelet certificates only for known machines.",
		References:  check.References{MITRE: []string{"T1078"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		if completed(ev) && ev.Verb == "create" && targetOf(ev).is("nodes", "") {
			alert("node " + quote(targetOf(ev).name) + " joined, registered by " + ev.User.Username)
		}
	})
}
