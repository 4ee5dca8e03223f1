package catalog

import (
	"slices"
	"strings"
	"testing"
)

// mtlsFindings runs mtls-not-strict over text and returns "name: message"
// for each finding, sorted.
func mtlsFindings(t *testing.T, text, configYAML string) []string {
	t.Helper()
	var out []string
	for _, f := range scanWithSettings(t, "mtls-not-strict", text, configYAML) {
		out = append(out, f.Object.Name()+": "+f.Message)
	}
	slices.Sort(out)
	return out
}

// expectReported asserts which workloads are reported, and that the
// message of each contains the given evidence.
func expectReported(t *testing.T, got []string, want map[string]string) {
	t.Helper()
	var names []string
	for _, g := range got {
		name, msg, _ := strings.Cut(g, ": ")
		names = append(names, name)
		if ev, ok := want[name]; !ok {
			t.Errorf("unexpected finding: %s", g)
		} else if !strings.Contains(msg, ev) {
			t.Errorf("%s: message %q does not contain %q", name, msg, ev)
		}
	}
	for name := range want {
		if !slices.Contains(names, name) {
			t.Errorf("%s not reported; got %v", name, got)
		}
	}
}

// deployment is a Deployment of one container with the given ports, pod
// labels (YAML flow entries after app) and pod annotations.
func deployment(ns, name, sa, labels, annotations, ports string) string {
	return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" +
		"  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + labels + "}, annotations: {" + annotations + "}}\n" +
		"    spec: {serviceAccountName: " + sa + ", containers: [{name: c, image: x, ports: [" + ports + "]}]}\n"
}

// Linkerd, after its documentation's emojivoto examples: the default
// inbound policy (cluster setting, namespace or pod annotation), Servers,
// AuthorizationPolicies with MeshTLSAuthentication or
// NetworkAuthentication, and the older ServerAuthorization.
const linkerdWorld = `apiVersion: v1
kind: Namespace
metadata: {name: emojivoto, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: locked, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-authenticated}}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: voting-grpc, namespace: emojivoto}
spec:
  podSelector: {matchLabels: {app: voting}}
  port: grpc
  proxyProtocol: gRPC
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: web-only, namespace: emojivoto}
spec:
  identities: ["web.emojivoto.serviceaccount.identity.linkerd.cluster.local"]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: voting-grpc, namespace: emojivoto}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: voting-grpc}
  requiredAuthenticationRefs:
    - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: web-only}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: emoji, namespace: emojivoto}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [emoji]}]}
  port: 8080
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: cluster-nets, namespace: emojivoto}
spec:
  networks: [{cidr: 10.0.0.0/8}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: emoji-nets, namespace: emojivoto}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: emoji}
  requiredAuthenticationRefs:
    - {group: policy.linkerd.io, kind: NetworkAuthentication, name: cluster-nets}
---
apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: {name: legacy, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: legacy}}, port: 9000}
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: legacy-anyone, namespace: emojivoto}
spec:
  server: {name: legacy}
  client: {unauthenticated: true}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: quiet, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: quiet}}, port: 7000}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: scaler, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: scaler}}, port: 7001, accessPolicy: all-unauthenticated}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: admin, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: admin}}, port: 6000}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: meshed-only, namespace: emojivoto}
spec:
  targetRef: {kind: Namespace, name: emojivoto}
  requiredAuthenticationRefs:
    - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: web-only}
` + `---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: not-linkerd, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080}
`

var linkerdWorkloads = deployment("emojivoto", "web", "web", "", "", "{containerPort: 8080}") +
	deployment("emojivoto", "voting", "voting", "", "", "{name: grpc, containerPort: 8080}, {name: admin, containerPort: 8801}") +
	deployment("emojivoto", "emoji", "emoji", "", "", "{containerPort: 8080}") +
	deployment("emojivoto", "legacy", "legacy", "", "", "{containerPort: 9000}") +
	deployment("emojivoto", "quiet", "quiet", "", "", "{containerPort: 7000}") +
	deployment("emojivoto", "scaler", "scaler", "", "", "{containerPort: 7001}") +
	deployment("emojivoto", "admin", "admin", "", "", "{containerPort: 6000}") +
	deployment("emojivoto", "pinned", "pinned", "", "config.linkerd.io/default-inbound-policy: cluster-authenticated", "{containerPort: 8080}") +
	deployment("locked", "api", "api", "", "", "{containerPort: 8080}") +
	deployment("locked", "loose", "loose", "", "config.linkerd.io/default-inbound-policy: all-unauthenticated", "{containerPort: 8080}")

func TestMTLSLinkerd(t *testing.T) {
	// The Server named not-linkerd is what its name says: another group.
	world := strings.Replace(linkerdWorld, "apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: not-linkerd", "apiVersion: example.com/v1\nkind: Server\nmetadata: {name: not-linkerd", 1)
	expectReported(t, mtlsFindings(t, world+linkerdWorkloads, ""), map[string]string{
		"web":    `Deployment "web" is in the Linkerd mesh but accepts plaintext: port 8080 by the default inbound policy all-unauthenticated (Linkerd's default; no Server covers the port)`,
		"voting": "port 8801 by the default inbound policy all-unauthenticated",
		"emoji":  "port 8080 by Server emojivoto/emoji: AuthorizationPolicy emojivoto/emoji-nets admits clients without mutual TLS (only NetworkAuthentication)",
		"legacy": "port 9000 by Server emojivoto/legacy: ServerAuthorization emojivoto/legacy-anyone admits unauthenticated clients",
		"scaler": "port 7001 by Server emojivoto/scaler: its accessPolicy all-unauthenticated",
		"loose":  "port 8080 by the default inbound policy all-unauthenticated (annotation of the pod; no Server covers the port)",
	})
	// The cluster's default, set at install, comes from the settings.
	expectReported(t, mtlsFindings(t, world+linkerdWorkloads, "settings:\n  mtls-not-strict:\n    linkerdDefaultInboundPolicy: cluster-authenticated\n"), map[string]string{
		"emoji":  "NetworkAuthentication",
		"legacy": "ServerAuthorization",
		"scaler": "accessPolicy",
		"loose":  "annotation of the pod",
	})
	c := mustConfig(t, "settings:\n  mtls-not-strict:\n    linkerdDefaultInboundPolicy: open\n")
	if err := checkByID(t, "mtls-not-strict").ValidateSettings(c); err == nil || !strings.Contains(err.Error(), "open") {
		t.Errorf("an unknown default inbound policy is accepted: %v", err)
	}
}

// Consul service mesh, after its documentation's examples: connect-inject,
// permissive mutual TLS (ServiceDefaults, ProxyDefaults, allowed by the Mesh
// entry), ports excluded from the transparent proxy, and the intentions'
// default.
const consulWorld = `apiVersion: consul.hashicorp.com/v1alpha1
kind: Mesh
metadata: {name: mesh, namespace: consul}
spec: {allowEnablingPermissiveMutualTLS: true}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ProxyDefaults
metadata: {name: global, namespace: consul}
spec: {mutualTLSMode: strict}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: billing, namespace: shop}
spec: {protocol: http, mutualTLSMode: permissive}
`

const consulDenyAll = `---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: deny-all, namespace: consul}
spec:
  destination: {name: "*"}
  sources: [{name: "*", action: deny}]
`

var consulWorkloads = deployment("shop", "billing", "billing", "", "consul.hashicorp.com/connect-inject: 'true'", "{containerPort: 8080}") +
	deployment("shop", "orders", "orders", "", "consul.hashicorp.com/connect-inject: 'true'", "{containerPort: 8080}") +
	deployment("shop", "metrics", "metrics", "", "consul.hashicorp.com/connect-inject: 'true', consul.hashicorp.com/transparent-proxy-exclude-inbound-ports: '9102'", "{containerPort: 8080}, {containerPort: 9102}") +
	deployment("shop", "direct", "direct", "", "consul.hashicorp.com/connect-inject: 'true', consul.hashicorp.com/transparent-proxy: 'false'", "{containerPort: 8080}") +
	deployment("shop", "cart", "cart", "", "consul.hashicorp.com/connect-inject: 'true', consul.hashicorp.com/connect-service: billing", "") +
	deployment("shop", "plain", "plain", "", "", "{containerPort: 8080}")

func TestMTLSConsul(t *testing.T) {
	expectReported(t, mtlsFindings(t, consulWorld+consulDenyAll+consulWorkloads, ""), map[string]string{
		"billing": `Deployment "billing" is in the Consul mesh but accepts plaintext: mutualTLSMode permissive (ServiceDefaults shop/billing, allowed by Mesh consul/mesh); intentions do not apply to plaintext connections; callers: ServiceIntentions consul/deny-all denies '*' to '*'`,
		"cart":    "mutualTLSMode permissive (ServiceDefaults shop/billing",
		"metrics": "port 9102 bypasses the proxy (consul.hashicorp.com/transparent-proxy-exclude-inbound-ports)",
		"direct":  "transparent proxy is off (consul.hashicorp.com/transparent-proxy=false): port 8080 is reachable without the proxy",
	})
	// Without a deny-all intention, Consul's default lets every service in
	// (with ACLs off); the message says so.
	got := mtlsFindings(t, consulWorld+consulWorkloads, "")
	if len(got) != 4 || !strings.Contains(strings.Join(got, "\n"), "no ServiceIntentions denies '*' to '*'") {
		t.Errorf("without a default-deny intention: %v", got)
	}
	// A Mesh entry that does not allow permissive mode makes Consul refuse it.
	strict := strings.Replace(consulWorld, "allowEnablingPermissiveMutualTLS: true", "allowEnablingPermissiveMutualTLS: false", 1)
	expectReported(t, mtlsFindings(t, strict+consulDenyAll+consulWorkloads, ""), map[string]string{
		"metrics": "port 9102", "direct": "transparent proxy is off",
	})
	// Injection by default (Helm connectInject.default) comes from the settings.
	expectReported(t, mtlsFindings(t, consulWorld+consulDenyAll+deployment("shop", "auto", "billing", "", "", "{containerPort: 8080}")+
		deployment("shop", "optout", "billing", "", "consul.hashicorp.com/connect-inject: 'false'", "{containerPort: 8080}"),
		"settings:\n  mtls-not-strict:\n    consulInjectByDefault: true\n"), map[string]string{"auto": "mutualTLSMode permissive"})
}

// Cilium mutual authentication, after its documentation's echo example:
// a rule with authentication.mode required brings the pods into it; rules
// and NetworkPolicies that admit peers without it are reported.
const ciliumWorld = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: echo-auth, namespace: default}
spec:
  endpointSelector: {matchLabels: {kind: echo}}
  ingress:
    - fromEndpoints: [{matchLabels: {kind: client}}]
      toPorts: [{ports: [{port: "3000", protocol: TCP}]}]
      authentication: {mode: required}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: echo-open, namespace: default}
specs:
  - endpointSelector: {matchLabels: {"k8s:app": echo}}
    ingress:
      - fromEntities: [cluster]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: secure-auth, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: secure}}
  ingress:
    - fromEndpoints: [{}]
      authentication: {mode: required}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: payments-auth}
spec:
  endpointSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": payments}}
  ingress:
    - fromEndpoints: [{}]
      authentication: {mode: required}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-open, namespace: payments}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{}]
`

var ciliumWorkloads = deployment("default", "echo", "echo", ", kind: echo", "", "{containerPort: 3000}") +
	deployment("default", "secure", "secure", "", "", "{containerPort: 3000}") +
	deployment("default", "other", "other", ", kind: client", "", "{containerPort: 3000}") +
	deployment("payments", "api", "api", "", "", "{containerPort: 8443}") +
	deployment("payments", "ledger", "ledger", "", "", "{containerPort: 8443}")

func TestMTLSCilium(t *testing.T) {
	expectReported(t, mtlsFindings(t, ciliumWorld+ciliumWorkloads, ""), map[string]string{
		"echo": `Deployment "echo" requires Cilium mutual authentication (CiliumNetworkPolicy default/echo-auth) but admits peers without it: specs[0].ingress[0] of CiliumNetworkPolicy default/echo-open`,
		"api":  "requires Cilium mutual authentication (CiliumClusterwideNetworkPolicy payments-auth) but admits peers without it: ingress[0] of NetworkPolicy payments/api-open",
	})
}

// Citrix ADC CPX sidecars join Istio through the namespace label
// cpx-injection=enabled and take its PeerAuthentications.
func TestMTLSCitrix(t *testing.T) {
	world := "apiVersion: v1\nkind: Namespace\nmetadata: {name: bookinfo, labels: {cpx-injection: enabled}}\n" +
		deployment("bookinfo", "productpage", "productpage", "", "", "{containerPort: 9080}")
	expectReported(t, mtlsFindings(t, world, ""), map[string]string{
		"productpage": `Deployment "productpage" is in the Istio mesh (Citrix ADC CPX sidecar, namespace label cpx-injection=enabled) but accepts plaintext: port 9080 PERMISSIVE`,
	})
	expectReported(t, mtlsFindings(t, world+meshStrict, ""), nil)
}
