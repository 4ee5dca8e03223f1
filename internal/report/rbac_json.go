package report

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/rbac"
)

// The JSON shapes of who-can.
type (
	whoCanDoc struct {
		Query         rbac.Query      `json:"query"`
		AllNamespaces bool            `json:"allNamespaces,omitempty"`
		Grants        []rbacGrantJSON `json:"grants"`
	}
	rbacGrantJSON struct {
		Subject  rbac.Subject    `json:"subject"`
		Scope    string          `json:"scope"`
		Implicit bool            `json:"implicit,omitempty"`
		Binding  *rbacObjectJSON `json:"binding,omitempty"`
		Role     *rbacObjectJSON `json:"role,omitempty"`
		Rules    []rbacRuleJSON  `json:"rules,omitempty"`
	}
	rbacObjectJSON struct {
		Kind       string `json:"kind"`
		Namespace  string `json:"namespace,omitempty"`
		Name       string `json:"name"`
		Location   string `json:"location,omitempty"`
		Aggregated bool   `json:"aggregated,omitempty"`
		// Builtin says how the role relates to the built-in role of its
		// name: "supplied" (the input lacks it), "as-shipped" or
		// "changed"; BuiltinVersion is the Kubernetes version of it.
		Builtin        string `json:"builtin,omitempty"`
		BuiltinVersion string `json:"builtinVersion,omitempty"`
	}
	rbacRuleJSON struct {
		Index int               `json:"index"`
		Rule  rbacv1.PolicyRule `json:"rule"`
		// WrittenIn is where an aggregated rule is written.
		WrittenIn *rbacRuleOriginJSON `json:"writtenIn,omitempty"`
	}
	rbacRuleOriginJSON struct {
		Role  string `json:"role"`
		Index int    `json:"index"`
	}
)

func whoCanJSON(q rbac.Query, all bool, grants []rbac.Grant) whoCanDoc {
	out := whoCanDoc{Query: q, AllNamespaces: all, Grants: make([]rbacGrantJSON, 0, len(grants))}
	for _, g := range grants {
		gj := rbacGrantJSON{Subject: g.Subject, Scope: scopeName(g.Scope), Implicit: g.Implicit()}
		if !g.Implicit() {
			gj.Binding = &rbacObjectJSON{Kind: g.Binding.Kind, Namespace: g.Binding.Namespace, Name: g.Binding.Name, Location: subjectLocation(g)}
			gj.Role = &rbacObjectJSON{Kind: g.Role.Kind, Namespace: g.Role.Namespace, Name: g.Role.Name, Aggregated: g.Role.Aggregated,
				Builtin: g.Role.Builtin.String(), BuiltinVersion: g.Role.BuiltinVersion}
			if loc, _ := g.Role.Object.Locate(""); loc.Line > 0 {
				gj.Role.Location = fmt.Sprintf("%s:%d", loc.File, loc.Line)
			}
			for _, i := range g.Rules {
				rj := rbacRuleJSON{Index: i, Rule: g.Role.Rules[i]}
				if o := g.Role.Origins[i]; o.Role != g.Role {
					rj.WrittenIn = &rbacRuleOriginJSON{Role: o.Role.Ref(), Index: o.Index}
				}
				gj.Rules = append(gj.Rules, rj)
			}
		}
		out.Grants = append(out.Grants, gj)
	}
	return out
}

// The JSON shapes of can.
type (
	canDoc struct {
		Subject   rbac.Subject         `json:"subject"`
		Identity  rbac.Identity        `json:"identity"`
		Namespace string               `json:"namespace,omitempty"`
		Rules     []rbacPermissionJSON `json:"rules"`
	}
	rbacPermissionJSON struct {
		Scope           string           `json:"scope"`
		Verbs           []string         `json:"verbs"`
		APIGroups       []string         `json:"apiGroups,omitempty"`
		Resources       []string         `json:"resources,omitempty"`
		ResourceNames   []string         `json:"resourceNames,omitempty"`
		NonResourceURLs []string         `json:"nonResourceURLs,omitempty"`
		Via             []rbacSourceJSON `json:"via"`
	}
	rbacSourceJSON struct {
		Binding string `json:"binding,omitempty"`
		Role    string `json:"role,omitempty"`
		// Implicit marks the superuser rules of system:masters.
		Implicit bool `json:"implicit,omitempty"`
	}
)

func canJSON(s rbac.Subject, id rbac.Identity, namespace string, perms []rbac.Permission) canDoc {
	out := canDoc{Subject: s, Identity: id, Namespace: namespace, Rules: make([]rbacPermissionJSON, 0, len(perms))}
	for _, p := range perms {
		pj := rbacPermissionJSON{Scope: scopeName(p.Scope), Verbs: p.Rule.Verbs, APIGroups: p.Rule.APIGroups, Resources: p.Rule.Resources,
			ResourceNames: p.Rule.ResourceNames, NonResourceURLs: p.Rule.NonResourceURLs}
		for _, src := range p.Via {
			if src.Binding == nil {
				pj.Via = append(pj.Via, rbacSourceJSON{Implicit: true})
				continue
			}
			pj.Via = append(pj.Via, rbacSourceJSON{Binding: src.Binding.Ref(), Role: src.Role.Ref()})
		}
		out.Rules = append(out.Rules, pj)
	}
	return out
}
