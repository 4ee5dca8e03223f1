//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/rbac/rbactest"
	"github.com/kube4c/kube4c/internal/source/cluster"
)

// generatedPrefix starts the names of the generated RBAC objects.
const generatedPrefix = "k4c-"

// TestRBACGroundTruthAgainstSubjectAccessReview applies a random RBAC world
// to the real API server and asks the API server's SubjectAccessReview
// every case. kube4c must agree on all of them: the engine, who-can and
// can, both over the world as written (aggregation computed offline) plus
// the cluster's own RBAC objects, and over the RBAC objects read back from
// the cluster.
//
// ClusterRole aggregation is the controller manager's work: the test runs
// kube-controller-manager ($KUBE4C_KUBE_CONTROLLER_MANAGER, or the one
// hack/build-testbins.sh puts beside kube-apiserver) with only its
// aggregation controller, so kube4c's offline aggregation is checked
// against the real one. A missing binary fails the test.
func TestRBACGroundTruthAgainstSubjectAccessReview(t *testing.T) {
	startAggregationController(t, controllerManager(t), adminKubeconfig)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) { groundTruthWorld(t, seed) })
	}
}

// groundTruthWorld applies one world, compares, and deletes it.
func groundTruthWorld(t *testing.T, seed uint64) {
	ctx := context.Background()
	w := rbactest.Generate(rbactest.Options{Seed: seed, Roles: 120, Bindings: 120, Cases: 2500})
	written := w.Inventory().Objects()
	defer deleteGenerated(t)
	if accepted := apply(t, admin, written); len(accepted) != len(written) {
		t.Fatalf("the API server accepted %d of %d generated objects", len(accepted), len(written))
	}
	waitForAggregation(t, rbac.New(w.Inventory(), rbac.Options{}))

	live := collectRBAC(t)
	offline := slices.Clone(written)
	for _, o := range live {
		if !strings.HasPrefix(o.Name(), generatedPrefix) {
			offline = append(offline, o) // the cluster's bootstrap roles and the other tests' objects
		}
	}
	cs := kubernetes.NewForConfigOrDie(admin)
	sar := rbactest.AuthorizerFunc(func(ctx context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: id.User, Groups: id.Groups}}
		if q.NonResource() {
			review.Spec.NonResourceAttributes = &authorizationv1.NonResourceAttributes{Path: q.URL, Verb: q.Verb}
		} else {
			review.Spec.ResourceAttributes = &authorizationv1.ResourceAttributes{Namespace: q.Namespace, Verb: q.Verb,
				Group: q.Group, Resource: q.Resource, Subresource: q.Subresource, Name: q.Name}
		}
		res, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return res.Status.Allowed, nil
	})
	// Ask the API server once; compare every view with its answers.
	type question struct {
		id string
		q  rbac.Query
	}
	answers := map[question]bool{}
	for _, c := range w.Cases {
		a, err := sar.Authorize(ctx, c.Identity, c.Query)
		if err != nil {
			t.Fatalf("SubjectAccessReview: %v", err)
		}
		answers[question{c.Identity.String(), c.Query}] = a
	}
	reference := rbactest.AuthorizerFunc(func(_ context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
		return answers[question{id.String(), q}], nil
	})
	for _, side := range []struct {
		name string
		objs []*inventory.Object
	}{{"offline", offline}, {"live", live}} {
		e := rbac.New(inventory.New(side.objs), rbac.Options{})
		for _, view := range []struct {
			name string
			a    rbactest.Authorizer
		}{{"engine", rbactest.Engine(e)}, {"who-can", rbactest.WhoCan(e)}, {"can", rbactest.Can(e)}} {
			rep, err := rbactest.Compare(ctx, reference, view.a, w.Cases)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: %d cases, %d allowed by the API server, agreement %.2f%%", side.name, view.name, rep.Cases, rep.Allowed, 100*rep.Agreement())
			for i, d := range rep.Disagreements {
				if i == 10 {
					t.Errorf("... and %d more", len(rep.Disagreements)-10)
					break
				}
				t.Errorf("%s %s: %s", side.name, view.name, d)
			}
		}
	}
}

// controllerManager finds the kube-controller-manager binary.
func controllerManager(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("KUBE4C_KUBE_CONTROLLER_MANAGER"); p != "" {
		return p
	}
	assets, err := assetsDir()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(assets, "kube-controller-manager")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("kube-controller-manager is missing (build it with hack/build-testbins.sh): %v", err)
	}
	return p
}

// startAggregationController runs kube-controller-manager with only the
// ClusterRole aggregation controller, connected with the kubeconfig,
// until the test ends.
func startAggregationController(t *testing.T, binary, kubeconfig string) {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "kube-controller-manager.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary,
		"--kubeconfig="+kubeconfig, "--controllers=clusterrole-aggregation-controller",
		"--leader-elect=false", "--secure-port=0")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("kube-controller-manager: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
	})
}

// waitForAggregation waits until the controller has filled in every
// generated aggregated ClusterRole as kube4c computes it, or until their
// rules stop changing.
func waitForAggregation(t *testing.T, e *rbac.Engine) {
	t.Helper()
	cs := kubernetes.NewForConfigOrDie(admin)
	want := map[string][]string{}
	for _, r := range e.Roles() {
		if r.Aggregated {
			want[r.Name] = ruleSet(r.Rules)
		}
	}
	var last map[string][]string
	stableSince := time.Now()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		got := map[string][]string{}
		for name := range want {
			cr, err := cs.RbacV1().ClusterRoles().Get(context.Background(), name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got[name] = ruleSet(cr.Rules)
		}
		if equalRuleSets(got, want) {
			t.Logf("aggregation done: %d aggregated ClusterRoles as kube4c computes them", len(want))
			return
		}
		if !equalRuleSets(got, last) {
			last, stableSince = got, time.Now()
		} else if time.Since(stableSince) > 20*time.Second {
			t.Logf("aggregated ClusterRoles stopped changing and differ from kube4c's computation; comparing anyway")
			return
		}
	}
	t.Log("aggregation still changing after 2 minutes; comparing anyway")
}

func ruleSet(rules []rbacv1.PolicyRule) []string {
	out := make([]string, len(rules))
	for i := range rules {
		out[i] = rules[i].String()
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func equalRuleSets(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// collectRBAC reads the cluster's RBAC objects through kube4c's live door.
func collectRBAC(t *testing.T) []*inventory.Object {
	t.Helper()
	var resources []cluster.Resource
	for _, r := range cluster.Resources {
		if r.Group == rbacv1.GroupName {
			resources = append(resources, r)
		}
	}
	res, err := cluster.Collect(context.Background(), admin, cluster.Options{Resources: resources})
	if err != nil {
		t.Fatal(err)
	}
	if missing := res.Incomplete(); len(missing) > 0 {
		t.Fatalf("could not collect %v", missing)
	}
	return res.Objects
}

// deleteGenerated removes the generated objects, so that later tests see
// the cluster as before. The aggregation controller applies the roles it
// aggregates (server-side apply), so a sync racing with the deletion can
// create a role again: it deletes until none is left twice in a row.
func deleteGenerated(t *testing.T) {
	clean := 0
	for deadline := time.Now().Add(time.Minute); clean < 2 && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if deleteRound(t) == 0 {
			clean++
		} else {
			clean = 0
		}
	}
	if clean < 2 {
		t.Error("generated RBAC objects keep coming back")
	}
}

// deleteRound deletes the generated objects it finds and returns how many.
func deleteRound(t *testing.T) int {
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	n := 0
	for _, o := range collectRBAC(t) {
		if !strings.HasPrefix(o.Name(), generatedPrefix) {
			continue
		}
		n++
		var err error
		switch o.Kind() {
		case "ClusterRole":
			err = cs.RbacV1().ClusterRoles().Delete(ctx, o.Name(), metav1.DeleteOptions{})
		case "ClusterRoleBinding":
			err = cs.RbacV1().ClusterRoleBindings().Delete(ctx, o.Name(), metav1.DeleteOptions{})
		case "Role":
			err = cs.RbacV1().Roles(o.Namespace()).Delete(ctx, o.Name(), metav1.DeleteOptions{})
		case "RoleBinding":
			err = cs.RbacV1().RoleBindings(o.Namespace()).Delete(ctx, o.Name(), metav1.DeleteOptions{})
		}
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s: %v", o.Ref(), err)
		}
	}
	return n
}
