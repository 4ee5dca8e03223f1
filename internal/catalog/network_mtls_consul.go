package catalog

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Consul service mesh annotations and labels, and its API group.
const (
	consulInject           = "consul.hashicorp.com/connect-inject"
	consulService          = "consul.hashicorp.com/connect-service"
	consulTransparentProxy = "consul.hashicorp.com/transparent-proxy"
	consulExcludeInbound   = "consul.hashicorp.com/transparent-proxy-exclude-inbound-ports"
	consulGroup            = "consul.hashicorp.com"
)

// consulConfig holds Consul's config entries of an inventory that decide
// whether a service accepts plaintext.
type consulConfig struct {
	settings meshSettings
	// serviceMode is the mutualTLSMode of each service's ServiceDefaults,
	// with the entry's namespace/name.
	serviceMode map[string][2]string
	// proxyMode is the global ProxyDefaults' mutualTLSMode and its entry.
	proxyMode [2]string
	// mesh is the Mesh entry's namespace/name, "" when the scan has none;
	// permissive says it allows permissive mutual TLS.
	mesh       string
	permissive bool
	// intentions describes the default of the intentions, from a
	// ServiceIntentions from '*' to '*'.
	intentions string
}

// newConsulConfig reads the Consul config entries of inv.
func newConsulConfig(inv *inventory.Inventory, s meshSettings) *consulConfig {
	c := &consulConfig{settings: s, serviceMode: map[string][2]string{}}
	for _, obj := range inv.ByKind("ServiceDefaults") {
		if u, ok := consulObject(obj); ok {
			mode, _, _ := unstructured.NestedString(u.Object, "spec", "mutualTLSMode")
			if _, seen := c.serviceMode[obj.Name()]; !seen && mode != "" {
				c.serviceMode[obj.Name()] = [2]string{strings.ToLower(mode), entryID(obj)}
			}
		}
	}
	for _, obj := range inv.ByKind("ProxyDefaults") {
		if u, ok := consulObject(obj); ok && obj.Name() == "global" && c.proxyMode[1] == "" {
			mode, _, _ := unstructured.NestedString(u.Object, "spec", "mutualTLSMode")
			c.proxyMode = [2]string{strings.ToLower(mode), entryID(obj)}
		}
	}
	for _, obj := range inv.ByKind("Mesh") {
		if u, ok := consulObject(obj); ok && c.mesh == "" {
			c.mesh = entryID(obj)
			c.permissive, _, _ = unstructured.NestedBool(u.Object, "spec", "allowEnablingPermissiveMutualTLS")
		}
	}
	c.intentions = "no ServiceIntentions denies '*' to '*', so with ACLs off every service may connect"
	for _, obj := range inv.ByKind("ServiceIntentions") {
		if u, ok := consulObject(obj); ok {
			switch wildcardIntention(u) {
			case "allow":
				c.intentions = "ServiceIntentions " + entryID(obj) + " allows '*' to '*'"
			case "deny":
				c.intentions = "ServiceIntentions " + entryID(obj) + " denies '*' to '*'"
			default:
				continue
			}
			break
		}
	}
	return c
}

// consulObject returns obj as an unstructured object of Consul's group.
func consulObject(obj *inventory.Object) (*unstructured.Unstructured, bool) {
	u, ok := obj.Obj.(*unstructured.Unstructured)
	return u, ok && obj.GVK.Group == consulGroup
}

// entryID names a config entry as namespace/name.
func entryID(obj *inventory.Object) string { return netpol.NamespaceOf(obj) + "/" + obj.Name() }

// wildcardIntention returns the action of the source '*' of a
// ServiceIntentions whose destination is '*', or "".
func wildcardIntention(u *unstructured.Unstructured) string {
	if dest, _, _ := unstructured.NestedString(u.Object, "spec", "destination", "name"); dest != "*" {
		return ""
	}
	sources, _, _ := unstructured.NestedSlice(u.Object, "spec", "sources")
	for _, s := range sources {
		if m, ok := s.(map[string]any); ok && m["name"] == "*" {
			action, _ := m["action"].(string)
			return strings.ToLower(action)
		}
	}
	return ""
}

// judge says whether Consul injects its proxy into the workload and, if it
// accepts plaintext, why.
func (c *consulConfig) judge(p *netpol.Workload) (meshVerdict, bool) {
	w := p.View
	switch strings.ToLower(w.PodMeta.Annotations[consulInject]) {
	case "true":
	case "false":
		return meshVerdict{}, false
	default:
		if !c.settings.ConsulInjectByDefault {
			return meshVerdict{}, false
		}
	}
	var reasons []portReason
	if why := c.permissiveMode(consulServiceName(w)); why != "" {
		reasons = append(reasons, portReason{"", why + "; intentions do not apply to plaintext connections"})
	}
	if ports := strings.TrimSpace(w.PodMeta.Annotations[consulExcludeInbound]); ports != "" {
		reasons = append(reasons, portReason{annotationPath(w, consulExcludeInbound), "port " + ports + " bypasses the proxy (" + consulExcludeInbound + ")"})
	}
	if on, path := c.transparentProxy(p); !on {
		for _, cp := range p.Ports() {
			reasons = append(reasons, portReason{path, "transparent proxy is off (" + consulTransparentProxy + "=false): port " +
				strconv.Itoa(int(cp.Port)) + " is reachable without the proxy unless the application listens on localhost only"})
		}
	}
	if len(reasons) > 0 {
		reasons = append(reasons, portReason{"", "callers: " + c.intentions})
	}
	return plaintextVerdict(w, "is in the Consul mesh but accepts plaintext: ", reasons,
		"keep mutualTLSMode strict and every inbound port behind the transparent proxy"), true
}

// consulServiceName is the Consul service a workload registers: the
// connect-service annotation, else its service account (which Consul
// requires to match the service when ACLs are on).
func consulServiceName(w *inventory.Workload) string {
	if s := w.PodMeta.Annotations[consulService]; s != "" {
		return strings.TrimSpace(strings.Split(s, ",")[0])
	}
	return serviceAccountName(w.Spec)
}

// permissiveMode says why the service accepts plaintext by its mutual TLS
// mode, or "": ServiceDefaults over the global ProxyDefaults, effective
// when the Mesh entry allows it (Consul refuses it otherwise).
func (c *consulConfig) permissiveMode(service string) string {
	mode, by := c.proxyMode[0], "ProxyDefaults "+c.proxyMode[1]
	if sm, ok := c.serviceMode[service]; ok {
		mode, by = sm[0], "ServiceDefaults "+sm[1]
	}
	switch {
	case mode != "permissive":
		return ""
	case c.mesh == "":
		return "mutualTLSMode permissive (" + by + "; effective once the Mesh entry allows it)"
	case !c.permissive:
		return ""
	}
	return "mutualTLSMode permissive (" + by + ", allowed by Mesh " + c.mesh + ")"
}

// transparentProxy says whether inbound traffic is redirected through the
// proxy, and the path of the annotation that turns it off.
func (c *consulConfig) transparentProxy(p *netpol.Workload) (bool, string) {
	if v, ok := p.View.PodMeta.Annotations[consulTransparentProxy]; ok {
		return v != "false", annotationPath(p.View, consulTransparentProxy)
	}
	if v, ok := p.Namespace.Labels[consulTransparentProxy]; ok {
		return v != "false", ""
	}
	return *c.settings.ConsulTransparentProxy, ""
}
