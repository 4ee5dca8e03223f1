//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// "Who can read secrets in prod?" asked of a live cluster with the
// least-privilege identity of deploy/rbac.yaml: the answer names the
// subjects the API server's own authorizer allows, and only them.
func TestRBACWhoCanOnLiveCluster(t *testing.T) {
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	apply(t, admin, load(t, filepath.Join("..", "..", "deploy", "rbac.yaml")))
	const ns = "who-can-prod"
	create := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	create(err)
	_, err = cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "secret-reader"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}}}}, metav1.CreateOptions{})
	create(err)
	_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "alice-reads"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "secret-reader"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "who-can-alice"}}}, metav1.CreateOptions{})
	create(err)
	_, err = cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "who-can-secret-lister"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list"}}}}, metav1.CreateOptions{})
	create(err)
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "who-can-auditors"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "who-can-secret-lister"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "who-can-auditors"}}}, metav1.CreateOptions{})
	create(err)
	// A user bound in another namespace must not be listed.
	_, err = cs.RbacV1().RoleBindings("default").Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bob-reads-elsewhere"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "who-can-secret-lister"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "who-can-bob"}}}, metav1.CreateOptions{})
	create(err)

	tok, err := cs.CoreV1().ServiceAccounts("kube4c").CreateToken(ctx, "kube4c", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	create(err)
	code, out, errOut := kube4c(t, "rbac", "who-can", "get", "secrets", "-n", ns, "--cluster", "--kubeconfig", tokenKubeconfig(t, tok.Status.Token), "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var answer struct {
		Grants []struct {
			Subject struct{ Kind, Name, Namespace string } `json:"subject"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(out), &answer); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, g := range answer.Grants {
		listed[g.Subject.Kind+"/"+g.Subject.Name] = true
	}
	for _, want := range []string{"User/who-can-alice", "Group/who-can-auditors", "Group/system:masters"} {
		if !listed[want] {
			t.Errorf("%s is not listed: %s", want, out)
		}
	}
	if listed["User/who-can-bob"] {
		t.Errorf("who-can-bob, bound in another namespace, is listed")
	}
	// The API server agrees on every user and group of the question.
	sar := func(user string, groups ...string) bool {
		t.Helper()
		r, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: groups, ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: "get", Resource: "secrets"},
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return r.Status.Allowed
	}
	for user, want := range map[string]bool{"who-can-alice": true, "who-can-bob": false} {
		if got := sar(user); got != want || listed["User/"+user] != want {
			t.Errorf("%s: API server allows %v, kube4c lists %v, want %v", user, got, listed["User/"+user], want)
		}
	}
	if !sar("someone", "who-can-auditors") {
		t.Error("the API server does not allow the group who-can-auditors")
	}

	// An identity that may not list the RBAC objects gets an error, not a
	// partial answer.
	_, err = cs.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "who-can-nobody"}}, metav1.CreateOptions{})
	create(err)
	nobody, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, "who-can-nobody", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	create(err)
	code, _, errOut = kube4c(t, "rbac", "who-can", "get", "secrets", "-n", ns, "--cluster", "--kubeconfig", tokenKubeconfig(t, nobody.Status.Token))
	if code != 2 || !strings.Contains(errOut, "forbidden") || !strings.Contains(errOut, "would miss") {
		t.Errorf("without RBAC read access: exit %d, %q; want exit 2 and a forbidden error", code, errOut)
	}
}
