package rbac

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Query is what a request asks the authorizer, as in a SubjectAccessReview:
// a verb on a resource (with its API group, optional subresource and
// object name) in a namespace, or a verb on a non-resource URL.
type Query struct {
	Verb string `json:"verb"`
	// Group is the API group; "" is the core group.
	Group       string `json:"group,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
	// Namespace is the namespace of the request; "" for cluster-scoped
	// resources and requests across all namespaces.
	Namespace string `json:"namespace,omitempty"`
	// URL is the path of a non-resource request, such as /metrics. A query
	// with a URL is a non-resource query.
	URL string `json:"url,omitempty"`
}

// NonResource reports whether the query is about a non-resource URL.
func (q *Query) NonResource() bool { return q.URL != "" }

// String formats the query the way kubectl auth can-i takes it.
func (q *Query) String() string {
	if q.NonResource() {
		return q.Verb + " " + q.URL
	}
	s := q.Verb + " " + q.Resource
	if q.Group != "" {
		s += "." + q.Group
	}
	if q.Name != "" {
		s += "/" + q.Name
	}
	if q.Subresource != "" {
		s += " (subresource " + q.Subresource + ")"
	}
	if q.Namespace != "" {
		s += " in namespace " + q.Namespace
	}
	return s
}

// RuleAllows reports whether the rule authorizes the query, with the
// matching of the Kubernetes RBAC authorizer: "*" matches every verb, API
// group, resource and URL; a resource "R/S" matches subresource S of R and
// "*/S" subresource S of every resource; a rule with resourceNames matches
// only queries that carry one of those names; a URL ending in "*" matches
// every URL it prefixes.
func RuleAllows(rule *rbacv1.PolicyRule, q *Query) bool {
	if !verbMatches(rule.Verbs, q.Verb) {
		return false
	}
	if q.NonResource() {
		return urlMatches(rule.NonResourceURLs, q.URL)
	}
	return groupMatches(rule.APIGroups, q.Group) &&
		resourceMatches(rule.Resources, q.Resource, q.Subresource) &&
		nameMatches(rule.ResourceNames, q.Name)
}

func verbMatches(verbs []string, verb string) bool {
	for _, v := range verbs {
		if v == rbacv1.VerbAll || v == verb {
			return true
		}
	}
	return false
}

func groupMatches(groups []string, group string) bool {
	for _, g := range groups {
		if g == rbacv1.APIGroupAll || g == group {
			return true
		}
	}
	return false
}

func resourceMatches(resources []string, resource, subresource string) bool {
	for _, r := range resources {
		if r == rbacv1.ResourceAll || subresource == "" && r == resource {
			return true
		}
		if subresource != "" && (isPath(r, resource, subresource) || isPath(r, "*", subresource)) {
			return true
		}
	}
	return false
}

// isPath reports whether s is head + "/" + tail, without building it.
func isPath(s, head, tail string) bool {
	return len(s) == len(head)+1+len(tail) && s[len(head)] == '/' &&
		strings.HasPrefix(s, head) && strings.HasSuffix(s, tail)
}

func nameMatches(names []string, name string) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func urlMatches(urls []string, url string) bool {
	for _, u := range urls {
		if u == rbacv1.NonResourceAll || u == url {
			return true
		}
		if strings.HasSuffix(u, "*") && strings.HasPrefix(url, strings.TrimRight(u, "*")) {
			return true
		}
	}
	return false
}
