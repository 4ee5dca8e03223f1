package catalog

import (
	"net/url"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

func init() {
	registerCIS(cisItem{
		id: "etcd-exposed", title: "etcd reachable without TLS or client certificates", cis: []string{"2.1", "2.2", "2.4", "1.2.23"}, severity: check.Critical,
		looks: "etcd's --listen-client-urls, --listen-peer-urls, --cert-file, --client-cert-auth and --peer-cert-file, and the API server's --etcd-servers " +
			"and --etcd-certfile, from the static pods.",
		rationale: "etcd holds the whole cluster state, every Secret included. A client that reaches it without presenting a certificate " +
			"reads and writes everything, bypassing authentication, RBAC and admission; plain-text traffic leaks the same data to the network.",
		remediation: "Serve etcd clients and peers over https with --cert-file/--key-file and --peer-cert-file/--peer-key-file, require client " +
			"certificates with --client-cert-auth=true and --peer-client-cert-auth=true, and give the API server --etcd-certfile, --etcd-keyfile and --etcd-cafile.",
		decide: decideEtcdExposed,
	})
	registerCIS(cisItem{
		id: "etcd-unique-ca", title: "etcd trusts a CA of its own", cis: []string{"2.7"}, severity: check.Medium,
		looks:     "etcd's --trusted-ca-file beside the API server's --client-ca-file.",
		rationale: "If etcd trusts the cluster's client CA, every client certificate the cluster issues (kubelets, users) is also accepted by etcd.",
		remediation: "Give etcd a dedicated CA (kubeadm uses /etc/kubernetes/pki/etcd/ca.crt) and issue the API server's etcd client " +
			"certificate from it.",
		decide: decideEtcdCA,
	})
}

func decideEtcdExposed(ctx *check.Context, v *controlplane.View) {
	if v.Managed != "" {
		ctx.NotApplicable(nil, "managed control plane ("+v.Managed+"): the provider runs etcd")
		return
	}
	etcd, api := v.Components[controlplane.Etcd], v.Components[controlplane.APIServer]
	if etcd == nil && api == nil {
		ctx.NotApplicable(v.Host, "no etcd or kube-apiserver static pod found (not a control-plane node, or not visible)")
		return
	}
	reported := false
	report := func(c *controlplane.Component, flag string, sev check.Severity, msg string) {
		ctx.ReportFinding(check.Finding{Object: c.Pod, Path: c.FlagPath(flag), Severity: sev, Message: c.Name + ": " + msg})
		reported = true
	}
	if etcd != nil {
		f := etcd.Flags
		clientURLs := f.List("listen-client-urls")
		exposed := nonLoopback(clientURLs)
		switch {
		case hasScheme(clientURLs, "http") || !f.Has("cert-file"):
			report(etcd, "listen-client-urls", check.Critical, "serves clients without TLS; set --cert-file and --key-file and https:// client URLs")
		case !f.Bool("client-cert-auth", false) && exposed != "":
			report(etcd, "client-cert-auth", check.Critical, "listens on "+exposed+" without --client-cert-auth: anyone who reaches it reads every Secret")
		case !f.Bool("client-cert-auth", false):
			report(etcd, "client-cert-auth", check.High, "does not require client certificates (--client-cert-auth); any local process can read every Secret")
		}
		if peers := f.List("listen-peer-urls"); hasScheme(peers, "http") || len(peers) > 0 && !f.Has("peer-cert-file") {
			report(etcd, "listen-peer-urls", check.High, "peers talk without TLS; set --peer-cert-file and --peer-key-file and https:// peer URLs")
		}
	}
	if api != nil {
		f := api.Flags
		switch {
		case hasScheme(f.List("etcd-servers"), "http"):
			report(api, "etcd-servers", check.High, "reaches etcd over plain http")
		case !f.Has("etcd-certfile") || !f.Has("etcd-keyfile"):
			report(api, "etcd-certfile", check.High, "reaches etcd without a client certificate (--etcd-certfile, --etcd-keyfile), so etcd cannot require one")
		}
	}
	if !reported {
		ctx.Pass(nil, "", "etcd serves clients and peers over TLS with client certificate authentication")
	}
}

// hasScheme reports whether a URL of the list uses the scheme.
func hasScheme(urls []string, scheme string) bool {
	for _, u := range urls {
		if strings.HasPrefix(strings.ToLower(u), scheme+"://") {
			return true
		}
	}
	return false
}

// nonLoopback returns the first URL of the list whose host is not a
// loopback address, or "".
func nonLoopback(urls []string) string {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return raw
		}
		if !loopbackAddress(u.Hostname()) {
			return raw
		}
	}
	return ""
}

func decideEtcdCA(ctx *check.Context, v *controlplane.View) {
	etcd := component(ctx, v, controlplane.Etcd)
	if etcd == nil {
		return
	}
	ca, _ := etcd.Flags.Value("trusted-ca-file")
	if ca == "" {
		ctx.Report(etcd.Pod, etcd.FlagPath("trusted-ca-file"), "etcd: --trusted-ca-file is not set, so it cannot verify client certificates")
		return
	}
	if api := v.Components[controlplane.APIServer]; api != nil {
		if clientCA, _ := api.Flags.Value("client-ca-file"); clientCA == ca {
			ctx.Report(etcd.Pod, etcd.FlagPath("trusted-ca-file"), "etcd: --trusted-ca-file is the API server's --client-ca-file "+ca+"; give etcd a CA of its own")
			return
		}
	}
	ctx.Pass(etcd.Pod, etcd.FlagPath("trusted-ca-file"), "etcd trusts its own CA "+ca)
}
