package cluster

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/source/manifest"
)

// deployRole reads a ClusterRole of a file of deploy/.
func deployRole(t *testing.T, file, name string) *rbacv1.ClusterRole {
	t.Helper()
	res := manifest.Load([]string{filepath.Join("..", "..", "..", "deploy", file)}, manifest.Options{})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	for _, o := range res.Objects {
		if r, ok := o.Obj.(*rbacv1.ClusterRole); ok && r.Name == name {
			return r
		}
	}
	t.Fatalf("no ClusterRole %s in deploy/%s", name, file)
	return nil
}

// deploy/rbac.yaml must let kube4c list every resource it collects but
// Secrets, which deploy/rbac-secrets.yaml adds (list only: RBAC cannot
// limit a list to metadata, so the default role leaves them out), and get
// the objects it reads by name; neither may grant get or watch on what
// kube4c only reads the metadata of, name objects kube4c does not read,
// or grant anything but reads.
func TestLeastPrivilegeRoleCoversResources(t *testing.T) {
	reader := deployRole(t, "rbac.yaml", "kube4c-reader")
	secrets := deployRole(t, "rbac-secrets.yaml", "kube4c-secret-metadata")
	// verbs are the verbs a role grants on a resource: on every object
	// (name empty), or on the one named.
	verbs := func(role *rbacv1.ClusterRole, group, resource, name string) []string {
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
		role := reader
		if r.Group == "" && r.Resource == "secrets" {
			if v := verbs(reader, r.Group, r.Resource, ""); len(v) > 0 {
				t.Errorf("deploy/rbac.yaml grants %v on secrets: whoever holds the token could read their values", v)
			}
			role = secrets
		}
		if r.Name != "" {
			_, name, _ := strings.Cut(r.Name, "/")
			if v := verbs(role, r.Group, r.Resource, name); !slices.Contains(v, "get") {
				t.Errorf("%s: kube4c gets it but %s does not allow get", r, role.Name)
			}
			continue
		}
		v := verbs(role, r.Group, r.Resource, "")
		if !slices.Contains(v, "list") {
			t.Errorf("%s: kube4c lists it but %s does not allow list", r, role.Name)
		}
		if r.MetadataOnly && (slices.Contains(v, "get") || slices.Contains(v, "watch")) {
			t.Errorf("%s: kube4c reads only its metadata, yet %s grants %v", r, role.Name, v)
		}
	}
	for _, role := range []*rbacv1.ClusterRole{reader, secrets} {
		for _, rule := range role.Rules {
			for _, name := range rule.ResourceNames {
				if !slices.ContainsFunc(Resources, func(r Resource) bool { return strings.HasSuffix(r.Name, "/"+name) }) {
					t.Errorf("%s grants %v on %v %s, which kube4c does not read", role.Name, rule.Verbs, rule.Resources, name)
				}
			}
			for _, verb := range rule.Verbs {
				if verb != "get" && verb != "list" && verb != "watch" {
					t.Errorf("%s grants %s: kube4c only reads", role.Name, verb)
				}
			}
		}
	}
}
