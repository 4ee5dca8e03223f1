//go:build integration

package integration

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kube4c/kube4c/internal/testutil"
)

// clusterSlice is the part of the shared corpus loaded into the test API
// server, beside kube4c's own examples.
var clusterSlice = []string{
	"real/GoogleCloudPlatform__microservices-demo/release",
	"real/kubernetes-sigs__metrics-server",
	"real/FairwindsOps__polaris/test/webhook_cases",
}

// namespacedKinds lists the kinds of the loaded objects that live in a
// namespace, for placing objects that files leave without one.
var clusterScoped = map[string]bool{"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "Node": true,
	"PersistentVolume": true, "StorageClass": true, "APIService": true, "PriorityClass": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true, "CustomResourceDefinition": true, "RuntimeClass": true}

// namespaceLevel checks report one finding per namespace.
var namespaceLevel = map[string]bool{"namespace-no-default-deny-ingress": true, "namespace-no-default-deny-egress": true}

func placed(kind, ns string) string {
	if ns == "" && !clusterScoped[kind] {
		return "default"
	}
	return ns
}

// The same checks over the same objects give the same findings, whether
// kube4c reads the files or the live cluster the files were applied to.
func TestClusterScanMatchesFileScan(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	paths := []string{filepath.Join("..", "..", "examples")}
	for _, p := range clusterSlice {
		paths = append(paths, filepath.Join(corpus, p))
	}
	objs := load(t, paths...)
	accepted := apply(t, admin, objs)
	if len(accepted) < 40 {
		t.Fatalf("only %d objects were accepted by the API server", len(accepted))
	}
	// Several files of the corpus define the same object; only one of them
	// can be in the cluster, so those objects are left out of the comparison.
	seen := map[string]int{}
	for _, o := range objs {
		seen[o.Kind()+"/"+placed(o.Kind(), o.Namespace())+"/"+o.Name()]++
	}
	inCluster, namespaces := map[string]bool{}, map[string]bool{}
	var fromNoNamespace []string
	for _, o := range accepted {
		key := o.Kind() + "/" + placed(o.Kind(), o.Namespace()) + "/" + o.Name()
		if seen[key] > 1 {
			continue
		}
		inCluster[key] = true
		namespaces[placed(o.Kind(), o.Namespace())] = true
		if o.Namespace() == "" && !clusterScoped[o.Kind()] {
			fromNoNamespace = append(fromNoNamespace, o.Kind()+"/default/"+o.Name())
		}
	}
	only := func(keys map[string]bool) map[string]bool {
		out := map[string]bool{}
		for k := range keys {
			object, checkID, _ := strings.Cut(k, " ")
			if namespaceLevel[checkID] {
				// Reported on the Namespace object when there is one (in
				// the cluster), else on a workload of the namespace.
				ns := strings.Split(object, "/")[1]
				if object == "Namespace/"+ns || strings.HasPrefix(object, "Namespace//") {
					ns = strings.Split(object, "/")[2]
				}
				if namespaces[ns] {
					out["namespace "+ns+" "+checkID] = true
				}
				continue
			}
			if inCluster[object] {
				out[k] = true
			}
		}
		return out
	}

	code, out, errOut := kube4c(t, append([]string{"scan", "-q", "-o", "json", "--fail-on", "none"}, paths...)...)
	if code != 0 && code != 2 { // the corpus holds a few documents with input errors
		t.Fatalf("file scan: exit %d: %s", code, errOut)
	}
	files := only(findingKeys(parseReport(t, out), placed))

	code, out, errOut = kube4c(t, "scan", "--cluster", "--kubeconfig", adminKubeconfig, "-q", "-o", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("cluster scan: exit %d: %s", code, errOut)
	}
	rep := parseReport(t, out)
	live := only(findingKeys(rep, placed))

	// The one documented difference: an object written without a
	// namespace lands in "default", which default-namespace reports.
	for _, key := range fromNoNamespace {
		delete(live, key+" default-namespace")
	}
	var missing, extra []string
	for k := range files {
		if !live[k] {
			missing = append(missing, k)
		}
	}
	for k := range live {
		if !files[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("cluster and file scans differ over %d objects:\nonly in files (%d):\n  %s\nonly in cluster (%d):\n  %s",
			len(accepted), len(missing), strings.Join(missing, "\n  "), len(extra), strings.Join(extra, "\n  "))
	}
	t.Logf("%d objects, %d findings agree; %d API requests", len(accepted), len(files), rep.Coverage.Requests)
}

// A token bound only to deploy/rbac.yaml and the optional
// deploy/rbac-secrets.yaml scans the whole cluster, and the audit log
// shows that every secrets request got metadata, never data.
func TestLeastPrivilegeScanNeverReadsSecretData(t *testing.T) {
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	apply(t, admin, load(t, filepath.Join("..", "..", "deploy", "rbac.yaml"), filepath.Join("..", "..", "deploy", "rbac-secrets.yaml")))
	const secretValue = "kube4c-must-never-see-this"
	_, err := cs.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "canary", Annotations: map[string]string{"kubernetes.io/service-account.name": "default"}},
		Type:       corev1.SecretTypeOpaque,
		StringData: map[string]string{"password": secretValue},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cs.CoreV1().ServiceAccounts("kube4c").CreateToken(ctx, "kube4c", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := tokenKubeconfig(t, tok.Status.Token)

	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", kubeconfig, "-q", "-o", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, secretValue) {
		t.Fatal("the report contains a Secret's value")
	}
	rep := parseReport(t, out)
	for _, r := range rep.Coverage.Resources {
		if r.State == "forbidden" || r.State == "failed" {
			t.Errorf("%s was %s with the least-privilege role", r.Resource, r.State)
		}
		if r.Resource == "secrets" && (r.State != "collected" || r.Objects == 0) {
			t.Errorf("secrets: %s, %d objects", r.State, r.Objects)
		}
	}

	user := "system:serviceaccount:kube4c:kube4c"
	requests := 0
	for _, ev := range auditEvents(t) {
		if ev.User.Username != user || ev.ObjectRef == nil || ev.ObjectRef.Resource != "secrets" {
			continue
		}
		requests++
		var body struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(ev.ResponseObject, &body); err != nil {
			t.Errorf("secrets request %s %s: response not logged: %v", ev.Verb, ev.RequestURI, err)
			continue
		}
		if body.Kind != "PartialObjectMetadataList" && body.Kind != "PartialObjectMetadata" {
			t.Errorf("secrets request %s %s was answered with %s", ev.Verb, ev.RequestURI, body.Kind)
		}
		if strings.Contains(string(ev.ResponseObject), secretValue) || strings.Contains(string(ev.ResponseObject), base64.StdEncoding.EncodeToString([]byte(secretValue))) {
			t.Errorf("secrets request %s %s returned the Secret's data", ev.Verb, ev.RequestURI)
		}
	}
	if requests == 0 {
		t.Fatal("the audit log shows no secrets request by kube4c")
	}
	t.Logf("%d secrets requests, all answered with metadata", requests)
}

// A resource the identity may not list is reported as not collected, and
// the checks that read it as incomplete: never treated as empty. The
// default role of deploy/rbac.yaml leaves Secrets out.
func TestForbiddenResourceMakesChecksIncomplete(t *testing.T) {
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	apply(t, admin, load(t, filepath.Join("..", "..", "deploy", "rbac.yaml")))
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kube4c-no-secrets"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "kube4c-reader"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "limited"}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	path := userKubeconfig(t, "limited")
	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", path, "-q", "-o", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rep := parseReport(t, out)
	state := map[string]string{}
	for _, r := range rep.Coverage.Resources {
		state[r.Resource] = r.State
	}
	if state["secrets"] != "forbidden" || state["pods"] != "collected" {
		t.Errorf("states: secrets %q, pods %q", state["secrets"], state["pods"])
	}
	incomplete := map[string][]string{}
	for _, ic := range rep.Coverage.Incomplete {
		incomplete[ic.CheckID] = ic.Missing
	}
	if got := incomplete["legacy-sa-token-secret"]; !slices.Equal(got, []string{"Secret"}) {
		t.Errorf("legacy-sa-token-secret incomplete for %v; all: %v", got, incomplete)
	}
	if _, ok := incomplete["privileged-container"]; ok {
		t.Error("a check that reads no Secret is marked incomplete")
	}
	code, table, _ := kube4c(t, "scan", "--cluster", "--kubeconfig", path, "--color", "never", "--fail-on", "none")
	if code != 0 || !strings.Contains(table, "Not collected: secrets (forbidden)") || !strings.Contains(table, "legacy-sa-token-secret (Secret)") {
		t.Errorf("table does not say what was not collected:\n%s", table)
	}
	if first, _, _ := strings.Cut(table, "\n"); !strings.HasPrefix(first, "Incomplete scan: ") {
		t.Errorf("the table does not begin by saying the scan is incomplete: %q", first)
	}
	// legacy-sa-token-secret is medium: --fail-on-incomplete fails the
	// scan at --fail-on medium, not at --fail-on high.
	code, _, errOut = kube4c(t, "scan", "--cluster", "--kubeconfig", path, "-q", "-o", "json", "--fail-on", "medium", "--fail-on-incomplete")
	if code != 2 || !strings.Contains(errOut, "legacy-sa-token-secret (Secret)") {
		t.Errorf("--fail-on-incomplete at medium: exit %d, stderr %s", code, errOut)
	}
	if code, _, errOut = kube4c(t, "scan", "--cluster", "--kubeconfig", path, "-q", "-o", "json", "--fail-on", "critical", "--fail-on-incomplete"); code == 2 {
		t.Errorf("--fail-on-incomplete failed for checks below --fail-on: %s", errOut)
	}
}

// An identity that may list nothing gets exit 2 and an input error, never
// "No findings".
func TestNothingCollectedIsAnError(t *testing.T) {
	path := userKubeconfig(t, "nobody")
	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", path, "--color", "never")
	if code != 2 || strings.Contains(out, "No findings;") || !strings.Contains(out, "No findings in what could be read") ||
		!strings.Contains(out, "no resource could be listed") || !strings.Contains(out, "Incomplete checks: every check") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// userKubeconfig returns the path of a kubeconfig for a new user of the
// test cluster, with the permissions bindings give that name.
func userKubeconfig(t *testing.T, name string) string {
	t.Helper()
	user, err := env.ControlPlane.AddUser(envtestUser(name), admin)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// auditEvent is the part of an audit.k8s.io/v1 Event the tests read.
type auditEvent struct {
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource string `json:"resource"`
	} `json:"objectRef"`
	ResponseObject json.RawMessage `json:"responseObject"`
}

func auditEvents(t *testing.T) []auditEvent {
	t.Helper()
	f, err := os.Open(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []auditEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ev auditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("audit log line: %v", err)
		}
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events
}
