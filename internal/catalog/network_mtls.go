package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

const mtlsID = "mtls-not-strict"

// meshSettings are the settings of mtls-not-strict: what each mesh decides
// at install time, which manifests do not show.
type meshSettings struct {
	// RootNamespace is Istio's root namespace, where a PeerAuthentication
	// without selector applies to the whole mesh.
	RootNamespace string `json:"rootNamespace" yaml:"rootNamespace"`
	// LinkerdDefaultInboundPolicy is the cluster's default inbound policy
	// (Helm value proxy.defaultInboundPolicy).
	LinkerdDefaultInboundPolicy string `json:"linkerdDefaultInboundPolicy" yaml:"linkerdDefaultInboundPolicy"`
	// ConsulInjectByDefault says Consul injects every pod that does not
	// opt out (Helm value connectInject.default).
	ConsulInjectByDefault bool `json:"consulInjectByDefault" yaml:"consulInjectByDefault"`
	// ConsulTransparentProxy is the default of Consul's transparent proxy
	// (Helm value connectInject.transparentProxy.defaultEnabled).
	ConsulTransparentProxy *bool `json:"consulTransparentProxy" yaml:"consulTransparentProxy"`
}

// meshSettingsOf decodes the settings with their defaults.
func meshSettingsOf(s check.Settings) (meshSettings, error) {
	set := meshSettings{RootNamespace: "istio-system", LinkerdDefaultInboundPolicy: linkerdAllUnauthenticated}
	if s != nil {
		if err := s.Decode(mtlsID, &set); err != nil {
			return set, err
		}
	}
	if _, ok := linkerdPolicyAdmitsPlaintext[set.LinkerdDefaultInboundPolicy]; !ok {
		return set, fmt.Errorf("settings.%s.linkerdDefaultInboundPolicy: %q is not a Linkerd inbound policy (want one of %s)",
			mtlsID, set.LinkerdDefaultInboundPolicy, strings.Join(linkerdPolicies(), ", "))
	}
	if set.ConsulTransparentProxy == nil {
		on := true
		set.ConsulTransparentProxy = &on
	}
	return set, nil
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       mtlsID,
			Title:    "Meshed workload that accepts plaintext",
			Layer:    check.LayerCode,
			Severity: check.Medium,
			Reads: withWorkloads("Namespace", "NetworkPolicy", "PeerAuthentication", "Server", "AuthorizationPolicy", "ServerAuthorization",
				"ServiceDefaults", "ProxyDefaults", "Mesh", "ServiceIntentions", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"),
			// A workload's verdict depends on its namespace, and on the
			// mesh-wide defaults: Istio's PeerAuthentications in the root
			// namespace, Consul's config entries (global in Consul).
			Scope:          check.ScopeNamespace,
			CrossNamespace: []string{"PeerAuthentication", "ServiceDefaults", "ProxyDefaults", "Mesh", "ServiceIntentions"},
			Looks: "workloads in a service mesh, on each declared container port, with the evidence each mesh gives. " +
				"Istio: namespaces labelled istio-injection=enabled or istio.io/rev, or pod label sidecar.istio.io/inject=true, against the " +
				"PeerAuthentications (security.istio.io v1 and v1beta1) that cover them: mesh-wide in the root namespace (istio-system, or " +
				"settings." + mtlsID + ".rootNamespace), namespace-wide, or by workload selector, with port-level overrides. " +
				"Citrix ADC CPX sidecars (namespace label cpx-injection=enabled) are Istio's data plane and are judged the same way. " +
				"Linkerd: the annotation " + linkerdInject + " (pod or namespace); ports in " + linkerdSkipInbound + "; policy.linkerd.io " +
				"Servers that select the pod and port, with the AuthorizationPolicies (MeshTLSAuthentication, NetworkAuthentication, " +
				"ServiceAccount) and ServerAuthorizations that target them and the Server's accessPolicy; other ports take the default inbound " +
				"policy (" + linkerdDefaultPolicy + " on the pod, then the namespace, then settings." + mtlsID + ".linkerdDefaultInboundPolicy, " +
				"Linkerd's default all-unauthenticated). " +
				"Consul: " + consulInject + "=true (or settings." + mtlsID + ".consulInjectByDefault); the service (" + consulService +
				", else the service account) against ServiceDefaults and the global ProxyDefaults mutualTLSMode, allowed by the Mesh entry; " +
				"ports in " + consulExcludeInbound + "; the transparent proxy turned off (" + consulTransparentProxy + "); the intentions' " +
				"default (a ServiceIntentions from '*' to '*'). " +
				"Cilium: pods that a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy rule with authentication.mode: required selects, " +
				"against the other Cilium rules and NetworkPolicies that admit peers to them without it (Cilium's mutual authentication does " +
				"not encrypt: WireGuard or IPsec, not visible to kube4c, must).",
			Rationale: "Without STRICT mTLS a sidecar accepts plaintext too (PERMISSIVE is Istio's default, all-unauthenticated Linkerd's), so " +
				"anything in the cluster can talk to the workload unauthenticated and unencrypted, and identity-based authorization " +
				"can be bypassed.",
			Remediation: "Istio: apply a STRICT PeerAuthentication mesh-wide in the root namespace, or for the namespace; remove PERMISSIVE and " +
				"DISABLE overrides once clients are in the mesh. Linkerd: set " + linkerdDefaultPolicy + ": all-authenticated (or " +
				"cluster-authenticated) on the namespace, authorize Servers with MeshTLSAuthentication, and drop ports from " + linkerdSkipInbound +
				". Consul: keep mutualTLSMode strict and the transparent proxy on, without excluded inbound ports. Cilium: require " +
				"authentication in every rule that admits peers to the workload.",
			Example: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}`,
			References: check.References{
				NSA:   []string{"Network separation and hardening: Encryption"},
				MITRE: []string{"T1040", "T1557"},
				URLs: []string{"https://istio.io/latest/docs/reference/config/security/peer_authentication/", "https://linkerd.io/2/features/automatic-mtls/",
					"https://linkerd.io/2/reference/authorization-policy/", "https://developer.hashicorp.com/consul/docs/connect/config-entries/mesh",
					"https://docs.cilium.io/en/stable/network/servicemesh/mutual-authentication/mutual-authentication/"},
			},
			ValidateSettings: func(s check.Settings) error {
				_, err := meshSettingsOf(s)
				return err
			},
		},
		Run: func(ctx *check.Context) {
			s, err := meshSettingsOf(ctx.Settings)
			if err != nil {
				// ValidateSettings refuses such settings before a scan.
				return
			}
			eng := ctx.NetworkPolicies()
			meshes := []mesh{newLinkerdPolicy(ctx.Inventory, s), newConsulConfig(ctx.Inventory, s), newIstioAuth(ctx.Inventory, s.RootNamespace)}
			cilium := newCiliumAuth(ctx.Inventory)
			for _, p := range eng.Pods() {
				var verdicts []meshVerdict
				// A pod has one sidecar: the first mesh that injects it decides.
				for _, m := range meshes {
					if v, ok := m.judge(p); ok {
						verdicts = append(verdicts, v)
						break
					}
				}
				if v, ok := cilium.judge(p); ok {
					verdicts = append(verdicts, v)
				}
				for _, v := range verdicts {
					if v.message == "" {
						continue
					}
					ctx.Report(p.View.Object, v.path, p.Kind+" "+quote(p.Name)+" "+v.message)
				}
			}
		},
	})
}

// mesh is one service mesh's view of workloads.
type mesh interface {
	// judge says whether the mesh has the workload and, if it accepts
	// plaintext, why.
	judge(p *netpol.Workload) (meshVerdict, bool)
}

// meshVerdict is what one mesh says of a workload: an empty message when it
// accepts only authenticated peers, else the message after the workload's
// name and the field to change.
type meshVerdict struct {
	path, message string
}

// portReason is one way a workload accepts plaintext, with the field that
// causes it ("" for the pod's metadata).
type portReason struct {
	path, why string
}

// plaintextVerdict joins reasons into a verdict whose path is the first
// reason's (or the pod's metadata).
func plaintextVerdict(w *inventory.Workload, intro string, reasons []portReason, fix string) meshVerdict {
	if len(reasons) == 0 {
		return meshVerdict{}
	}
	path := w.MetaPath
	whys := make([]string, 0, len(reasons))
	for _, r := range reasons {
		if path == w.MetaPath && r.path != "" {
			path = r.path
		}
		if !slices.Contains(whys, r.why) {
			whys = append(whys, r.why)
		}
	}
	return meshVerdict{path: path, message: intro + strings.Join(whys, "; ") + "; " + fix}
}

// podValue reads a key from the pod labels, then the pod annotations.
func podValue(w *inventory.Workload, key string) string {
	if v, ok := w.PodMeta.Labels[key]; ok {
		return v
	}
	return w.PodMeta.Annotations[key]
}

// annotationPath is the field path of a pod annotation.
func annotationPath(w *inventory.Workload, key string) string {
	return w.MetaPath + ".annotations[" + key + "]"
}
