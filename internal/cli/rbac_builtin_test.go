package cli

import (
	"encoding/json"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
)

// bootstrapManifests writes the newest built-in RBAC objects as manifests,
// as a cluster serves them, after edit has changed them.
func bootstrapManifests(t *testing.T, edit func(*bootstrap.Set)) string {
	t.Helper()
	shipped, err := bootstrap.Load(bootstrap.Latest())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := bootstrap.Raw(shipped.Version)
	var set bootstrap.Set // a copy of its own, to change
	if err := yaml.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&set)
	}
	var docs []string
	add := func(kind string, obj runtime.Object) {
		obj.GetObjectKind().SetGroupVersionKind(rbacv1.SchemeGroupVersion.WithKind(kind))
		b, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for i := range set.ClusterRoles {
		add("ClusterRole", &set.ClusterRoles[i])
	}
	for i := range set.ClusterRoleBindings {
		add("ClusterRoleBinding", &set.ClusterRoleBindings[i])
	}
	for i := range set.Roles {
		add("Role", &set.Roles[i])
	}
	for i := range set.RoleBindings {
		add("RoleBinding", &set.RoleBindings[i])
	}
	return strings.Join(docs, "---\n")
}

// rbacFindings scans manifests and returns the findings of the rbac
// checks as "OBJECT PATH CHECK SEVERITY", and their messages.
func rbacFindings(t *testing.T, manifests string, args ...string) (keys, messages []string) {
	t.Helper()
	_, out, errOut := run(t, manifests, append(append([]string{"scan", "-o", "json", "--fail-on", "none"}, args...), "-")...)
	var rep struct {
		Findings []struct {
			CheckID  string `json:"checkId"`
			Severity string `json:"severity"`
			Object   struct{ Kind, Namespace, Name string }
			Path     string `json:"path"`
			Message  string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.CheckID, "rbac-") {
			keys = append(keys, f.Object.Kind+"/"+f.Object.Namespace+"/"+f.Object.Name+" "+f.Path+" "+f.CheckID+" "+f.Severity)
			messages = append(messages, f.Message)
		}
	}
	return keys, messages
}

// What the bootstrap policy grants by design is not a finding: kube4c
// compares the input's built-in roles and bindings with the data set and
// says nothing of those that are as shipped, unless --include-builtin,
// which reports them at info. A subject added to a built-in binding, or a
// built-in role given other rules, is reported at full severity.
func TestBuiltinGrantsAreExpected(t *testing.T) {
	asShipped := bootstrapManifests(t, nil)
	if keys, _ := rbacFindings(t, asShipped); len(keys) != 0 {
		t.Errorf("the bootstrap policy as shipped gives %d rbac findings:\n%s", len(keys), strings.Join(keys, "\n"))
	}
	keys, messages := rbacFindings(t, asShipped, "--include-builtin")
	if len(keys) < 20 {
		t.Errorf("--include-builtin: %d rbac findings, want those of the control plane's bindings", len(keys))
	}
	for i, k := range keys {
		if !strings.HasSuffix(k, " info") || !strings.Contains(messages[i], "built-in, expected") {
			t.Errorf("--include-builtin: %s: %s", k, messages[i])
		}
	}

	changed := bootstrapManifests(t, func(s *bootstrap.Set) {
		for i := range s.ClusterRoleBindings {
			if b := &s.ClusterRoleBindings[i]; b.Name == "system:controller:namespace-controller" {
				b.Subjects = append(b.Subjects, rbacv1.Subject{Kind: rbacv1.UserKind, Name: "mallory"})
			}
		}
		for i := range s.Roles {
			if r := &s.Roles[i]; r.Namespace == "kube-system" && r.Name == "system:controller:token-cleaner" {
				r.Rules = append(r.Rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create"}})
			}
		}
	})
	keys, messages = rbacFindings(t, changed)
	if len(messages) == 2 && (!strings.Contains(messages[0], "added to a built-in binding") || !strings.Contains(messages[1], "(changed from the built-in one)")) {
		t.Errorf("the findings do not say what changed:\n%s", strings.Join(messages, "\n"))
	}
	want := []string{
		"ClusterRoleBinding//system:controller:namespace-controller subjects[1] rbac-read-secrets critical",
		"RoleBinding/kube-system/system:controller:token-cleaner subjects[0] rbac-read-secrets critical",
	}
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("changed built-in objects:\n got  %s\n want %s", strings.Join(keys, "\n      "), strings.Join(want, "\n      "))
	}
}

// kube4c's own least-privilege install passes kube4c's scan at medium.
func TestDeployRBACPassesItsOwnScan(t *testing.T) {
	code, out, errOut := run(t, "", "scan", "--fail-on", "medium", "--color", "never", "../../deploy/rbac.yaml")
	if code != ExitOK {
		t.Errorf("exit %d:\n%s\n%s", code, out, errOut)
	}
}
