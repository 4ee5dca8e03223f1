package catalog

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// fileItem is a CIS item about the mode or the owner of a node's files.
type fileItem struct {
	cis, id  string
	severity check.Severity
	// what names the files in titles; role is the Host role that lists them.
	what, role string
	// suffix, when set, keeps only files whose name ends with it.
	suffix string
	// mode is the most permissive mode allowed; owner the user:group
	// wanted. One of them is set.
	mode  fs.FileMode
	owner string
}

// registerFileItems registers a pair of items (mode, owner) per file kind.
func registerFileItems(items []fileItem) {
	for _, it := range items {
		title, fix := fmt.Sprintf("%s with mode %o or more restrictive", it.what, it.mode), fmt.Sprintf("chmod %o", it.mode)
		if it.owner != "" {
			title, fix = fmt.Sprintf("%s owned by %s", it.what, it.owner), "chown "+it.owner
		}
		title = strings.ToUpper(title[:1]) + title[1:]
		registerCIS(cisItem{
			id: it.id, title: title, cis: []string{it.cis}, severity: it.severity,
			looks:       "the " + it.what + " on the node (kube4c node, under --root).",
			rationale:   "Whoever can write, or in the case of keys and kubeconfigs read, these files can take over the component or impersonate it.",
			remediation: "On the node, run " + fix + " on the files named in the finding.",
			decide:      func(ctx *check.Context, v *controlplane.View) { decideFiles(ctx, v, it) },
		})
	}
}

func decideFiles(ctx *check.Context, v *controlplane.View, it fileItem) {
	if v.Host == nil {
		ctx.NotApplicable(nil, "file permissions are read from a node's files (kube4c node)")
		return
	}
	host := v.Host.Obj.(*controlplane.Host)
	var files []controlplane.File
	for _, f := range host.RoleFiles(it.role) {
		if f.Exists && (it.suffix == "" || strings.HasSuffix(f.Path, it.suffix)) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		ctx.NotApplicable(v.Host, "no "+it.what+" found under "+host.Root)
		return
	}
	var bad []string
	for _, f := range files {
		switch {
		case it.owner != "" && f.User+":"+f.Group != it.owner:
			bad = append(bad, fmt.Sprintf("%s is owned by %s:%s", f.Path, f.User, f.Group))
		case it.owner == "" && f.Mode&^it.mode != 0:
			bad = append(bad, fmt.Sprintf("%s has mode %o", f.Path, f.Mode))
		}
	}
	if len(bad) > 0 {
		ctx.Report(v.Host, "", it.what+": "+strings.Join(bad, ", ")+"; want "+wantText(it))
		return
	}
	ctx.Pass(v.Host, "", fmt.Sprintf("%s: %d file(s) %s", it.what, len(files), wantText(it)))
}

func wantText(it fileItem) string {
	if it.owner != "" {
		return "owned by " + it.owner
	}
	return fmt.Sprintf("mode %o or more restrictive", it.mode)
}

func init() {
	rr := "root:root"
	registerFileItems([]fileItem{
		{cis: "1.1.1", id: "file-apiserver-manifest-mode", severity: check.Medium, what: "API server pod manifest", role: "kube-apiserver-manifest", mode: 0o600},
		{cis: "1.1.2", id: "file-apiserver-manifest-owner", severity: check.Medium, what: "API server pod manifest", role: "kube-apiserver-manifest", owner: rr},
		{cis: "1.1.3", id: "file-controller-manager-manifest-mode", severity: check.Medium, what: "controller manager pod manifest", role: "kube-controller-manager-manifest", mode: 0o600},
		{cis: "1.1.4", id: "file-controller-manager-manifest-owner", severity: check.Medium, what: "controller manager pod manifest", role: "kube-controller-manager-manifest", owner: rr},
		{cis: "1.1.5", id: "file-scheduler-manifest-mode", severity: check.Medium, what: "scheduler pod manifest", role: "kube-scheduler-manifest", mode: 0o600},
		{cis: "1.1.6", id: "file-scheduler-manifest-owner", severity: check.Medium, what: "scheduler pod manifest", role: "kube-scheduler-manifest", owner: rr},
		{cis: "1.1.7", id: "file-etcd-manifest-mode", severity: check.Medium, what: "etcd pod manifest", role: "etcd-manifest", mode: 0o600},
		{cis: "1.1.8", id: "file-etcd-manifest-owner", severity: check.Medium, what: "etcd pod manifest", role: "etcd-manifest", owner: rr},
		{cis: "1.1.9", id: "file-cni-mode", severity: check.Medium, what: "CNI configuration files", role: "cni", mode: 0o600},
		{cis: "1.1.10", id: "file-cni-owner", severity: check.Medium, what: "CNI configuration files", role: "cni", owner: rr},
		{cis: "1.1.11", id: "file-etcd-data-dir-mode", severity: check.High, what: "etcd data directory", role: "etcd-data-dir", mode: 0o700},
		{cis: "1.1.12", id: "file-etcd-data-dir-owner", severity: check.Low, what: "etcd data directory", role: "etcd-data-dir", owner: "etcd:etcd"},
		{cis: "1.1.13", id: "file-admin-kubeconfig-mode", severity: check.High, what: "administrator kubeconfig", role: "admin-kubeconfig", mode: 0o600},
		{cis: "1.1.14", id: "file-admin-kubeconfig-owner", severity: check.High, what: "administrator kubeconfig", role: "admin-kubeconfig", owner: rr},
		{cis: "1.1.15", id: "file-scheduler-kubeconfig-mode", severity: check.Medium, what: "scheduler kubeconfig", role: "scheduler-kubeconfig", mode: 0o600},
		{cis: "1.1.16", id: "file-scheduler-kubeconfig-owner", severity: check.Medium, what: "scheduler kubeconfig", role: "scheduler-kubeconfig", owner: rr},
		{cis: "1.1.17", id: "file-controller-manager-kubeconfig-mode", severity: check.Medium, what: "controller manager kubeconfig", role: "controller-manager-kubeconfig", mode: 0o600},
		{cis: "1.1.18", id: "file-controller-manager-kubeconfig-owner", severity: check.Medium, what: "controller manager kubeconfig", role: "controller-manager-kubeconfig", owner: rr},
		{cis: "1.1.19", id: "file-pki-owner", severity: check.Medium, what: "PKI directory and files", role: "pki", owner: rr},
		{cis: "1.1.20", id: "file-pki-cert-mode", severity: check.Low, what: "PKI certificates", role: "pki", suffix: ".crt", mode: 0o644},
		{cis: "1.1.21", id: "file-pki-key-mode", severity: check.High, what: "PKI private keys", role: "pki", suffix: ".key", mode: 0o600},
		{cis: "4.1.1", id: "file-kubelet-service-mode", severity: check.Medium, what: "kubelet service files", role: "kubelet-service", mode: 0o600},
		{cis: "4.1.2", id: "file-kubelet-service-owner", severity: check.Medium, what: "kubelet service files", role: "kubelet-service", owner: rr},
		{cis: "4.1.3", id: "file-proxy-kubeconfig-mode", severity: check.High, what: "kube-proxy kubeconfig", role: "proxy-kubeconfig", mode: 0o600},
		{cis: "4.1.4", id: "file-proxy-kubeconfig-owner", severity: check.High, what: "kube-proxy kubeconfig", role: "proxy-kubeconfig", owner: rr},
		{cis: "4.1.5", id: "file-kubelet-kubeconfig-mode", severity: check.High, what: "kubelet kubeconfig", role: "kubelet-kubeconfig", mode: 0o600},
		{cis: "4.1.6", id: "file-kubelet-kubeconfig-owner", severity: check.High, what: "kubelet kubeconfig", role: "kubelet-kubeconfig", owner: rr},
		{cis: "4.1.7", id: "file-kubelet-client-ca-mode", severity: check.Medium, what: "kubelet client CA file", role: "kubelet-client-ca", mode: 0o644},
		{cis: "4.1.8", id: "file-kubelet-client-ca-owner", severity: check.Medium, what: "kubelet client CA file", role: "kubelet-client-ca", owner: rr},
		{cis: "4.1.9", id: "file-kubelet-config-mode", severity: check.Medium, what: "kubelet config file", role: "kubelet-config", mode: 0o600},
		{cis: "4.1.10", id: "file-kubelet-config-owner", severity: check.Medium, what: "kubelet config file", role: "kubelet-config", owner: rr},
	})
}
