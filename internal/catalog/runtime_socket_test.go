package catalog

import "testing"

func TestContainerRuntimeSocket(t *testing.T) {
	pod := func(path, mount string) string {
		return `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: x
      volumeMounts: [{name: ` + mount + `, mountPath: /host}]
  volumes:
    - name: v
      hostPath: {path: ` + path + `}
`
	}
	for _, path := range []string{"/var/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/podman/podman.sock", "/var/run", "/run/", "/", "/opt/custom/docker.sock"} {
		t.Run(path, func(t *testing.T) {
			expectFindings(t, scanText(t, "container-runtime-socket", pod(path, "v")), "spec.volumes[0].hostPath.path")
		})
	}
	for _, path := range []string{"/var/log", "/var/run-not", "/run/secrets/token", "/var/lib/docker.socket"} {
		t.Run("near miss "+path, func(t *testing.T) {
			expectFindings(t, scanText(t, "container-runtime-socket", pod(path, "v")))
		})
	}
	t.Run("declared but not mounted", func(t *testing.T) {
		expectFindings(t, scanText(t, "container-runtime-socket", pod("/var/run/docker.sock", "other")))
	})
}
