//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// cloudFinding is the part of a JSON finding this test reads.
type cloudFinding struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Object   struct {
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"object"`
}

// The cloud and mesh checks read a live cluster with the least-privilege
// identity of deploy/rbac.yaml and the optional deploy/rbac-secrets.yaml
// (Secrets' metadata): the aws-auth ConfigMap is got whole (and
// no other ConfigMap), Nodes' labels name GKE pools, a Secret is judged by
// its name without its data, and Linkerd's custom resources decide which
// ports accept plaintext.
func TestCloudAndMeshChecksOnALiveCluster(t *testing.T) {
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	dyn := dynamic.NewForConfigOrDie(admin)
	apply(t, admin, load(t, filepath.Join("..", "..", "deploy", "rbac.yaml"), filepath.Join("..", "..", "deploy", "rbac-secrets.yaml")))

	const secretValue = "AKIA-must-never-be-read"
	create := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := cs.CoreV1().ConfigMaps("kube-system").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "aws-auth"},
		Data: map[string]string{"mapRoles": "- rolearn: arn:aws:iam::111122223333:role/admins\n  username: admin\n  groups: [system:masters]\n" +
			"- rolearn: arn:aws:iam::111122223333:role/nodes\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n"},
	}, metav1.CreateOptions{})
	create("aws-auth", err)
	_, err = cs.CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "gke-prod-default-pool-1", Labels: map[string]string{"cloud.google.com/gke-nodepool": "default-pool"}},
		Spec:       corev1.NodeSpec{ProviderID: "gce://prod/us-central1-a/gke-prod-default-pool-1"},
	}, metav1.CreateOptions{})
	create("node", err)
	_, err = cs.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "aws-credentials"},
		StringData: map[string]string{"aws_access_key_id": secretValue, "aws_secret_access_key": secretValue},
	}, metav1.CreateOptions{})
	create("secret", err)

	servers := installCRD(t, dyn, "policy.linkerd.io", "v1beta3", "Server", "servers")
	authz := installCRD(t, dyn, "policy.linkerd.io", "v1alpha1", "AuthorizationPolicy", "authorizationpolicies")
	_, err = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "emojivoto",
		Annotations: map[string]string{"linkerd.io/inject": "enabled"}}}, metav1.CreateOptions{})
	create("namespace", err)
	labels := map[string]string{"app": "voting"}
	_, err = cs.AppsV1().Deployments("emojivoto").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "voting"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "voting", Image: "buoyantio/emojivoto-voting-svc:v11",
				Ports: []corev1.ContainerPort{{Name: "grpc", ContainerPort: 8080}, {Name: "admin", ContainerPort: 8801}}}}},
		}},
	}, metav1.CreateOptions{})
	create("deployment", err)
	_, err = dyn.Resource(servers).Namespace("emojivoto").Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "policy.linkerd.io/v1beta3", "kind": "Server", "metadata": map[string]any{"name": "voting-grpc"},
		"spec": map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"app": "voting"}}, "port": "grpc"},
	}}, metav1.CreateOptions{})
	create("Server", err)
	_, err = dyn.Resource(authz).Namespace("emojivoto").Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "AuthorizationPolicy", "metadata": map[string]any{"name": "voting-grpc"},
		"spec": map[string]any{"targetRef": map[string]any{"group": "policy.linkerd.io", "kind": "Server", "name": "voting-grpc"},
			"requiredAuthenticationRefs": []any{map[string]any{"group": "policy.linkerd.io", "kind": "MeshTLSAuthentication", "name": "web"}}},
	}}, metav1.CreateOptions{})
	create("AuthorizationPolicy", err)
	t.Cleanup(func() {
		// The test API server runs no namespace controller: objects are
		// deleted one by one, so that the other tests do not see them.
		_ = cs.CoreV1().ConfigMaps("kube-system").Delete(ctx, "aws-auth", metav1.DeleteOptions{})
		_ = cs.CoreV1().Nodes().Delete(ctx, "gke-prod-default-pool-1", metav1.DeleteOptions{})
		_ = cs.CoreV1().Secrets("default").Delete(ctx, "aws-credentials", metav1.DeleteOptions{})
		_ = cs.AppsV1().Deployments("emojivoto").Delete(ctx, "voting", metav1.DeleteOptions{})
		_ = dyn.Resource(servers).Namespace("emojivoto").Delete(ctx, "voting-grpc", metav1.DeleteOptions{})
		_ = dyn.Resource(authz).Namespace("emojivoto").Delete(ctx, "voting-grpc", metav1.DeleteOptions{})
		crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
		_ = dyn.Resource(crds).Delete(ctx, "servers.policy.linkerd.io", metav1.DeleteOptions{})
		_ = dyn.Resource(crds).Delete(ctx, "authorizationpolicies.policy.linkerd.io", metav1.DeleteOptions{})
	})

	tok, err := cs.CoreV1().ServiceAccounts("kube4c").CreateToken(ctx, "kube4c", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	create("token", err)
	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", tokenKubeconfig(t, tok.Status.Token), "-q", "-o", "json", "--fail-on", "none",
		"--checks", "eks-aws-auth-mapping,node-metadata-exposed,cloud-static-credentials,mtls-not-strict")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, secretValue) {
		t.Fatal("the report contains a Secret's value")
	}
	var rep struct {
		Findings []cloudFinding `json:"findings"`
		Coverage struct {
			Resources []struct {
				Resource, State string
				Objects         int
			} `json:"resources"`
			Incomplete []json.RawMessage `json:"incompleteChecks"`
		} `json:"coverage"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]cloudFinding{}
	for _, f := range rep.Findings {
		got[f.CheckID+" "+f.Object.Kind+"/"+f.Object.Namespace+"/"+f.Object.Name] = f
	}
	for key, want := range map[string]string{
		"eks-aws-auth-mapping ConfigMap/kube-system/aws-auth":     `maps IAM role "arn:aws:iam::111122223333:role/admins" to system:masters`,
		"node-metadata-exposed Node//gke-prod-default-pool-1":     `node pool "default-pool"`,
		"cloud-static-credentials Secret/default/aws-credentials": "is named like AWS access keys (its data is not in the scan)",
		"mtls-not-strict Deployment/emojivoto/voting":             "port 8801 by the default inbound policy all-unauthenticated",
	} {
		if f, ok := got[key]; !ok || !strings.Contains(f.Message, want) {
			t.Errorf("%s: got %q, want it to say %q; all: %v", key, f.Message, want, rep.Findings)
		}
	}
	if f := got["mtls-not-strict Deployment/emojivoto/voting"]; strings.Contains(f.Message, "port 8080") {
		t.Errorf("the port the Server and its MeshTLSAuthentication cover is reported: %s", f.Message)
	}
	for _, r := range rep.Coverage.Resources {
		if r.Resource == "configmaps kube-system/aws-auth" && (r.State != "collected" || r.Objects != 1) {
			t.Errorf("aws-auth: %s, %d objects", r.State, r.Objects)
		}
		if r.State == "forbidden" || r.State == "failed" {
			t.Errorf("%s was %s with the least-privilege role", r.Resource, r.State)
		}
	}
	if len(rep.Coverage.Incomplete) > 0 {
		t.Errorf("incomplete checks: %s", rep.Coverage.Incomplete)
	}

	// The only ConfigMap kube4c read by name is aws-auth; the others were listed.
	for _, ev := range auditEvents(t) {
		if ev.User.Username != "system:serviceaccount:kube4c:kube4c" || ev.ObjectRef == nil || ev.ObjectRef.Resource != "configmaps" {
			continue
		}
		if ev.Verb != "list" && ev.RequestURI != "/api/v1/namespaces/kube-system/configmaps/aws-auth" {
			t.Errorf("kube4c read a ConfigMap other than aws-auth: %s %s", ev.Verb, ev.RequestURI)
		}
	}
}

// installCRD creates a namespaced custom resource definition that accepts
// any content, and waits until it is served.
func installCRD(t *testing.T, dyn dynamic.Interface, group, version, kind, plural string) schema.GroupVersionResource {
	t.Helper()
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": plural + "." + group},
		"spec": map[string]any{
			"group": group, "scope": "Namespaced",
			"names": map[string]any{"kind": kind, "plural": plural, "singular": strings.ToLower(kind), "listKind": kind + "List"},
			"versions": []any{map[string]any{"name": version, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}},
		},
	}}
	if _, err := dyn.Resource(crds).Create(context.Background(), crd, metav1.CreateOptions{}); err != nil {
		t.Fatalf("CRD %s: %v", kind, err)
	}
	gvr := schema.GroupVersionResource{Group: group, Version: version, Resource: plural}
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := dyn.Resource(gvr).Namespace("default").List(ctx, metav1.ListOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("CRD %s is not served: %v", kind, err)
	}
	return gvr
}
