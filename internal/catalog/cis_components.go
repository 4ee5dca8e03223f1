package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

// Common remediations of the controller manager, scheduler and etcd items.
const (
	editControllerManager = "Edit the kube-controller-manager static pod manifest (/etc/kubernetes/manifests/kube-controller-manager.yaml on kubeadm): "
	editScheduler         = "Edit the kube-scheduler static pod manifest (/etc/kubernetes/manifests/kube-scheduler.yaml on kubeadm): "
	editEtcd              = "Edit the etcd static pod manifest (/etc/kubernetes/manifests/etcd.yaml on kubeadm): "
)

// gateNotFalse wants a feature gate not turned off in --feature-gates.
func gateNotFalse(gate string) flagTest {
	return func(f controlplane.Flags) (string, string) {
		if on, set := f.Gate(gate); set && !on {
			return "feature-gates", "--feature-gates turns " + gate + " off"
		}
		return "feature-gates", ""
	}
}

func init() {
	cm, s, e := controlplane.ControllerManager, controlplane.Scheduler, controlplane.Etcd
	bindLocal := "The component's health and metrics endpoints need no remote access; bound to every address (the default 0.0.0.0) they are reachable from the network."
	registerFlagItems([]flagItem{
		{"1.3.1", "controller-manager-pod-gc-threshold", cm, check.Info, "Terminated pod garbage collection threshold set", flagsSet("terminated-pod-gc-threshold"),
			"The default keeps up to 12500 terminated pods, which can weigh on etcd and the API server.", editControllerManager + "set --terminated-pod-gc-threshold to a value that fits the cluster, for example 10."},
		{"1.3.2", "controller-manager-profiling", cm, check.Low, "Controller manager profiling disabled", flagIs("profiling", "false", "true"),
			"The profiling endpoint exposes details of the program and costs resources to serve.", editControllerManager + "set --profiling=false."},
		{"1.3.3", "controller-manager-sa-credentials", cm, check.Medium, "Controllers use their own service accounts", flagIs("use-service-account-credentials", "true", "false"),
			"Without it every controller acts with the controller manager's own broad credentials instead of a least-privilege account per controller.", editControllerManager + "set --use-service-account-credentials=true."},
		{"1.3.4", "controller-manager-sa-private-key", cm, check.Medium, "Service account token signing key set", flagsSet("service-account-private-key-file"),
			"Without an explicit signing key, tokens cannot be verified across restarts and keys cannot be rotated.", editControllerManager + "set --service-account-private-key-file."},
		{"1.3.5", "controller-manager-root-ca", cm, check.Medium, "Root CA published to service accounts", flagsSet("root-ca-file"),
			"Pods verify the API server with this CA bundle; without it they cannot detect a man in the middle.", editControllerManager + "set --root-ca-file to the cluster CA bundle."},
		{"1.3.6", "controller-manager-rotate-server-certs", cm, check.Low, "Kubelet serving certificate rotation not turned off", gateNotFalse("RotateKubeletServerCertificate"),
			"Without rotation kubelet serving certificates are not renewed automatically and tend to be long-lived.", editControllerManager + "remove RotateKubeletServerCertificate=false from --feature-gates."},
		{"1.3.7", "controller-manager-bind-address", cm, check.Medium, "Controller manager bound to localhost", flagIs("bind-address", "127.0.0.1", "0.0.0.0"),
			bindLocal, editControllerManager + "set --bind-address=127.0.0.1."},
		{"1.4.1", "scheduler-profiling", s, check.Low, "Scheduler profiling disabled", flagIs("profiling", "false", "true"),
			"The profiling endpoint exposes details of the program and costs resources to serve.", editScheduler + "set --profiling=false."},
		{"1.4.2", "scheduler-bind-address", s, check.Medium, "Scheduler bound to localhost", flagIs("bind-address", "127.0.0.1", "0.0.0.0"),
			bindLocal, editScheduler + "set --bind-address=127.0.0.1."},
		{"2.1", "etcd-tls", e, check.High, "etcd serves clients over TLS", flagsSet("cert-file", "key-file"),
			"etcd holds every Secret of the cluster; without TLS its traffic is readable on the network.", editEtcd + "set --cert-file and --key-file."},
		{"2.2", "etcd-client-cert-auth", e, check.Critical, "etcd requires client certificates", flagIs("client-cert-auth", "true", "false"),
			"Without client certificate authentication anyone who reaches etcd's client port can read and write every object, Secrets included.", editEtcd + "set --client-cert-auth=true with --trusted-ca-file."},
		{"2.3", "etcd-auto-tls", e, check.Medium, "etcd does not use self-signed client certificates", flagIs("auto-tls", "false", "false"),
			"With auto-TLS etcd serves self-signed certificates that clients cannot verify.", editEtcd + "remove --auto-tls or set it to false."},
		{"2.4", "etcd-peer-tls", e, check.High, "etcd peers talk over TLS", flagsSet("peer-cert-file", "peer-key-file"),
			"Peer traffic replicates every object; without TLS it is readable on the network.", editEtcd + "set --peer-cert-file and --peer-key-file."},
		{"2.5", "etcd-peer-client-cert-auth", e, check.High, "etcd peers authenticate each other", flagIs("peer-client-cert-auth", "true", "false"),
			"Without peer authentication any host that reaches the peer port can join the etcd cluster.", editEtcd + "set --peer-client-cert-auth=true."},
		{"2.6", "etcd-peer-auto-tls", e, check.Medium, "etcd peers do not use self-signed certificates", flagIs("peer-auto-tls", "false", "false"),
			"Self-signed peer certificates cannot be verified.", editEtcd + "remove --peer-auto-tls or set it to false."},
	})
}
