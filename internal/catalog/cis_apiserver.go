package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// apiServerCiphers are the cipher suites CIS 1.2.29 accepts.
var apiServerCiphers = []string{
	"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
}

// structuredAuthz is why authorization items do not apply when the API
// server reads its authorizers from a file.
const structuredAuthz = "--authorization-config sets the authorizers (structured authorization configuration), which kube4c does not read yet"

// authz judges --authorization-mode unless --authorization-config replaces it.
func authz(test flagTest) flagTest { return unlessSet("authorization-config", structuredAuthz, test) }

// editAPIServer is the common remediation of API server items.
const editAPIServer = "Edit the kube-apiserver static pod manifest (/etc/kubernetes/manifests/kube-apiserver.yaml on kubeadm) on every control-plane node: "

// auditLogTo judges an audit rotation flag, which only matters when the
// API server writes its audit log to a file.
func auditLogTo(flag string, min int) flagTest {
	return func(f controlplane.Flags) (string, string) {
		if p, _ := f.Value("audit-log-path"); p == "" || p == "-" {
			return "audit-log-path", naPrefix + "--audit-log-path names no file, so there is no audit log on disk to rotate (see apiserver-audit-log-path)"
		}
		return flagAtLeast(flag, min)(f)
	}
}

func init() {
	a := controlplane.APIServer
	registerFlagItems([]flagItem{
		{"1.2.1", "apiserver-anonymous-auth", a, check.Medium, "API server rejects anonymous requests", flagIs("anonymous-auth", "false", "true"),
			"Anonymous requests reach the API server as system:anonymous; any binding to that user or system:unauthenticated is open to the network.", editAPIServer + "set --anonymous-auth=false (health checks can use authenticated probes)."},
		{"1.2.2", "apiserver-token-auth-file", a, check.High, "API server does not read static tokens", flagUnset("token-auth-file"),
			"Static token files hold long-lived bearer tokens in clear text that cannot be revoked without restarting the API server.", editAPIServer + "remove --token-auth-file and use certificates, OIDC or webhook authentication."},
		{"1.2.3", "apiserver-deny-external-ips", a, check.Low, "DenyServiceExternalIPs admission plugin enabled", listIncludes("enable-admission-plugins", "DenyServiceExternalIPs"),
			"Without it anyone who may create Services can set externalIPs and intercept traffic to those addresses (CVE-2020-8554).", editAPIServer + "add DenyServiceExternalIPs to --enable-admission-plugins."},
		{"1.2.4", "apiserver-kubelet-client-cert", a, check.High, "API server authenticates to kubelets with a client certificate", flagsSet("kubelet-client-certificate", "kubelet-client-key"),
			"Without a client certificate the kubelets cannot authenticate the API server, so they must accept unauthenticated requests for exec, logs and port-forward.", editAPIServer + "set --kubelet-client-certificate and --kubelet-client-key."},
		{"1.2.5", "apiserver-kubelet-ca", a, check.Medium, "API server verifies kubelet serving certificates", flagsSet("kubelet-certificate-authority"),
			"Without a CA the API server does not verify the kubelets it connects to, so a man in the middle can read exec and log streams.", editAPIServer + "set --kubelet-certificate-authority to the CA that signs kubelet serving certificates."},
		{"1.2.6", "apiserver-authz-always-allow", a, check.Critical, "API server does not authorize every request", authz(listExcludes("authorization-mode", "AlwaysAllow", "AlwaysAllow")),
			"AlwaysAllow (the default of --authorization-mode) lets every authenticated request do anything.", editAPIServer + "set --authorization-mode=Node,RBAC."},
		{"1.2.7", "apiserver-authz-node", a, check.Medium, "Node authorizer enabled", authz(listIncludes("authorization-mode", "Node")),
			"The Node authorizer limits each kubelet to the objects of its own pods; without it a stolen kubelet credential reads every Secret its RBAC grants allow.", editAPIServer + "include Node in --authorization-mode (--authorization-mode=Node,RBAC)."},
		{"1.2.8", "apiserver-authz-rbac", a, check.High, "RBAC authorizer enabled", authz(listIncludes("authorization-mode", "RBAC")),
			"Without RBAC, Roles and bindings have no effect and access control falls to coarser modes.", editAPIServer + "include RBAC in --authorization-mode."},
		{"1.2.9", "apiserver-event-rate-limit", a, check.Low, "EventRateLimit admission plugin enabled", listIncludes("enable-admission-plugins", "EventRateLimit"),
			"Without a limit, a client flooding Events can exhaust the API server and etcd.", editAPIServer + "add EventRateLimit to --enable-admission-plugins and configure it with --admission-control-config-file."},
		{"1.2.10", "apiserver-always-admit", a, check.High, "AlwaysAdmit admission plugin not enabled", listExcludes("enable-admission-plugins", "AlwaysAdmit"),
			"AlwaysAdmit admits every request, bypassing admission control altogether.", editAPIServer + "remove AlwaysAdmit from --enable-admission-plugins."},
		{"1.2.11", "apiserver-always-pull-images", a, check.Low, "AlwaysPullImages admission plugin enabled", listIncludes("enable-admission-plugins", "AlwaysPullImages"),
			"Without it a pod can run a private image already pulled on its node without presenting pull credentials.", editAPIServer + "add AlwaysPullImages to --enable-admission-plugins."},
		{"1.2.12", "apiserver-admission-service-account", a, check.Medium, "ServiceAccount admission plugin not disabled", listExcludes("disable-admission-plugins", "ServiceAccount"),
			"The ServiceAccount plugin assigns service accounts and mounts their tokens consistently; disabling it breaks token binding.", editAPIServer + "remove ServiceAccount from --disable-admission-plugins."},
		{"1.2.13", "apiserver-admission-namespace-lifecycle", a, check.Medium, "NamespaceLifecycle admission plugin not disabled", listExcludes("disable-admission-plugins", "NamespaceLifecycle"),
			"Without it objects can be created in terminating or non-existent namespaces, escaping policies tied to them.", editAPIServer + "remove NamespaceLifecycle from --disable-admission-plugins."},
		{"1.2.14", "apiserver-admission-node-restriction", a, check.Medium, "NodeRestriction admission plugin enabled", listIncludes("enable-admission-plugins", "NodeRestriction"),
			"NodeRestriction stops a kubelet from modifying other nodes and pods not bound to it, and from setting sensitive labels on its Node.", editAPIServer + "add NodeRestriction to --enable-admission-plugins."},
		{"1.2.15", "apiserver-profiling", a, check.Low, "API server profiling disabled", flagIs("profiling", "false", "true"),
			"The profiling endpoint exposes details of the program and costs resources to serve.", editAPIServer + "set --profiling=false."},
		{"1.2.16", "apiserver-audit-log-path", a, check.Medium, "API server writes an audit log", flagsSet("audit-log-path"),
			"Without an audit log there is no record of who did what in the cluster.", editAPIServer + "set --audit-log-path (or an audit webhook) and --audit-policy-file."},
		{"1.2.17", "apiserver-audit-log-maxage", a, check.Low, "Audit logs kept for at least 30 days", auditLogTo("audit-log-maxage", 30),
			"Rotated audit logs deleted too early leave no trail to investigate an incident.", editAPIServer + "set --audit-log-maxage=30 or more."},
		{"1.2.18", "apiserver-audit-log-maxbackup", a, check.Low, "At least 10 rotated audit logs kept", auditLogTo("audit-log-maxbackup", 10),
			"Too few rotated files lose history under load.", editAPIServer + "set --audit-log-maxbackup=10 or more."},
		{"1.2.19", "apiserver-audit-log-maxsize", a, check.Low, "Audit logs rotated at 100 MB or more", auditLogTo("audit-log-maxsize", 100),
			"Small files rotate quickly and, with a backup limit, lose history under load.", editAPIServer + "set --audit-log-maxsize=100 or more."},
		{"1.2.20", "apiserver-request-timeout", a, check.Info, "API server request timeout is not disabled", flagNot("request-timeout", "0", "1m0s"),
			"A zero timeout lets long requests hold API server resources without limit.", editAPIServer + "leave --request-timeout at its default (60s) or set an appropriate positive value."},
		{"1.2.21", "apiserver-service-account-lookup", a, check.Medium, "API server checks that service account tokens still exist", flagIs("service-account-lookup", "true", "true"),
			"Without the lookup, tokens of deleted service accounts keep working until they expire.", editAPIServer + "remove --service-account-lookup=false."},
		{"1.2.22", "apiserver-service-account-key", a, check.Medium, "Service account token verification keys set", flagsSet("service-account-key-file"),
			"Without an explicit key file, rotating the token signing key invalidates every token at once or is not possible.", editAPIServer + "set --service-account-key-file to the public key(s) that verify service account tokens."},
		{"1.2.23", "apiserver-etcd-client-cert", a, check.High, "API server authenticates to etcd with a client certificate", flagsSet("etcd-certfile", "etcd-keyfile"),
			"etcd holds every Secret; without client certificates anything that reaches its port can read and write the cluster state.", editAPIServer + "set --etcd-certfile and --etcd-keyfile, and make etcd require client certificates."},
		{"1.2.24", "apiserver-tls-cert", a, check.Medium, "API server serves with an explicit TLS certificate", flagsSet("tls-cert-file", "tls-private-key-file"),
			"Without them the API server serves a self-signed certificate that clients cannot verify.", editAPIServer + "set --tls-cert-file and --tls-private-key-file."},
		{"1.2.25", "apiserver-client-ca", a, check.Medium, "API server authenticates client certificates", flagsSet("client-ca-file"),
			"Without a client CA, client certificates (kubelets, controllers, administrators) cannot authenticate.", editAPIServer + "set --client-ca-file."},
		{"1.2.26", "apiserver-etcd-ca", a, check.Medium, "API server verifies etcd's certificate", flagsSet("etcd-cafile"),
			"Without a CA the API server does not verify that it talks to the real etcd.", editAPIServer + "set --etcd-cafile."},
		{"1.2.29", "apiserver-tls-ciphers", a, check.Low, "API server accepts only strong cipher suites", onlyAmong("tls-cipher-suites", apiServerCiphers),
			"Weak cipher suites allow downgrade and decryption attacks on API traffic.", editAPIServer + "set --tls-cipher-suites to strong AEAD suites only (TLS 1.3 suites and ECDHE with AES-GCM or ChaCha20-Poly1305)."},
		{"1.2.30", "apiserver-extend-token-expiration", a, check.Low, "Service account tokens are not extended", flagIs("service-account-extend-token-expiration", "false", "true"),
			"Extended tokens stay valid for a year instead of an hour, so a leaked projected token lasts much longer.", editAPIServer + "set --service-account-extend-token-expiration=false once clients refresh their tokens."},
	})
}
