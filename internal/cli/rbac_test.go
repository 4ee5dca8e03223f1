package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/testutil"
)

const rbacFixture = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: debugger}
rules:
  - {apiGroups: [""], resources: [pods/exec, pods/log], verbs: [create, get]}
  - {apiGroups: [apps], resources: ["*/scale"], verbs: [update]}
  - {nonResourceURLs: ["/metrics"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debug, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: debugger}
subjects:
  - {kind: User, name: alice}
  - {kind: ServiceAccount, name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: debugger}
subjects:
  - {kind: Group, name: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: legacy, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ghost}
subjects:
  - {kind: Group, name: old-team}
`

// subjectsOf returns the SUBJECT@SCOPE of every row of a who-can table.
func subjectsOf(out string) []string {
	var rows []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && strings.Contains(f[0], "/") {
			rows = append(rows, f[0]+"@"+f[1])
		}
	}
	return rows
}

func TestWhoCan(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "pods/exec", "-n", "shop"}, "Group/system:masters@cluster Group/monitoring@cluster ServiceAccount/shop/ci@shop User/alice@shop"},
		{[]string{"create", "pods/exec"}, "Group/system:masters@cluster Group/monitoring@cluster"},
		{[]string{"create", "pods/exec", "-A"}, "Group/system:masters@cluster Group/monitoring@cluster ServiceAccount/shop/ci@shop User/alice@shop"},
		{[]string{"create", "pods/web", "--subresource", "exec", "-n", "other"}, "Group/system:masters@cluster Group/monitoring@cluster"},
		{[]string{"get", "pods/exec-tool", "-n", "shop"}, "Group/system:masters@cluster Group/devs@shop"}, // the built-in view
		{[]string{"update", "statefulsets/scale", "-A"}, "Group/system:masters@cluster Group/monitoring@cluster ServiceAccount/shop/ci@shop User/alice@shop"},
		{[]string{"update", "deployments.apps/web", "--subresource", "scale", "-A"}, "Group/system:masters@cluster Group/monitoring@cluster ServiceAccount/shop/ci@shop User/alice@shop"},
		{[]string{"get", "/metrics", "-A"}, "Group/system:masters@cluster Group/monitoring@cluster"},
		{[]string{"*", "*", "-A"}, "Group/system:masters@cluster"},
	} {
		args := append([]string{"rbac", "who-can"}, tt.args...)
		code, out, errOut := run(t, rbacFixture, append(args, "-f", "-")...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errOut)
		}
		if got := strings.Join(subjectsOf(out), " "); got != tt.want {
			t.Errorf("who-can %v:\n got  %s\n want %s", tt.args, got, tt.want)
		}
		if !strings.Contains(errOut, "1 bindings refer to roles that are not in the input") || !strings.Contains(errOut, "ClusterRole/ghost") {
			t.Errorf("no warning about the missing role (view is built in): %q", errOut)
		}
	}
}

func TestWhoCanJSONNamesTheChain(t *testing.T) {
	code, out, errOut := run(t, rbacFixture, "rbac", "who-can", "create", "pods/exec", "-n", "shop", "-o", "json", "-q", "-f", "-")
	if code != ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res struct {
		Query  struct{ Resource, Subresource, Namespace string }
		Grants []struct {
			Subject struct{ Name string }
			Scope   string
			Binding struct{ Name, Location string }
			Role    struct{ Name string }
			Rules   []struct{ Index int }
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Query.Resource != "pods" || res.Query.Subresource != "exec" || res.Query.Namespace != "shop" || len(res.Grants) != 4 {
		t.Fatalf("%+v", res)
	}
	g := res.Grants[3]
	if g.Subject.Name != "alice" || g.Scope != "shop" || g.Binding.Name != "debug" || g.Binding.Location != "-:14" ||
		g.Role.Name != "debugger" || len(g.Rules) != 1 || g.Rules[0].Index != 0 {
		t.Errorf("alice's grant: %+v", g)
	}
}

func TestCan(t *testing.T) {
	code, out, errOut := run(t, rbacFixture, "rbac", "can", "sa:shop/ci", "-f", "-", "-q")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		`user "system:serviceaccount:shop:ci" groups ["system:serviceaccounts" "system:serviceaccounts:shop" "system:authenticated"]`,
		"shop   create,get  pods/exec,pods/log  \"\"      -      RoleBinding/shop/debug -> ClusterRole/debugger",
		"shop   update      */scale             apps    -      RoleBinding/shop/debug -> ClusterRole/debugger",
		"2 rules",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("can lacks %q:\n%s", want, out)
		}
	}
	// The group adds the cluster-wide grant, URL included.
	_, out, _ = run(t, rbacFixture, "rbac", "can", "user:bob", "--group", "monitoring", "-f", "-", "-o", "json")
	var res struct {
		Rules []struct {
			NonResourceURLs []string
			Via             []struct{ Binding string }
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Rules) != 3 || res.Rules[2].NonResourceURLs[0] != "/metrics" || res.Rules[0].Via[0].Binding != "ClusterRoleBinding/metrics" {
		t.Errorf("can user:bob --group monitoring: %+v", res.Rules)
	}
}

func TestRBACUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"rbac", "who-can", "get", "pods", "-n", "a", "-A", "-f", "-"}, "exclude each other"},
		{[]string{"rbac", "who-can", "get", "widgets", "-f", "-"}, "RESOURCE.GROUP"},
		{[]string{"rbac", "who-can", "get", "pods"}, "-f FILE|DIR|- or --cluster"},
		{[]string{"rbac", "can", "user:alice", "-f", "-", "--cluster"}, "not both"},
		{[]string{"rbac", "can", "user:alice", "--cluster", "--kubeconfig", "/nonexistent/kubeconfig"}, "cannot connect to the cluster"},
		{[]string{"rbac", "who-can", "get", "/metrics", "--subresource", "x", "-f", "-"}, "non-resource URL"},
		{[]string{"rbac", "who-can", "get", "pods", "-o", "yaml", "-f", "-"}, "unknown output format"},
		{[]string{"rbac", "can", "alice", "-f", "-"}, "user:NAME"},
	} {
		code, _, errOut := run(t, "", tt.args...)
		if code != ExitError || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
	code, out, _ := run(t, rbacFixture+"---\nkind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: x}\nrules: [{verbs: 1}]\n",
		"rbac", "who-can", "get", "/metrics", "-f", "-")
	if code != ExitError || !strings.Contains(out, "Group/monitoring") {
		t.Errorf("an input error still prints the answer and exits 2: %d\n%s", code, out)
	}
}

// TestWhoCanFluxSecrets answers who-can get secrets -A over Flux's
// manifests of the corpus, which a reviewer can check in
// manifests/rbac/controller.yaml and reconciler.yaml.
func TestWhoCanFluxSecrets(t *testing.T) {
	flux := filepath.Join(testutil.CorpusDir(t), "real", "fluxcd__flux2")
	code, out, errOut := run(t, "", "rbac", "who-can", "get", "secrets", "-A", "-f", flux)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// helm-controller and kustomize-controller twice: cluster-reconciler
	// also binds them to the built-in cluster-admin, which the manifests
	// do not define.
	want := "Group/system:masters@cluster ServiceAccount/flux-system/helm-controller@cluster ServiceAccount/flux-system/helm-controller@cluster " +
		"ServiceAccount/flux-system/image-automation-controller@cluster ServiceAccount/flux-system/image-reflector-controller@cluster " +
		"ServiceAccount/flux-system/kustomize-controller@cluster ServiceAccount/flux-system/kustomize-controller@cluster " +
		"ServiceAccount/flux-system/notification-controller@cluster ServiceAccount/flux-system/source-controller@cluster " +
		"ServiceAccount/flux-system/source-watcher@cluster"
	if got := strings.Join(subjectsOf(out), " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !strings.Contains(out, "ClusterRoleBinding/cluster-reconciler  ClusterRole/cluster-admin (built-in v1.37)") || errOut != "" {
		t.Errorf("the built-in cluster-admin is not named:\n%s\nstderr: %s", out, errOut)
	}
}

func TestScanCompleteReportsMissingRoles(t *testing.T) {
	binding := "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: shop}\n" +
		"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ghost}\nsubjects: [{kind: User, name: alice}]\n"
	args := []string{"scan", "--checks", "rbac-binding-missing-role", "--fail-on", "medium", "-"}
	if code, out, _ := run(t, binding, args...); code != ExitOK {
		t.Errorf("without --complete a missing role may be elsewhere: exit %d\n%s", code, out)
	}
	code, out, _ := run(t, binding, append(args, "--complete")...)
	if code != ExitFindings || !strings.Contains(out, `refers to Role "ghost", which does not exist in namespace "shop"`) {
		t.Errorf("with --complete: exit %d\n%s", code, out)
	}
}

// serviceAccountWithoutNamespace is kubeflow's mistake: a ClusterRoleBinding
// whose ServiceAccount subject has no namespace (the API server rejects
// it), beside a RoleBinding whose subject defaults to the binding's
// namespace.
const serviceAccountWithoutNamespace = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pipeline-runner-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
  - kind: ServiceAccount
    name: pipeline-runner
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: runner-secrets, namespace: kubeflow}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: runner}]
`

// A ServiceAccount subject without namespace is never dropped in silence:
// in a ClusterRoleBinding it is an input error at the subject (exit 2,
// the other documents still answered); in a RoleBinding it is the
// binding's namespace, as the API server defaults it.
func TestServiceAccountSubjectWithoutNamespace(t *testing.T) {
	code, out, errOut := run(t, serviceAccountWithoutNamespace, "scan", "-o", "json", "--checks", "rbac-read-secrets", "-")
	if code != ExitError || !strings.Contains(errOut, "-:11:") {
		t.Errorf("scan: exit %d, stderr %q; want 2 and the error at -:11", code, errOut)
	}
	var rep struct {
		Findings []struct {
			Object  struct{ Name string } `json:"object"`
			Message string                `json:"message"`
		} `json:"findings"`
		InputErrors []struct {
			Location struct{ Line int } `json:"location"`
			Object   string             `json:"object"`
			Message  string             `json:"message"`
		} `json:"inputErrors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rep.InputErrors) != 1 || rep.InputErrors[0].Location.Line != 11 || rep.InputErrors[0].Object != "ClusterRoleBinding/pipeline-runner-secrets" {
		t.Errorf("input errors: %+v", rep.InputErrors)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Object.Name != "runner-secrets" || !strings.Contains(rep.Findings[0].Message, `ServiceAccount "kubeflow/runner"`) {
		t.Errorf("findings: %+v", rep.Findings)
	}

	code, out, errOut = run(t, serviceAccountWithoutNamespace, "rbac", "who-can", "get", "secrets", "-A", "-f", "-")
	if code != ExitError || !strings.Contains(errOut, "-:11:") || !strings.Contains(errOut, "pipeline-runner-secrets") {
		t.Errorf("who-can: exit %d, stderr %q; want 2 and the error at -:11", code, errOut)
	}
	if got := strings.Join(subjectsOf(out), " "); got != "Group/system:masters@cluster ServiceAccount/kubeflow/runner@kubeflow" {
		t.Errorf("who-can get secrets -A: %s", got)
	}
}

// Names in RBAC manifests are untrusted: the answers and the warnings of
// the rbac commands never send their control characters to the terminal.
func TestRBACEscapesControlCharacters(t *testing.T) {
	const evil = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: \"b\\e[2J\"}\n" +
		"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \"gone\\e[31m\"}\nsubjects: [{kind: User, name: \"eve\\e]0;title\\a\"}]\n" +
		"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: \"reads\\e[2J\"}\n" +
		"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \"reader\\e[1m\"}\nsubjects: [{kind: User, name: \"mallory\\e[5m\"}]\n" +
		"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"reader\\e[1m\"}\nrules: [{apiGroups: [\"\"], resources: [\"secrets\"], verbs: [get]}]\n" +
		"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: bad}\n" +
		"roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}\nsubjects: [{kind: ServiceAccount, name: \"sa\\e[2J\"}]\n"
	for _, args := range [][]string{
		{"rbac", "who-can", "get", "secrets", "-f", "-"},
		{"rbac", "can", "user:mallory\x1b[5m", "-f", "-"},
	} {
		_, out, errOut := run(t, evil, args...)
		if strings.ContainsRune(out+errOut, 0x1b) || strings.ContainsRune(out+errOut, 0x07) {
			t.Errorf("%v prints a control character:\n%q\n%q", args, out, errOut)
		}
		if !strings.Contains(out+errOut, `\x1b`) {
			t.Errorf("%v: the names are not shown escaped:\n%s\n%s", args, out, errOut)
		}
	}
}

// devAdmin binds the built-in ClusterRole admin, which manifests never
// define, to every authenticated user in kube-system.
const devAdmin = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-admin, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: "system:authenticated"}]
`

// A binding to a role the Kubernetes API server ships is judged by that
// role's rules (the data set of the selected Kubernetes version), and the
// finding says where the rules come from.
func TestBuiltinRolesAreKnownInFileMode(t *testing.T) {
	code, out, errOut := run(t, devAdmin, "scan", "-o", "json", "-")
	if code != ExitFindings {
		t.Errorf("scan: exit %d, want 1: %s", code, errOut)
	}
	var rep foldedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range rep.Findings {
		for _, d := range f.Details {
			found[d.CheckID] = true
			if strings.HasPrefix(d.CheckID, "rbac-") && !strings.Contains(d.Message, `built-in ClusterRole "admin"`) {
				t.Errorf("%s does not say the role is built in: %s", d.CheckID, d.Message)
			}
		}
	}
	for _, id := range []string{"rbac-anonymous", "rbac-read-secrets", "rbac-pod-exec"} {
		if !found[id] {
			t.Errorf("%s: no finding; got %v", id, found)
		}
	}

	code, out, errOut = run(t, devAdmin, "rbac", "who-can", "get", "secrets", "-A", "-f", "-")
	if code != ExitOK || strings.Contains(errOut, "not in the input") {
		t.Errorf("who-can: exit %d, stderr %q", code, errOut)
	}
	if got := strings.Join(subjectsOf(out), " "); got != "Group/system:masters@cluster Group/system:authenticated@kube-system" {
		t.Errorf("who-can get secrets -A: %s", got)
	}
	if !strings.Contains(out, "ClusterRole/admin (built-in v1.37, aggregated)") {
		t.Errorf("who-can does not mark the built-in role:\n%s", out)
	}
}

// A role of the input with a built-in name overrides the built-in one,
// and the answers say so.
func TestInputOverridesBuiltinRole(t *testing.T) {
	input := devAdmin + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: admin}\n" +
		"rules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n"
	_, out, errOut := run(t, input, "rbac", "who-can", "get", "secrets", "-A", "-f", "-")
	if got := strings.Join(subjectsOf(out), " "); got != "Group/system:masters@cluster" {
		t.Errorf("who-can get secrets -A: %s", got)
	}
	if !strings.Contains(errOut, "1 roles of the input override built-in roles of Kubernetes v1.37 with other rules: ClusterRole/admin") {
		t.Errorf("no warning about the override: %q", errOut)
	}
	_, out, _ = run(t, input, "rbac", "who-can", "get", "pods", "-n", "kube-system", "-f", "-")
	if !strings.Contains(out, "ClusterRole/admin (overrides the built-in v1.37 role)") {
		t.Errorf("who-can does not say the input overrides the built-in role:\n%s", out)
	}
	_, out, _ = run(t, input, "scan", "--checks", "rbac-anonymous", "-")
	if !strings.Contains(out, `ClusterRole "admin" (changed from the built-in one)`) {
		t.Errorf("scan does not say the input changes the built-in role:\n%s", out)
	}
}

// --kubernetes-version selects the built-in data set among those shipped.
func TestKubernetesVersionFlag(t *testing.T) {
	for _, v := range []string{"v1.37", "1.37", "v1.37.9"} {
		for _, args := range [][]string{
			{"scan", "--kubernetes-version", v, "--checks", "rbac-read-secrets", "-"},
			{"rbac", "who-can", "get", "secrets", "-A", "--kubernetes-version", v, "-f", "-"},
			{"rbac", "can", "group:system:authenticated", "-n", "kube-system", "--kubernetes-version", v, "-f", "-"},
		} {
			if code, out, errOut := run(t, devAdmin, args...); code == ExitError || !strings.Contains(out, "secrets") && !strings.Contains(out, "system:authenticated  kube-system") {
				t.Errorf("%v: exit %d\n%s\n%s", args, code, out, errOut)
			}
		}
	}
	for _, v := range []string{"v1.12", "latest", "2"} {
		for _, args := range [][]string{
			{"scan", "--kubernetes-version", v, "-"},
			{"rbac", "who-can", "get", "secrets", "--kubernetes-version", v, "-f", "-"},
		} {
			if code, _, errOut := run(t, devAdmin, args...); code != ExitError || !strings.Contains(errOut, "v1.37") {
				t.Errorf("%v: exit %d, stderr %q; want 2 and the versions shipped", args, code, errOut)
			}
		}
	}
}
