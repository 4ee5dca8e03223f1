//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// A control-plane pod visible in kube-system is judged against the CIS
// items, unless the nodes say the control plane is managed (here EKS), in
// which case those items are not applicable rather than failed.
func TestManagedControlPlaneItemsAreNotApplicable(t *testing.T) {
	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-apiserver-cp1", Namespace: "kube-system",
			Labels: map[string]string{"component": "kube-apiserver", "tier": "control-plane"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "kube-apiserver", Image: "registry.k8s.io/kube-apiserver:v1.37.2",
			Command: []string{"kube-apiserver", "--anonymous-auth=true", "--profiling=true", "--authorization-mode=AlwaysAllow"},
		}}},
	}
	if _, err := cs.CoreV1().Pods("kube-system").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer cs.CoreV1().Pods("kube-system").Delete(ctx, pod.Name, metav1.DeleteOptions{})

	apiserverFindings := func() []string {
		t.Helper()
		code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", adminKubeconfig, "-q", "-o", "json", "--fail-on", "none")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var ids []string
		for _, f := range parseReport(t, out).Findings {
			if f.Object.Name == pod.Name && strings.HasPrefix(f.CheckID, "apiserver-") {
				ids = append(ids, f.CheckID)
			}
		}
		return ids
	}
	self := apiserverFindings()
	for _, want := range []string{"apiserver-anonymous-auth", "apiserver-profiling"} {
		if !strings.Contains(strings.Join(self, " "), want) {
			t.Errorf("self-managed control plane: %s not reported; got %v", want, self)
		}
	}

	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "ip-10-0-1-5.ec2.internal",
		Labels: map[string]string{"eks.amazonaws.com/nodegroup": "workers"}},
		Spec: corev1.NodeSpec{ProviderID: "aws:///us-east-1a/i-0123456789abcdef0"}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer cs.CoreV1().Nodes().Delete(ctx, node.Name, metav1.DeleteOptions{})
	if managed := apiserverFindings(); len(managed) > 0 {
		t.Errorf("EKS: control-plane items should be not applicable, got findings %v", managed)
	}
}
