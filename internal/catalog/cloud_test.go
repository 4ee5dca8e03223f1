package catalog

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

// findingsOf returns "object path severity: message" for each finding,
// sorted.
func findingsOf(t *testing.T, id, text, configYAML string) []string {
	t.Helper()
	var out []string
	for _, f := range scanWithSettings(t, id, text, configYAML) {
		out = append(out, f.Object.Name()+" "+f.Path+" "+f.Severity.String()+": "+f.Message)
	}
	slices.Sort(out)
	return out
}

// expectLines asserts that got has one line per want, in order, each
// starting with the wanted prefix.
func expectLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("finding %d:\n got %s\nwant %s...", i, got[i], want[i])
		}
	}
}

func podSpecDeployment(ns, name, spec string) string {
	return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" +
		"  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n    spec: " + spec + "\n"
}

// An EKS cluster (its Nodes say so), with IRSA on one service account.
const eksWorld = `apiVersion: v1
kind: Node
metadata: {name: ip-10-0-1-10.ec2.internal, labels: {eks.amazonaws.com/nodegroup: general}}
spec: {providerID: "aws:///us-east-1a/i-0123456789abcdef0"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/uploader"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: shop}
spec: {podSelector: {matchLabels: {app: blocked}}, policyTypes: [Egress]}
`

var eksWorkloads = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: reports, namespace: shop}\n" +
	"---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: podid, namespace: shop}\n" +
	podSpecDeployment("shop", "uploader", "{serviceAccountName: uploader, containers: [{name: c, image: x, env: [{name: AWS_REGION, value: us-east-1}]}]}") +
	podSpecDeployment("shop", "reports", "{serviceAccountName: reports, containers: [{name: c, image: x, env: [{name: AWS_REGION, value: us-east-1}]}]}") +
	podSpecDeployment("kube-system", "dns-agent", "{hostNetwork: true, containers: [{name: c, image: x, args: [--provider=aws, --source=service]}]}") +
	podSpecDeployment("shop", "blocked", "{containers: [{name: c, image: x, env: [{name: AWS_DEFAULT_REGION, value: eu-west-1}]}]}") +
	podSpecDeployment("shop", "static", "{containers: [{name: c, image: x, env: [{name: AWS_REGION, value: eu-west-1}, {name: AWS_SECRET_ACCESS_KEY, valueFrom: {secretKeyRef: {name: aws, key: secret}}}]}]}") +
	podSpecDeployment("shop", "podid", "{serviceAccountName: podid, containers: [{name: c, image: public.ecr.aws/aws-cli/aws-cli}]}") +
	podSpecDeployment("shop", "web", "{containers: [{name: c, image: nginx}]}")

func TestCloudNodeIdentityEKS(t *testing.T) {
	got := findingsOf(t, "cloud-node-identity", eksWorld+eksWorkloads, "")
	expectLines(t, got,
		`dns-agent spec.template.spec.serviceAccountName high: Deployment "dns-agent" calls AWS (argument --provider=aws) with the node's IAM role: its service account "default" has no eks.amazonaws.com/role-arn (IRSA)`,
		`podid spec.template.spec.serviceAccountName medium: Deployment "podid" calls AWS (image public.ecr.aws/aws-cli/aws-cli) with the node's IAM role`,
		`reports spec.template.spec.serviceAccountName medium: Deployment "reports" calls AWS (env AWS_REGION) with the node's IAM role`)
	if !strings.Contains(got[0], "it uses the host network, which NetworkPolicy does not restrict") || !strings.Contains(got[2], "EKS Pod Identity associations and the nodes' IMDS hop limit are not visible from Kubernetes") {
		t.Errorf("the messages do not give the evidence:\n%s", strings.Join(got, "\n"))
	}
	// An association made in the EKS API is declared in the settings.
	expectLines(t, findingsOf(t, "cloud-node-identity", eksWorld+eksWorkloads, "settings:\n  cloud-node-identity:\n    podIdentityServiceAccounts: [shop/podid, shop/reports]\n"),
		`dns-agent `)
	// Without evidence of the provider (no Node, no IRSA, no aws-auth), nothing is guessed.
	expectLines(t, findingsOf(t, "cloud-node-identity", eksWorkloads, ""))
	// The settings may name it. The service account of uploader is not in
	// the scan then: whether it has IRSA is unknown, and it is not judged;
	// nor is the policy that blocks the egress of blocked.
	expectLines(t, findingsOf(t, "cloud-node-identity", eksWorkloads, "settings:\n  cloud-node-identity:\n    provider: aws\n"), "blocked ", "dns-agent ", "podid ", "reports ")
}

func TestCloudNodeIdentityGKEAndAKS(t *testing.T) {
	gke := `apiVersion: v1
kind: Node
metadata: {name: gke-a, labels: {cloud.google.com/gke-nodepool: wi-pool, iam.gke.io/gke-metadata-server-enabled: "true"}}
spec: {providerID: "gce://proj/us-central1-a/gke-a"}
`
	legacyPool := "---\napiVersion: v1\nkind: Node\nmetadata: {name: gke-b, labels: {cloud.google.com/gke-nodepool: old-pool}}\nspec: {providerID: \"gce://proj/us-central1-a/gke-b\"}\n"
	gkeWorkloads := podSpecDeployment("data", "sync", "{hostNetwork: true, containers: [{name: c, image: x, env: [{name: GOOGLE_CLOUD_PROJECT, value: proj}]}]}") +
		podSpecDeployment("data", "bq", "{containers: [{name: c, image: google/cloud-sdk}]}") +
		podSpecDeployment("data", "pinned", "{nodeSelector: {iam.gke.io/gke-metadata-server-enabled: 'true'}, containers: [{name: c, image: google/cloud-sdk}]}")
	expectLines(t, findingsOf(t, "cloud-node-identity", gke+gkeWorkloads, ""),
		`sync spec.template.spec.hostNetwork high: Deployment "sync" calls Google Cloud (env GOOGLE_CLOUD_PROJECT) with the node's service account: it uses the host network, where the GKE metadata server does not answer`)
	expectLines(t, findingsOf(t, "cloud-node-identity", gke+legacyPool+gkeWorkloads, ""),
		`bq spec.template.spec.nodeSelector high: Deployment "bq" calls Google Cloud (image docker.io/google/cloud-sdk) with the node's service account: it may run on node pool "old-pool", which runs without the GKE metadata server`,
		`sync spec.template.spec.hostNetwork high: `)

	aks := `apiVersion: v1
kind: Node
metadata: {name: aks-nodepool1-0, labels: {kubernetes.azure.com/agentpool: nodepool1}}
spec: {providerID: "azure:///subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks/virtualMachines/0"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: wi, namespace: apps, annotations: {azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000}}
`
	aksWorkloads := podSpecDeployment("apps", "vault-sync", "{containers: [{name: c, image: x, env: [{name: AZURE_SUBSCRIPTION_ID, value: s}]}]}") +
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: with-wi, namespace: apps}\nspec:\n  selector: {matchLabels: {app: w}}\n  template:\n" +
		"    metadata: {labels: {app: w, azure.workload.identity/use: 'true'}}\n    spec: {serviceAccountName: wi, containers: [{name: c, image: mcr.microsoft.com/azure-cli}]}\n"
	expectLines(t, findingsOf(t, "cloud-node-identity", aks+aksWorkloads, ""),
		`vault-sync spec.template.spec.serviceAccountName high: Deployment "vault-sync" calls Azure (env AZURE_SUBSCRIPTION_ID) with the node's managed identity: no Microsoft Entra Workload ID`)
}

func TestNodeMetadataExposed(t *testing.T) {
	node := func(name, labels, providerID string) string {
		return "---\napiVersion: v1\nkind: Node\nmetadata: {name: " + name + ", labels: {" + labels + "}}\nspec: {providerID: '" + providerID + "'}\n"
	}
	nodes := node("gke-default-1", "cloud.google.com/gke-nodepool: default-pool", "gce://p/z/gke-default-1") +
		node("gke-default-2", "cloud.google.com/gke-nodepool: default-pool", "gce://p/z/gke-default-2") +
		node("gke-wi-1", "cloud.google.com/gke-nodepool: wi-pool, iam.gke.io/gke-metadata-server-enabled: 'true'", "gce://p/z/gke-wi-1") +
		node("gke-wi-2", "cloud.google.com/gke-nodepool: wi2, cloud.google.com/gke-metadata-server-enabled: 'true'", "gce://p/z/gke-wi-2") +
		node("gke-legacy-1", "cloud.google.com/gke-nodepool: legacy, cloud.google.com/metadata-proxy-ready: 'true'", "gce://p/z/gke-legacy-1") +
		node("ip-10-0-0-1.ec2.internal", "eks.amazonaws.com/nodegroup: general", "aws:///us-east-1a/i-1") +
		node("aks-nodepool1-0", "kubernetes.azure.com/agentpool: nodepool1", "azure:///subscriptions/s/x")
	expectLines(t, findingsOf(t, "node-metadata-exposed", nodes, ""),
		`gke-default-1 metadata.labels high: node pool "default-pool" (nodes "gke-default-1" and "gke-default-2") runs without the GKE metadata server: its pods can read the node's service-account token`,
		`gke-legacy-1 metadata.labels high: node pool "legacy" (node "gke-legacy-1") runs without the GKE metadata server: its pods can read the node's service-account token from the Compute Engine metadata server (its metadata concealment proxy hides kube-env, not the token)`)
	expectLines(t, findingsOf(t, "node-metadata-exposed", node("gke-wi-1", "cloud.google.com/gke-nodepool: wi-pool, iam.gke.io/gke-metadata-server-enabled: 'true'", "gce://p/z/gke-wi-1"), ""))
}

const awsAuth = `apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/eks-node-group-general
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
    - rolearn: arn:aws:iam::111122223333:role/platform-admins
      username: admin:{{SessionName}}
      groups: [system:masters]
    - rolearn: arn:aws:iam::111122223333:role/eks-node-group-general
      username: ops
      groups: [ops-team]
    - rolearn: arn:aws:iam::111122223333:role/dev-*
      username: dev
      groups: [developers]
    - rolearn: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef
      username: system:node:{{EC2PrivateDNSName}}
      groups: [system:nodes]
    - rolearn: arn:aws:iam::111122223333:role/readers
      username: reader
      groups: [view-only]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/alice
      username: alice
      groups: [system:masters]
    - userarn: arn:aws:iam::111122223333:user/build
      username: build
      groups: [system:nodes]
`

func TestAWSAuthMappings(t *testing.T) {
	expectLines(t, findingsOf(t, "eks-aws-auth-mapping", awsAuth, ""),
		`aws-auth data.mapRoles critical: aws-auth maps IAM role "arn:aws:iam::111122223333:role/platform-admins" to system:masters`,
		`aws-auth data.mapRoles high: aws-auth maps IAM role "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef" to system:nodes, but it is an IAM Identity Center role that people sign in with`,
		`aws-auth data.mapRoles high: aws-auth maps IAM role "arn:aws:iam::111122223333:role/dev-*" with a wildcard`,
		`aws-auth data.mapRoles high: aws-auth maps IAM role "arn:aws:iam::111122223333:role/eks-node-group-general" to system:nodes and also to user "ops" (groups "ops-team")`,
		`aws-auth data.mapUsers critical: aws-auth maps IAM user "arn:aws:iam::111122223333:user/alice" to system:masters`,
		`aws-auth data.mapUsers high: aws-auth maps IAM user "arn:aws:iam::111122223333:user/build" to system:nodes`)

	clean := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n" +
		"    - rolearn: arn:aws:iam::111122223333:role/nodes\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n" +
		"    - rolearn: arn:aws:iam::111122223333:role/viewers\n      username: viewer:{{SessionName}}\n      groups: [viewers]\n"
	expectLines(t, findingsOf(t, "eks-aws-auth-mapping", clean, ""))
	// Only kube-system/aws-auth is EKS's.
	expectLines(t, findingsOf(t, "eks-aws-auth-mapping", strings.Replace(awsAuth, "namespace: kube-system", "namespace: backup", 1), ""))
	// A mapping EKS cannot read is reported, not skipped.
	broken := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    - rolearn: [not, a, string]\n"
	expectLines(t, findingsOf(t, "eks-aws-auth-mapping", broken, ""),
		`aws-auth data.mapRoles medium: aws-auth mapRoles cannot be read (`)
}

func TestCloudStaticCredentials(t *testing.T) {
	gcpKey := base64.StdEncoding.EncodeToString([]byte(`{"type": "service_account", "project_id": "p", "private_key_id": "1", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", "client_email": "sync@p.iam.gserviceaccount.com"}`))
	federation := base64.StdEncoding.EncodeToString([]byte(`{"type": "external_account", "audience": "//iam.googleapis.com/x", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"}`))
	secrets := `apiVersion: v1
kind: Secret
metadata: {name: uploader-keys, namespace: shop}
stringData:
  aws_access_key_id: AKIAIOSFODNN7EXAMPLE
  aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
---
apiVersion: v1
kind: Secret
metadata: {name: sync-key, namespace: data}
data:
  key.json: ` + gcpKey + `
---
apiVersion: v1
kind: Secret
metadata: {name: sp, namespace: apps}
stringData: {AZURE_CLIENT_ID: 00000000-0000-0000-0000-000000000000, AZURE_TENANT_ID: 11111111-1111-1111-1111-111111111111, AZURE_CLIENT_SECRET: "abc8Q~notarealsecretvalue"}
---
apiVersion: v1
kind: Secret
metadata: {name: azure-cloud-provider, namespace: kube-system}
stringData:
  azure.json: '{"cloud": "AzurePublicCloud", "aadClientId": "x", "aadClientSecret": "y-secret-value"}'
---
apiVersion: v1
kind: Secret
metadata: {name: aws-credentials, namespace: backup}
---
apiVersion: v1
kind: Secret
metadata: {name: federation, namespace: data}
data: {config.json: ` + federation + `}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: hunter2, aws_region: us-east-1}
---
apiVersion: v1
kind: Secret
metadata: {name: empty-keys, namespace: shop}
stringData: {aws_secret_access_key: ""}
`
	workloads := podSpecDeployment("shop", "uploader", `{containers: [{name: c, image: x, env: [{name: AWS_ACCESS_KEY_ID, valueFrom: {secretKeyRef: {name: uploader-keys, key: aws_access_key_id}}}, {name: AWS_SECRET_ACCESS_KEY, valueFrom: {secretKeyRef: {name: uploader-keys, key: aws_secret_access_key}}}]}]}`) +
		podSpecDeployment("apps", "az", `{containers: [{name: c, image: x, env: [{name: AZURE_CLIENT_SECRET, value: "abc8Q~notarealsecretvalue"}, {name: AZURE_CLIENT_ID, value: x}]}]}`) +
		podSpecDeployment("data", "sync", `{volumes: [{name: key, secret: {secretName: sync-key}}, {name: fed, configMap: {name: fed}}], containers: [{name: c, image: x, volumeMounts: [{name: key, mountPath: /var/secrets/google}], env: [{name: GOOGLE_APPLICATION_CREDENTIALS, value: /var/secrets/google/key.json}]}, {name: d, image: x, volumeMounts: [{name: fed, mountPath: /etc/gcp}], env: [{name: GOOGLE_APPLICATION_CREDENTIALS, value: /etc/gcp/config.json}]}]}`) +
		podSpecDeployment("shop", "templated", `{containers: [{name: c, image: x, env: [{name: AWS_SECRET_ACCESS_KEY, value: "${AWS_SECRET_ACCESS_KEY}"}]}]}`)
	expectLines(t, findingsOf(t, "cloud-static-credentials", secrets+workloads, ""),
		`aws-credentials metadata.name medium: Secret "aws-credentials" is named like AWS access keys (its data is not in the scan)`,
		`az spec.template.spec.containers[0].env[0].value high: container "c" has an Azure client secret in env AZURE_CLIENT_SECRET`,
		`azure-cloud-provider stringData[azure.json] high: Secret "azure-cloud-provider" holds an Azure client secret (key "azure.json": aadClientSecret)`,
		`sp stringData[AZURE_CLIENT_SECRET] high: Secret "sp" holds an Azure client secret (key "AZURE_CLIENT_SECRET")`,
		`sync spec.template.spec.containers[0].env[0].value high: container "c" reads a Google Cloud service-account key file from Secret "sync-key" (GOOGLE_APPLICATION_CREDENTIALS)`,
		`sync-key data[key.json] high: Secret "sync-key" holds a Google Cloud service-account key (key "key.json")`,
		`uploader spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef high: container "c" takes AWS access keys from Secret "uploader-keys" (env AWS_SECRET_ACCESS_KEY)`,
		`uploader-keys stringData[aws_secret_access_key] high: Secret "uploader-keys" holds AWS access keys (key "aws_secret_access_key")`)
}

// The load balancer annotations of each provider, as their documentation
// gives them: explicit public schemes are reported at the annotation, the
// AWS Load Balancer Controller's NLBs are internal unless told otherwise.
func TestServiceLoadBalancerProviders(t *testing.T) {
	svc := func(annotations, spec string) string {
		return "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations: {" + annotations + "}\nspec:\n  type: LoadBalancer\n  ports: [{port: 443}]\n" + spec
	}
	for _, c := range []struct {
		name, annotations, spec, path string
	}{
		{"aws scheme internet-facing", "service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing", "", "metadata.annotations[service.beta.kubernetes.io/aws-load-balancer-scheme]"},
		{"aws controller internet-facing", "service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing", "", "metadata.annotations[service.beta.kubernetes.io/aws-load-balancer-scheme]"},
		{"azure internal false", "service.beta.kubernetes.io/azure-load-balancer-internal: 'false'", "", "metadata.annotations[service.beta.kubernetes.io/azure-load-balancer-internal]"},
		{"gke external", "networking.gke.io/load-balancer-type: External", "", "metadata.annotations[networking.gke.io/load-balancer-type]"},
		{"azure allowed ranges open", "service.beta.kubernetes.io/azure-allowed-ip-ranges: '10.0.0.0/8,0.0.0.0/0'", "", "metadata.annotations[service.beta.kubernetes.io/azure-allowed-ip-ranges]"},
		{"aws controller nlb, default scheme", "service.beta.kubernetes.io/aws-load-balancer-type: external", "", ""},
		{"aws nlb-ip, default scheme", "service.beta.kubernetes.io/aws-load-balancer-type: nlb-ip", "", ""},
		{"aws load balancer class", "", "  loadBalancerClass: service.k8s.aws/nlb\n", ""},
		{"azure allowed ranges", "service.beta.kubernetes.io/azure-allowed-ip-ranges: '10.0.0.0/8'", "", ""},
		{"azure service tags", "service.beta.kubernetes.io/azure-allowed-service-tags: AzureFrontDoor.Backend", "", ""},
		{"gke internal", "networking.gke.io/load-balancer-type: Internal", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := scanText(t, "service-loadbalancer-open", svc(c.annotations, c.spec))
			if c.path == "" {
				expectFindings(t, got)
				return
			}
			expectFindings(t, got, c.path)
			if got[0].Layer != check.LayerCloud {
				t.Errorf("layer %s, want cloud", got[0].Layer)
			}
		})
	}
}
