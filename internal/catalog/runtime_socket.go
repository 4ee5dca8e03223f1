package catalog

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	corev1 "k8s.io/api/core/v1"
)

// runtimeSockets are the host paths where container runtimes listen.
var runtimeSockets = []string{
	"/var/run/docker.sock",
	"/run/docker.sock",
	"/var/run/dockershim.sock",
	"/var/run/cri-dockerd.sock",
	"/run/cri-dockerd.sock",
	"/var/run/containerd/containerd.sock",
	"/run/containerd/containerd.sock",
	"/run/k3s/containerd/containerd.sock",
	"/var/run/crio/crio.sock",
	"/run/crio/crio.sock",
	"/var/run/podman/podman.sock",
	"/run/podman/podman.sock",
}

// runtimeSocketNames are file names that are runtime sockets wherever they are.
var runtimeSocketNames = []string{"docker.sock", "dockershim.sock", "cri-dockerd.sock", "containerd.sock", "crio.sock", "podman.sock"}

// runtimeSocketExposed returns the runtime socket a host path gives access
// to: the socket itself, or a directory that contains one.
func runtimeSocketExposed(hostPath string) (string, bool) {
	p := path.Clean("/" + strings.TrimSpace(hostPath))
	for _, name := range runtimeSocketNames {
		if path.Base(p) == name {
			return p, true
		}
	}
	for _, sock := range runtimeSockets {
		if p == "/" || strings.HasPrefix(sock, p+"/") {
			return sock, true
		}
	}
	return "", false
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "container-runtime-socket",
			Title:    "Container runtime socket mounted",
			Layer:    check.LayerContainer,
			Severity: check.Critical,
			Looks: "hostPath volumes mounted by a container whose path is a container runtime socket " +
				"(docker.sock, containerd.sock, crio.sock, podman.sock and others) or a directory that holds one, such as /var/run.",
			Rationale: "Whoever can talk to the runtime socket can start a privileged container on the node " +
				"(\"Docker in Docker\"), read every container's files and secrets, and so owns the node.",
			Remediation: "Do not mount the runtime socket. Build images with a daemonless builder (BuildKit " +
				"rootless, Kaniko, Buildah) and read container metadata from the Kubernetes API instead.",
			Example: `# instead of a hostPath to /var/run/docker.sock, use an emptyDir
volumes:
  - name: workspace
    emptyDir: {}`,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1610", "T1611"},
				PSS:   []string{"baseline: HostPath Volumes"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, w := range ctx.Inventory.Workloads() {
				if !hasHostPath(w) {
					continue
				}
				mounts := mountsByVolume(w, false)
				for i, v := range w.Spec.Volumes {
					if v.HostPath == nil {
						continue
					}
					sock, ok := runtimeSocketExposed(v.HostPath.Path)
					users := mounts[v.Name]
					if !ok || len(users) == 0 {
						continue
					}
					what := "the container runtime socket " + sock
					if sock != path.Clean(v.HostPath.Path) {
						what = quote(v.HostPath.Path) + ", which holds the runtime socket " + sock
					}
					ctx.ReportFinding(check.Finding{
						Object:    w.Object,
						Container: users[0],
						Path:      w.Field("volumes[" + strconv.Itoa(i) + "].hostPath.path"),
						Message: "volume " + quote(v.Name) + " mounts " + what + " into " + joinQuoted(users) +
							": that gives control of every container on the node; remove the mount",
					})
				}
			}
		},
	})
}

// hasHostPath reports whether the workload has a hostPath volume.
func hasHostPath(w *inventory.Workload) bool {
	return slices.ContainsFunc(w.Spec.Volumes, func(v corev1.Volume) bool { return v.HostPath != nil })
}

// mountsByVolume maps each volume name to the containers that mount it
// (only those that mount it without readOnly, when writableOnly is set).
func mountsByVolume(w *inventory.Workload, writableOnly bool) map[string][]string {
	m := map[string][]string{}
	for _, c := range w.Containers() {
		for _, vm := range c.VolumeMounts {
			if writableOnly && vm.ReadOnly {
				continue
			}
			users := m[vm.Name]
			if len(users) == 0 || users[len(users)-1] != c.Name {
				m[vm.Name] = append(users, c.Name)
			}
		}
	}
	return m
}
