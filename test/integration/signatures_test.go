//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kube4c/kube4c/internal/signatures/signtest"
)

// scan --cluster --verify-images reads the image pull secrets the live
// workloads name (their own, or their service account's) and logs in to
// a private registry with them; a workload without one is reported as
// unresolved, with the registry's refusal.
func TestClusterScanVerifiesImagesWithPullSecrets(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials of the machine's
	reg := signtest.NewPrivateRegistry(t, "ci", "s3cret")
	key := signtest.NewKey(t)
	signed, d := reg.Push(t, "shop/web:1.0")
	key.SignLegacy(t, d)
	unsigned, _ := reg.Push(t, "shop/worker:1.0")
	other, od := reg.Push(t, "shop/api:1.0")
	key.SignLegacy(t, od)
	pub := key.WritePublic(t, t.TempDir(), "cosign.pub")

	ctx := context.Background()
	cs := kubernetes.NewForConfigOrDie(admin)
	ns := "verify-images"
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}))
	must(cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(fmt.Sprintf(`{"auths": {%q: {"username": "ci", "password": "s3cret"}}}`, reg.Host))}},
		metav1.CreateOptions{}))
	must(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "puller"},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}}}, metav1.CreateOptions{}))
	pod := func(name, image, account string, secrets ...string) {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{ServiceAccountName: account,
			Containers: []corev1.Container{{Name: "app", Image: image}}}}
		for _, s := range secrets {
			p.Spec.ImagePullSecrets = append(p.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s})
		}
		must(cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}))
	}
	pod("own-secret", signed, "", "regcred")
	pod("account-secret", unsigned, "puller")
	pod("no-secret", other, "")

	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", adminKubeconfig, "-n", ns, "-q", "-o", "json", "--fail-on", "none",
		"--verify-images", "--verify-key", pub, "--checks", "image-signature-missing,image-signature-invalid,image-digest-unresolved")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := parseReport(t, out)
	got := map[string]string{}
	for _, f := range r.Findings {
		got[f.Object.Name] = f.CheckID + " " + f.Message
	}
	if msg := got["account-secret"]; !strings.HasPrefix(msg, "image-signature-missing ") {
		t.Errorf("account-secret: %q, want image-signature-missing (read with the service account's pull secret)", msg)
	}
	if msg := got["no-secret"]; !strings.HasPrefix(msg, "image-digest-unresolved ") || !strings.Contains(msg, "UNAUTHORIZED") {
		t.Errorf("no-secret: %q, want image-digest-unresolved with the registry's refusal", msg)
	}
	if msg, ok := got["own-secret"]; ok {
		t.Errorf("own-secret is signed and its pull secret opens the registry: %s", msg)
	}
}
