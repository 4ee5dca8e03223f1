//go:build integration

package integration

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/testutil"
)

// webhookPolicy records the objects of creates and the metadata of
// streaming requests.
const webhookPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    resources:
      - group: ""
        resources: [pods/exec, pods/attach, pods/portforward]
  - level: RequestResponse
    verbs: [create]
    resources:
      - group: ""
        resources: [pods]
      - group: rbac.authorization.k8s.io
        resources: [clusterrolebindings]
  - level: None
`

// receiverAlerts collects the alerts of a receiver.
type receiverAlerts struct {
	mu     sync.Mutex
	alerts []audit.Alert
}

func (r *receiverAlerts) add(a audit.Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
}

// waitFor waits until an alert of each rule came in, and returns them by rule.
func (r *receiverAlerts) waitFor(t *testing.T, rules ...string) map[string]audit.Alert {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r.mu.Lock()
		got := map[string]audit.Alert{}
		for _, a := range r.alerts {
			got[a.Rule] = a
		}
		r.mu.Unlock()
		missing := 0
		for _, rule := range rules {
			if _, ok := got[rule]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts of %v did not all come in; got %v", rules, got)
		}
	}
}

// startWebhookReceiver serves a receiver over TLS with the client CA of pki
// and returns its URL.
func startWebhookReceiver(t *testing.T, pki *testutil.PKI, dir string, alerts *receiverAlerts) string {
	archive, err := audit.OpenArchive(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	r := audit.NewReceiver(audit.NewEngine(audit.Rules.All(), nil), archive)
	r.RequireClientCert = true
	r.OnAlert = alerts.add
	srv := httptest.NewUnstartedServer(r)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server}, ClientCAs: pki.Pool, ClientAuth: tls.VerifyClientCertIfGiven}
	srv.StartTLS()
	t.Cleanup(func() { srv.Close(); archive.Close() })
	return srv.URL
}

// webhookKubeconfig is the --audit-webhook-config-file for a receiver.
func webhookKubeconfig(t *testing.T, pki *testutil.PKI, url string) string {
	certPEM, keyPEM := testutil.CertPEM(t, pki.Client)
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
  - name: kube4c
    cluster: {server: %q, certificate-authority-data: %s}
users:
  - name: kube-apiserver
    user: {client-certificate-data: %s, client-key-data: %s}
contexts:
  - name: audit
    context: {cluster: kube4c, user: kube-apiserver}
current-context: audit
`, url+"/audit", b64(pki.CAPEM), b64(certPEM), b64(keyPEM))
}

// fakeKubelet accepts every streaming request with 101 Switching
// Protocols and hangs up, so that the API server grants the session.
func fakeKubelet(t *testing.T) (host string, port int) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n")
		buf.Flush()
	}))
	t.Cleanup(srv.Close)
	h, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ = strconv.Atoi(p)
	return h, port
}

// TestAuditWebhook runs a second control plane whose API server sends its
// audit events to kube4c's receiver, acts on it, and expects the alerts.
func TestAuditWebhook(t *testing.T) {
	work := t.TempDir()
	pki := testutil.NewPKI(t)
	alerts := &receiverAlerts{}
	url := startWebhookReceiver(t, pki, filepath.Join(work, "archive"), alerts)
	policy, webhook := filepath.Join(work, "policy.yaml"), filepath.Join(work, "webhook.kubeconfig")
	if err := os.WriteFile(policy, []byte(webhookPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(webhook, []byte(webhookKubeconfig(t, pki, url)), 0o600); err != nil {
		t.Fatal(err)
	}
	assets, err := assetsDir()
	if err != nil {
		t.Fatal(err)
	}
	cp := &envtest.Environment{BinaryAssetsDirectory: assets}
	cp.ControlPlane.GetAPIServer().Configure().
		Set("audit-policy-file", policy).
		Set("audit-webhook-config-file", webhook).
		Set("audit-webhook-mode", "blocking").
		Set("kubelet-preferred-address-types", "InternalIP").
		Set("service-cluster-ip-range", "10.96.0.0/16")
	cfg, err := cp.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Stop()
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()

	host, port := fakeKubelet(t)
	node, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: host}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
	if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	privileged := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "root", Namespace: "default"}, Spec: corev1.PodSpec{NodeName: "worker",
		Containers: []corev1.Container{{Name: "sh", Image: "busybox", SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}
	if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "backdoor"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: "mallory", APIGroup: "rbac.authorization.k8s.io"}}}
	if _, err := client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	execInto(t, cfg, client, "default", "root")

	got := alerts.waitFor(t, "audit-pod-host-access", "audit-cluster-admin-binding", "audit-pod-exec")
	if a := got["audit-pod-exec"]; a.Object != "pods/exec default/root" || a.Code != 101 || a.Stage != "ResponseStarted" {
		t.Errorf("exec alert %+v", a)
	}
	if a := got["audit-pod-host-access"]; a.Object != "pods default/root" {
		t.Errorf("pod alert %+v", a)
	}
	v, err := audit.Verify(filepath.Join(work, "archive"))
	if err != nil || len(v.Problems) > 0 || v.Events < 3 {
		t.Errorf("archive: %+v %v", v, err)
	}

	// Every event the receiver archived was evaluated before it was
	// acknowledged: once the API server is stopped, reading the archive
	// must raise exactly the alerts the receiver raised.
	if err := cp.Stop(); err != nil {
		t.Fatal(err)
	}
	alerts.mu.Lock()
	served := slices.Clone(alerts.alerts)
	alerts.mu.Unlock()
	if analyzed := analyzeArchive(t, filepath.Join(work, "archive")); !reflect.DeepEqual(analyzed, served) {
		t.Errorf("analyzing the archive raised\n%+v\nthe receiver raised\n%+v", analyzed, served)
	}
}

// analyzeArchive reads an archive as audit analyze does and returns the
// alerts of every rule.
func analyzeArchive(t *testing.T, dir string) []audit.Alert {
	t.Helper()
	paths, err := audit.ArchivePaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Alert
	a := &audit.Analyzer{Engine: audit.NewEngine(audit.Rules.All(), nil), OnAlert: func(al audit.Alert) { out = append(out, al) },
		OnMalformed: func(m audit.Malformed) { t.Errorf("malformed archive record: %s", m) }}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		err = audit.Read(f, p, a.Handler())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// execInto asks the API server for an exec session into the pod, as
// kubectl exec does, and expects it granted (the fake kubelet hangs up
// right after).
func execInto(t *testing.T, cfg *rest.Config, client *kubernetes.Clientset, ns, name string) {
	u := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(name).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "sh", Command: []string{"id"}, Stdout: true}, scheme.ParameterCodec).URL()
	// Upgrades need HTTP/1.1.
	tlsConfig, err := rest.TLSConfigFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tlsConfig.NextProtos = []string{"http/1.1"}
	rt, err := rest.HTTPWrappersForConfig(cfg, &http.Transport{TLSClientConfig: tlsConfig})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "SPDY/3.1")
	req.Header.Set("X-Stream-Protocol-Version", "v4.channel.k8s.io")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("exec: %s", resp.Status)
	}
}
