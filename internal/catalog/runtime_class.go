package catalog

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// runtimeClassSettings configure runtime-class-missing.
type runtimeClassSettings struct {
	// UntrustedNamespaces lists namespaces whose workloads run untrusted code.
	UntrustedNamespaces []string `json:"untrustedNamespaces" yaml:"untrustedNamespaces"`
	// UntrustedSelectors lists label selectors ("tier=untrusted",
	// "sandbox in (yes)") that mark pods running untrusted code.
	UntrustedSelectors []string `json:"untrustedSelectors" yaml:"untrustedSelectors"`
	// AllowedRuntimeClasses lists the sandboxed RuntimeClass names (for
	// example gvisor, kata) such workloads must use.
	AllowedRuntimeClasses []string `json:"allowedRuntimeClasses" yaml:"allowedRuntimeClasses"`
}

// untrusted reports whether the workload is in the configured untrusted scope.
func (s runtimeClassSettings) untrusted(w *inventory.Workload, selectors []labels.Selector) bool {
	ns := w.Object.Namespace()
	if ns == "" {
		ns = "default"
	}
	for _, u := range s.UntrustedNamespaces {
		if u == ns {
			return true
		}
	}
	set := labels.Set(w.PodMeta.Labels)
	for _, sel := range selectors {
		if sel.Matches(set) {
			return true
		}
	}
	return false
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "runtime-class-missing",
			Title:    "Untrusted workload without a sandboxed runtime",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks: "spec.runtimeClassName of workloads in the untrusted namespaces or matching the untrusted label selectors " +
				"configured in settings.runtime-class-missing; it must be one of allowedRuntimeClasses. Off until configured.",
			Rationale: "Containers share the node's kernel: one kernel exploit in untrusted code (customer code, CI jobs, plugins) " +
				"reaches every pod on the node. A sandboxed runtime such as gVisor or Kata Containers puts a second kernel or a VM in between.",
			Remediation: "Install a sandboxed runtime on the nodes, create its RuntimeClass, and set spec.runtimeClassName on the untrusted workloads.",
			Example: "# .kube4c.yaml\nchecks:\n  runtime-class-missing: {enabled: true}\nsettings:\n  runtime-class-missing:\n" +
				"    untrustedNamespaces: [customer-jobs]\n    untrustedSelectors: [\"isolation=untrusted\"]\n    allowedRuntimeClasses: [gvisor, kata]\n" +
				"# and in the pod spec:\nspec:\n  runtimeClassName: gvisor",
			DisabledByDefault: true,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security: Hardening container environments"},
				MITRE: []string{"T1611"},
				URLs:  []string{"https://kubernetes.io/docs/concepts/containers/runtime-class/"},
			},
			ValidateSettings: func(settings check.Settings) error {
				var s runtimeClassSettings
				if settings == nil {
					return nil
				}
				if err := settings.Decode("runtime-class-missing", &s); err != nil {
					return err
				}
				for _, text := range s.UntrustedSelectors {
					if _, err := labels.Parse(text); err != nil {
						return fmt.Errorf("settings.runtime-class-missing.untrustedSelectors: %q is not a label selector: %v", text, err)
					}
				}
				return nil
			},
		},
		Run: func(ctx *check.Context) {
			var s runtimeClassSettings
			if !settingsOf(ctx, "runtime-class-missing", &s) || len(s.AllowedRuntimeClasses) == 0 {
				return
			}
			var selectors []labels.Selector
			for _, text := range s.UntrustedSelectors {
				if sel, err := labels.Parse(text); err == nil {
					selectors = append(selectors, sel)
				}
			}
			allowed := map[string]bool{}
			for _, a := range s.AllowedRuntimeClasses {
				allowed[a] = true
			}
			for _, w := range ctx.Inventory.Workloads() {
				if !s.untrusted(w, selectors) {
					continue
				}
				rc := ""
				if w.Spec.RuntimeClassName != nil {
					rc = *w.Spec.RuntimeClassName
				}
				if allowed[rc] {
					continue
				}
				msg := "untrusted workload runs without a sandboxed runtime; set runtimeClassName to one of " + joinQuoted(s.AllowedRuntimeClasses)
				if rc != "" {
					msg = "untrusted workload uses runtimeClassName " + quote(rc) + ", which is not sandboxed; use one of " + joinQuoted(s.AllowedRuntimeClasses)
				}
				ctx.Report(w.Object, w.Field("runtimeClassName"), msg)
			}
		},
	})
}
