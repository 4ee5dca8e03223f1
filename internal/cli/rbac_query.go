package cli

import (
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kube4c/kube4c/internal/rbac"
)

// knownSubresources are the subresource names of built-in resources: in
// RESOURCE/X, an X among them is a subresource, anything else an object
// name (unless --subresource is given, which makes X a name).
var knownSubresources = []string{
	"approval", "attach", "binding", "eviction", "ephemeralcontainers", "exec", "finalize", "log",
	"portforward", "proxy", "resize", "scale", "status", "token",
}

// parseQuery reads who-can's arguments: VERB and RESOURCE[.GROUP][/NAME]
// (or RESOURCE/SUBRESOURCE), or VERB and a non-resource URL starting with /.
func parseQuery(verb, target, subresource string, subresourceSet bool) (rbac.Query, error) {
	q := rbac.Query{Verb: verb}
	if verb == "" {
		return q, usageError("VERB must not be empty")
	}
	if strings.HasPrefix(target, "/") {
		if subresourceSet {
			return q, usageError("--subresource does not apply to the non-resource URL %s", target)
		}
		q.URL = target
		return q, nil
	}
	resource, after, hasSlash := strings.Cut(target, "/")
	switch {
	case hasSlash && after == "":
		return q, usageError("%q: nothing after the /", target)
	case hasSlash && !subresourceSet && slices.Contains(knownSubresources, after):
		q.Subresource = after
	case hasSlash:
		q.Name = after
	}
	if subresourceSet {
		q.Subresource = subresource
	}
	var err error
	q.Resource, q.Group, err = resolveResource(resource)
	return q, err
}

// resolveResource splits RESOURCE.GROUP, or finds the API group of a
// built-in resource: the core group when it has the resource, else the one
// group that has it (ignoring the retired extensions group).
func resolveResource(s string) (resource, group string, err error) {
	if s == "*" {
		return "*", "*", nil
	}
	if resource, group, ok := strings.Cut(s, "."); ok {
		return resource, group, nil
	}
	groups := builtinGroups()[s]
	switch {
	case slices.Contains(groups, ""):
		return s, "", nil
	case len(groups) == 1:
		return s, groups[0], nil
	case len(groups) == 0:
		return "", "", usageError("unknown resource %q: write it as RESOURCE.GROUP (for example widgets.example.com), or *", s)
	}
	return "", "", usageError("resource %q is in several API groups (%s): write it as RESOURCE.GROUP", s, strings.Join(groups, ", "))
}

// builtinGroups maps the resources of the kinds client-go knows (and of the
// API server's own extension APIs) to their API groups.
var builtinGroups = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{
		"customresourcedefinitions": {"apiextensions.k8s.io"},
		"apiservices":               {"apiregistration.k8s.io"},
	}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == "__internal" || gvk.Group == "extensions" || strings.HasSuffix(gvk.Kind, "List") || strings.HasSuffix(gvk.Kind, "Options") {
			continue
		}
		plural, _ := meta.UnsafeGuessKindToResource(gvk)
		if !slices.Contains(out[plural.Resource], gvk.Group) {
			out[plural.Resource] = append(out[plural.Resource], gvk.Group)
		}
	}
	for _, groups := range out {
		slices.Sort(groups)
	}
	return out
})
