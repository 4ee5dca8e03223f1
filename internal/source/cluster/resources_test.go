package cluster

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/source/manifest"
)

// deploy/rbac.yaml must let kube4c list every resource it collects, and
// must not grant get or watch on what it only reads the metadata of.
func TestLeastPrivilegeRoleCoversResources(t *testing.T) {
	res := manifest.Load([]string{filepath.Join("..", "..", "..", "deploy", "rbac.yaml")}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	var role *rbacv1.ClusterRole
	for _, o := range res.Objects {
		if r, ok := o.Obj.(*rbacv1.ClusterRole); ok && r.Name == "kube4c-reader" {
			role = r
		}
	}
	if role == nil {
		t.Fatal("no ClusterRole kube4c-reader in deploy/rbac.yaml")
	}
	// verbs are the verbs granted on a resource: on every object (name
	// empty), or on the one named.
	verbs := func(group, resource, name string) []string {
		var out []string
		for _, rule := range role.Rules {
			if !slices.Contains(rule.APIGroups, group) || !slices.Contains(rule.Resources, resource) {
				continue
			}
			if len(rule.ResourceNames) == 0 || name != "" && slices.Contains(rule.ResourceNames, name) {
				out = append(out, rule.Verbs...)
			}
		}
		return out
	}
	for _, r := range Resources {
		if r.Name != "" {
			_, name, _ := strings.Cut(r.Name, "/")
			if v := verbs(r.Group, r.Resource, name); !slices.Contains(v, "get") {
				t.Errorf("%s: kube4c gets it but the role does not allow get", r)
			}
			continue
		}
		v := verbs(r.Group, r.Resource, "")
		if !slices.Contains(v, "list") {
			t.Errorf("%s: kube4c lists it but the role does not allow list", r)
		}
		if r.MetadataOnly && (slices.Contains(v, "get") || slices.Contains(v, "watch")) {
			t.Errorf("%s: kube4c reads only its metadata, yet the role grants %v", r, v)
		}
	}
	// A grant on named objects names only the objects kube4c reads whole.
	for _, rule := range role.Rules {
		for _, name := range rule.ResourceNames {
			if !slices.ContainsFunc(Resources, func(r Resource) bool { return strings.HasSuffix(r.Name, "/"+name) }) {
				t.Errorf("the role grants %v on %v %s, which kube4c does not read", rule.Verbs, rule.Resources, name)
			}
		}
	}
	for _, rule := range role.Rules {
		for _, verb := range rule.Verbs {
			if verb != "get" && verb != "list" && verb != "watch" {
				t.Errorf("the role grants %s: kube4c only reads", verb)
			}
		}
	}
}
