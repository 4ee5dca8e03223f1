package catalog

import (
	"net"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

func init() {
	registerCIS(cisItem{
		id: "kube-proxy-metrics-bind", title: "kube-proxy metrics bound to localhost", cis: []string{"4.3.1"}, severity: check.Low,
		reads: []string{"ConfigMap", controlplane.KubeProxyConfigKind},
		looks: "metricsBindAddress of kube-proxy's KubeProxyConfiguration: a file on the node, or the " + controlplane.KubeProxyConfigKey +
			" key of the kube-system/" + controlplane.KubeProxyConfigMap + " ConfigMap of a live cluster.",
		rationale: "kube-proxy's metrics endpoint is unauthenticated; bound to every address it tells anyone on the network about the " +
			"node's services and endpoints.",
		remediation: "Set metricsBindAddress to 127.0.0.1:10249 (or leave it empty for that default), and scrape metrics through a local agent.",
		decide: func(ctx *check.Context, v *controlplane.View) {
			if v.KubeProxy == nil {
				ctx.NotApplicable(v.Host, "no kube-proxy configuration found (a KubeProxyConfiguration file, or the kube-system/"+controlplane.KubeProxyConfigMap+" ConfigMap)")
				return
			}
			addr, obj, path := v.KubeProxy.Value.MetricsBindAddress, v.KubeProxy.Object, v.KubeProxyPath
			if path == "" {
				path = "metricsBindAddress"
			}
			if addr == "" || loopbackAddress(addr) {
				ctx.Pass(obj, path, "kube-proxy serves metrics on localhost")
				return
			}
			ctx.Report(obj, path, "kube-proxy serves metrics on "+addr+", reachable from the network; bind them to 127.0.0.1:10249")
		},
	})
}

// loopbackAddress reports whether host[:port] names a loopback address.
func loopbackAddress(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}
