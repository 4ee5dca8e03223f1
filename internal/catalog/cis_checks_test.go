package catalog

import (
	"context"

	"github.com/kube4c/kube4c/internal/testutil/fixture"

	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
)

// apiServerPod is a kube-apiserver static pod with the given extra flags.
func apiServerPod(flags ...string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.34.1\n    command:\n    - kube-apiserver\n" +
		indentFlags(flags)
}

func etcdPod(flags ...string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: etcd, namespace: kube-system}\nspec:\n  containers:\n  - name: etcd\n    image: registry.k8s.io/etcd:3.6.4-0\n    command:\n    - etcd\n" +
		indentFlags(flags)
}

func indentFlags(flags []string) string {
	var b strings.Builder
	for _, f := range flags {
		b.WriteString("    - " + f + "\n")
	}
	return b.String()
}

// runCIS runs one check over YAML documents and returns its findings and
// its recorded verdicts.
func runCIS(t *testing.T, id string, docs ...string) ([]*check.Finding, []check.Verdict) {
	t.Helper()
	c := check.Default.Get(id)
	verdicts := &check.Verdicts{}
	findings, failures, _ := check.Run(context.Background(), fixture.Inventory(t, strings.Join(docs, "---\n")), []*check.Check{c}, check.Env{Now: time.Now(), Verdicts: verdicts})
	if len(failures) > 0 {
		t.Fatal(failures[0].Err)
	}
	return findings, verdicts.Outcomes(nil, nil, nil)
}

func encryptionConfig(providers string) string {
	return "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [configmaps]\n  providers: [{identity: {}}]\n- resources: [secrets]\n  providers:\n" + providers
}

func TestEncryptionAtRest(t *testing.T) {
	const key = "{keys: [{name: k, secret: c2VjcmV0}]}"
	withConfig := apiServerPod("--encryption-provider-config=/etc/kubernetes/enc.yaml")
	for _, tt := range []struct {
		name   string
		docs   []string
		sev    check.Severity // Unset: passes
		path   string
		detail string
	}{
		{"no flag", []string{apiServerPod("--v=2")}, check.Critical, "spec.containers[0].command", "no --encryption-provider-config"},
		{"secrets not covered", []string{withConfig, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [configmaps]\n  providers: [{secretbox: " + key + "}]\n"}, check.Critical, "resources", "no resources entry"},
		{"identity first", []string{withConfig, encryptionConfig("  - identity: {}\n  - aescbc: " + key + "\n")}, check.Critical, "resources[1].providers[0]", "plain text"},
		{"keyless secretbox", []string{withConfig, encryptionConfig("  - secretbox: {keys: []}\n")}, check.Critical, "resources[1].providers[0]", "no key"},
		{"aescbc first", []string{withConfig, encryptionConfig("  - aescbc: " + key + "\n  - identity: {}\n")}, check.Medium, "resources[1].providers[0]", "weak"},
		{"kms v1", []string{withConfig, encryptionConfig("  - kms: {name: old, endpoint: unix:///kms.sock}\n")}, check.Medium, "resources[1].providers[0]", "deprecated"},
		{"kms v2", []string{withConfig, encryptionConfig("  - kms: {apiVersion: v2, name: new, endpoint: unix:///kms.sock}\n  - identity: {}\n")}, check.Unset, "", ""},
		{"aesgcm", []string{withConfig, encryptionConfig("  - aesgcm: " + key + "\n")}, check.Unset, "", ""},
		{"star covers secrets", []string{withConfig, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: ['*.*']\n  providers: [{secretbox: " + key + "}]\n"}, check.Unset, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			findings, verdicts := runCIS(t, "encryption-at-rest", tt.docs...)
			if tt.sev == check.Unset {
				if len(findings) > 0 || len(verdicts) != 1 || verdicts[0].Status != check.StatusPass {
					t.Fatalf("want a pass, got findings %v and verdicts %v", findings, verdicts)
				}
				return
			}
			if len(findings) != 1 {
				t.Fatalf("got %d findings, want 1", len(findings))
			}
			f := findings[0]
			if f.Severity != tt.sev || f.Path != tt.path || !strings.Contains(f.Message, tt.detail) || f.Location.Line == 0 {
				t.Errorf("finding %v at %s line %d: %s; want %v at %s mentioning %q", f.Severity, f.Path, f.Location.Line, f.Message, tt.sev, tt.path, tt.detail)
			}
		})
	}
}

func TestEncryptionConfigNotRead(t *testing.T) {
	findings, verdicts := runCIS(t, "encryption-at-rest", apiServerPod("--encryption-provider-config=/etc/kubernetes/enc.yaml"))
	if len(findings) > 0 || len(verdicts) != 1 || verdicts[0].Status != check.StatusNotApplicable {
		t.Fatalf("a configuration that was not read must be not applicable, got %v %v", findings, verdicts)
	}
}

func TestEtcdExposed(t *testing.T) {
	secureAPI := apiServerPod("--etcd-servers=https://127.0.0.1:2379", "--etcd-certfile=/c.crt", "--etcd-keyfile=/c.key")
	tls := []string{"--cert-file=/s.crt", "--key-file=/s.key"}
	for _, tt := range []struct {
		name string
		docs []string
		want []string // "severity path"
	}{
		{"secure", []string{secureAPI, etcdPod(append(tls, "--client-cert-auth=true", "--listen-client-urls=https://0.0.0.0:2379", "--listen-peer-urls=https://10.0.0.1:2380", "--peer-cert-file=/p.crt")...)}, nil},
		{"plain http clients", []string{secureAPI, etcdPod("--listen-client-urls=http://127.0.0.1:2379")}, []string{"critical spec.containers[0].command[1]"}},
		{"no client auth on the network", []string{secureAPI, etcdPod(append(tls, "--listen-client-urls=https://10.0.0.1:2379")...)}, []string{"critical spec.containers[0].command"}},
		{"no client auth on loopback", []string{secureAPI, etcdPod(append(tls, "--listen-client-urls=https://127.0.0.1:2379,https://localhost:2379")...)}, []string{"high spec.containers[0].command"}},
		{"plain peers", []string{secureAPI, etcdPod(append(tls, "--client-cert-auth", "--listen-peer-urls=http://10.0.0.1:2380")...)}, []string{"high spec.containers[0].command[4]"}},
		{"API server without client certificate", []string{apiServerPod("--etcd-servers=https://127.0.0.1:2379"), etcdPod(append(tls, "--client-cert-auth=true")...)}, []string{"high spec.containers[0].command"}},
		{"API server over http", []string{apiServerPod("--etcd-servers=http://127.0.0.1:2379")}, []string{"high spec.containers[0].command[1]"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			findings, verdicts := runCIS(t, "etcd-exposed", tt.docs...)
			var got []string
			for _, f := range findings {
				got = append(got, f.Severity.String()+" "+f.Path)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			if len(tt.want) == 0 && (len(verdicts) != 1 || verdicts[0].Status != check.StatusPass) {
				t.Errorf("no pass recorded: %v", verdicts)
			}
		})
	}
}

func TestManagedControlPlaneNotApplicable(t *testing.T) {
	node := "apiVersion: v1\nkind: Node\nmetadata:\n  name: ip-10-0-0-1\n  labels: {eks.amazonaws.com/nodegroup: ng-1}\nspec: {providerID: 'aws:///eu-west-1a/i-0123'}\n"
	findings, verdicts := runCIS(t, "apiserver-anonymous-auth", node)
	if len(findings) > 0 || len(verdicts) != 1 || verdicts[0].Status != check.StatusNotApplicable || !strings.Contains(verdicts[0].Message, "EKS") {
		t.Fatalf("want not applicable (managed, EKS), got %v %v", findings, verdicts)
	}
	gke := "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec: {providerID: 'gce://proj/europe-west1-b/gke-prod-pool-1-abcd'}\n"
	if _, verdicts := runCIS(t, "etcd-exposed", gke); len(verdicts) != 1 || !strings.Contains(verdicts[0].Message, "GKE") {
		t.Errorf("GKE provider ID not recognised: %v", verdicts)
	}
	if _, verdicts := runCIS(t, "etcd-exposed", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec: {providerID: 'aws:///eu-west-1a/i-0123'}\n"); len(verdicts) != 1 || strings.Contains(verdicts[0].Message, "managed") {
		t.Errorf("a self-managed node on EC2 taken for EKS: %v", verdicts)
	}
}

func TestStructuredAuthorizationNotApplicable(t *testing.T) {
	findings, verdicts := runCIS(t, "apiserver-authz-rbac", apiServerPod("--authorization-config=/etc/kubernetes/authz.yaml"))
	if len(findings) > 0 || len(verdicts) != 1 || verdicts[0].Status != check.StatusNotApplicable || !strings.Contains(verdicts[0].Message, "--authorization-config") {
		t.Fatalf("want not applicable, got %v %v", findings, verdicts)
	}
	if findings, _ := runCIS(t, "apiserver-authz-rbac", apiServerPod("--authorization-mode=Node")); len(findings) != 1 {
		t.Errorf("--authorization-mode without RBAC: %d findings, want 1", len(findings))
	}
}

// Without a node's files (scan, scan --cluster), only kube-system pods are
// the control plane: an application's own etcd is not judged.
func TestLiveDoorKubeSystemOnly(t *testing.T) {
	appEtcd := strings.Replace(etcdPod("--listen-client-urls=http://0.0.0.0:2379"), "namespace: kube-system", "namespace: shop", 1)
	findings, verdicts := runCIS(t, "etcd-exposed", appEtcd)
	if len(findings) > 0 || len(verdicts) != 1 || verdicts[0].Status != check.StatusNotApplicable {
		t.Fatalf("an application's etcd was judged: %v %v", findings, verdicts)
	}
	if findings, _ := runCIS(t, "etcd-exposed", etcdPod("--listen-client-urls=http://0.0.0.0:2379")); len(findings) != 1 {
		t.Errorf("the kube-system etcd static pod was not judged: %d findings", len(findings))
	}
	_, verdicts = runCIS(t, "kubelet-anonymous-auth", etcdPod())
	if len(verdicts) != 1 || verdicts[0].Status != check.StatusNotApplicable {
		t.Errorf("kubelet items need a node's files: %v", verdicts)
	}
}

func TestKubeProxyMetricsFromConfigMap(t *testing.T) {
	cm := func(ns, addr string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kube-proxy, namespace: " + ns + "}\ndata:\n  config.conf: |\n    apiVersion: kubeproxy.config.k8s.io/v1alpha1\n    kind: KubeProxyConfiguration\n    metricsBindAddress: " + addr + "\n"
	}
	for _, tt := range []struct {
		name, doc string
		want      check.Status
	}{
		{"all addresses", cm("kube-system", "0.0.0.0:10249"), check.StatusFail},
		{"localhost", cm("kube-system", "127.0.0.1:10249"), check.StatusPass},
		{"default", cm("kube-system", "''"), check.StatusPass},
		{"another namespace", cm("shop", "0.0.0.0:10249"), check.StatusNotApplicable},
	} {
		findings, verdicts := runCIS(t, "kube-proxy-metrics-bind", tt.doc)
		got := check.StatusFail
		if len(findings) == 0 && len(verdicts) == 1 {
			got = verdicts[0].Status
		}
		if got != tt.want || tt.want == check.StatusFail && findings[0].Path != "data[config.conf]" {
			t.Errorf("%s: %s (findings %v), want %s", tt.name, got, findings, tt.want)
		}
	}
}
