package catalog

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

const cloudNodeIdentityID = "cloud-node-identity"

// nodeIdentitySettings are the settings of cloud-node-identity.
type nodeIdentitySettings struct {
	// Provider names the cloud when the scan does not show it (no Node,
	// no workload identity annotation, no aws-auth ConfigMap).
	Provider string `json:"provider" yaml:"provider"`
	// PodIdentityServiceAccounts lists namespace/name of the service
	// accounts that have an EKS Pod Identity association (made in the EKS
	// API, invisible to Kubernetes).
	PodIdentityServiceAccounts []string `json:"podIdentityServiceAccounts" yaml:"podIdentityServiceAccounts"`
}

// nodeIdentitySettingsOf decodes and validates the settings.
func nodeIdentitySettingsOf(s check.Settings) (nodeIdentitySettings, error) {
	var set nodeIdentitySettings
	if s != nil {
		if err := s.Decode(cloudNodeIdentityID, &set); err != nil {
			return set, err
		}
	}
	if _, ok := cloudNames[cloud(set.Provider)]; set.Provider != "" && !ok {
		return set, fmt.Errorf("settings.%s.provider: %q is not aws, gcp or azure", cloudNodeIdentityID, set.Provider)
	}
	for _, sa := range set.PodIdentityServiceAccounts {
		if ns, name, ok := strings.Cut(sa, "/"); !ok || ns == "" || name == "" {
			return set, fmt.Errorf("settings.%s.podIdentityServiceAccounts: %q is not namespace/name", cloudNodeIdentityID, sa)
		}
	}
	return set, nil
}

// cloudCallers are the signs that a container calls a cloud's API: env
// variables its SDKs read, command-line arguments of cloud-aware tools
// (external-dns, cluster-autoscaler) and the providers' CLI images.
var cloudCallers = struct {
	env, args, images map[string]cloud
}{
	env: map[string]cloud{
		"AWS_REGION":            cloudAWS,
		"AWS_DEFAULT_REGION":    cloudAWS,
		"AWS_SDK_LOAD_CONFIG":   cloudAWS,
		"GOOGLE_CLOUD_PROJECT":  cloudGCP,
		"GCLOUD_PROJECT":        cloudGCP,
		"GCP_PROJECT":           cloudGCP,
		"CLOUDSDK_CORE_PROJECT": cloudGCP,
		"AZURE_SUBSCRIPTION_ID": cloudAzure,
		"AZURE_RESOURCE_GROUP":  cloudAzure,
	},
	args: map[string]cloud{
		"--provider=aws":         cloudAWS,
		"--cloud-provider=aws":   cloudAWS,
		"--provider=google":      cloudGCP,
		"--cloud-provider=gce":   cloudGCP,
		"--provider=azure":       cloudAzure,
		"--cloud-provider=azure": cloudAzure,
	},
	images: map[string]cloud{
		"docker.io/amazon/aws-cli":                        cloudAWS,
		"public.ecr.aws/aws-cli/aws-cli":                  cloudAWS,
		"docker.io/google/cloud-sdk":                      cloudGCP,
		"gcr.io/google.com/cloudsdktool/cloud-sdk":        cloudGCP,
		"gcr.io/google.com/cloudsdktool/google-cloud-cli": cloudGCP,
		"mcr.microsoft.com/azure-cli":                     cloudAzure,
	},
}

// ownCredentials are env variables that give a container cloud
// credentials of its own (static keys, or a workload identity the
// provider's webhook injected): such a container does not fall back to
// the node's.
var ownCredentials = map[string]bool{
	"AWS_ACCESS_KEY_ID":                  true,
	"AWS_SECRET_ACCESS_KEY":              true,
	"AWS_SHARED_CREDENTIALS_FILE":        true,
	"AWS_ROLE_ARN":                       true,
	"AWS_WEB_IDENTITY_TOKEN_FILE":        true,
	"AWS_CONTAINER_CREDENTIALS_FULL_URI": true,
	"GOOGLE_APPLICATION_CREDENTIALS":     true,
	"AZURE_CLIENT_SECRET":                true,
	"AZURE_CLIENT_CERTIFICATE_PATH":      true,
	"AZURE_FEDERATED_TOKEN_FILE":         true,
}

// cloudCall says which cloud a workload calls and why, or "" when nothing
// says it does, and whether it brings credentials of its own. The evidence
// quotes kube4c's own list, never the manifest.
func cloudCall(ctx *check.Context, w *inventory.Workload) (c cloud, evidence string, own bool) {
	for _, ct := range w.Containers() {
		for _, e := range ct.Env {
			own = own || ownCredentials[e.Name]
			if found, ok := cloudCallers.env[e.Name]; ok && c == "" {
				c, evidence = found, "env "+e.Name
			}
		}
		for _, a := range append(slices.Clone(ct.Command), ct.Args...) {
			arg := strings.ToLower(strings.TrimSpace(a))
			if found, ok := cloudCallers.args[arg]; ok && c == "" {
				c, evidence = found, "argument "+arg
			}
		}
		if p := ctx.Images().Of(ct.Image); p.Err == nil && c == "" {
			if found, ok := cloudCallers.images[p.Ref.Named.Name()]; ok {
				c, evidence = found, "image "+p.Ref.Named.Name()
			}
		}
	}
	return c, evidence, own
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       cloudNodeIdentityID,
			Title:    "Workload calls the cloud with the node's identity",
			Layer:    check.LayerCloud,
			Severity: check.High,
			Reads:    withWorkloads("ServiceAccount", "NetworkPolicy", "Namespace", "Node", "ConfigMap"),
			// A workload's verdict depends on its namespace and on the
			// cloud, which every namespace's service accounts and
			// kube-system's aws-auth ConfigMap tell.
			Scope:          check.ScopeNamespace,
			CrossNamespace: []string{"ServiceAccount", "ConfigMap"},
			Looks: "workloads that call a cloud's API (its SDK's env variables such as AWS_REGION, GOOGLE_CLOUD_PROJECT or " +
				"AZURE_SUBSCRIPTION_ID; arguments such as --provider=aws; the providers' CLI images), bring no credentials of their own " +
				"and may reach the metadata API (the network policy engine of metadata-api-reachable), on a cluster the scan shows runs " +
				"on that cloud (its Nodes, else workload identity annotations or the aws-auth ConfigMap; settings." + cloudNodeIdentityID +
				".provider otherwise). AWS: the service account has no " + irsaRoleARN + " (IRSA) and is not in settings." + cloudNodeIdentityID +
				".podIdentityServiceAccounts (EKS Pod Identity associations and the nodes' IMDS hop limit are not visible from Kubernetes: " +
				"medium unless the pod uses the host network). Google Cloud: the pod uses the host network, or may run on a node pool " +
				"without the GKE metadata server (GKE Workload Identity). Azure: no Microsoft Entra Workload ID (pod label " + azureUseLabel +
				" and " + azureClientID + " on the service account) nor aad-pod-identity. A service account that is not in the scan is " +
				"not judged, except default.",
			Rationale: "A pod without an identity of its own gets the node's: the instance role, service account or managed identity " +
				"that every pod on the node shares, which has to allow what all of them need. Whoever compromises any pod on the node " +
				"acts in the cloud with it.",
			Remediation: "Give the workload its own cloud identity: IRSA or EKS Pod Identity, GKE Workload Identity (with the GKE " +
				"metadata server on every node pool), or Microsoft Entra Workload ID; then block the metadata API for pods (IMDSv2 with a " +
				"hop limit of 1 on EKS, NetworkPolicy egress that excepts 169.254.169.254/32).",
			Example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: reports
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/reports`,
			References: check.References{
				MITRE: []string{"T1552.005", "T1078.004"},
				URLs:  []string{eksBestPracticesIAM, gkeHardening, gkeWorkloadIdentity, aksBaseline, aksWorkloadIdentity},
			},
			ValidateSettings: func(s check.Settings) error {
				_, err := nodeIdentitySettingsOf(s)
				return err
			},
		},
		Run: func(ctx *check.Context) {
			set, err := nodeIdentitySettingsOf(ctx.Settings)
			if err != nil {
				return // ValidateSettings refuses such settings before a scan
			}
			clouds := clusterClouds(ctx.Inventory)
			if set.Provider != "" {
				clouds[cloud(set.Provider)] = "the settings"
			}
			if len(clouds) == 0 {
				return
			}
			j := nodeIdentityJudge{ctx: ctx, set: set, eng: ctx.NetworkPolicies(), pools: gkePools(nodesOf(ctx.Inventory))}
			for _, p := range j.eng.Pods() {
				c, evidence, own := cloudCall(ctx, p.View)
				if c == "" || own || clouds[c] == "" {
					continue
				}
				j.judge(p, c, evidence)
			}
		},
	})
}

// nodeIdentityJudge decides, workload by workload, whether the node's
// identity is what the workload calls the cloud with.
type nodeIdentityJudge struct {
	ctx   *check.Context
	set   nodeIdentitySettings
	eng   *netpol.Engine
	pools []*gkePool
}

// judge reports p when it calls cloud c with the node's identity.
func (j nodeIdentityJudge) judge(p *netpol.Workload, c cloud, evidence string) {
	w := p.View
	reach := metadataReach(j.eng, p)
	if reach == "" {
		return
	}
	ns := netpol.NamespaceOf(w.Object)
	saName := serviceAccountName(w.Spec)
	sa := j.ctx.Inventory.Get(serviceAccountKind, ns, saName)
	if sa == nil && saName != "default" {
		return // not in the scan: its annotations are unknown
	}
	var saAnn map[string]string
	if sa != nil {
		saAnn = sa.Meta.GetAnnotations()
	}
	what := p.Kind + " " + quote(p.Name) + " calls " + cloudNames[c] + " (" + evidence + ")"
	f := check.Finding{Object: w.Object, Path: w.SpecPath + ".serviceAccountName"}
	switch c {
	case cloudAWS:
		if saAnn[irsaRoleARN] != "" || slices.Contains(j.set.PodIdentityServiceAccounts, ns+"/"+saName) {
			return
		}
		if !p.HostNetwork {
			f.Severity = check.Medium
		}
		f.Message = what + " with the node's IAM role: its service account " + quote(saName) + " has no " + irsaRoleARN +
			" (IRSA), and it can reach the metadata API: " + reach + "; give it a role of its own with IRSA or EKS Pod Identity " +
			"(EKS Pod Identity associations and the nodes' IMDS hop limit are not visible from Kubernetes: list a service account " +
			"with an association in settings." + cloudNodeIdentityID + ".podIdentityServiceAccounts)"
	case cloudGCP:
		if p.HostNetwork {
			f.Path = w.SpecPath + ".hostNetwork"
			f.Message = what + " with the node's service account: it uses the host network, where the GKE metadata server does not answer; " +
				"run it without hostNetwork, or give it no cloud access"
			break
		}
		pools := j.poolsWithoutMetadataServer(w.Spec)
		if len(pools) == 0 {
			return
		}
		f.Path = w.SpecPath + ".nodeSelector"
		f.Message = what + " with the node's service account: it may run on node pool " + joinQuoted(pools) +
			", which runs without the GKE metadata server; enable GKE Workload Identity on the pool, or pin the workload to pools " +
			"that run it (nodeSelector " + gkeMetadataServer + `: "true")`
	case cloudAzure:
		wi := w.PodMeta.Labels[azureUseLabel] == "true" && saAnn[azureClientID] != ""
		if wi || w.PodMeta.Labels[aadPodIdentity] != "" {
			return
		}
		f.Message = what + " with the node's managed identity: no Microsoft Entra Workload ID (pod label " + azureUseLabel +
			" and " + azureClientID + " on service account " + quote(saName) + "), and it can reach the metadata API: " + reach +
			"; give it a workload identity and block the metadata API for pods"
	}
	j.ctx.ReportFinding(f)
}

// poolsWithoutMetadataServer names the GKE node pools without the GKE
// metadata server that a pod spec may be scheduled on (its nodeSelector
// may pin it to a pool, or to pools that run the metadata server).
func (j nodeIdentityJudge) poolsWithoutMetadataServer(spec *corev1.PodSpec) []string {
	var out []string
	for _, p := range j.pools {
		sel := spec.NodeSelector
		switch {
		case p.metadataServer:
		case sel[gkeMetadataServer] == "true" || sel[gkeMetadataServer2] == "true":
		case sel[gkeNodePool] != "" && sel[gkeNodePool] != p.name:
		default:
			out = append(out, p.name)
		}
	}
	return out
}
