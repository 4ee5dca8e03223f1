package catalog

import (
	"strconv"

	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// Kubelet serving certificate settings (CIS 4.2.9).
var (
	kubeletTLSCert = controlplane.KubeletField{Flag: "tls-cert-file", Path: "tlsCertFile",
		Get: kstr(func(c *kubeletv1beta1.KubeletConfiguration) string { return c.TLSCertFile })}
	kubeletTLSKey = controlplane.KubeletField{Flag: "tls-private-key-file", Path: "tlsPrivateKeyFile",
		Get: kstr(func(c *kubeletv1beta1.KubeletConfiguration) string { return c.TLSPrivateKeyFile })}
	kubeletServerBootstrap = controlplane.KubeletField{Flag: "rotate-server-certificates", Path: "serverTLSBootstrap",
		Get: kbool(func(c *kubeletv1beta1.KubeletConfiguration) bool { return c.ServerTLSBootstrap }), DefaultConfig: "false", DefaultFlags: "false"}
)

func init() {
	registerCIS(cisItem{
		id: "kubelet-serving-cert", title: "Kubelet serves with a certificate the API server can verify", cis: []string{"4.2.9"}, severity: check.Medium,
		looks: "the kubelet's tlsCertFile and tlsPrivateKeyFile (--tls-cert-file, --tls-private-key-file), or serverTLSBootstrap " +
			"(--rotate-server-certificates), from its KubeletConfiguration and systemd drop-ins.",
		rationale: "Without either, the kubelet serves a self-signed certificate, so the API server (and anything else) cannot verify " +
			"that it talks to the real kubelet when it streams exec sessions and logs.",
		remediation: "Set serverTLSBootstrap: true and approve the kubelet serving CSRs, or set tlsCertFile and tlsPrivateKeyFile to a " +
			"certificate signed by a CA the API server trusts (--kubelet-certificate-authority)." + restartKubelet,
		decide: func(ctx *check.Context, v *controlplane.View) {
			k := kubelet(ctx, v)
			if k == nil {
				return
			}
			cert, key, boot := k.Setting(kubeletTLSCert), k.Setting(kubeletTLSKey), k.Setting(kubeletServerBootstrap)
			switch {
			case cert.Value != "" && key.Value != "":
				ctx.Pass(cert.Object, cert.Path, "kubelet serves "+cert.Value+" ("+cert.Where+")")
			case boot.Value == strconv.FormatBool(true):
				ctx.Pass(boot.Object, boot.Path, "kubelet requests its serving certificate from the cluster ("+boot.Where+")")
			default:
				ctx.Report(cert.Object, cert.Path, "kubelet: neither tlsCertFile and tlsPrivateKeyFile nor serverTLSBootstrap is set, so it serves a self-signed certificate")
			}
		},
	})
}
