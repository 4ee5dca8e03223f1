package catalog

import (
	"fmt"
	"strings"

	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
)

func init() {
	registerCIS(cisItem{
		id: "encryption-at-rest", title: "Secrets are not encrypted at rest with a strong provider", cis: []string{"1.2.27", "1.2.28"}, severity: check.Critical,
		looks: "the API server's --encryption-provider-config flag and the EncryptionConfiguration it names: the first resources entry that covers " +
			"Secrets and the first provider of that entry, which encrypts new writes.",
		rationale: "Without encryption at rest every Secret is stored in plain text in etcd and in its backups and snapshots: anyone who reads the disk " +
			"or a backup reads every credential of the cluster. The first provider of the entry covering Secrets is the one new writes use.",
		remediation: "Write an EncryptionConfiguration whose first entry covers secrets with a KMS v2 provider (or secretbox/aesgcm with keys) first, point " +
			"--encryption-provider-config at it, then rewrite existing Secrets (kubectl get secrets -A -o json | kubectl replace -f -).",
		example: `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - kms: {apiVersion: v2, name: vault, endpoint: unix:///var/run/kms.sock}
      - identity: {}`,
		decide: decideEncryption,
	})
}

func decideEncryption(ctx *check.Context, v *controlplane.View) {
	api := component(ctx, v, controlplane.APIServer)
	if api == nil {
		return
	}
	const flag = "encryption-provider-config"
	file, ok := api.Flags.Value(flag)
	if !ok || file == "" {
		ctx.Report(api.Pod, api.FlagPath(flag), "kube-apiserver has no --"+flag+": Secrets are stored in plain text in etcd")
		return
	}
	if v.Encryption == nil {
		ctx.NotApplicable(api.Pod, unread(v, "encryption configuration", file))
		return
	}
	cfg, obj := v.Encryption.Value, v.Encryption.Object
	entry := secretsEntry(cfg)
	if entry < 0 {
		ctx.Report(obj, "resources", "no resources entry of "+file+" covers secrets: Secrets are stored in plain text")
		return
	}
	path := fmt.Sprintf("resources[%d].providers", entry)
	providers := cfg.Resources[entry].Providers
	if len(providers) == 0 {
		ctx.Report(obj, path, "the entry covering secrets has no provider")
		return
	}
	name, sev, problem := judgeProvider(providers[0])
	path += "[0]"
	if problem == "" {
		ctx.Pass(obj, path, "Secrets are encrypted with "+name)
		return
	}
	ctx.ReportFinding(check.Finding{Object: obj, Path: path, Severity: sev, Message: "the first provider for secrets is " + name + ": " + problem})
}

// secretsEntry returns the index of the first resources entry that covers
// Secrets, or -1.
func secretsEntry(cfg *apiserverv1.EncryptionConfiguration) int {
	for i, r := range cfg.Resources {
		for _, name := range r.Resources {
			switch strings.TrimSpace(name) {
			case "secrets", "secrets.", "*.", "*.*":
				return i
			}
		}
	}
	return -1
}

// judgeProvider names a provider and says what is wrong with it as the
// provider of new writes ("" when nothing is).
func judgeProvider(p apiserverv1.ProviderConfiguration) (name string, sev check.Severity, problem string) {
	plaintext := "new writes stay in plain text"
	switch {
	case p.Identity != nil:
		return "identity", check.Critical, plaintext
	case p.AESCBC != nil:
		if len(p.AESCBC.Keys) == 0 {
			return "aescbc", check.Critical, "it has no key, so " + plaintext
		}
		return "aescbc", check.Medium, "AES-CBC is weak (padding oracle attacks) and no longer recommended; use KMS v2, or secretbox"
	case p.AESGCM != nil:
		if len(p.AESGCM.Keys) == 0 {
			return "aesgcm", check.Critical, "it has no key, so " + plaintext
		}
		return "aesgcm", 0, ""
	case p.Secretbox != nil:
		if len(p.Secretbox.Keys) == 0 {
			return "secretbox", check.Critical, "it has no key, so " + plaintext
		}
		return "secretbox", 0, ""
	case p.KMS != nil:
		if p.KMS.APIVersion == "v2" {
			return "kms v2", 0, ""
		}
		return "kms v1", check.Medium, "KMS v1 is deprecated and disabled by default since Kubernetes 1.29; migrate to KMS v2"
	}
	return "an empty provider", check.Critical, plaintext
}
