package netpol

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Workload stands for the pods of one workload: they share labels, namespace
// and ports, so policies treat them alike.
type Workload struct {
	// View is the inventory's view of the workload.
	View *inventory.Workload
	// Namespace is the namespace the pods run in.
	Namespace *Namespace
	// Kind and Name are those of the workload object.
	Kind, Name string
	// ID names the workload in reports: "namespace/name", or
	// "namespace/kind/name" when two kinds share a name.
	ID string
	// Labels are the labels of the pods: the template's, and those its
	// controller adds with a value the manifest tells (a Job's job-name).
	Labels labels.Set
	// HostNetwork reports whether the pods use the node's network, where
	// NetworkPolicy behaviour is undefined.
	HostNetwork bool

	ports []ContainerPort
	// controller holds the labels the workload's controller adds to its
	// pods with a value per pod or chosen by the cluster.
	controller map[string]controllerLabel
	index      int
	policies   [2][]*Policy
	// policySet numbers policies[d] among the distinct lists (see
	// PolicySet).
	policySet [2]int
}

// ContainerPort is a port a container of the pod declares.
type ContainerPort struct {
	Name     string
	Protocol corev1.Protocol
	Port     int32
}

// Ports returns the ports the pod's containers (and sidecar init
// containers) declare.
func (p *Workload) Ports() []ContainerPort { return p.ports }

// Policies returns the policies that select the pod for a direction, in
// namespace order. None means the pod is not isolated in that direction.
func (p *Workload) Policies(d Direction) []*Policy { return p.policies[d] }

// PolicySet identifies the policies that select the pod for a direction:
// pods of one engine with the same number are selected by the same
// policies (0: none), so what is derived from them alone may be computed
// once per number.
func (p *Workload) PolicySet(d Direction) int { return p.policySet[d] }

// Isolated reports whether a policy selects the pod for a direction.
func (p *Workload) Isolated(d Direction) bool { return len(p.policies[d]) > 0 }

func newPod(w *inventory.Workload, ns *Namespace) *Workload {
	p := &Workload{View: w, Namespace: ns, Kind: w.Object.Kind(), Name: w.Object.Name(), Labels: labels.Set(w.PodMeta.Labels), HostNetwork: w.Spec.HostNetwork}
	var fixed labels.Set
	p.controller, fixed = controllerLabels(w)
	if len(fixed) > 0 {
		p.Labels = labels.Merge(p.Labels, fixed)
	}
	p.ID = ns.Name + "/" + p.Name
	for _, c := range w.Containers() {
		sidecar := c.Kind == inventory.InitContainer && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		if c.Kind != inventory.RegularContainer && !sidecar {
			continue
		}
		for _, cp := range c.Ports {
			proto := cp.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			p.ports = append(p.ports, ContainerPort{Name: cp.Name, Protocol: proto, Port: cp.ContainerPort})
		}
	}
	return p
}

// runsPods reports whether a workload's pods take part in networking: a
// PodTemplate only describes pods for others to create.
func runsPods(w *inventory.Workload) bool { return w.Object.Kind() != "PodTemplate" }

// qualifyIDs gives workloads of different kinds that share a namespace
// and name an ID with their kind, and definitions of one kind, namespace
// and name (the same manifest in several files) an ID with where each is
// defined.
func qualifyIDs(pods []*Workload) {
	byID := func() map[string][]*Workload {
		m := make(map[string][]*Workload, len(pods))
		for _, p := range pods {
			m[p.ID] = append(m[p.ID], p)
		}
		return m
	}
	for _, same := range byID() {
		if slices.ContainsFunc(same, func(p *Workload) bool { return p.Kind != same[0].Kind }) {
			for _, p := range same {
				p.ID = p.Namespace.Name + "/" + strings.ToLower(p.Kind) + "/" + p.Name
			}
		}
	}
	for _, same := range byID() {
		if len(same) > 1 {
			for _, p := range same {
				loc, _ := p.View.Object.Locate("")
				p.ID += "@" + loc.String()
			}
		}
	}
}
