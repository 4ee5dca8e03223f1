package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// kubeletCiphers are the cipher suites CIS 4.2.12 accepts.
var kubeletCiphers = []string{
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
}

// kubeletItem is a CIS item one kubelet setting decides.
type kubeletItem struct {
	cis, id  string
	severity check.Severity
	title    string
	field    controlplane.KubeletField
	// ok judges the effective value; want says in words what passes.
	ok       func(value string) bool
	want     string
	why, fix string
}

// Value readers for KubeletField.Get.
func kstr(get func(c *kubeletv1beta1.KubeletConfiguration) string) func(*kubeletv1beta1.KubeletConfiguration) (string, bool) {
	return func(c *kubeletv1beta1.KubeletConfiguration) (string, bool) {
		v := get(c)
		return v, v != ""
	}
}

func kptr[T any](get func(c *kubeletv1beta1.KubeletConfiguration) *T) func(*kubeletv1beta1.KubeletConfiguration) (string, bool) {
	return func(c *kubeletv1beta1.KubeletConfiguration) (string, bool) {
		if p := get(c); p != nil {
			return fmt.Sprint(*p), true
		}
		return "", false
	}
}

func kbool(get func(c *kubeletv1beta1.KubeletConfiguration) bool) func(*kubeletv1beta1.KubeletConfiguration) (string, bool) {
	return func(c *kubeletv1beta1.KubeletConfiguration) (string, bool) {
		return strconv.FormatBool(get(c)), get(c)
	}
}

// Value tests for kubeletItem.ok.
func equals(want string) func(string) bool {
	return func(v string) bool { return strings.EqualFold(v, want) }
}

func notEmpty(v string) bool { return v != "" }

func positiveDuration(v string) bool {
	d, err := time.ParseDuration(v)
	return err == nil && d > 0
}

func ciphersAmong(allowed []string) func(string) bool {
	return func(v string) bool {
		if v == "" {
			return false
		}
		for _, c := range strings.Split(v, ",") {
			if !slices.Contains(allowed, strings.TrimSpace(c)) {
				return false
			}
		}
		return true
	}
}

func atLeast(min int64) func(string) bool {
	return func(v string) bool {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n >= min
	}
}

// restartKubelet ends every kubelet remediation.
const restartKubelet = " Then restart the kubelet (systemctl daemon-reload && systemctl restart kubelet)."

func init() {
	items := []kubeletItem{
		{"4.2.1", "kubelet-anonymous-auth", check.Critical, "Kubelet rejects anonymous requests",
			controlplane.KubeletField{Flag: "anonymous-auth", Path: "authentication.anonymous.enabled", Get: kptr(func(c *kubeletv1beta1.KubeletConfiguration) *bool { return c.Authentication.Anonymous.Enabled }), DefaultConfig: "false", DefaultFlags: "true"},
			equals("false"), "false", "Anonymous requests to the kubelet API (port 10250) can, depending on authorization, run commands in every pod of the node.",
			"Set authentication.anonymous.enabled: false in the KubeletConfiguration (or --anonymous-auth=false)." + restartKubelet},
		{"4.2.2", "kubelet-authz-mode", check.Critical, "Kubelet authorizes requests through the API server",
			controlplane.KubeletField{Flag: "authorization-mode", Path: "authorization.mode", Get: kstr(func(c *kubeletv1beta1.KubeletConfiguration) string { return string(c.Authorization.Mode) }), DefaultConfig: "Webhook", DefaultFlags: "AlwaysAllow"},
			func(v string) bool { return !strings.EqualFold(v, "AlwaysAllow") }, "Webhook", "With AlwaysAllow any authenticated client may run commands in the node's pods through the kubelet API.",
			"Set authorization.mode: Webhook in the KubeletConfiguration (or --authorization-mode=Webhook)." + restartKubelet},
		{"4.2.3", "kubelet-client-ca", check.High, "Kubelet authenticates client certificates",
			controlplane.KubeletField{Flag: "client-ca-file", Path: "authentication.x509.clientCAFile", Get: kstr(func(c *kubeletv1beta1.KubeletConfiguration) string { return c.Authentication.X509.ClientCAFile })},
			notEmpty, "a CA file", "Without a client CA the kubelet cannot authenticate the API server's client certificate.",
			"Set authentication.x509.clientCAFile in the KubeletConfiguration (or --client-ca-file)." + restartKubelet},
		{"4.2.4", "kubelet-read-only-port", check.High, "Kubelet read-only port disabled",
			controlplane.KubeletField{Flag: "read-only-port", Path: "readOnlyPort", Get: kptr(func(c *kubeletv1beta1.KubeletConfiguration) *int32 { return nonZero(c.ReadOnlyPort) }), DefaultConfig: "0", DefaultFlags: "10255"},
			equals("0"), "0", "The read-only port serves pod specs and metrics without authentication.",
			"Set readOnlyPort: 0 in the KubeletConfiguration (or --read-only-port=0)." + restartKubelet},
		{"4.2.5", "kubelet-streaming-timeout", check.Low, "Kubelet streaming connections time out",
			controlplane.KubeletField{Flag: "streaming-connection-idle-timeout", Path: "streamingConnectionIdleTimeout", Get: kstr(func(c *kubeletv1beta1.KubeletConfiguration) string {
				return durationText(c.StreamingConnectionIdleTimeout.Duration)
			}), DefaultConfig: "4h0m0s", DefaultFlags: "4h0m0s"},
			positiveDuration, "a positive duration", "Idle exec and port-forward streams that never time out keep resources and sessions open.",
			"Set streamingConnectionIdleTimeout to a positive duration such as 5m." + restartKubelet},
		{"4.2.6", "kubelet-iptables-chains", check.Low, "Kubelet manages its iptables chains",
			controlplane.KubeletField{Flag: "make-iptables-util-chains", Path: "makeIPTablesUtilChains", Get: kptr(func(c *kubeletv1beta1.KubeletConfiguration) *bool { return c.MakeIPTablesUtilChains }), DefaultConfig: "true", DefaultFlags: "true"},
			equals("true"), "true", "Without its chains the kubelet's network rules can drift from what pods need, opening or breaking paths.",
			"Set makeIPTablesUtilChains: true (or remove the setting)." + restartKubelet},
		{"4.2.7", "kubelet-hostname-override", check.Low, "Kubelet hostname not overridden",
			controlplane.KubeletField{Flag: "hostname-override"},
			func(v string) bool { return v == "" }, "unset", "An overridden hostname can break the match between node names and TLS certificates.",
			"Remove --hostname-override from the kubelet's systemd drop-ins." + restartKubelet},
		{"4.2.8", "kubelet-event-qps", check.Info, "Kubelet event rate limit is valid",
			controlplane.KubeletField{Flag: "event-qps", Path: "eventRecordQPS", Get: kptr(func(c *kubeletv1beta1.KubeletConfiguration) *int32 { return c.EventRecordQPS }), DefaultConfig: "50", DefaultFlags: "50"},
			atLeast(0), "0 or more", "Events are the trail of what happened on the node; an invalid rate loses them.",
			"Set eventRecordQPS to an appropriate level (0 disables the limit)." + restartKubelet},
		{"", "kubelet-protect-kernel-defaults", check.Low, "Kubelet refuses to change kernel defaults",
			controlplane.KubeletField{Flag: "protect-kernel-defaults", Path: "protectKernelDefaults", Get: kbool(func(c *kubeletv1beta1.KubeletConfiguration) bool { return c.ProtectKernelDefaults }), DefaultConfig: "false", DefaultFlags: "false"},
			equals("true"), "true", "Without it the kubelet tunes kernel settings itself, so the node's hardened sysctls can silently drift (earlier CIS releases listed it; v1.12 no longer does).",
			"Set the kernel parameters the kubelet expects on the node, then protectKernelDefaults: true." + restartKubelet},
		{"4.2.10", "kubelet-rotate-certificates", check.Medium, "Kubelet rotates its client certificate",
			controlplane.KubeletField{Flag: "rotate-certificates", Path: "rotateCertificates", Get: kbool(func(c *kubeletv1beta1.KubeletConfiguration) bool { return c.RotateCertificates }), DefaultConfig: "false", DefaultFlags: "false"},
			equals("true"), "true", "Without rotation the kubelet's client certificate expires, or is issued long-lived.",
			"Set rotateCertificates: true in the KubeletConfiguration." + restartKubelet},
		{"4.2.11", "kubelet-rotate-server-certificate", check.Low, "Kubelet serving certificate rotation not turned off",
			controlplane.KubeletField{Flag: "feature-gates", Path: "featureGates", Get: func(c *kubeletv1beta1.KubeletConfiguration) (string, bool) {
				v, ok := c.FeatureGates["RotateKubeletServerCertificate"]
				return "RotateKubeletServerCertificate=" + strconv.FormatBool(v), ok
			}},
			func(v string) bool { return !strings.Contains(v, "RotateKubeletServerCertificate=false") }, "not RotateKubeletServerCertificate=false", "Without rotation kubelet serving certificates are long-lived.",
			"Remove RotateKubeletServerCertificate=false from the feature gates." + restartKubelet},
		{"4.2.12", "kubelet-tls-ciphers", check.Low, "Kubelet accepts only strong cipher suites",
			controlplane.KubeletField{Flag: "tls-cipher-suites", Path: "tlsCipherSuites", Get: kstr(func(c *kubeletv1beta1.KubeletConfiguration) string { return strings.Join(c.TLSCipherSuites, ",") })},
			ciphersAmong(kubeletCiphers), "strong ECDHE AEAD suites", "Weak cipher suites allow downgrade and decryption attacks on kubelet traffic.",
			"Set tlsCipherSuites to ECDHE suites with AES-GCM or ChaCha20-Poly1305 only." + restartKubelet},
		{"4.2.13", "kubelet-pod-pids-limit", check.Low, "Kubelet limits the PIDs of each pod",
			controlplane.KubeletField{Flag: "pod-max-pids", Path: "podPidsLimit", Get: kptr(func(c *kubeletv1beta1.KubeletConfiguration) *int64 { return c.PodPidsLimit }), DefaultConfig: "-1", DefaultFlags: "-1"},
			atLeast(1), "a positive limit", "Without a limit one pod's fork bomb exhausts the node's PIDs and takes down its other pods.",
			"Set podPidsLimit to a positive value suited to the workloads, for example 4096." + restartKubelet},
		{"4.2.14", "kubelet-seccomp-default", check.Low, "Kubelet applies the RuntimeDefault seccomp profile by default",
			controlplane.KubeletField{Flag: "seccomp-default", Path: "seccompDefault", Get: kptr(func(c *kubeletv1beta1.KubeletConfiguration) *bool { return c.SeccompDefault }), DefaultConfig: "false", DefaultFlags: "false"},
			equals("true"), "true", "Without it containers that set no profile run without seccomp, with every system call open.",
			"Set seccompDefault: true in the KubeletConfiguration (or --seccomp-default)." + restartKubelet},
	}
	for _, it := range items {
		registerKubeletItem(it)
	}
}

func nonZero(v int32) *int32 {
	if v == 0 {
		return nil
	}
	return &v
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func registerKubeletItem(it kubeletItem) {
	looks := "the kubelet's --" + it.field.Flag + " flag"
	if it.field.Path != "" {
		looks += " and " + it.field.Path + " of its KubeletConfiguration (flags win)"
	}
	var cis []string
	if it.cis != "" {
		cis = []string{it.cis}
	}
	registerCIS(cisItem{
		id: it.id, title: it.title, cis: cis, severity: it.severity,
		looks: looks + ", read from a node's systemd drop-ins and config file.", rationale: it.why, remediation: it.fix,
		decide: func(ctx *check.Context, v *controlplane.View) {
			k := kubelet(ctx, v)
			if k == nil {
				return
			}
			s := k.Setting(it.field)
			if !it.ok(s.Value) {
				ctx.Report(s.Object, s.Path, fmt.Sprintf("kubelet: %s is %q (%s); want %s", settingName(it.field), s.Value, s.Where, it.want))
				return
			}
			ctx.Pass(s.Object, s.Path, fmt.Sprintf("kubelet: %s is %q (%s)", settingName(it.field), s.Value, s.Where))
		},
	})
}

func settingName(f controlplane.KubeletField) string {
	if f.Path != "" {
		return f.Path
	}
	return "--" + f.Flag
}
