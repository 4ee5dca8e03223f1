package node

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/testutil"
)

func host(t *testing.T, objects []any) *controlplane.Host {
	t.Helper()
	for _, o := range objects {
		if h, ok := o.(*controlplane.Host); ok {
			return h
		}
	}
	t.Fatal("no Host object")
	return nil
}

func TestLoadReportsBadFilesByPath(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{
		"/etc/systemd/system/kubelet.service": "[Service]\nExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --client-ca-file=/ca.crt\n",
		"/var/lib/kubelet/config.yaml":        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: [\n",
		"/var/lib/kube-proxy/config.conf":     "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: [1]\n",
		"/etc/kubernetes/kubelet.conf":        "apiVersion: v1\nkind: Config\nclusters: {not: a list}\n",
		"/etc/kubernetes/manifests/kube-apiserver.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\n" +
			"spec: {containers: [{name: a, image: kube-apiserver:v1, command: [kube-apiserver, --audit-policy-file=/etc/kubernetes/audit.yaml]}]}\n",
	})
	res := Load(root, Options{})
	var messages []string
	for _, e := range res.Errors {
		messages = append(messages, e.Error())
	}
	all := strings.Join(messages, "\n")
	for _, want := range []string{filepath.Join(root, "var/lib/kubelet/config.yaml"), "/etc/kubernetes/audit.yaml", "cannot parse kubeconfig /etc/kubernetes/kubelet.conf", "cannot decode KubeProxyConfiguration in /var/lib/kube-proxy/config.conf"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors do not name %s:\n%s", want, all)
		}
	}
	var objs []any
	for _, o := range res.Objects {
		objs = append(objs, o.Obj)
	}
	h := host(t, objs)
	if v, _ := h.KubeletFlags.Value("client-ca-file"); v != "/ca.crt" || h.KubeletFlagsFile != "/etc/systemd/system/kubelet.service" {
		t.Errorf("kubelet flags %v from %s", h.KubeletFlags.All(), h.KubeletFlagsFile)
	}
	if !slices.Equal(h.Roles["kube-apiserver-manifest"], []string{"/etc/kubernetes/manifests/kube-apiserver.yaml"}) {
		t.Errorf("roles %v", h.Roles)
	}
	if f := h.Files["/etc/kubernetes/manifests/kube-apiserver.yaml"]; !f.Exists || f.Mode != 0o600 {
		t.Errorf("manifest state %+v", f)
	}
}

// A root without any control-plane or kubelet file is an input error:
// otherwise every CIS item would be "not applicable" and a gate would pass.
func TestLoadEmptyRoot(t *testing.T) {
	res := Load(t.TempDir(), Options{})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "no control-plane or kubelet file") || len(res.Objects) != 1 {
		t.Fatalf("an empty root should give the Host object and one error, got %d objects and errors %v", len(res.Objects), res.Errors)
	}
}

func TestLoadMissingRoot(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	res := Load(missing, Options{})
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error(), missing) {
		t.Fatalf("a root that cannot be opened should be an error naming it, got %v", res.Errors)
	}
}
