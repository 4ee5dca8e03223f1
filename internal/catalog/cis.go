package catalog

import (
	"slices"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// cisItem is a check that decides one or more items of the CIS Kubernetes
// Benchmark v1.12 from a node's or a cluster's control-plane configuration.
// Each run ends in a finding (fail), a pass or a not-applicable.
type cisItem struct {
	id, title   string
	cis         []string
	severity    check.Severity
	looks       string
	rationale   string
	remediation string
	example     string
	// reads lists kinds the item reads beyond controlplane.Kinds.
	reads []string
	// decide judges the item on the view.
	decide func(ctx *check.Context, v *controlplane.View)
}

// cisURL is the benchmark's home.
const cisURL = "https://www.cisecurity.org/benchmark/kubernetes"

// registerCIS registers the item as a cluster-layer check.
func registerCIS(it cisItem) {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID: it.id, Title: it.title, Layer: check.LayerCluster, Severity: it.severity,
			Looks: it.looks, Rationale: it.rationale, Remediation: it.remediation, Example: it.example,
			Reads: append(slices.Clip(controlplane.Kinds), it.reads...),
			// The control plane is read from kube-system's static pods,
			// the nodes and kube-proxy's ConfigMap together.
			Scope:           check.ScopeCluster,
			ReadsNamespaces: []string{controlplane.Namespace},
			References:      check.References{CIS: it.cis, URLs: []string{cisURL}},
		},
		Run: func(ctx *check.Context) {
			it.decide(ctx, ctx.ControlPlane())
		},
	})
}

// component returns the component the item is about, or records why the
// item does not apply and returns nil: a managed control plane, or no static
// pod of the component.
func component(ctx *check.Context, v *controlplane.View, name string) *controlplane.Component {
	if v.Managed != "" {
		ctx.NotApplicable(nil, "managed control plane ("+v.Managed+"): the provider runs "+name)
		return nil
	}
	c := v.Components[name]
	if c == nil {
		ctx.NotApplicable(v.Host, "no "+name+" static pod found (not a control-plane node, or not visible)")
	}
	return c
}

// kubelet returns the kubelet configuration, or records why the item does
// not apply and returns nil.
func kubelet(ctx *check.Context, v *controlplane.View) *controlplane.Kubelet {
	switch {
	case v.Kubelet == nil:
		ctx.NotApplicable(nil, "the kubelet's configuration is read from a node's files (kube4c node)")
		return nil
	case v.Kubelet.Config == nil && len(v.Kubelet.Flags.All()) == 0:
		ctx.NotApplicable(v.Host, "no kubelet unit or configuration file found under the root")
		return nil
	}
	return v.Kubelet
}

// unread says why a file an API server flag names was not judged: not
// readable on the node (an input error says why), or not visible from a
// live cluster.
func unread(v *controlplane.View, what, file string) string {
	if v.Host != nil {
		return "the " + what + " " + file + " could not be read (see the input errors)"
	}
	return "the " + what + " " + file + " is only visible on the node (kube4c node)"
}
