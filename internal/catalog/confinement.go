package catalog

import (
	"errors"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// safeSysctls are the namespaced sysctls the Pod Security Standards allow
// at the baseline level (as of Kubernetes 1.32).
var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced":              true,
	"net.ipv4.ip_local_port_range":        true,
	"net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.tcp_syncookies":             true,
	"net.ipv4.ping_group_range":           true,
	"net.ipv4.ip_local_reserved_ports":    true,
	"net.ipv4.tcp_keepalive_time":         true,
	"net.ipv4.tcp_fin_timeout":            true,
	"net.ipv4.tcp_keepalive_intvl":        true,
	"net.ipv4.tcp_keepalive_probes":       true,
	"net.ipv4.tcp_rmem":                   true,
	"net.ipv4.tcp_wmem":                   true,
}

// seccompState describes the seccomp profile a container ends up with.
type seccompState struct {
	unconfined bool   // explicitly Unconfined
	set        bool   // some profile is set
	path       string // where it is set, or where to set it
}

// containerSeccomp resolves the container's seccomp profile from the fields
// (container, then pod) and, when neither is set, the legacy annotations.
func containerSeccomp(w *inventory.Workload, c inventory.Container) seccompState {
	if p := seccompOf(w, c); p.Value != nil {
		return seccompState{unconfined: p.Value.Type == corev1.SeccompProfileTypeUnconfined, set: true, path: p.path() + ".type"}
	}
	for _, key := range []string{seccompContainerAnnotation + c.Name, seccompPodAnnotation} {
		if v, path, ok := annotation(w, key); ok {
			return seccompState{unconfined: strings.EqualFold(strings.TrimSpace(v), "unconfined"), set: true, path: path}
		}
	}
	return seccompState{path: c.Path + ".securityContext.seccompProfile"}
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "seccomp-unconfined",
			Title:    "Container runs without a seccomp profile",
			Layer:    check.LayerContainer,
			Severity: check.Medium,
			Looks: "seccompProfile of each container and of the pod (the container's wins), and the legacy seccomp annotations; " +
				"a container fails when its profile is Unconfined or when none is set anywhere. Windows pods are exempt.",
			Rationale: "Without a seccomp profile every system call is open to the process, including the rarely used ones that most " +
				"kernel exploits go through. RuntimeDefault blocks them at no cost for almost every application.",
			Remediation: "Set seccompProfile.type: RuntimeDefault in the pod's securityContext (or Localhost with a reviewed profile).",
			Example: `spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault`,
			References: check.References{
				CIS:   []string{"5.7.2"},
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611", "T1068"},
				PSS:   []string{"baseline: Seccomp", "restricted: Seccomp"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if isWindows(w) {
				return
			}
			switch s := containerSeccomp(w, c); {
			case s.unconfined:
				ctx.ReportContainer(w, c, s.path, aboutContainer(c, " runs with seccomp Unconfined; use RuntimeDefault"))
			case !s.set:
				ctx.ReportContainer(w, c, s.path, "no seccomp profile is set for "+aboutContainer(c, "")+" or its pod, so it runs unconfined; set seccompProfile.type: RuntimeDefault")
			}
		}),
		Fix: func(f *check.Finding) (check.Patch, error) {
			switch {
			case strings.HasSuffix(f.Path, ".seccompProfile.type"):
				return check.Patch{Path: f.Path, Value: "RuntimeDefault"}, nil
			case strings.HasSuffix(f.Path, ".seccompProfile"):
				return check.Patch{Path: f.Path + ".type", Value: "RuntimeDefault"}, nil
			}
			return check.Patch{}, errors.New("the profile is set by a legacy annotation: replace it with seccompProfile.type: RuntimeDefault by hand")
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "apparmor-unconfined",
			Title:    "Container runs AppArmor-unconfined",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks: "appArmorProfile of each container and of the pod (the container's wins) and the legacy annotation " +
				appArmorContainerAnnotation + "NAME, for the Unconfined profile. Windows pods are exempt.",
			Rationale:   "Unconfined switches off the AppArmor profile the runtime applies by default, removing a barrier against writes to /proc, mounts and other escape steps.",
			Remediation: "Remove the Unconfined profile, or use RuntimeDefault or a Localhost profile you have reviewed.",
			Example: `securityContext:
  appArmorProfile:
    type: RuntimeDefault`,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: AppArmor"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if isWindows(w) {
				return
			}
			if p := appArmorOf(w, c); p.Value != nil {
				if p.Value.Type == corev1.AppArmorProfileTypeUnconfined {
					ctx.ReportContainer(w, c, p.path()+".type", aboutContainer(c, " runs with AppArmor Unconfined; use RuntimeDefault"))
				}
				return
			}
			if v, path, ok := annotation(w, appArmorContainerAnnotation+c.Name); ok && strings.EqualFold(strings.TrimSpace(v), "unconfined") {
				ctx.ReportContainer(w, c, path, "container "+quote(c.Name)+" runs with AppArmor unconfined (legacy annotation); use runtime/default")
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "unsafe-sysctls",
			Title:    "Pod sets an unsafe sysctl",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks: "spec.securityContext.sysctls of every workload, against the sysctls the Pod Security Standards baseline allows: " +
				"kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, " +
				"net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, " +
				"net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem and net.ipv4.tcp_wmem.",
			Rationale:   "Other sysctls are not isolated per pod or can exhaust node resources: setting them changes the kernel for every pod on the node.",
			Remediation: "Remove the sysctl, or set it on dedicated nodes through node configuration rather than from a pod.",
			Example: `securityContext:
  sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "32768 60999"`,
			References: check.References{
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: Sysctls"},
				URLs:  []string{"https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, w := range ctx.Inventory.Workloads() {
				for i, s := range podSC(w).Sysctls {
					if !safeSysctls[s.Name] {
						ctx.Report(w.Object, w.Field("securityContext.sysctls["+strconv.Itoa(i)+"].name"),
							"pod sets the unsafe sysctl "+s.Name+", which is not isolated per pod; remove it")
					}
				}
			}
		},
	})
}
