package catalog

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

// criticalIfPrivileged is the severity of grants that are critical
// cluster-wide or in kube-system and high elsewhere.
func criticalIfPrivileged(scope string) check.Severity {
	if privilegedScope(scope) {
		return check.Critical
	}
	return check.High
}

func init() {
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-read-secrets",
			Title:    "Subject may read secrets",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants get, list or watch on secrets (core API group) " +
				"without resourceNames. Critical cluster-wide or in kube-system, high in other namespaces.",
			Rationale: "Secrets hold passwords, keys and service account tokens. Reading them in kube-system or across the " +
				"cluster yields the credentials of controllers and often of cluster-admin; list and watch return every value at once.",
			Remediation: "Grant get on the named secrets the subject needs (resourceNames), in its own namespace; never list or watch.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
    resourceNames: ["app-tls"]`,
			References: check.References{
				CIS:   []string{"5.1.2"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1552.007"},
			},
		},
	}, &risk{what: "read secrets", severity: criticalIfPrivileged, probes: []probe{
		{verbs: verbsOf("get list watch"), resources: []string{"secrets"}},
	}})

	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-create-tokens",
			Title:    "Subject may create service account tokens",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants create on serviceaccounts/token (core API group). For any " +
				"account: critical cluster-wide or in kube-system, high in other namespaces. Limited by resourceNames to named " +
				"accounts, the subject gains what those accounts can do, no more: the grant is rated by the worst risk the rbac " +
				"checks find in their bindings (built-in ones included; for a ClusterRoleBinding, accounts of those names in every " +
				"namespace), and the message names it; low when they hold none, medium in files, where their bindings may be elsewhere.",
			Rationale: "The TokenRequest API mints a token for a service account, with all of its permissions. In kube-system " +
				"or cluster-wide that includes the controllers' accounts.",
			Remediation: "Remove create on serviceaccounts/token, or limit it with resourceNames to accounts with few permissions.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    verbs: ["create"]
    resourceNames: ["metrics-reader"]`,
			References: check.References{
				CIS:   []string{"5.1.13"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1528"},
			},
		},
	}, createTokens)
}

const createTokensWhat = "create service account tokens"

// createTokens is the risk of rbac-create-tokens. A grant limited by
// resourceNames to named accounts gives the subject what those accounts
// can do, no more: judgeTokens rates it by that.
var createTokens = &risk{what: createTokensWhat, severity: criticalIfPrivileged, judge: judgeTokens, probes: []probe{
	{verbs: []string{"create"}, resources: []string{"serviceaccounts/token"}, anyName: true},
}}

// judgeTokens rates a grant of create on serviceaccounts/token. Unless
// every matching rule names its accounts, the subject can mint a token
// for any account of the scope (severity by scope, as before). Otherwise
// it is rated by the worst risk those accounts hold on a cluster (their
// bindings, the built-in ones included). When they hold none it is low if
// the inventory is the whole cluster, medium if not (files: their grants
// may be elsewhere). Named accounts of a ClusterRoleBinding are those of
// that name in every namespace.
func judgeTokens(ctx *check.Context, g grant) (check.Severity, string, string) {
	e := ctx.RBAC()
	var names []string
	for _, i := range g.rules {
		rule := &g.binding.Role.Rules[i]
		if len(rule.ResourceNames) == 0 {
			return check.Unset, createTokensWhat, ""
		}
		names = append(names, rule.ResourceNames...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	what := "create tokens for the service accounts named " + joinQuoted(names) + " only"
	sev, worst := check.Low, ""
	for _, account := range namedAccounts(e, g.binding.Scope(), names) {
		if s, phrase := accountRisk(e, account); s > sev || worst == "" && phrase != "" {
			sev, worst = s, phrase
		}
	}
	switch {
	case worst == "" && ctx.Complete:
		return check.Low, what, "; rated low by what those accounts can do, which holds no risk kube4c checks"
	case worst == "":
		return check.Medium, what, "; rated by what those accounts can do, which holds no risk kube4c checks in the input: " +
			"check their bindings elsewhere"
	}
	return sev, what, "; rated by what those accounts can do: " + worst
}

// namedAccounts returns the service accounts of the names that a grant of
// scope reaches: in its namespace, or for a cluster-wide grant in every
// namespace that a binding (the built-in ones included) names one of them
// in, and in any other namespace ("*": an account that only the service
// account groups' grants reach).
func namedAccounts(e *rbac.Engine, scope string, names []string) []rbac.Subject {
	var out []rbac.Subject
	if scope != "" {
		for _, n := range names {
			out = append(out, rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: scope, Name: n})
		}
		return out
	}
	seen := map[rbac.Subject]bool{}
	add := func(ns, name string) {
		s := rbac.Subject{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: name}
		if slices.Contains(names, name) && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, bindings := range [][]*rbac.Binding{e.Bindings(), e.SuppliedBindings()} {
		for _, b := range bindings {
			for _, s := range b.Subjects {
				if ns, name, ok := rbac.ServiceAccountOf(rbac.IdentityOf(s).User); ok {
					add(ns, name)
				}
			}
		}
	}
	for _, n := range names {
		add("*", n)
	}
	return out
}

// accountRisk returns the worst risk a service account holds on a cluster
// (the severity its check gives it, and "ServiceAccount "ns/name" can
// read secrets cluster-wide"), or Unset and "" when it holds none. Token
// grants limited to named accounts are not counted: following them could
// go round in circles.
func accountRisk(e *rbac.Engine, account rbac.Subject) (check.Severity, string) {
	sev, phrase := check.Unset, ""
	for _, p := range e.CanOnCluster(rbac.IdentityOf(account), "") {
		for _, k := range risks {
			if k.id == "rbac-create-tokens" && len(p.Rule.ResourceNames) > 0 || !k.allows(&p.Rule, p.Scope) {
				continue
			}
			if s := k.severityIn(p.Scope); s > sev {
				sev, phrase = s, accountPhrase(account)+" can "+k.what+" "+scopePhrase(p.Scope)
			}
		}
	}
	return sev, phrase
}

// accountPhrase names a named account in a message; "*" is any namespace.
func accountPhrase(s rbac.Subject) string {
	if s.Namespace == "*" {
		return "a ServiceAccount named " + quote(s.Name) + " in any namespace"
	}
	return subjectPhrase(s)
}
