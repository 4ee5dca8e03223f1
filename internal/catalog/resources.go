package catalog

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// resourceCheck builds one of the missing-{cpu,memory}-{request,limit} checks.
// A request counts as set when only the limit is, as Kubernetes then copies
// the limit into the request.
func resourceCheck(id string, resource corev1.ResourceName, limit bool, severity check.Severity, why string) *check.Check {
	kind, field := "request", "requests"
	if limit {
		kind, field = "limit", "limits"
	}
	// The field and the words of every finding, built once.
	suffix := ".resources." + field + "." + string(resource)
	says := " sets no " + string(resource) + " " + kind + "; set resources." + field + "." + string(resource)
	c := &check.Check{
		Meta: check.Meta{
			ID:       id,
			Title:    "Container has no " + string(resource) + " " + kind,
			Layer:    check.LayerCode,
			Severity: severity,
			Looks: "resources." + field + "." + string(resource) + " of every container and init container" +
				map[bool]string{false: " (a limit alone counts, as Kubernetes copies it into the request).", true: "."}[limit],
			Rationale:   why,
			Remediation: "Set resources." + field + "." + string(resource) + " from the container's measured use.",
			Example: `resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 256Mi}`,
			References: check.References{
				NSA:   []string{"Network separation and hardening: Resource policies"},
				MITRE: []string{"T1499"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if c.Kind == inventory.EphemeralContainer {
				return // ephemeral containers cannot have resources
			}
			if _, ok := c.Resources.Limits[resource]; ok {
				return
			}
			if _, ok := c.Resources.Requests[resource]; ok && !limit {
				return
			}
			ctx.ReportContainer(w, c, c.Path+suffix, aboutContainer(c, says))
		}),
	}
	return c
}

// probeCheck builds missing-liveness-probe or missing-readiness-probe. Only
// long-running pods (restartPolicy Always) are concerned, and only their
// regular containers.
func probeCheck(id, probe, why string) *check.Check {
	suffix, says := "."+probe+"Probe", " has no "+probe+" probe; add one"
	return &check.Check{
		Meta: check.Meta{
			ID:          id,
			Title:       "Container has no " + probe + " probe",
			Layer:       check.LayerCode,
			Severity:    check.Low,
			Looks:       probe + "Probe of the containers of long-running workloads (restartPolicy Always: not Jobs or CronJobs).",
			Rationale:   why,
			Remediation: "Add a " + probe + "Probe that checks what the container needs to do its job.",
			Example: probe + `Probe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 10`,
			References: check.References{
				URLs: []string{"https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if c.Kind != inventory.RegularContainer || !longRunning(w) {
				return
			}
			p := c.LivenessProbe
			if probe == "readiness" {
				p = c.ReadinessProbe
			}
			if p == nil {
				ctx.ReportContainer(w, c, c.Path+suffix, aboutContainer(c, says))
			}
		}),
	}
}

// longRunning reports whether the workload's pods are restarted when they
// exit, unlike batch pods.
func longRunning(w *inventory.Workload) bool {
	return w.Spec.RestartPolicy == "" || w.Spec.RestartPolicy == corev1.RestartPolicyAlways
}

func init() {
	check.Register(resourceCheck("missing-memory-limit", corev1.ResourceMemory, true, check.Medium,
		"Without a memory limit a leaking or attacked container can use all of the node's memory, and the kernel's OOM killer then picks victims among other pods."))
	check.Register(resourceCheck("missing-memory-request", corev1.ResourceMemory, false, check.Low,
		"Without a memory request the scheduler places the pod as if it used no memory, overcommitting nodes; such pods are evicted first under pressure."))
	check.Register(resourceCheck("missing-cpu-request", corev1.ResourceCPU, false, check.Low,
		"Without a CPU request the pod gets almost no CPU time when the node is busy, and the scheduler cannot spread load."))
	cpuLimit := resourceCheck("missing-cpu-limit", corev1.ResourceCPU, true, check.Low,
		"A CPU limit caps what one container can take from its neighbours. It is off by default: CFS quotas throttle "+
			"even when the node is idle and cause latency spikes, so most teams prefer CPU requests alone. Enable it where tenants must be capped.")
	cpuLimit.DisabledByDefault = true
	check.Register(cpuLimit)
	check.Register(probeCheck("missing-liveness-probe", "liveness",
		"Without a liveness probe a hung process keeps its pod Running forever: the kubelet restarts only what it can see failing."))
	check.Register(probeCheck("missing-readiness-probe", "readiness",
		"Without a readiness probe a pod receives traffic from Services as soon as it starts, before it can serve, and keeps receiving it while it is broken."))
}
