package catalog

import (
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Mesh labels and annotations.
const (
	istioInjectionLabel = "istio-injection"
	istioRevLabel       = "istio.io/rev"
	istioSidecarInject  = "sidecar.istio.io/inject"
	linkerdInject       = "linkerd.io/inject"
	linkerdSkipInbound  = "config.linkerd.io/skip-inbound-ports"
)

// meshSettings are the settings of mtls-not-strict.
type meshSettings struct {
	// RootNamespace is Istio's root namespace, where a PeerAuthentication
	// without selector applies to the whole mesh.
	RootNamespace string `json:"rootNamespace" yaml:"rootNamespace"`
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "mtls-not-strict",
			Title:    "Meshed workload that accepts plaintext",
			Layer:    check.LayerCode,
			Severity: check.Medium,
			Reads:    withWorkloads("Namespace", "PeerAuthentication"),
			Looks: "workloads in Istio-injected namespaces (Namespace label istio-injection=enabled or istio.io/rev, or pod label " +
				"sidecar.istio.io/inject=true) against the PeerAuthentications (security.istio.io v1 and v1beta1) that cover them: " +
				"mesh-wide in the root namespace (istio-system, or settings.mtls-not-strict.rootNamespace), namespace-wide, or by " +
				"workload selector, with port-level overrides on the declared container ports. Workloads with the annotation " +
				linkerdInject + ": enabled (on the pod template or the namespace) count as mutual TLS, except ports in " + linkerdSkipInbound + ".",
			Rationale: "Without STRICT mTLS a sidecar accepts plaintext too (PERMISSIVE is Istio's default), so anything in the " +
				"cluster can talk to the workload unauthenticated and unencrypted, and identity-based AuthorizationPolicies can be bypassed.",
			Remediation: "Apply a STRICT PeerAuthentication mesh-wide in the root namespace, or for the namespace; remove PERMISSIVE and " +
				"DISABLE overrides once clients are in the mesh. For Linkerd, drop ports from " + linkerdSkipInbound + " where possible.",
			Example: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}`,
			References: check.References{
				NSA:   []string{"Network separation and hardening: Encryption"},
				MITRE: []string{"T1040", "T1557"},
				URLs:  []string{"https://istio.io/latest/docs/reference/config/security/peer_authentication/", "https://linkerd.io/2/features/automatic-mtls/"},
			},
		},
		Run: func(ctx *check.Context) {
			s := meshSettings{RootNamespace: "istio-system"}
			settingsOf(ctx, "mtls-not-strict", &s)
			auth := newIstioAuth(ctx.Inventory, s.RootNamespace)
			for _, p := range ctx.NetworkPolicies().Pods() {
				meshed, path, why := meshPlaintext(auth, p)
				if !meshed || why == "" {
					continue
				}
				for _, w := range p.Definitions() {
					ctx.Report(w.Object, path, p.Kind+" "+quote(p.Name)+" "+why)
				}
			}
		},
	})
}

// meshPlaintext says whether the workload is in a mesh and, if it accepts
// plaintext, where and why.
func meshPlaintext(auth *istioAuth, p *netpol.Workload) (meshed bool, path, why string) {
	w := p.View
	if on, path, skipped := linkerdMeshed(p); on {
		if skipped != "" {
			return true, path, "is in the Linkerd mesh but ports " + skipped + " skip the proxy (" + linkerdSkipInbound + "): they accept plaintext; remove them from the annotation"
		}
		return true, "", ""
	}
	inMesh, optOut := istioMeshed(p)
	switch {
	case optOut:
		return true, w.MetaPath, "opts out of the Istio sidecar (" + istioSidecarInject + "=false) in a meshed namespace: its traffic is plaintext; remove the opt-out"
	case !inMesh:
		return false, "", ""
	}
	if plain := auth.plaintextPorts(p); len(plain) > 0 {
		return true, w.MetaPath, "is in the Istio mesh but accepts plaintext: " + strings.Join(plain, "; ") + "; require STRICT mTLS with a PeerAuthentication"
	}
	return true, "", ""
}

// istioMeshed says whether Istio injects a sidecar into the pods, and
// whether the pods opt out in a namespace that would inject them.
func istioMeshed(p *netpol.Workload) (inMesh, optOut bool) {
	nsLabels := p.Namespace.Labels
	nsOn := p.Namespace.Known && nsLabels[istioInjectionLabel] != "disabled" &&
		(nsLabels[istioInjectionLabel] == "enabled" || nsLabels.Has(istioRevLabel))
	pod := podValue(p.View, istioSidecarInject)
	switch {
	case nsLabels[istioInjectionLabel] == "disabled":
		return false, false
	case pod == "false":
		return false, nsOn
	}
	return nsOn || pod == "true", false
}

// linkerdMeshed says whether Linkerd injects its proxy, and which inbound
// ports skip it, with the path of the annotation that says so.
func linkerdMeshed(p *netpol.Workload) (on bool, path, skipped string) {
	w := p.View
	ann := w.PodMeta.Annotations
	switch ann[linkerdInject] {
	case "enabled", "ingress":
		on = true
	case "disabled":
		return false, "", ""
	default:
		on = p.Namespace.Annotations()[linkerdInject] == "enabled"
	}
	if !on {
		return false, "", ""
	}
	if v := strings.TrimSpace(ann[linkerdSkipInbound]); v != "" {
		return true, w.MetaPath + ".annotations[" + linkerdSkipInbound + "]", v
	}
	return true, w.MetaPath, strings.TrimSpace(p.Namespace.Annotations()[linkerdSkipInbound])
}

// podValue reads a key from the pod labels, then the pod annotations.
func podValue(w *inventory.Workload, key string) string {
	if v, ok := w.PodMeta.Labels[key]; ok {
		return v
	}
	return w.PodMeta.Annotations[key]
}
