package catalog

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Long-lived cloud credentials, by provider, as messages name them.
var cloudCredentialNames = map[cloud]string{
	cloudAWS:   "AWS access keys",
	cloudGCP:   "a Google Cloud service-account key",
	cloudAzure: "an Azure client secret",
}

// cloudIdentityFix says what replaces long-lived credentials on each cloud.
var cloudIdentityFix = map[cloud]string{
	cloudAWS:   "use IRSA or EKS Pod Identity instead",
	cloudGCP:   "use GKE Workload Identity instead",
	cloudAzure: "use Microsoft Entra Workload ID instead",
}

// credentialSecretName matches Secret names that say they hold cloud
// credentials, for Secrets whose data the scan does not have.
var credentialSecretName = map[cloud]*regexp.Regexp{
	cloudAWS:   regexp.MustCompile(`(?i)(^|[-_.])(aws|amazon)[-_.]?(iam[-_.]?)?(credentials?|creds|access[-_.]?keys?|secret[-_.]?(access[-_.]?)?keys?|keys?)($|[-_.])`),
	cloudGCP:   regexp.MustCompile(`(?i)(^|[-_.])(gcp|gcloud|google|gke|gcs)[-_.]?(credentials?|creds|sa[-_.]?keys?|service[-_.]?account[-_.]?keys?|json[-_.]?keys?|keys?)($|[-_.])`),
	cloudAzure: regexp.MustCompile(`(?i)(^|[-_.])(azure|aad)[-_.]?(credentials?|creds|client[-_.]?secrets?|sp[-_.]?secrets?|service[-_.]?principal)($|[-_.])`),
}

// normKey lower-cases a key and drops its separators: AWS_SECRET_ACCESS_KEY
// and aws-secret-access-key are both awssecretaccesskey.
func normKey(k string) string {
	return strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(k))
}

// Data keys that name a cloud secret.
var cloudSecretKeys = map[string]cloud{
	"awssecretaccesskey": cloudAWS, "secretaccesskey": cloudAWS,
	"azureclientsecret": cloudAzure, "aadclientsecret": cloudAzure,
}

// secretCredential is one cloud credential a Secret holds.
type secretCredential struct {
	cloud      cloud
	path, what string
}

// secretEntry is one key of a Secret's data or stringData.
type secretEntry struct{ field, key, value string }

// secretEntries returns the keys of a Secret's data and stringData, in
// order.
func secretEntries(s *corev1.Secret) []secretEntry {
	var entries []secretEntry
	for k, v := range s.Data {
		entries = append(entries, secretEntry{"data", k, string(v)})
	}
	for k, v := range s.StringData {
		entries = append(entries, secretEntry{"stringData", k, v})
	}
	sort.Slice(entries, func(i, j int) bool {
		return entries[i].field+"/"+entries[i].key < entries[j].field+"/"+entries[j].key
	})
	return entries
}

// secretCredentials finds the cloud credentials a Secret's data holds, at
// most one per cloud: a key that names one (with a value), then contents
// (an AWS credentials file or access key ID, a service-account key JSON,
// an Azure cloud-provider config).
func secretCredentials(s *corev1.Secret) []secretCredential {
	entries := secretEntries(s)
	found := map[cloud]secretCredential{}
	add := func(c cloud, e secretEntry, detail string) {
		if _, ok := found[c]; !ok {
			found[c] = secretCredential{c, e.field + "[" + e.key + "]", "key " + quote(e.key) + detail}
		}
	}
	hasTenant := slices.ContainsFunc(entries, func(e secretEntry) bool {
		return normKey(e.key) == "tenantid" || normKey(e.key) == "azuretenantid"
	})
	for _, e := range entries { // keys that name a credential first
		v := strings.TrimSpace(e.value)
		if v == "" || placeholderValue.MatchString(strings.ToLower(v)) {
			continue
		}
		if c, ok := cloudSecretKeys[normKey(e.key)]; ok {
			add(c, e, "")
		} else if normKey(e.key) == "clientsecret" && hasTenant {
			add(cloudAzure, e, "")
		}
	}
	for _, e := range entries {
		if c, detail := credentialContent(strings.TrimSpace(e.value)); c != "" {
			add(c, e, detail)
		}
	}
	out := make([]secretCredential, 0, len(found))
	for _, c := range []cloud{cloudAWS, cloudGCP, cloudAzure} {
		if f, ok := found[c]; ok {
			out = append(out, f)
		}
	}
	return out
}

// credentialContent says which cloud credential a value is, by its
// content: an AWS credentials file or access key ID, a Google Cloud
// service-account key (not the external_account configuration of workload
// identity federation), an Azure cloud-provider config with a client
// secret.
func credentialContent(v string) (cloud, string) {
	switch {
	case strings.Contains(strings.ToLower(v), "aws_secret_access_key"):
		return cloudAWS, ": a credentials file"
	case strings.HasPrefix(v, "AKIA") && awsAccessKey.MatchString(v):
		return cloudAWS, ": an access key ID"
	case strings.HasPrefix(v, "{"):
		var doc struct {
			Type            string `json:"type"`
			PrivateKey      string `json:"private_key"`
			AADClientSecret string `json:"aadClientSecret"`
		}
		switch {
		case json.Unmarshal([]byte(v), &doc) != nil:
		case doc.Type == "service_account" && doc.PrivateKey != "":
			return cloudGCP, ""
		case doc.AADClientSecret != "":
			return cloudAzure, ": aadClientSecret"
		}
	}
	return "", ""
}

// hasData reports whether the scan has the Secret's data: a typed Secret
// with data or stringData (a live scan lists Secrets by metadata only).
func hasData(obj *inventory.Object) (*corev1.Secret, bool) {
	s, ok := obj.Obj.(*corev1.Secret)
	return s, ok && (len(s.Data) > 0 || len(s.StringData) > 0)
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "cloud-static-credentials",
			Title:    "Long-lived cloud credentials kept in the cluster",
			Layer:    check.LayerCloud,
			Severity: check.High,
			Reads:    withWorkloads("Secret"),
			Looks: "Secrets whose data holds AWS access keys (a key such as aws_secret_access_key, a credentials file, an AKIA access " +
				"key ID), a Google Cloud service-account key (JSON of type service_account with a private key; not the external_account " +
				"configuration of workload identity federation) or an Azure client secret (AZURE_CLIENT_SECRET, clientSecret beside a " +
				"tenant ID, aadClientSecret of a cloud-provider config). A live scan never reads Secret data: Secrets are judged by " +
				"their names there (aws-credentials, gcp-sa-key, azure-client-secret), as are Secrets written without data. Containers " +
				"whose env AWS_SECRET_ACCESS_KEY or AZURE_CLIENT_SECRET is literal or comes from a Secret, and whose " +
				"GOOGLE_APPLICATION_CREDENTIALS or AWS_SHARED_CREDENTIALS_FILE is a file of a mounted Secret.",
			Rationale: "Long-lived cloud keys do not expire: whoever can read the Secret, exec into the pod or read its spec " +
				"takes them out of the cluster and uses them from anywhere until someone rotates them. Every provider's Kubernetes " +
				"service gives pods short-lived credentials instead.",
			Remediation: "Use the provider's workload identity (IRSA or EKS Pod Identity, GKE Workload Identity, Microsoft Entra " +
				"Workload ID), delete the Secret, and revoke the key.",
			Example: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/uploader`,
			References: check.References{
				MITRE: []string{"T1552.001", "T1552.007", "T1078.004"},
				URLs:  []string{eksBestPracticesIAM, gkeHardening, aksBaseline},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.ByKind("Secret") {
				reportSecretCredentials(ctx, obj)
			}
			secrets := func(ns, name string) *corev1.Secret {
				if obj := ctx.Inventory.Get(secretKind, ns, name); obj != nil {
					if s, ok := hasData(obj); ok {
						return s
					}
				}
				return nil
			}
			check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
				reportEnvCredentials(ctx, w, c, secrets)
			})(ctx)
		},
	})
}

var secretKind = corev1.SchemeGroupVersion.WithKind("Secret").GroupKind()

// reportSecretCredentials reports the cloud credentials of one Secret, by
// its data when the scan has it, else by its name.
func reportSecretCredentials(ctx *check.Context, obj *inventory.Object) {
	if s, ok := hasData(obj); ok {
		for _, f := range secretCredentials(s) {
			ctx.Report(obj, f.path, "Secret "+quote(obj.Name())+" holds "+cloudCredentialNames[f.cloud]+" ("+f.what+"); "+
				cloudIdentityFix[f.cloud]+", delete the Secret and revoke the key")
		}
		return
	}
	for _, c := range []cloud{cloudAWS, cloudGCP, cloudAzure} {
		if credentialSecretName[c].MatchString(obj.Name()) {
			ctx.ReportFinding(check.Finding{Object: obj, Path: "metadata.name", Severity: check.Medium,
				Message: "Secret " + quote(obj.Name()) + " is named like " + strings.TrimPrefix(strings.TrimPrefix(cloudCredentialNames[c], "a "), "an ") +
					" (its data is not in the scan); if it holds them, " + cloudIdentityFix[c] + ", delete the Secret and revoke the key"})
			return
		}
	}
}

// Env variables that carry a cloud secret, and files that hold one.
var (
	credentialEnv     = map[string]cloud{"AWS_SECRET_ACCESS_KEY": cloudAWS, "AZURE_CLIENT_SECRET": cloudAzure}
	credentialEnvFile = map[string]cloud{"GOOGLE_APPLICATION_CREDENTIALS": cloudGCP, "AWS_SHARED_CREDENTIALS_FILE": cloudAWS}
)

// reportEnvCredentials reports the cloud secrets one container takes from
// its env: literal, from a Secret, or as a file of a mounted Secret.
func reportEnvCredentials(ctx *check.Context, w *inventory.Workload, c inventory.Container, secrets func(ns, name string) *corev1.Secret) {
	for i, e := range c.Env {
		env := c.Path + ".env[" + strconv.Itoa(i) + "]"
		if cl, ok := credentialEnv[e.Name]; ok {
			switch {
			case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
				ctx.ReportContainer(w, c, env+".valueFrom.secretKeyRef", "container "+quote(c.Name)+" takes "+cloudCredentialNames[cl]+
					" from Secret "+quote(e.ValueFrom.SecretKeyRef.Name)+" (env "+e.Name+"); "+cloudIdentityFix[cl]+" and revoke the key")
			case e.ValueFrom == nil && strings.TrimSpace(e.Value) != "" && !placeholderValue.MatchString(strings.ToLower(strings.TrimSpace(e.Value))):
				ctx.ReportContainer(w, c, env+".value", "container "+quote(c.Name)+" has "+cloudCredentialNames[cl]+" in env "+e.Name+
					"; "+cloudIdentityFix[cl]+" and revoke the key")
			}
			continue
		}
		cl, ok := credentialEnvFile[e.Name]
		if !ok || e.ValueFrom != nil {
			continue
		}
		secret := mountedSecret(w, c, e.Value)
		if secret == "" {
			continue
		}
		if s := secrets(netpol.NamespaceOf(w.Object), secret); s != nil && !holdsCloudCredential(s, cl) {
			continue // the scan has the Secret, and it holds no key (a federation config)
		}
		what := "a Google Cloud service-account key file"
		if cl == cloudAWS {
			what = "an AWS credentials file"
		}
		ctx.ReportContainer(w, c, env+".value", "container "+quote(c.Name)+" reads "+what+" from Secret "+quote(secret)+
			" ("+e.Name+"); "+cloudIdentityFix[cl]+" and revoke the key")
	}
}

// holdsCloudCredential reports whether a Secret's data holds a credential
// of cloud c.
func holdsCloudCredential(s *corev1.Secret, c cloud) bool {
	for _, f := range secretCredentials(s) {
		if f.cloud == c {
			return true
		}
	}
	return false
}

// mountedSecret returns the Secret whose volume container c mounts at a
// directory holding path, or "".
func mountedSecret(w *inventory.Workload, c inventory.Container, path string) string {
	best, secret := -1, ""
	for _, m := range c.VolumeMounts {
		dir := strings.TrimSuffix(m.MountPath, "/") + "/"
		if !strings.HasPrefix(path, dir) || len(dir) <= best {
			continue
		}
		for _, v := range w.Spec.Volumes {
			if v.Name != m.Name {
				continue
			}
			best, secret = len(dir), ""
			switch {
			case v.Secret != nil:
				secret = v.Secret.SecretName
			case v.Projected != nil:
				for _, src := range v.Projected.Sources {
					if src.Secret != nil {
						secret = src.Secret.Name
						break
					}
				}
			}
		}
	}
	return secret
}
