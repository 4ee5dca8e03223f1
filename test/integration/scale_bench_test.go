//go:build integration

package integration

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// Scale of BenchmarkClusterScanScale.
const (
	scaleNamespaces = 20
	scalePods       = 10000
	scaleServices   = 2000
	scalePolicies   = 500
	scaleRBAC       = 2000 // half Roles, half RoleBindings
)

// BenchmarkClusterScanScale loads 10,000 pods, 2,000 services, 500 network
// policies and 2,000 RBAC objects into the test API server, then runs the
// kube4c binary against it, reporting wall time per scan, API requests and
// the peak RSS of the process.
//
//	go test -tags integration -run '^$' -bench ClusterScanScale -benchtime 3x ./test/integration
func BenchmarkClusterScanScale(b *testing.B) {
	populate(b)
	bin := filepath.Join(b.TempDir(), "kube4c")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/kube4c")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	rssPattern := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	requestsPattern := regexp.MustCompile(`"requests": ?(\d+)`)
	var peakKB, requests int
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command("/usr/bin/time", "-v", bin, "scan", "--cluster", "--kubeconfig", adminKubeconfig, "-q", "-o", "json", "--fail-on", "none")
		var stderr, stdout bytesBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("scan: %v\n%s", err, stderr.String())
		}
		if m := rssPattern.FindStringSubmatch(stderr.String()); m != nil {
			kb, _ := strconv.Atoi(m[1])
			peakKB = max(peakKB, kb)
		}
		if m := requestsPattern.FindStringSubmatch(stdout.String()); m != nil {
			requests, _ = strconv.Atoi(m[1])
		}
	}
	b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(requests), "API-requests")
}

type bytesBuffer struct{ data []byte }

func (b *bytesBuffer) Write(p []byte) (int, error) { b.data = append(b.data, p...); return len(p), nil }
func (b *bytesBuffer) String() string              { return string(b.data) }

// populate creates the scale objects once, with parallel writers.
func populate(b *testing.B) {
	b.Helper()
	ctx := context.Background()
	cfg := *admin
	cfg.QPS, cfg.Burst = 2000, 4000
	cs := kubernetes.NewForConfigOrDie(&cfg)
	ns := func(i int) string { return fmt.Sprintf("scale-%02d", i%scaleNamespaces) }
	for i := 0; i < scaleNamespaces; i++ {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns(i)}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			b.Fatal(err)
		}
	}
	create := func(n int, fn func(i int) error) {
		var wg sync.WaitGroup
		jobs := make(chan int)
		errs := make(chan error, 1)
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					if err := fn(i); err != nil && !apierrors.IsAlreadyExists(err) {
						select {
						case errs <- err:
						default:
						}
					}
				}
			}()
		}
		for i := 0; i < n; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
	}
	create(scalePods, func(i int) error {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%05d", i), Labels: map[string]string{"app": fmt.Sprintf("app-%03d", i%100)}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "app", Image: "registry.example.com/app:1.0",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			}}},
		}
		if i%10 == 0 {
			privileged := true
			pod.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &privileged}
		}
		_, err := cs.CoreV1().Pods(ns(i)).Create(ctx, pod, metav1.CreateOptions{})
		return err
	})
	create(scaleServices, func(i int) error {
		_, err := cs.CoreV1().Services(ns(i)).Create(ctx, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%04d", i)},
			Spec: corev1.ServiceSpec{Selector: map[string]string{"app": fmt.Sprintf("app-%03d", i%100)},
				Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}}},
		}, metav1.CreateOptions{})
		return err
	})
	create(scalePolicies, func(i int) error {
		_, err := cs.NetworkingV1().NetworkPolicies(ns(i)).Create(ctx, &networkingv1.NetworkPolicy{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("np-%03d", i)},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app-%03d", i%100)}},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
					PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app-%03d", (i+1)%100)}},
				}}}},
			},
		}, metav1.CreateOptions{})
		return err
	})
	create(scaleRBAC/2, func(i int) error {
		_, err := cs.RbacV1().Roles(ns(i)).Create(ctx, &rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("role-%04d", i)},
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "secrets"}, Verbs: []string{"get", "list"}}},
		}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		_, err = cs.RbacV1().RoleBindings(ns(i)).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("binding-%04d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: fmt.Sprintf("role-%04d", i)},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: fmt.Sprintf("user-%04d", i)}},
		}, metav1.CreateOptions{})
		return err
	})
}
