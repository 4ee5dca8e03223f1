//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
)

var update = flag.Bool("update", false, "rewrite the built-in RBAC data set of the test API server's version (hack/dump-bootstrap-rbac.sh)")

// freshCluster is a control plane of its own, holding nothing but what the
// API server creates at start (and what the test adds), with the
// ClusterRole aggregation controller running: the shared one collects the
// other tests' objects.
type freshCluster struct {
	admin      *rest.Config
	kubeconfig string
}

// startFreshCluster starts a fresh control plane for the test.
func startFreshCluster(t *testing.T) *freshCluster {
	t.Helper()
	assets, err := assetsDir()
	if err != nil {
		t.Fatal(err)
	}
	e := &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err := e.Start()
	if err != nil {
		t.Fatalf("starting a fresh control plane: %v", err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	user, err := e.ControlPlane.AddUser(envtest.User{Name: "kube4c-fresh-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "admin.kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	startAggregationController(t, controllerManager(t), path)
	return &freshCluster{admin: user.Config(), kubeconfig: path}
}

// bootstrapPolicy waits until the API server has created its bootstrap
// RBAC objects and the aggregation controller has filled in the
// aggregated ClusterRoles, and returns them as a data set.
func bootstrapPolicy(t *testing.T, cfg *rest.Config) *bootstrap.Set {
	t.Helper()
	cs := kubernetes.NewForConfigOrDie(cfg)
	source := serverVersion(t, cs)
	minor, err := bootstrap.Minor(source)
	if err != nil {
		t.Fatal(err)
	}
	var last *bootstrap.Set
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		s := listBootstrap(t, cs)
		s.Version, s.Source = minor, source
		if aggregated(s) && last != nil && reflect.DeepEqual(s, last) {
			return s
		}
		last = s
	}
	t.Fatal("the bootstrap policy did not settle (aggregated ClusterRoles still empty or changing) within 2 minutes")
	return nil
}

// serverVersion returns the API server's version. Binaries built from
// the module proxy without version stamps say v0.0.0: then the version
// hack/build-testbins.sh wrote beside them counts.
func serverVersion(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	info, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.GitVersion, "v0.0.0") {
		return info.GitVersion
	}
	assets, err := assetsDir()
	if err != nil {
		t.Fatal(err)
	}
	stamp, err := os.ReadFile(filepath.Join(assets, ".versions"))
	if err != nil || len(strings.Fields(string(stamp))) == 0 {
		t.Fatalf("the API server says %s and %s has no version stamp: %v", info.GitVersion, assets, err)
	}
	return strings.Fields(string(stamp))[0]
}

// listBootstrap lists the RBAC objects labelled as the bootstrap policy's.
func listBootstrap(t *testing.T, cs kubernetes.Interface) *bootstrap.Set {
	t.Helper()
	ctx := context.Background()
	opts := metav1.ListOptions{LabelSelector: bootstrap.Label + "=rbac-defaults"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rbac := cs.RbacV1()
	crs, err := rbac.ClusterRoles().List(ctx, opts)
	must(err)
	crbs, err := rbac.ClusterRoleBindings().List(ctx, opts)
	must(err)
	rs, err := rbac.Roles("").List(ctx, opts)
	must(err)
	rbs, err := rbac.RoleBindings("").List(ctx, opts)
	must(err)
	return &bootstrap.Set{ClusterRoles: crs.Items, ClusterRoleBindings: crbs.Items, Roles: rs.Items, RoleBindings: rbs.Items}
}

// aggregated reports whether every ClusterRole with an aggregation rule
// has rules.
func aggregated(s *bootstrap.Set) bool {
	for _, r := range s.ClusterRoles {
		if r.AggregationRule != nil && len(r.Rules) == 0 {
			return false
		}
	}
	return len(s.ClusterRoles) > 0
}

// The built-in RBAC data set of the test API server's version is what
// that API server serves on an empty cluster. With -update
// (hack/dump-bootstrap-rbac.sh) the test writes it instead.
func TestBootstrapRBACData(t *testing.T) {
	c := startFreshCluster(t)
	served := bootstrapPolicy(t, c.admin)
	got, err := bootstrap.Encode(served)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "internal", "rbac", "bootstrap", served.Version+".yaml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d ClusterRoles, %d ClusterRoleBindings, %d Roles, %d RoleBindings", path,
			len(served.ClusterRoles), len(served.ClusterRoleBindings), len(served.Roles), len(served.RoleBindings))
		return
	}
	shipped, err := bootstrap.Raw(served.Version)
	if err != nil {
		t.Fatalf("%v; write it with hack/dump-bootstrap-rbac.sh", err)
	}
	if !bytes.Equal(shipped, got) {
		t.Errorf("the built-in RBAC data of %s differs from what kube-apiserver %s serves (refresh it with hack/dump-bootstrap-rbac.sh):\n%s",
			served.Version, served.Source, firstDifference(shipped, got))
	}
}

// firstDifference shows the first line where two texts differ.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  shipped: %s\n  served:  %s", i+1, wl, gl)
		}
	}
	return "(they differ in length only)"
}

// What kube4c finds on a cluster that holds only what the API server
// creates: nothing about RBAC, since the bootstrap policy's grants are by
// design, so a gate at the default threshold passes. --include-builtin
// shows them at info; a subject added to a built-in binding is reported
// at full severity.
func TestEmptyClusterScanIsQuiet(t *testing.T) {
	c := startFreshCluster(t)
	bootstrapPolicy(t, c.admin) // the bootstrap policy is there and aggregated
	scan := func(args ...string) (int, []clusterFinding) {
		t.Helper()
		code, out, errOut := kube4c(t, append([]string{"scan", "--cluster", "--kubeconfig", c.kubeconfig, "-q", "-o", "json"}, args...)...)
		if code == 2 {
			t.Fatalf("exit 2: %s", errOut)
		}
		var rep struct {
			Findings []clusterFinding `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return code, rep.Findings
	}

	code, findings := scan()
	if code != 0 {
		t.Errorf("the gate fails on an empty cluster: exit %d", code)
	}
	// The API server's namespaces have no default-deny NetworkPolicy and
	// no Pod Security label, but nothing runs in them yet: low.
	for _, f := range findings {
		switch {
		case strings.HasPrefix(f.CheckID, "rbac-"):
			t.Errorf("RBAC finding on the bootstrap policy: %s", f)
		case f.Severity != "low" && f.Severity != "info":
			t.Errorf("finding at or above medium: %s", f)
		}
	}

	_, findings = scan("--include-builtin", "--fail-on", "none")
	builtin := 0
	for _, f := range findings {
		if strings.HasPrefix(f.CheckID, "rbac-") {
			builtin++
			if f.Severity != "info" || !strings.Contains(f.Message, "built-in, expected") {
				t.Errorf("--include-builtin: %s", f)
			}
		}
	}
	if builtin < 20 {
		t.Errorf("--include-builtin: %d RBAC findings, want the control plane's", builtin)
	}

	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(c.admin)
	b, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, "system:controller:namespace-controller", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.Subjects = append(b.Subjects, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "mallory"})
	if _, err := cs.RbacV1().ClusterRoleBindings().Update(ctx, b, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	code, findings = scan()
	var rbacFindings []string
	for _, f := range findings {
		if strings.HasPrefix(f.CheckID, "rbac-") {
			rbacFindings = append(rbacFindings, f.String())
		}
	}
	want := "critical rbac-read-secrets ClusterRoleBinding/system:controller:namespace-controller subjects[1]"
	if code != 1 || len(rbacFindings) != 1 || !strings.HasPrefix(rbacFindings[0], want) || !strings.Contains(rbacFindings[0], "added to a built-in binding") {
		t.Errorf("a subject added to a built-in binding: exit %d, findings:\n%s\nwant %s", code, strings.Join(rbacFindings, "\n"), want)
	}
}

// clusterFinding is the part of a finding TestEmptyClusterScanIsQuiet reads.
type clusterFinding struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Object   struct {
		Kind, Namespace, Name string
	} `json:"object"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (f clusterFinding) String() string {
	return fmt.Sprintf("%s %s %s/%s %s: %s", f.Severity, f.CheckID, f.Object.Kind, strings.TrimPrefix(f.Object.Namespace+"/"+f.Object.Name, "/"), f.Path, f.Message)
}
