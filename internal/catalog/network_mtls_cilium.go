package catalog

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Cilium's policy API group and the identity labels its endpoint
// selectors may use besides the pod's own.
const (
	ciliumGroup          = "cilium.io"
	ciliumNamespaceKey   = "io.kubernetes.pod.namespace"
	ciliumSAKey          = "io.cilium.k8s.policy.serviceaccount"
	ciliumNSLabelsPrefix = "io.cilium.k8s.namespace.labels."
)

// ciliumRule is one ingress rule of a Cilium policy.
type ciliumRule struct {
	policy   string // "CiliumNetworkPolicy ns/name"
	path     string // "spec.ingress[0]" or "specs[1].ingress[0]"
	selector labels.Selector
	ns       string // "" for a clusterwide policy
	required bool   // authentication.mode: required
}

// ciliumAuth holds the ingress rules of the Cilium policies of an
// inventory.
type ciliumAuth struct {
	rules []ciliumRule
}

// newCiliumAuth reads the CiliumNetworkPolicies and
// CiliumClusterwideNetworkPolicies of inv.
func newCiliumAuth(inv *inventory.Inventory) *ciliumAuth {
	a := &ciliumAuth{}
	for _, kind := range []string{"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"} {
		for _, obj := range inv.ByKind(kind) {
			u, ok := obj.Obj.(*unstructured.Unstructured)
			if !ok || obj.GVK.Group != ciliumGroup {
				continue
			}
			ns, id := "", obj.Name()
			if kind == "CiliumNetworkPolicy" {
				ns = netpol.NamespaceOf(obj)
				id = ns + "/" + id
			}
			if spec, ok := u.Object["spec"].(map[string]any); ok {
				a.addSpec(kind+" "+id, "spec", ns, spec)
			}
			specs, _, _ := unstructured.NestedSlice(u.Object, "specs")
			for i, s := range specs {
				if spec, ok := s.(map[string]any); ok {
					a.addSpec(kind+" "+id, "specs["+strconv.Itoa(i)+"]", ns, spec)
				}
			}
		}
	}
	return a
}

// addSpec adds the ingress rules of one policy spec.
func (a *ciliumAuth) addSpec(policy, path, ns string, spec map[string]any) {
	sel, ok := ciliumSelector(spec, "endpointSelector")
	if !ok {
		return
	}
	ingress, _, _ := unstructured.NestedSlice(spec, "ingress")
	for i, r := range ingress {
		rule, ok := r.(map[string]any)
		if !ok {
			continue
		}
		mode, _, _ := unstructured.NestedString(rule, "authentication", "mode")
		a.rules = append(a.rules, ciliumRule{policy: policy, path: path + ".ingress[" + strconv.Itoa(i) + "]", selector: sel, ns: ns, required: mode == "required"})
	}
}

// ciliumSelector reads an endpoint selector, dropping the source prefixes
// Cilium allows on label keys ("k8s:app" is "app").
func ciliumSelector(spec map[string]any, field string) (labels.Selector, bool) {
	m, ok := spec[field].(map[string]any)
	if !ok {
		return nil, false
	}
	clean := map[string]any{}
	if ml, ok := m["matchLabels"].(map[string]any); ok {
		stripped := map[string]any{}
		for k, v := range ml {
			stripped[ciliumKey(k)] = v
		}
		clean["matchLabels"] = stripped
	}
	if me, ok := m["matchExpressions"].([]any); ok {
		var exprs []any
		for _, e := range me {
			if em, ok := e.(map[string]any); ok {
				c := map[string]any{}
				for k, v := range em {
					c[k] = v
				}
				if key, ok := em["key"].(string); ok {
					c["key"] = ciliumKey(key)
				}
				exprs = append(exprs, c)
			}
		}
		clean["matchExpressions"] = exprs
	}
	return nestedSelector(map[string]any{"s": clean}, "s")
}

// ciliumKey drops a label source prefix (k8s:, any:) from a selector key.
func ciliumKey(k string) string {
	for _, prefix := range []string{"k8s:", "any:"} {
		if strings.HasPrefix(k, prefix) {
			return k[len(prefix):]
		}
	}
	return k
}

// identity is the label set Cilium selects a workload's pods by: the pod's
// labels, its namespace, service account and namespace labels.
func ciliumIdentity(p *netpol.Workload) labels.Set {
	set := labels.Set{}
	for k, v := range p.Labels {
		set[k] = v
	}
	set[ciliumNamespaceKey] = p.Namespace.Name
	set[ciliumSAKey] = serviceAccountName(p.View.Spec)
	for k, v := range p.Namespace.Labels {
		set[ciliumNSLabelsPrefix+k] = v
	}
	return set
}

// judge says whether a Cilium rule requires mutual authentication for the
// workload and, if so, which rules admit peers without it.
func (a *ciliumAuth) judge(p *netpol.Workload) (meshVerdict, bool) {
	if len(a.rules) == 0 {
		return meshVerdict{}, false
	}
	id := ciliumIdentity(p)
	var requiredBy string
	var open []string
	for _, r := range a.rules {
		if r.ns != "" && r.ns != p.Namespace.Name || !r.selector.Matches(id) {
			continue
		}
		if r.required {
			if requiredBy == "" {
				requiredBy = r.policy
			}
		} else {
			open = append(open, r.path+" of "+r.policy)
		}
	}
	if requiredBy == "" {
		return meshVerdict{}, false
	}
	for _, np := range p.Policies(netpol.Ingress) {
		for i := range np.Spec.Ingress {
			open = append(open, "ingress["+strconv.Itoa(i)+"] of NetworkPolicy "+np.ID())
		}
	}
	if len(open) == 0 {
		return meshVerdict{}, true
	}
	return meshVerdict{path: p.View.MetaPath, message: "requires Cilium mutual authentication (" + requiredBy + ") but admits peers without it: " +
		joinFirst(open, maxRulesNamed) + "; require authentication in those rules too, or remove them"}, true
}
