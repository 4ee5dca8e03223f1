package catalog

import (
	"fmt"

	"github.com/kube4c/kube4c/internal/apilifecycle"
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

const deprecatedAPIID = "deprecated-api-version"

// deprecatedAPISettings are the settings of deprecated-api-version.
type deprecatedAPISettings struct {
	// TargetVersion is the Kubernetes release the manifests must run on
	// (an upgrade gate names the release it upgrades to).
	TargetVersion string `json:"targetVersion" yaml:"targetVersion"`
}

// deprecatedAPITarget returns the release of the settings, Latest unless
// configured.
func deprecatedAPITarget(s check.Settings) (apilifecycle.Version, error) {
	var set deprecatedAPISettings
	if s != nil {
		if err := s.Decode(deprecatedAPIID, &set); err != nil {
			return apilifecycle.Version{}, err
		}
	}
	if set.TargetVersion == "" {
		return apilifecycle.Latest, nil
	}
	v, err := apilifecycle.ParseVersion(set.TargetVersion)
	if err != nil {
		return apilifecycle.Version{}, fmt.Errorf("settings.%s.targetVersion: %v", deprecatedAPIID, err)
	}
	return v, nil
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       deprecatedAPIID,
			Title:    "Object uses a deprecated or removed API version",
			Layer:    check.LayerCode,
			Severity: check.High,
			// Every kind; a live scan reads objects at the versions kube4c
			// asks for, so no listing decides what this check sees.
			Reads: []string{check.EveryKind},
			Looks: "the apiVersion of every object against the Kubernetes deprecated API migration guide: the lifecycle that " +
				"k8s.io/api records for each kind and version, and the removed kinds whose types left it (PodSecurityPolicy, " +
				"HorizontalPodAutoscaler v2beta1 and v2beta2, CustomResourceDefinition and APIService v1beta1). Judged for " +
				"settings." + deprecatedAPIID + ".targetVersion (default: the newest release kube4c knows, " + apilifecycle.Latest.String() +
				"): a version that release no longer serves is high, one it serves but deprecates is medium, or low when no removal is planned. " +
				"A live scan reads each resource at a version the cluster serves, so it reports only what the cluster serves in no newer version.",
			Rationale: "An API server rejects objects of a version it no longer serves: a deployment that applies them fails during or " +
				"after an upgrade, often half-way, and a removed kind such as PodSecurityPolicy no longer protects anything. Deprecated " +
				"versions are removed in a later release.",
			Remediation: "Rewrite the object in the replacement version (kubectl-convert --output-version GROUP/VERSION helps; read the " +
				"notable changes in the migration guide), or remove it when the kind has no replacement. Set targetVersion to the release " +
				"you upgrade to and fail the pipeline on high findings.",
			Example: `# .kube4c.yaml of an upgrade gate
settings:
  deprecated-api-version:
    targetVersion: "1.33"`,
			References: check.References{
				URLs: []string{"https://kubernetes.io/docs/reference/using-api/deprecation-guide/", "https://kubernetes.io/docs/reference/using-api/deprecation-policy/"},
			},
			ValidateSettings: func(s check.Settings) error {
				_, err := deprecatedAPITarget(s)
				return err
			},
		},
		Run: func(ctx *check.Context) {
			target, err := deprecatedAPITarget(ctx.Settings)
			if err != nil {
				// ValidateSettings refuses such settings before a scan.
				target = apilifecycle.Latest
			}
			for _, obj := range ctx.Inventory.Objects() {
				if s, ok := apilifecycle.Of(obj.GVK); ok {
					reportDeprecatedAPI(ctx, obj, s, target)
				}
			}
		},
	})
}

// reportDeprecatedAPI reports obj, of lifecycle s, as a cluster of release
// target sees it.
func reportDeprecatedAPI(ctx *check.Context, obj *inventory.Object, s apilifecycle.Status, target apilifecycle.Version) {
	what := obj.Kind() + " " + quote(obj.Name()) + " uses " + obj.APIVersion()
	instead := s.Instead
	if s.Replacement.Kind != "" {
		instead = "use " + s.Replacement.GroupVersion().String() + " " + s.Replacement.Kind
	}
	if instead == "" {
		instead = "remove it: the kind has no replacement"
	}
	f := check.Finding{Object: obj, Path: "apiVersion"}
	switch {
	case s.RemovedBy(target):
		f.Message = what + ", removed in Kubernetes " + s.Removed.String()
		if !s.Deprecated.IsZero() {
			f.Message += " (deprecated in " + s.Deprecated.String() + ")"
		}
		f.Message += ": the API server rejects it; " + instead
	case s.Deprecated.IsZero() || !s.Deprecated.AtMost(target):
		return
	case s.Removed.IsZero():
		f.Severity = check.Low
		f.Message = what + ", deprecated in Kubernetes " + s.Deprecated.String() + ": " + instead
	default:
		f.Severity = check.Medium
		f.Message = what + ", deprecated in Kubernetes " + s.Deprecated.String() + " and removed in " + s.Removed.String() + ": " + instead + " before upgrading"
	}
	ctx.ReportFinding(f)
}
