package catalog

import (
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Istio (and Citrix ADC CPX) injection labels and annotations.
const (
	istioInjectionLabel = "istio-injection"
	istioRevLabel       = "istio.io/rev"
	istioSidecarInject  = "sidecar.istio.io/inject"
	// citrixCPXInjection makes Citrix's injector add a NetScaler CPX
	// sidecar, Istio's data plane through its xDS adaptor.
	citrixCPXInjection = "cpx-injection"
)

// judge says whether Istio injects a sidecar into the workload and, if it
// accepts plaintext, on which ports and by which PeerAuthentication.
func (a *istioAuth) judge(p *netpol.Workload) (meshVerdict, bool) {
	w := p.View
	inMesh, optOut, by := istioMeshed(p)
	switch {
	case optOut:
		return meshVerdict{path: w.MetaPath, message: "opts out of the Istio sidecar (" + istioSidecarInject + "=false) in a meshed namespace: its traffic is plaintext; remove the opt-out"}, true
	case !inMesh:
		return meshVerdict{}, false
	}
	if plain := a.plaintextPorts(p); len(plain) > 0 {
		return meshVerdict{path: w.MetaPath, message: "is in the Istio mesh" + by + " but accepts plaintext: " + strings.Join(plain, "; ") + "; require STRICT mTLS with a PeerAuthentication"}, true
	}
	return meshVerdict{}, true
}

// istioMeshed says whether Istio injects a sidecar into the pods, whether
// the pods opt out in a namespace that would inject them, and which
// sidecar it is when not Istio's own Envoy.
func istioMeshed(p *netpol.Workload) (inMesh, optOut bool, by string) {
	nsLabels := p.Namespace.Labels
	envoy := nsLabels[istioInjectionLabel] == "enabled" || nsLabels.Has(istioRevLabel)
	cpx := nsLabels[citrixCPXInjection] == "enabled"
	nsOn := p.Namespace.Known && nsLabels[istioInjectionLabel] != "disabled" && (envoy || cpx)
	if nsOn && cpx && !envoy { // Envoy wins when both are asked for
		by = " (Citrix ADC CPX sidecar, namespace label " + citrixCPXInjection + "=enabled)"
	}
	pod := podValue(p.View, istioSidecarInject)
	switch {
	case nsLabels[istioInjectionLabel] == "disabled":
		return false, false, ""
	case pod == "false":
		return false, nsOn, ""
	}
	return nsOn || pod == "true", false, by
}

// Istio PeerAuthentication modes.
const (
	modeUnset      = "UNSET"
	modeStrict     = "STRICT"
	modePermissive = "PERMISSIVE"
)

// peerAuth is an Istio PeerAuthentication (security.istio.io v1 or v1beta1).
type peerAuth struct {
	obj      *inventory.Object
	id       string // namespace/name
	ns       string
	selector labels.Selector // nil: the whole namespace (the mesh in the root namespace)
	mode     string
	ports    map[int32]string // portLevelMtls, by container port
}

func readPeerAuth(obj *inventory.Object) (*peerAuth, bool) {
	u, ok := obj.Obj.(*unstructured.Unstructured)
	if !ok || obj.GVK.Group != "security.istio.io" || obj.GVK.Version != "v1" && obj.GVK.Version != "v1beta1" {
		return nil, false
	}
	ns := netpol.NamespaceOf(obj)
	pa := &peerAuth{obj: obj, id: ns + "/" + obj.Name(), ns: ns, mode: modeOf(u.Object, "spec", "mtls", "mode"), ports: map[int32]string{}}
	if match, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector", "matchLabels"); len(match) > 0 {
		pa.selector = labels.SelectorFromSet(match)
	}
	levels, _, _ := unstructured.NestedMap(u.Object, "spec", "portLevelMtls")
	for key, v := range levels {
		port, err := strconv.ParseInt(key, 10, 32)
		if m, ok := v.(map[string]any); ok && err == nil {
			pa.ports[int32(port)] = modeOf(m, "mode")
		}
	}
	return pa, true
}

// modeOf reads a mode field, UNSET when absent.
func modeOf(obj map[string]any, fields ...string) string {
	mode, _, _ := unstructured.NestedString(obj, fields...)
	if mode = strings.ToUpper(strings.TrimSpace(mode)); mode == "" {
		return modeUnset
	}
	return mode
}

// istioAuth resolves which PeerAuthentication applies to a workload, as
// Istio does: the workload-specific one over the namespace-wide one over
// the mesh-wide one (in the root namespace), UNSET inheriting from the
// level above, port-level modes over the workload's mode. Among several
// candidates of a level Istio takes the oldest; manifests have no age, so
// the first by name is taken.
type istioAuth struct {
	root string
	byNS map[string][]*peerAuth
}

func newIstioAuth(inv *inventory.Inventory, root string) *istioAuth {
	a := &istioAuth{root: root, byNS: map[string][]*peerAuth{}}
	for _, obj := range inv.ByKind("PeerAuthentication") {
		if pa, ok := readPeerAuth(obj); ok {
			a.byNS[pa.ns] = append(a.byNS[pa.ns], pa)
		}
	}
	for _, list := range a.byNS {
		sort.SliceStable(list, func(i, j int) bool { return list[i].id < list[j].id })
	}
	return a
}

// mtlsMode is the effective mode of a workload (or one of its ports) and
// what decided it.
type mtlsMode struct {
	mode string
	by   *peerAuth // nil: Istio's default
}

// String formats the mode with what decided it.
func (m mtlsMode) String() string {
	if m.by == nil {
		return m.mode + " (Istio's default: no PeerAuthentication covers it)"
	}
	return m.mode + " (PeerAuthentication " + m.by.id + ")"
}

// resolve returns the workload's mode and the PeerAuthentication that
// selects it specifically, if any.
func (a *istioAuth) resolve(ns string, podLabels labels.Set) (mtlsMode, *peerAuth) {
	m := mtlsMode{mode: modePermissive}
	apply := func(pa *peerAuth) {
		if pa != nil && pa.mode != modeUnset {
			m = mtlsMode{mode: pa.mode, by: pa}
		}
	}
	apply(a.first(a.root, func(pa *peerAuth) bool { return pa.selector == nil }))
	apply(a.first(ns, func(pa *peerAuth) bool { return pa.selector == nil }))
	specific := a.first(ns, func(pa *peerAuth) bool { return pa.selector != nil && pa.selector.Matches(podLabels) })
	apply(specific)
	return m, specific
}

func (a *istioAuth) first(ns string, ok func(*peerAuth) bool) *peerAuth {
	for _, pa := range a.byNS[ns] {
		if ok(pa) {
			return pa
		}
	}
	return nil
}

// plaintextPorts describes the ways a workload accepts plaintext: its
// mode when it is not STRICT (or, with declared ports, each declared port
// whose mode is not STRICT after port-level overrides).
func (a *istioAuth) plaintextPorts(p *netpol.Workload) []string {
	base, specific := a.resolve(p.Namespace.Name, p.Labels)
	if len(p.Ports()) == 0 {
		if base.mode != modeStrict {
			return []string{"mode " + base.String()}
		}
		return nil
	}
	var out []string
	for _, cp := range p.Ports() {
		m := base
		if specific != nil && specific.ports[cp.Port] != "" && specific.ports[cp.Port] != modeUnset {
			m = mtlsMode{mode: specific.ports[cp.Port], by: specific}
		}
		if m.mode != modeStrict {
			out = append(out, "port "+strconv.Itoa(int(cp.Port))+" "+m.String())
		}
	}
	return out
}
