package controlplane

import (
	"slices"
	"strings"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// AuditRequest is a request as an audit policy sees it.
type AuditRequest struct {
	User        string
	Groups      []string
	Verb        string
	Namespace   string
	Group       string // API group of the resource; "" for the core group
	Resource    string
	Subresource string
	Name        string
	// Path is set, instead of Resource, for a non-resource request.
	Path string
}

// AuditLevel returns the level at which the policy logs the request and
// the index of the rule that decided it (-1 when no rule matches, which
// means level None). Rules are tried in order; the first match wins.
func AuditLevel(p *auditv1.Policy, req AuditRequest) (auditv1.Level, int) {
	for i := range p.Rules {
		if ruleMatches(&p.Rules[i], req) {
			return p.Rules[i].Level, i
		}
	}
	return auditv1.LevelNone, -1
}

// ruleMatches follows the audit policy checker of the API server.
func ruleMatches(r *auditv1.PolicyRule, req AuditRequest) bool {
	if len(r.Users) > 0 && !slices.Contains(r.Users, req.User) {
		return false
	}
	if len(r.UserGroups) > 0 && !slices.ContainsFunc(r.UserGroups, func(g string) bool { return slices.Contains(req.Groups, g) }) {
		return false
	}
	if len(r.Verbs) > 0 && !slices.Contains(r.Verbs, req.Verb) {
		return false
	}
	if len(r.Namespaces) > 0 || len(r.Resources) > 0 {
		if req.Resource == "" || !resourceMatches(r, req) {
			return false
		}
	}
	if len(r.NonResourceURLs) > 0 && (req.Resource != "" || !pathMatches(r.NonResourceURLs, req.Path)) {
		return false
	}
	return true
}

func resourceMatches(r *auditv1.PolicyRule, req AuditRequest) bool {
	if len(r.Namespaces) > 0 && !slices.Contains(r.Namespaces, req.Namespace) {
		return false
	}
	if len(r.Resources) == 0 {
		return true
	}
	full := req.Resource
	if req.Subresource != "" {
		full += "/" + req.Subresource
	}
	for _, gr := range r.Resources {
		if gr.Group != req.Group {
			continue
		}
		if len(gr.Resources) == 0 {
			return true
		}
		for _, res := range gr.Resources {
			if res == "*" || res == full || req.Subresource != "" && (res == "*/"+req.Subresource || res == req.Resource+"/*") {
				if len(gr.ResourceNames) == 0 || slices.Contains(gr.ResourceNames, req.Name) {
					return true
				}
			}
		}
	}
	return false
}

func pathMatches(patterns []string, path string) bool {
	for _, p := range patterns {
		if p == "*" || p == path || strings.HasSuffix(p, "*") && strings.HasPrefix(path, strings.TrimSuffix(p, "*")) {
			return true
		}
	}
	return false
}

// CatchAll reports whether the rule matches every request.
func CatchAll(r *auditv1.PolicyRule) bool {
	return len(r.Users)+len(r.UserGroups)+len(r.Verbs)+len(r.Resources)+len(r.Namespaces)+len(r.NonResourceURLs) == 0
}
