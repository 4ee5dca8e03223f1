package catalog

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Linkerd annotations and its policy API group.
const (
	linkerdInject        = "linkerd.io/inject"
	linkerdSkipInbound   = "config.linkerd.io/skip-inbound-ports"
	linkerdDefaultPolicy = "config.linkerd.io/default-inbound-policy"
	linkerdPolicyGroup   = "policy.linkerd.io"
)

// linkerdAllUnauthenticated is Linkerd's default inbound policy.
const linkerdAllUnauthenticated = "all-unauthenticated"

// linkerdPolicyAdmitsPlaintext lists Linkerd's inbound policies (default
// policies and Server accessPolicy values) and whether each admits clients
// without mutual TLS.
var linkerdPolicyAdmitsPlaintext = map[string]bool{
	"all-unauthenticated":     true,
	"cluster-unauthenticated": true,
	"audit":                   true, // allows everything, logging what it would deny
	"all-authenticated":       false,
	"cluster-authenticated":   false,
	"deny":                    false,
}

// linkerdPolicies lists the inbound policy names, sorted.
func linkerdPolicies() []string {
	names := make([]string, 0, len(linkerdPolicyAdmitsPlaintext))
	for n := range linkerdPolicyAdmitsPlaintext {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// linkerdServer is a policy.linkerd.io Server: the pods and port it covers,
// and what is authorized to reach it.
type linkerdServer struct {
	id       string // namespace/name
	ns, name string
	labels   labels.Set // the Server's own, which ServerAuthorizations select
	selector labels.Selector
	port     intOrName
	access   string // accessPolicy; "deny" when unset
	// plaintext says which authorization (if any) admits clients without
	// mutual TLS.
	plaintext string
}

// intOrName is a port given by number or by container port name.
type intOrName struct {
	number int64
	name   string
}

// matches reports whether the port designates the container port cp.
func (p intOrName) matches(cp netpol.ContainerPort) bool {
	if p.name != "" {
		return p.name == cp.Name
	}
	return p.number == int64(cp.Port)
}

// linkerdPolicy holds Linkerd's policy objects of an inventory.
type linkerdPolicy struct {
	defaultPolicy string
	servers       map[string][]*linkerdServer // by namespace
}

// newLinkerdPolicy reads the Servers of inv and resolves their
// authorizations.
func newLinkerdPolicy(inv *inventory.Inventory, s meshSettings) *linkerdPolicy {
	lp := &linkerdPolicy{defaultPolicy: s.LinkerdDefaultInboundPolicy, servers: map[string][]*linkerdServer{}}
	byID := map[string]*linkerdServer{}
	for _, obj := range inv.ByKind("Server") {
		if srv := readLinkerdServer(obj); srv != nil {
			lp.servers[srv.ns] = append(lp.servers[srv.ns], srv)
			byID[srv.id] = srv
		}
	}
	if len(byID) == 0 {
		return lp
	}
	lp.readAuthorizationPolicies(inv, byID)
	lp.readServerAuthorizations(inv)
	for _, list := range lp.servers {
		sort.SliceStable(list, func(i, j int) bool { return list[i].id < list[j].id })
	}
	return lp
}

// readAuthorizationPolicies marks the Servers that an AuthorizationPolicy
// opens to clients without mutual TLS.
func (lp *linkerdPolicy) readAuthorizationPolicies(inv *inventory.Inventory, byID map[string]*linkerdServer) {
	for _, obj := range inv.ByKind("AuthorizationPolicy") {
		u, ok := linkerdObject(obj)
		if !ok {
			continue
		}
		why := authorizationWithoutMTLS(u)
		if why == "" {
			continue
		}
		ns := netpol.NamespaceOf(obj)
		why = "AuthorizationPolicy " + ns + "/" + obj.Name() + " admits clients without mutual TLS (" + why + ")"
		for _, srv := range targetedServers(u, ns, lp.servers, byID) {
			if srv.plaintext == "" {
				srv.plaintext = why
			}
		}
	}
}

// readServerAuthorizations marks the Servers that a ServerAuthorization
// (Linkerd's older policy kind) opens to unauthenticated clients, by
// Server name or by a selector over Servers' labels.
func (lp *linkerdPolicy) readServerAuthorizations(inv *inventory.Inventory) {
	for _, obj := range inv.ByKind("ServerAuthorization") {
		u, ok := linkerdObject(obj)
		if !ok {
			continue
		}
		if open, _, _ := unstructured.NestedBool(u.Object, "spec", "client", "unauthenticated"); !open {
			continue
		}
		ns := netpol.NamespaceOf(obj)
		why := "ServerAuthorization " + ns + "/" + obj.Name() + " admits unauthenticated clients"
		name, _, _ := unstructured.NestedString(u.Object, "spec", "server", "name")
		sel, hasSel := nestedSelector(u.Object, "spec", "server", "selector")
		for _, srv := range lp.servers[ns] {
			byName := name != "" && srv.name == name
			bySelector := name == "" && hasSel && sel.Matches(srv.labels)
			if (byName || bySelector) && srv.plaintext == "" {
				srv.plaintext = why
			}
		}
	}
}

// linkerdObject returns obj as an unstructured object of Linkerd's policy
// group.
func linkerdObject(obj *inventory.Object) (*unstructured.Unstructured, bool) {
	u, ok := obj.Obj.(*unstructured.Unstructured)
	return u, ok && obj.GVK.Group == linkerdPolicyGroup
}

// readLinkerdServer reads a Server, or returns nil for other kinds named
// Server and Servers without a usable selector or port.
func readLinkerdServer(obj *inventory.Object) *linkerdServer {
	u, ok := linkerdObject(obj)
	if !ok {
		return nil
	}
	sel, ok := nestedSelector(u.Object, "spec", "podSelector")
	if !ok {
		return nil
	}
	ns := netpol.NamespaceOf(obj)
	srv := &linkerdServer{id: ns + "/" + obj.Name(), ns: ns, name: obj.Name(), labels: obj.Meta.GetLabels(), selector: sel, access: "deny"}
	switch port := u.Object["spec"].(map[string]any)["port"].(type) {
	case int64:
		srv.port.number = port
	case string:
		if n, err := strconv.ParseInt(port, 10, 32); err == nil {
			srv.port.number = n
		} else {
			srv.port.name = port
		}
	default:
		return nil
	}
	if access, _, _ := unstructured.NestedString(u.Object, "spec", "accessPolicy"); access != "" {
		srv.access = access
	}
	return srv
}

// nestedSelector reads a metav1.LabelSelector at fields of obj; ok is false
// when it is absent or malformed.
func nestedSelector(obj map[string]any, fields ...string) (labels.Selector, bool) {
	m, found, err := unstructured.NestedMap(obj, fields...)
	if !found || err != nil {
		return nil, false
	}
	var ls metav1.LabelSelector
	if runtime.DefaultUnstructuredConverter.FromUnstructured(m, &ls) != nil {
		return nil, false
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	return sel, err == nil
}

// authorizationWithoutMTLS says why an AuthorizationPolicy admits clients
// without mutual TLS, or "" when it requires an identity.
func authorizationWithoutMTLS(u *unstructured.Unstructured) string {
	refs, _, _ := unstructured.NestedSlice(u.Object, "spec", "requiredAuthenticationRefs")
	if len(refs) == 0 {
		return "it requires no authentication"
	}
	for _, r := range refs {
		if m, ok := r.(map[string]any); ok {
			if kind, _ := m["kind"].(string); kind == "MeshTLSAuthentication" || kind == "ServiceAccount" {
				return ""
			}
		}
	}
	return "only NetworkAuthentication"
}

// targetedServers returns the Servers an AuthorizationPolicy of namespace ns
// targets: one Server, or every Server of the namespace. (A policy that
// targets an HTTPRoute authorizes that route only, and is not followed.)
func targetedServers(u *unstructured.Unstructured, ns string, servers map[string][]*linkerdServer, byID map[string]*linkerdServer) []*linkerdServer {
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "targetRef", "kind")
	name, _, _ := unstructured.NestedString(u.Object, "spec", "targetRef", "name")
	switch kind {
	case "Server":
		if srv := byID[ns+"/"+name]; srv != nil {
			return []*linkerdServer{srv}
		}
	case "Namespace":
		if name == ns {
			return servers[ns]
		}
	}
	return nil
}

// judge says whether Linkerd injects its proxy into the workload and, if it
// accepts plaintext, on which ports and why.
func (lp *linkerdPolicy) judge(p *netpol.Workload) (meshVerdict, bool) {
	w := p.View
	ann := w.PodMeta.Annotations
	nsAnn := p.Namespace.Annotations()
	switch ann[linkerdInject] {
	case "enabled", "ingress":
	case "disabled":
		return meshVerdict{}, false
	default:
		if nsAnn[linkerdInject] != "enabled" {
			return meshVerdict{}, false
		}
	}
	var reasons []portReason
	if skipped, path := linkerdSkipped(w, nsAnn); skipped != "" {
		reasons = append(reasons, portReason{path, "ports " + skipped + " skip the proxy (" + linkerdSkipInbound + ")"})
	}
	policy, from, path := lp.defaultPolicyOf(w, nsAnn)
	if len(p.Ports()) == 0 && linkerdPolicyAdmitsPlaintext[policy] {
		reasons = append(reasons, portReason{path, "the default inbound policy " + policy + " (" + from + ") admits plaintext on ports no Server covers"})
	}
	for _, cp := range p.Ports() {
		if why := lp.portPlaintext(p, cp, policy, from); why != "" {
			reasons = append(reasons, portReason{path, "port " + strconv.Itoa(int(cp.Port)) + " by " + why})
		}
	}
	return plaintextVerdict(w, "is in the Linkerd mesh but accepts plaintext: ", reasons,
		"require mutual TLS: default-inbound-policy all-authenticated, or Servers authorized with MeshTLSAuthentication"), true
}

// linkerdSkipped returns the inbound ports that skip the proxy, from the
// pod's annotation (with its path) or the namespace's.
func linkerdSkipped(w *inventory.Workload, nsAnn map[string]string) (ports, path string) {
	if v := strings.TrimSpace(w.PodMeta.Annotations[linkerdSkipInbound]); v != "" {
		return v, annotationPath(w, linkerdSkipInbound)
	}
	return strings.TrimSpace(nsAnn[linkerdSkipInbound]), ""
}

// defaultPolicyOf returns the default inbound policy of the workload,
// where it comes from, and the path to change it ("" for the pod's
// metadata).
func (lp *linkerdPolicy) defaultPolicyOf(w *inventory.Workload, nsAnn map[string]string) (policy, from, path string) {
	if v := w.PodMeta.Annotations[linkerdDefaultPolicy]; v != "" {
		return v, "annotation of the pod", annotationPath(w, linkerdDefaultPolicy)
	}
	if v := nsAnn[linkerdDefaultPolicy]; v != "" {
		return v, "annotation of the namespace", ""
	}
	if lp.defaultPolicy == linkerdAllUnauthenticated {
		return lp.defaultPolicy, "Linkerd's default", ""
	}
	return lp.defaultPolicy, "the cluster's default, from the settings", ""
}

// portPlaintext says why a container port accepts plaintext, or "".
func (lp *linkerdPolicy) portPlaintext(p *netpol.Workload, cp netpol.ContainerPort, policy, from string) string {
	idx := slices.IndexFunc(lp.servers[p.Namespace.Name], func(s *linkerdServer) bool { return s.port.matches(cp) && s.selector.Matches(p.Labels) })
	if idx < 0 {
		if linkerdPolicyAdmitsPlaintext[policy] {
			return "the default inbound policy " + policy + " (" + from + "; no Server covers the port)"
		}
		return ""
	}
	srv := lp.servers[p.Namespace.Name][idx]
	switch {
	case srv.plaintext != "":
		return "Server " + srv.id + ": " + srv.plaintext
	case linkerdPolicyAdmitsPlaintext[srv.access]:
		return "Server " + srv.id + ": its accessPolicy " + srv.access
	}
	return ""
}
