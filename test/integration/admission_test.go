//go:build integration

package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/admission"
	"github.com/kube4c/kube4c/internal/cli"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/testutil"
)

// webhookName is the name of the webhook in the configurations the tests
// register, as kubectl quotes it in a denial.
const webhookName = "validate.kube4c.io"

// startWebhook runs `kube4c admission serve` in process on a free port of
// 127.0.0.1, with the PKI's server certificate and the extra arguments,
// and returns its /validate URL once it is ready.
func startWebhook(t *testing.T, pki *testutil.PKI, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	certPEM, keyPEM := testutil.CertPEM(t, pki.Server)
	cert, key := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(cert, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr, w := io.Pipe()
	root := cli.NewRoot(strings.NewReader(""), io.Discard, w)
	root.SetContext(ctx)
	root.SetArgs(append([]string{"admission", "serve", "--listen", "127.0.0.1:0", "--tls-cert-file", cert, "--tls-private-key-file", key}, args...))
	done := make(chan int, 1)
	go func() { done <- cli.Execute(root); w.Close() }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("admission serve exited %d", code)
		}
	})
	lines := bufio.NewScanner(stderr)
	if !lines.Scan() {
		t.Fatalf("admission serve stopped: exit %d", <-done)
	}
	go io.Copy(io.Discard, stderr)
	first := lines.Text()
	const prefix = "listening on "
	i := strings.Index(first, prefix)
	if i < 0 {
		t.Fatalf("unexpected first line: %s", first)
	}
	addr, _, _ := strings.Cut(first[i+len(prefix):], " ")
	return "https://" + addr + "/validate"
}

// registerWebhook makes the test API server send every reviewed kind, in
// the namespaces labelled selector=true, to the webhook at url.
func registerWebhook(t *testing.T, cs kubernetes.Interface, name, url string, caPEM []byte, selector string) {
	t.Helper()
	fail, none := admissionregistrationv1.Fail, admissionregistrationv1.SideEffectClassNone
	timeout := int32(10)
	rule := func(group string, resources ...string) admissionregistrationv1.RuleWithOperations {
		return admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{group}, APIVersions: []string{"*"}, Resources: resources},
		}
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    webhookName,
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caPEM},
			AdmissionReviewVersions: []string{"v1"},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			TimeoutSeconds:          &timeout,
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{selector: "true"}},
			Rules: []admissionregistrationv1.RuleWithOperations{
				rule("", "pods", "pods/ephemeralcontainers", "replicationcontrollers", "services"),
				rule("apps", "deployments", "statefulsets", "daemonsets", "replicasets"),
				rule("batch", "jobs", "cronjobs"),
				rule("networking.k8s.io", "ingresses", "networkpolicies"),
				rule("rbac.authorization.k8s.io", "roles", "rolebindings"),
			},
		}},
	}
	ctx := context.Background()
	if _, err := cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, vwc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cs.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

// warningClient is a client config whose warnings are collected.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

// take returns the warnings collected since the last take.
func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

func warningConfig() (*rest.Config, *warnings) {
	w := &warnings{}
	cfg := rest.CopyConfig(admin)
	cfg.WarningHandler = w
	return cfg, w
}

// createNamespace creates a namespace with the labels.
func createNamespace(t *testing.T, cs kubernetes.Interface, name string, labels map[string]string) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

// guard labels a namespace so that the webhook registered with selector
// judges its requests from now on. The API server matches the selector
// against the namespaces its informer has seen, so guard returns once the
// webhook refuses a dry run of a privileged pod there.
func guard(t *testing.T, cs kubernetes.Interface, namespace, selector string) {
	t.Helper()
	ctx := context.Background()
	ns, err := cs.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ns.Labels[selector] = "true"
	if _, err := cs.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	privileged := true
	probe := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "kube4c-guard-probe"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{
		Name: "probe", Image: "registry.example.com/probe:1", SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}
	var last error
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, last = cs.CoreV1().Pods(namespace).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return deniedByKube4c(last), nil
	})
	if err != nil {
		t.Fatalf("the webhook does not judge namespace %s after it was labelled %s=true: the probe's last outcome: %v", namespace, selector, last)
	}
}

// deniedByKube4c reports whether err is the webhook's refusal.
func deniedByKube4c(err error) bool {
	return err != nil && strings.Contains(err.Error(), fmt.Sprintf("admission webhook %q denied the request", webhookName))
}

// agreementWorkloads are the workloads of the agreement test: kube4c's
// examples, the v1.37 Pod Security fixtures wrapped in Deployments, and
// workloads of public projects.
func agreementWorkloads(t *testing.T) []*inventory.Object {
	corpus := testutil.CorpusDir(t)
	var out []*inventory.Object
	for _, o := range load(t, filepath.Join("..", "..", "examples"), filepath.Join(corpus, "real/GoogleCloudPlatform__microservices-demo/release"),
		filepath.Join(corpus, "real/kubernetes-sigs__metrics-server"), filepath.Join(corpus, "real/FairwindsOps__polaris/test/webhook_cases")) {
		if slices.Contains(inventory.WorkloadKinds, o.Kind()) {
			out = append(out, o)
		}
	}
	fixtures, err := filepath.Glob(filepath.Join(corpus, "psa/testdata/*/v1.37/*/*.yaml"))
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no Pod Security fixtures under %s: %v", corpus, err)
	}
	for _, o := range load(t, fixtures...) {
		pod, ok := o.Obj.(*corev1.Pod)
		if !ok {
			continue
		}
		labels := map[string]string{"app": pod.Name}
		dep := &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "psa-" + pod.Name, Annotations: pod.Annotations},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: pod.Annotations}, Spec: pod.Spec}},
		}
		out = append(out, &inventory.Object{GVK: appsv1.SchemeGroupVersion.WithKind("Deployment"), Obj: dep, Meta: dep})
	}
	return out
}

// manifestIn writes obj, moved to namespace under a name unique among
// the test's objects, as a YAML file of dir, and returns the file and
// the object as the API server takes it.
func manifestIn(t *testing.T, dir string, i int, obj *inventory.Object, namespace string) (string, *unstructured.Unstructured) {
	t.Helper()
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj.Obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: content}
	u.SetGroupVersionKind(obj.GVK)
	u.SetNamespace(namespace)
	u.SetName(fmt.Sprintf("w%03d-%s", i, strings.ToLower(obj.Kind())))
	u.SetResourceVersion("")
	text, err := yaml.Marshal(u.Object)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%03d.yaml", i))
	if err := os.WriteFile(file, text, 0o600); err != nil {
		t.Fatal(err)
	}
	return file, u
}

// scanFinding is the part of a JSON finding the agreement test reads.
type scanFinding struct {
	CheckID  string `json:"checkId"`
	Severity string `json:"severity"`
	Object   struct {
		Kind string `json:"kind"`
	} `json:"object"`
}

// scanFile runs kube4c scan on one file and returns its findings.
func scanFile(t *testing.T, file string) []scanFinding {
	t.Helper()
	code, out, errOut := kube4c(t, "scan", "-o", "json", "--fail-on", "critical", file)
	if code > 1 {
		t.Fatalf("scan %s: exit %d: %s", file, code, errOut)
	}
	var rep struct {
		Findings []scanFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Findings
}

var severityRank = map[string]int{"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}

// The webhook refuses exactly the workloads whose scan has a finding at or
// above the deny severity (high) that it can evaluate without a cache,
// and admits the others; its warnings reach the client.
func TestAdmissionAgreesWithScan(t *testing.T) {
	pki := testutil.NewPKI(t)
	url := startWebhook(t, pki, "--no-cache")
	cs := kubernetes.NewForConfigOrDie(admin)
	registerWebhook(t, cs, "kube4c-agreement", url, pki.CAPEM, "kube4c-agreement")
	const ns = "admission-agreement"
	createNamespace(t, cs, ns, map[string]string{"kube4c-agreement": "true"})
	cfg, warned := warningConfig()
	dyn := dynamic.NewForConfigOrDie(cfg)

	dir := t.TempDir()
	var agreed, refused, admitted, invalid int
	for i, obj := range agreementWorkloads(t) {
		file, u := manifestIn(t, dir, i, obj, ns)
		wantDeny, wantWarn := false, false
		for _, f := range scanFile(t, file) {
			if len(admission.NeededKinds(f.CheckID, f.Object.Kind)) > 0 {
				continue // needs objects the webhook does not have
			}
			wantDeny = wantDeny || severityRank[f.Severity] >= severityRank["high"]
			wantWarn = wantWarn || severityRank[f.Severity] >= severityRank["low"]
		}
		resource := strings.ToLower(obj.Kind()) + "s"
		gvr := obj.GVK.GroupVersion().WithResource(resource)
		_, err := dyn.Resource(gvr).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{})
		got := warned.take()
		switch {
		case deniedByKube4c(err):
			refused++
			if !wantDeny {
				t.Errorf("%s (%s): refused, but its scan has no finding at or above high: %v", u.GetName(), obj.Ref(), err)
				continue
			}
		case err != nil:
			invalid++ // the API server's own validation, before any webhook
			t.Logf("%s (%s): not admissible to the API server itself: %v", u.GetName(), obj.Ref(), firstLine(err.Error()))
			continue
		default:
			admitted++
			if wantDeny {
				t.Errorf("%s (%s): admitted, but its scan has a finding at or above high", u.GetName(), obj.Ref())
				continue
			}
			if wantWarn && len(got) == 0 {
				t.Errorf("%s (%s): admitted without the warnings its findings call for", u.GetName(), obj.Ref())
				continue
			}
		}
		agreed++
	}
	t.Logf("admission agrees with scan on %d of %d workloads (%d refused, %d admitted; %d refused by the API server's validation)",
		agreed, refused+admitted, refused, admitted, invalid)
	if refused+admitted < 60 || refused == 0 || admitted == 0 {
		t.Fatalf("too few workloads reached the webhook: %d refused, %d admitted", refused, admitted)
	}
}

const badDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      containers:
        - name: app
          image: busybox:1.36
          securityContext: {privileged: true}
`

// quietPodSpec is a pod spec that no check of kube4c reports on its own.
const quietPodSpec = `
automountServiceAccountToken: false
securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
containers:
  - name: web
    image: registry.example.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    ports: [{containerPort: 8080}]
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
    livenessProbe: {httpGet: {path: /healthz, port: 8080}}
    readinessProbe: {httpGet: {path: /readyz, port: 8080}}
`

// indent prefixes every line of text.
func indent(text, prefix string) string {
	return strings.ReplaceAll(text, "\n", "\n"+prefix)
}

// decodeDeployment reads a Deployment manifest.
func decodeDeployment(t *testing.T, text string) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict([]byte(text), &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// Updates of an object that was bad before are admitted with warnings;
// exempt namespaces are admitted; a server-side dry run is judged like a
// create; a privileged ephemeral container is refused.
func TestAdmissionUpdatesExemptionsDryRunAndEphemeralContainers(t *testing.T) {
	pki := testutil.NewPKI(t)
	configFile := filepath.Join(t.TempDir(), "kube4c.yaml")
	if err := os.WriteFile(configFile, []byte("admission:\n  exempt:\n    namespaces: [kube-system, kube4c-system, \"sandbox-*\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := startWebhook(t, pki, "--no-cache", "--config", configFile)
	cs := kubernetes.NewForConfigOrDie(admin)
	const selector = "kube4c-rules"
	registerWebhook(t, cs, "kube4c-rules", url, pki.CAPEM, selector)
	cfg, warned := warningConfig()
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()

	// A bad Deployment created before the namespace was guarded.
	createNamespace(t, cs, "admission-update", nil)
	dep, err := client.AppsV1().Deployments("admission-update").Create(ctx, decodeDeployment(t, badDeployment), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	guard(t, cs, "admission-update", selector)
	warned.take()
	replicas := int32(3)
	dep.Spec.Replicas = &replicas
	if _, err := client.AppsV1().Deployments("admission-update").Update(ctx, dep, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("scaling an already-bad Deployment was refused: %v", err)
	}
	if w := strings.Join(warned.take(), "\n"); !strings.Contains(w, "privileged-container") {
		t.Errorf("the update came back without a warning about the kept finding: %q", w)
	}
	// A new bad Deployment in the same namespace is refused, and so is its
	// server-side dry run.
	fresh := decodeDeployment(t, badDeployment)
	fresh.Name = "bad-2"
	if _, err := client.AppsV1().Deployments("admission-update").Create(ctx, fresh, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); !deniedByKube4c(err) {
		t.Errorf("a dry-run create of a privileged Deployment: %v, want the webhook's refusal", err)
	} else if !strings.Contains(err.Error(), "privileged-container") {
		t.Errorf("the refusal does not name the check: %v", err)
	}
	if _, err := client.AppsV1().Deployments("admission-update").Create(ctx, fresh, metav1.CreateOptions{}); !deniedByKube4c(err) {
		t.Errorf("creating a privileged Deployment: %v, want the webhook's refusal", err)
	}

	// An exempt namespace admits it.
	createNamespace(t, cs, "sandbox-1", map[string]string{selector: "true"})
	if _, err := client.AppsV1().Deployments("sandbox-1").Create(ctx, decodeDeployment(t, badDeployment), metav1.CreateOptions{}); err != nil {
		t.Errorf("an exempt namespace refused a Deployment: %v", err)
	}

	// A privileged ephemeral container (kubectl debug --profile=sysadmin).
	createNamespace(t, cs, "admission-debug", map[string]string{selector: "true"})
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict([]byte(quietPodSpec), &pod.Spec); err != nil {
		t.Fatal(err)
	}
	pod.Name = "web"
	created, err := client.CoreV1().Pods("admission-debug").Create(ctx, &pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("a plain pod was refused: %v", err)
	}
	privileged := true
	created.Spec.EphemeralContainers = append(created.Spec.EphemeralContainers, corev1.EphemeralContainer{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox:1.36",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}})
	if _, err := client.CoreV1().Pods("admission-debug").UpdateEphemeralContainers(ctx, "web", created, metav1.UpdateOptions{}); !deniedByKube4c(err) {
		t.Errorf("adding a privileged ephemeral container: %v, want the webhook's refusal", err)
	}
}

// With the informer cache, a Deployment exposed by a LoadBalancer in a
// namespace without a default-deny policy is warned
// pod-not-isolated-ingress; once the namespace denies by default, the
// same Deployment is admitted clean: no warning at all.
func TestAdmissionCacheJudgesAmongNetworkPolicies(t *testing.T) {
	pki := testutil.NewPKI(t)
	url := startWebhook(t, pki, "--kubeconfig", adminKubeconfig)
	cs := kubernetes.NewForConfigOrDie(admin)
	const selector = "kube4c-cache"
	registerWebhook(t, cs, "kube4c-cache", url, pki.CAPEM, selector)
	cfg, warned := warningConfig()
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()

	// The Service exists before the namespace is guarded.
	const ns = "admission-cache"
	createNamespace(t, cs, ns, nil)
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{
		Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
		Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	no := false
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "web"}, AutomountServiceAccountToken: &no}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	guard(t, cs, ns, selector)

	web := decodeDeployment(t, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web`+indent(quietPodSpec, "      ")+`
`)
	dryRun := func() []string {
		t.Helper()
		warned.take()
		if _, err := client.AppsV1().Deployments(ns).Create(ctx, web, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Fatalf("the Deployment was refused: %v", err)
		}
		return warned.take()
	}
	notIsolated := func(ws []string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(w, "pod-not-isolated-ingress") })
	}
	// The cache may not have seen the Service yet: wait for it.
	waitFor(t, "a pod-not-isolated-ingress warning", func() bool { return notIsolated(dryRun()) })

	policy := `{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny"},"spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}}`
	if _, err := cs.NetworkingV1().RESTClient().Post().Namespace(ns).Resource("networkpolicies").Body([]byte(policy)).DoRaw(ctx); err != nil {
		t.Fatal(err)
	}
	var last []string
	waitFor(t, "the warning to go once the policy is cached", func() bool { last = dryRun(); return !notIsolated(last) })
	if len(last) > 0 {
		t.Errorf("once isolated, the Deployment still comes back with warnings: %q", last)
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
