package admission

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// CachedKinds are the kinds the informer cache (NewCache) keeps.
var CachedKinds = []string{"Namespace", "Pod", "ReplicationController", "Service", "ServiceAccount",
	"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
	"NetworkPolicy", "Ingress", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}

// nodeKinds are what node and control-plane checks read from a node's
// files: nothing an admission request brings.
var nodeKinds = []string{"NodeHost", "KubeletConfiguration", "EncryptionConfiguration", "Policy", "KubeProxyConfiguration"}

// ChecksMarkdown is docs/admission-checks.md: for each check, whether the
// webhook judges an object with it alone, only with the informer cache,
// or only warns.
func ChecksMarkdown(checks []*check.Check) []byte {
	var b bytes.Buffer
	b.WriteString("# Checks at admission\n\n")
	b.WriteString("<!-- Generated from the check registry by `go test ./internal/admission -update`; do not edit. -->\n\n")
	b.WriteString("The webhook runs every check of `kube4c scan` on the object of a request. A finding may refuse the request " +
		"only when the webhook knows every kind of object the check reads (docs/admission.md):\n\n" +
		"- **alone**: the check reads only the object itself, so the webhook judges it as a scan of the same file would;\n" +
		"- **with the cache**: the check reads other kinds too, which the informer cache keeps (`--kubeconfig` or in a cluster); " +
		"without the cache its findings only warn;\n" +
		"- **warns only**: the check reads kinds the webhook never caches (Secrets and ConfigMaps, whose values it never reads, " +
		"HorizontalPodAutoscalers, custom resources), so its findings only warn;\n" +
		"- **not at admission**: node and control-plane checks, which read a node's files (`kube4c node`).\n\n")
	b.WriteString("| Check | Severity | At admission | Kinds it reads besides workloads |\n|---|---|---|---|\n")
	for _, c := range checks {
		others := otherKinds(c.ReadKinds())
		var verdict string
		switch {
		case slices.ContainsFunc(others, func(k string) bool { return slices.Contains(nodeKinds, k) }):
			verdict = "not at admission"
		case len(others) == 0:
			verdict = "alone"
		case !slices.ContainsFunc(others, func(k string) bool { return !slices.Contains(CachedKinds, k) }):
			verdict = "with the cache"
		default:
			verdict = "warns only"
		}
		fmt.Fprintf(&b, "| [`%s`](checks.md#%s) | %s | %s | %s |\n", c.ID, c.ID, c.Severity, verdict, strings.Join(others, ", "))
	}
	return b.Bytes()
}

// otherKinds are the kinds of reads besides the workloads, or none for a
// check that reads one kind only: it judges objects of that kind alone.
func otherKinds(reads []string) []string {
	if len(reads) == 1 {
		return nil
	}
	var out []string
	for _, k := range reads {
		if !slices.Contains(inventory.WorkloadKinds, k) && k != check.EveryKind {
			out = append(out, k)
		}
	}
	return out
}
