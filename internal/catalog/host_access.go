package catalog

import (
	"path"
	"strconv"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// sensitiveHostPaths are host directories whose contents (or children)
// expose the node's credentials, configuration or other containers. "/" is
// sensitive only by itself: a mount of "/" exposes everything.
var sensitiveHostPaths = []string{
	"/etc", "/proc", "/sys", "/root", "/home", "/boot", "/dev",
	"/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/etc/kubernetes", "/var/log",
}

// sensitiveHostPath returns the sensitive directory a host path is, or is
// below.
func sensitiveHostPath(p string) (string, bool) {
	clean := path.Clean("/" + strings.TrimSpace(p))
	if clean == "/" {
		return "/", true
	}
	for _, s := range sensitiveHostPaths {
		if clean == s || strings.HasPrefix(clean, s+"/") {
			return s, true
		}
	}
	return "", false
}

// hostNamespaceCheck builds one of host-network, host-pid and host-ipc.
func hostNamespaceCheck(id, field, what, why string, cis string, enabled func(w *inventory.Workload) bool) *check.Check {
	return &check.Check{
		Meta: check.Meta{
			ID:          id,
			Title:       "Pod shares the host's " + what,
			Layer:       check.LayerContainer,
			Severity:    check.High,
			Looks:       "spec." + field + " of every workload.",
			Rationale:   "With " + field + " the pod shares the node's " + what + ": " + why,
			Remediation: "Remove " + field + " (or set it to false). Node agents that need it belong in a dedicated namespace with an exception that says why.",
			Example:     "spec:\n  " + field + ": false",
			References: check.References{
				CIS:   []string{cis},
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: Host Namespaces"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, w := range ctx.Inventory.Workloads() {
				if enabled(w) {
					ctx.Report(w.Object, w.Field(field), "pod spec sets "+field+": true; the pod shares the node's "+what+"; remove it")
				}
			}
		},
	}
}

func init() {
	check.Register(hostNamespaceCheck("host-network", "hostNetwork", "network namespace",
		"it can listen on and sniff every interface of the node and reach services bound to localhost, such as the kubelet.", "5.2.5",
		func(w *inventory.Workload) bool { return w.Spec.HostNetwork }))
	check.Register(hostNamespaceCheck("host-pid", "hostPID", "process namespace",
		"it can see every process of the node, read their environment and, with ptrace, take them over.", "5.2.3",
		func(w *inventory.Workload) bool { return w.Spec.HostPID }))
	check.Register(hostNamespaceCheck("host-ipc", "hostIPC", "IPC namespace",
		"it can read and write the shared memory of every process on the node.", "5.2.4",
		func(w *inventory.Workload) bool { return w.Spec.HostIPC }))

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "host-port",
			Title:       "Container binds a host port",
			Layer:       check.LayerContainer,
			Severity:    check.Medium,
			Looks:       "ports[].hostPort of every container.",
			Rationale:   "A hostPort opens the port on the node's own address, bypassing Services and most network policies, and pins the pod to nodes where the port is free.",
			Remediation: "Remove hostPort and expose the container through a Service (ClusterIP, or LoadBalancer with source ranges).",
			Example: `ports:
  - containerPort: 8080   # no hostPort`,
			References: check.References{
				CIS:   []string{"5.2.13"},
				NSA:   []string{"Network separation and hardening"},
				MITRE: []string{"T1133"},
				PSS:   []string{"baseline: Host Ports"},
			},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			for i, p := range c.Ports {
				if p.HostPort != 0 {
					ctx.ReportContainer(w, c, c.Path+".ports["+strconv.Itoa(i)+"].hostPort", "container "+quote(c.Name)+" binds host port "+strconv.Itoa(int(p.HostPort))+
						" on the node's address; expose it through a Service instead")
				}
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "sensitive-host-path",
			Title:    "Sensitive or writable host path mounted",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks: "hostPath volumes mounted by a container: paths that are /, or are or lie below /etc, /proc, /sys, /root, /home, /boot, /dev, " +
				"/var/lib/kubelet, /var/lib/docker, /var/lib/containerd, /etc/kubernetes or /var/log; and any hostPath mounted writable.",
			Rationale: "These paths hold the node's credentials (kubelet and cluster certificates, SSH keys), its configuration and other " +
				"containers' data; a writable host mount lets a container plant files the node will run.",
			Remediation: "Use a ConfigMap, Secret, emptyDir or persistent volume instead. If a node agent must read host files, mount the narrowest path readOnly.",
			Example: `volumeMounts:
  - name: varlog
    mountPath: /var/log
    readOnly: true`,
			References: check.References{
				CIS:   []string{"5.2.12"},
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611", "T1552.001"},
				PSS:   []string{"baseline: HostPath Volumes"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, w := range ctx.Inventory.Workloads() {
				if !hasHostPath(w) {
					continue
				}
				writers := mountsByVolume(w, true)
				mounts := mountsByVolume(w, false)
				for i, v := range w.Spec.Volumes {
					if v.HostPath == nil || len(mounts[v.Name]) == 0 {
						continue
					}
					var problems []string
					if dir, ok := sensitiveHostPath(v.HostPath.Path); ok {
						if dir == path.Clean("/"+v.HostPath.Path) {
							problems = append(problems, "mounts the sensitive host path "+dir)
						} else {
							problems = append(problems, "mounts "+quote(v.HostPath.Path)+", below the sensitive host path "+dir)
						}
					}
					if users := writers[v.Name]; len(users) > 0 {
						problems = append(problems, "is writable by "+joinQuoted(users))
					}
					if len(problems) == 0 {
						continue
					}
					ctx.ReportFinding(check.Finding{
						Object:    w.Object,
						Container: mounts[v.Name][0],
						Path:      w.Field("volumes[" + strconv.Itoa(i) + "].hostPath.path"),
						Message:   "hostPath volume " + quote(v.Name) + " " + strings.Join(problems, " and ") + "; use another volume type, or mount the narrowest path readOnly",
					})
				}
			}
		},
	})
}
