package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

var restrictedSecurityContext = `securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
  seccompProfile:
    type: RuntimeDefault`

// dangerousCapabilities are the capabilities that let a container break out
// of its isolation or attack the node and its network.
var dangerousCapabilities = map[string]string{
	"ALL":             "use every capability",
	"SYS_ADMIN":       "mount filesystems, use many privileged syscalls and often escape the container",
	"NET_ADMIN":       "reconfigure the node's network: interfaces, routes, firewall rules",
	"SYS_PTRACE":      "trace and inject code into other processes",
	"SYS_MODULE":      "load kernel modules into the node's kernel",
	"DAC_READ_SEARCH": "read any file, bypassing permissions (the \"shocker\" escape)",
	"BPF":             "load eBPF programs into the kernel",
	"PERFMON":         "use perf and eBPF tracing to observe the whole node",
	"SYS_RAWIO":       "access raw devices and I/O ports",
	"NET_RAW":         "craft raw packets, for spoofing and ARP or DNS poisoning",
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "privilege-escalation-allowed",
			Title:    "Container allows privilege escalation",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks:    "securityContext.allowPrivilegeEscalation of every container (unset means allowed). Windows pods are exempt.",
			Rationale: "Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent " +
				"through setuid binaries or file capabilities, turning a foothold into root inside the container.",
			Remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
			Example:     restrictedSecurityContext,
			References: check.References{
				CIS:   []string{"5.2.6"},
				NSA:   []string{"Kubernetes Pod security: Non-root containers and rootless container engines"},
				MITRE: []string{"T1611"},
				PSS:   []string{"restricted: Privilege Escalation"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if isWindows(w) {
				return
			}
			v := containerSC(c).AllowPrivilegeEscalation
			switch {
			case v == nil:
				ctx.ReportContainer(w, c, c.Path+".securityContext.allowPrivilegeEscalation", aboutContainer(c, " does not set allowPrivilegeEscalation, so it is allowed; set it to false"))
			case *v:
				ctx.ReportContainer(w, c, c.Path+".securityContext.allowPrivilegeEscalation", aboutContainer(c, " sets allowPrivilegeEscalation: true; set it to false"))
			}
		}),
		Fix: check.SetTo(false),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "run-as-root",
			Title:    "Container may run as root",
			Layer:    check.LayerContainer,
			Severity: check.Medium,
			Looks: "runAsNonRoot and runAsUser of the pod and of each container; the container's setting wins. " +
				"A container passes when the effective runAsNonRoot is true or the effective runAsUser is above 0. Windows pods are exempt.",
			Rationale: "A process running as UID 0 is root in the container and, after any escape or through a " +
				"writable host mount, root on the node.",
			Remediation: "Set runAsNonRoot: true (pod or container securityContext) and run as a non-zero runAsUser " +
				"that the image supports.",
			Example: `securityContext:
  runAsNonRoot: true
  runAsUser: 10001`,
			References: check.References{
				CIS:   []string{"5.2.7"},
				NSA:   []string{"Kubernetes Pod security: Non-root containers and rootless container engines"},
				MITRE: []string{"T1611"},
				PSS:   []string{"restricted: Running as Non-root", "restricted: Running as Non-root user"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if isWindows(w) {
				return
			}
			nonRoot, user := runAsNonRootOf(w, c), runAsUserOf(w, c)
			switch {
			case nonRoot.Value != nil && *nonRoot.Value:
				return
			case user.Value != nil && *user.Value > 0:
				return
			case user.Value != nil:
				ctx.ReportContainer(w, c, user.path(), aboutContainer(c, " runs as user 0 (root); run as a non-zero user and set runAsNonRoot: true"))
			case nonRoot.Value != nil:
				ctx.ReportContainer(w, c, nonRoot.path(), aboutContainer(c, " sets runAsNonRoot: false and no non-zero runAsUser: it runs as root if the image does; set runAsNonRoot: true"))
			default:
				ctx.ReportContainer(w, c, nonRoot.path(), aboutContainer(c, " sets neither runAsNonRoot nor a non-zero runAsUser: it runs as root if the image does; set runAsNonRoot: true"))
			}
		}),
		Fix: func(f *check.Finding) (check.Patch, error) {
			if strings.HasSuffix(f.Path, ".runAsUser") {
				// runAsNonRoot: true beside runAsUser: 0 stops the pod.
				return check.Patch{}, errors.New("runAsUser is 0 on purpose: choose a non-zero user the image supports")
			}
			return check.Patch{Path: f.Path, Value: true}, nil
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "writable-root-filesystem",
			Title:       "Container root filesystem is writable",
			Layer:       check.LayerContainer,
			Severity:    check.Medium,
			Looks:       "securityContext.readOnlyRootFilesystem of every container (unset means writable).",
			Rationale:   "A writable root filesystem lets an attacker drop tools, change binaries and persist inside the container.",
			Remediation: "Set readOnlyRootFilesystem: true and mount an emptyDir where the application must write (for example /tmp).",
			Example: `securityContext:
  readOnlyRootFilesystem: true
volumeMounts:
  - {name: tmp, mountPath: /tmp}`,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security: Immutable container file systems"},
				MITRE: []string{"T1525"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if v := containerSC(c).ReadOnlyRootFilesystem; v == nil || !*v {
				ctx.ReportContainer(w, c, c.Path+".securityContext.readOnlyRootFilesystem", aboutContainer(c, " can write to its root filesystem; set readOnlyRootFilesystem: true"))
			}
		}),
		Fix: check.SetTo(true),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "capabilities-not-dropped",
			Title:       "Container keeps the default capabilities",
			Layer:       check.LayerContainer,
			Severity:    check.Medium,
			Looks:       "securityContext.capabilities.drop of every container, which should contain ALL. Windows pods are exempt.",
			Rationale:   "Container runtimes grant a default set of capabilities (such as NET_RAW, CHOWN, SETUID) that most applications never use and attackers do.",
			Remediation: "Drop ALL capabilities and add back only the ones the process needs (for example NET_BIND_SERVICE).",
			Example: `securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]`,
			References: check.References{
				CIS:   []string{"5.2.10"},
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611"},
				PSS:   []string{"restricted: Capabilities"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			if isWindows(w) {
				return
			}
			caps := containerSC(c).Capabilities
			if caps != nil {
				for _, d := range caps.Drop {
					if normalizeCapability(string(d)) == "ALL" {
						return
					}
				}
			}
			ctx.ReportContainer(w, c, c.Path+".securityContext.capabilities.drop", "container "+quote(c.Name)+" does not drop ALL capabilities; add drop: [\"ALL\"]")
		}),
		Fix: check.AddTo("ALL"),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "dangerous-capabilities",
			Title:    "Container adds a dangerous capability",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks: "securityContext.capabilities.add of every container, for ALL, SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, " +
				"DAC_READ_SEARCH, BPF, PERFMON, SYS_RAWIO and NET_RAW, with or without the CAP_ prefix, in any case.",
			Rationale:   "These capabilities let a process reconfigure the node, read any file, load code into the kernel or spoof network traffic: most container escapes start from one of them.",
			Remediation: "Remove the capability; if the workload truly needs it, isolate it on dedicated nodes and record an exception with the reason.",
			Example: `securityContext:
  capabilities:
    drop: ["ALL"]
    add: ["NET_BIND_SERVICE"]   # only what is needed`,
			References: check.References{
				CIS:   []string{"5.2.8", "5.2.9"},
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611", "T1068"},
				PSS:   []string{"baseline: Capabilities"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			caps := containerSC(c).Capabilities
			if caps == nil {
				return
			}
			for i, a := range caps.Add {
				name := normalizeCapability(string(a))
				if why, ok := dangerousCapabilities[name]; ok {
					ctx.ReportContainer(w, c, c.Path+".securityContext.capabilities.add["+strconv.Itoa(i)+"]",
						fmt.Sprintf("container %s adds %s, which lets it %s; remove it", quote(c.Name), name, why))
				}
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "proc-mount-unmasked",
			Title:       "Container unmasks /proc",
			Layer:       check.LayerContainer,
			Severity:    check.High,
			Looks:       "securityContext.procMount of every container: any value but Default (Unmasked, or a value Kubernetes does not know).",
			Rationale:   "procMount: Unmasked exposes kernel interfaces under /proc that the runtime normally hides, which helps an escape to the node.",
			Remediation: "Remove procMount or set it to Default.",
			Example: `securityContext:
  procMount: Default`,
			References: check.References{
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: /proc Mount Type"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			switch pm := containerSC(c).ProcMount; {
			case pm == nil || *pm == corev1.DefaultProcMount:
			case *pm == corev1.UnmaskedProcMount:
				ctx.ReportContainer(w, c, c.Path+".securityContext.procMount", aboutContainer(c, " mounts /proc unmasked; use the Default proc mount"))
			default:
				ctx.ReportContainer(w, c, c.Path+".securityContext.procMount", "container "+quote(c.Name)+" asks for procMount "+quote(string(*pm))+", which is not Default; use the Default proc mount")
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "windows-host-process",
			Title:       "Windows HostProcess container",
			Layer:       check.LayerContainer,
			Severity:    check.Critical,
			Looks:       "securityContext.windowsOptions.hostProcess of the pod and of each container; the container's setting wins.",
			Rationale:   "A HostProcess container runs directly on the Windows node with the node's privileges: it is the Windows equivalent of a privileged container.",
			Remediation: "Remove hostProcess: true; run node management tasks through a dedicated, tightly controlled DaemonSet with an exception.",
			Example: `securityContext:
  windowsOptions:
    hostProcess: false`,
			References: check.References{
				CIS:   []string{"5.2.11"},
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: HostProcess"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			var cv, pv *bool
			if o := containerSC(c).WindowsOptions; o != nil {
				cv = o.HostProcess
			}
			if o := podSC(w).WindowsOptions; o != nil {
				pv = o.HostProcess
			}
			hp := resolve(w, c, cv, pv, "windowsOptions.hostProcess")
			if hp.Value != nil && *hp.Value {
				ctx.ReportContainer(w, c, hp.path(), aboutContainer(c, " runs as a Windows HostProcess container with the node's privileges; remove hostProcess"))
			}
		}),
	})
}
