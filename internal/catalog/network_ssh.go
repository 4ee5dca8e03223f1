package catalog

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

const sshPort = 22

// isSSHPortName reports whether a port name says SSH.
func isSSHPortName(name string) bool { return strings.EqualFold(name, "ssh") }

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "ssh-port-exposed",
			Title:    "SSH port exposed by a container or Service",
			Layer:    check.LayerCode,
			Severity: check.Medium,
			Reads:    withWorkloads("Service"),
			Looks: "container ports of every workload (containerPort 22 or a port named ssh) and the ports of every Service " +
				"(port or targetPort 22, or targetPort ssh).",
			Rationale: "An SSH server in a container is a second way in that bypasses the orchestrator: it needs keys or passwords " +
				"that are hard to rotate, is a classic brute-force target, and gives an interactive shell to whoever gets in.",
			Remediation: "Remove the SSH server from the image and use kubectl exec or kubectl debug, which the API server " +
				"authenticates, authorizes and audits. If SSH is the product (a Git server), restrict who can reach it with a NetworkPolicy.",
			Example: `# instead of ssh: kubectl exec -it deploy/app -- sh
ports:
  - {name: http, containerPort: 8080}`,
			References: check.References{NSA: []string{"Network separation and hardening"}, MITRE: []string{"T1021.004", "T1110"}},
		},
		Run: func(ctx *check.Context) {
			for _, w := range ctx.Inventory.Workloads() {
				for _, c := range w.Containers() {
					for k, p := range c.Ports {
						if p.ContainerPort == sshPort || isSSHPortName(p.Name) {
							ctx.ReportFinding(check.Finding{Object: w.Object, Container: c.Name, Path: fmt.Sprintf("%s.ports[%d].containerPort", c.Path, k),
								Message: fmt.Sprintf("container %s declares the SSH port %d; remove the SSH server and use kubectl exec", quote(c.Name), p.ContainerPort)})
						}
					}
				}
			}
			eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
				for i, p := range svc.Spec.Ports {
					if path := sshServicePort(i, p); path != "" {
						ctx.Report(obj, path, "Service "+quote(svc.Name)+" exposes SSH (port "+fmt.Sprint(p.Port)+" to "+p.TargetPort.String()+
							"); do not publish SSH from the cluster, or restrict it with a NetworkPolicy")
					}
				}
			})
		},
	})
}

// sshServicePort returns the path of the field that makes a Service port
// SSH, or "".
func sshServicePort(i int, p corev1.ServicePort) string {
	t := p.TargetPort
	switch {
	case p.Port == sshPort:
		return fmt.Sprintf("spec.ports[%d].port", i)
	case t.Type == intstr.Int && t.IntVal == sshPort || t.Type == intstr.String && isSSHPortName(t.StrVal):
		return fmt.Sprintf("spec.ports[%d].targetPort", i)
	}
	return ""
}
