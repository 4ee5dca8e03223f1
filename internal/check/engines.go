package check

import (
	"sync"

	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/image"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/podsecurity"
	"github.com/kube4c/kube4c/internal/rbac"
)

// Engines are the cross-object engines of one inventory that several
// checks share: each is built the first time a check asks for it, once,
// however many checks ask at the same time. Keep one Engines per inventory
// to reuse them across runs (an admission webhook reviews many objects
// against the same cluster inventory).
type Engines struct {
	networkPolicies func() *netpol.Engine
	rbac            func() *rbac.Engine
	controlPlane    func() *controlplane.View
	images          func() *image.Set
	podSecurity     func() *podsecurity.Evaluator
}

// EngineOptions say what the engines know beside the inventory.
type EngineOptions struct {
	// RBAC are the RBAC engine's: the built-in roles of the cluster's
	// Kubernetes version.
	RBAC rbac.Options
}

// NewEngines returns the engines of inv, none built yet.
func NewEngines(inv *inventory.Inventory, opts EngineOptions) *Engines {
	return &Engines{
		networkPolicies: sync.OnceValue(func() *netpol.Engine { return netpol.Build(inv, netpol.Options{}) }),
		rbac:            sync.OnceValue(func() *rbac.Engine { return rbac.New(inv, opts.RBAC) }),
		controlPlane:    sync.OnceValue(func() *controlplane.View { return controlplane.NewView(inv) }),
		images:          sync.OnceValue(func() *image.Set { return image.NewSet(inv) }),
		podSecurity:     sync.OnceValue(func() *podsecurity.Evaluator { return podsecurity.New(inv) }),
	}
}

// NetworkPolicies returns the NetworkPolicy engine of the inventory.
func (c *Context) NetworkPolicies() *netpol.Engine { return c.engines.networkPolicies() }

// RBAC returns the RBAC engine of the inventory.
func (c *Context) RBAC() *rbac.Engine { return c.engines.rbac() }

// ControlPlane returns the control-plane configuration the inventory shows.
func (c *Context) ControlPlane() *controlplane.View { return c.engines.controlPlane() }

// Images returns the parsed image references of the inventory's workloads.
func (c *Context) Images() *image.Set { return c.engines.images() }

// PodSecurity returns the Pod Security Standards evaluator of the
// inventory's workloads.
func (c *Context) PodSecurity() *podsecurity.Evaluator { return c.engines.podSecurity() }

// NetworkPolicies returns the NetworkPolicy engine, built on first use.
func (e *Engines) NetworkPolicies() *netpol.Engine { return e.networkPolicies() }

// RBAC returns the RBAC engine, built on first use.
func (e *Engines) RBAC() *rbac.Engine { return e.rbac() }
