package cluster

import (
	"path/filepath"
	"slices"
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
	verbs := func(group, resource string) []string {
		var out []string
		for _, rule := range role.Rules {
			if slices.Contains(rule.APIGroups, group) && slices.Contains(rule.Resources, resource) {
				out = append(out, rule.Verbs...)
			}
		}
		return out
	}
	for _, r := range Resources {
		v := verbs(r.Group, r.Resource)
		if !slices.Contains(v, "list") {
			t.Errorf("%s: kube4c lists it but the role does not allow list", r.GroupResource())
		}
		if r.MetadataOnly && (slices.Contains(v, "get") || slices.Contains(v, "watch")) {
			t.Errorf("%s: kube4c reads only its metadata, yet the role grants %v", r.GroupResource(), v)
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
