package catalog

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/testutil"
)

// polarisCounterparts maps each polaris check that kube4c has a
// counterpart for to the kube4c checks that decide the same question. A
// polaris fixture "fails" when one of them reports a finding in it.
// Polaris checks without a counterpart (hpa*, pdb*, priorityClassNotSet,
// topologySpreadConstraint, metadataAndInstanceMismatched, resourceRange,
// linuxHardening, sensitiveConfigmapContent) are left out, as are
// clusterrolePodExecAttach and rolePodExecAttach: polaris judges a role on
// its own, kube4c judges what bindings grant to subjects.
var polarisCounterparts = map[string][]string{
	"automountServiceAccountToken":        {"service-account-token-automount"},
	"cpuLimitsMissing":                    {"missing-cpu-limit"},
	"cpuRequestsMissing":                  {"missing-cpu-request"},
	"dangerousCapabilities":               {"dangerous-capabilities"},
	"deploymentMissingReplicas":           {"single-replica"},
	"hostIPCSet":                          {"host-ipc"},
	"hostNetworkSet":                      {"host-network"},
	"hostPIDSet":                          {"host-pid"},
	"hostPathSet":                         {"sensitive-host-path"},
	"hostPortSet":                         {"host-port"},
	"hostProcess":                         {"windows-host-process"},
	"insecureCapabilities":                {"capabilities-not-dropped"},
	"livenessProbeMissing":                {"missing-liveness-probe"},
	"readinessProbeMissing":               {"missing-readiness-probe"},
	"memoryLimitsMissing":                 {"missing-memory-limit"},
	"memoryRequestsMissing":               {"missing-memory-request"},
	"nakedPod":                            {"naked-pod"},
	"notReadOnlyRootFilesystem":           {"writable-root-filesystem"},
	"privilegeEscalationAllowed":          {"privilege-escalation-allowed"},
	"procMount":                           {"proc-mount-unmasked"},
	"pullPolicyNotAlways":                 {"image-pull-policy"},
	"runAsPrivileged":                     {"privileged-container"},
	"runAsRootAllowed":                    {"run-as-root"},
	"sensitiveContainerEnvVar":            {"secret-in-env"},
	"tagNotSpecified":                     {"image-latest-tag"},
	"tlsSettingsMissing":                  {"ingress-no-tls"},
	"missingNetworkPolicy":                {"pod-not-isolated-ingress", "pod-not-isolated-egress"},
	"clusterrolebindingClusterAdmin":      {"rbac-cluster-admin"},
	"rolebindingClusterAdminClusterRole":  {"rbac-cluster-admin"},
	"rolebindingClusterAdminRole":         {"rbac-cluster-admin"},
	"clusterrolebindingPodExecAttach":     {"rbac-pod-exec"},
	"rolebindingClusterRolePodExecAttach": {"rbac-pod-exec"},
	"rolebindingRolePodExecAttach":        {"rbac-pod-exec"},
}

// polarisDisagreements explains, by a part of the fixture path, every case
// where kube4c decides otherwise than polaris, on purpose.
var polarisDisagreements = []struct{ match, why string }{
	{"deploymentMissingReplicas/failure.yaml", "the fixture says apiVersion v1 kind Deployment, which Kubernetes does not have: kube4c reports an input error"},
	{"runAsRootAllowed/failure.yaml", "the fixture says apiVersion v1 kind Deployment, which Kubernetes does not have: kube4c reports an input error"},
	{"hostPathSet/failure.yaml", "the hostPath volume (/var/log) is mounted by no container, so it exposes nothing; pss-baseline still reports it"},
	{"insecureCapabilities/success", "the container drops a list of capabilities but not ALL: capabilities-not-dropped asks for drop ALL"},
	{"nakedPod/success.yaml", "the fixture is a Pod without ownerReferences, which is what a naked pod is"},
	{"pullPolicyNotAlways/failure", "the image has no tag, so Kubernetes defaults imagePullPolicy to Always: nothing is cached"},
	{"system_prefix", "polaris trusts bindings whose name starts with system:; kube4c judges what is granted, not names"},
	{"gce_calico_binding", "polaris trusts bindings named like GKE's defaults; kube4c judges what is granted, not names"},
	{"defaultclusterrolebinding", "polaris trusts bindings named like Kubernetes' defaults; kube4c judges what is granted to the fixture's user"},
	{"role_binding_cluster_role_binding.yaml", "the RoleBinding grants create on pods/exec to a user; polaris looks only at the Role kind it expects"},
	{"binding_points_to_missing_ref", "the binding's role is not in the manifests, so what it grants is unknown (rbac-binding-missing-role reports it with --complete)"},
	{"PodExecAttach/failure.get_", "the role grants get, not create, on pods/exec or attach; since the API server requires create for the WebSocket upgrade too, get no longer opens a shell"},
	{"ClusterAdmin", "the role lists every verb on every resource rather than \"*\" verbs and is not cluster-admin: kube4c reports it as rbac-wildcard and rbac-read-secrets, not rbac-cluster-admin"},
	{"missingNetworkPolicy/failure.netpol_targets_wrong_pod_label", "no policy isolates the pod, but nothing exposes it outside the cluster: kube4c lists it in the finding of namespace-no-default-deny-* about its namespace, one finding for one root cause"},
	{"missingNetworkPolicy/failure.netpol_missing_", "the policy lists both directions in policyTypes but writes rules for one: the other direction is denied entirely, so the pod is isolated both ways; polaris wants rules for both"},
}

func TestAgreementWithPolarisExpectations(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	data, err := os.ReadFile(filepath.Join(corpus, "expectations", "polaris.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Cases []struct {
			Fixture  string `json:"fixture"`
			Check    string `json:"check"`
			Expected string `json:"expected_outcome"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatal(err)
	}
	agree, explained, compared := 0, 0, 0
	used := make([]int, len(polarisDisagreements))
	for _, c := range exp.Cases {
		ids, ok := polarisCounterparts[c.Check]
		if !ok {
			continue
		}
		compared++
		res := manifest.Load([]string{filepath.Join(corpus, "real", "FairwindsOps__polaris", c.Fixture)}, manifest.Options{})
		var checks []*check.Check
		for _, id := range ids {
			checks = append(checks, check.Default.Get(id))
		}
		findings, _, _ := check.Run(context.Background(), inventory.New(res.Objects), checks, check.Env{Now: time.Now()})
		got := "pass"
		if len(findings) > 0 {
			got = "fail"
		}
		if got == c.Expected {
			agree++
			continue
		}
		i := slices.IndexFunc(polarisDisagreements, func(d struct{ match, why string }) bool { return strings.Contains(c.Fixture, d.match) })
		if i < 0 {
			t.Errorf("%s (%s): polaris expects %s, kube4c %s with %v", c.Fixture, c.Check, c.Expected, got, ids)
			continue
		}
		used[i]++
		explained++
	}
	for i, n := range used {
		if n == 0 {
			t.Errorf("explanation %q matches no disagreement any more; remove it", polarisDisagreements[i].match)
		}
	}
	t.Logf("%d polaris cases with a counterpart: %d agree, %d disagree on purpose (explained)", compared, agree, explained)
}
