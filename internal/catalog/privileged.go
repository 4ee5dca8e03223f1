package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "privileged-container",
			Title:    "Container runs privileged",
			Layer:    check.LayerContainer,
			Severity: check.Critical,
			Looks:    "securityContext.privileged of every container, init container and ephemeral container of every workload.",
			Rationale: "A privileged container has every Linux capability and access to all host devices; " +
				"it can load kernel modules, mount the host filesystem and escape to the node, " +
				"and from there reach every other pod on it.",
			Remediation: "Remove securityContext.privileged (or set it to false). Grant the few capabilities " +
				"the process needs instead, and run node agents that truly need host access in a " +
				"dedicated namespace with an exception that says why.",
			Example: `securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  capabilities:
    drop: ["ALL"]`,
			References: check.References{
				CIS:   []string{"5.2.2"},
				NSA:   []string{"Kubernetes Pod security: Non-root containers and rootless container engines"},
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: Privileged Containers"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
				ctx.ReportContainer(w, c, c.Path+".securityContext.privileged",
					aboutContainer(c, " runs privileged: it can take over the node; drop privileged and add only the capabilities it needs"))
			}
		}),
	})
}
