package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/signatures"
)

// The signature checks judge the results of --verify-images: one finding
// per container whose image ended with the check's status.
func init() {
	signatureCheck(signatures.Missing, check.Meta{
		ID:       "image-signature-missing",
		Title:    "Image without a signature",
		Severity: check.High,
		Looks: "with --verify-images, the image of every container that an images.verify policy covers: its digest (pinned, " +
			"else its tag resolved in the registry) has no cosign signature, neither the legacy sha256-<hex>.sig tag nor a " +
			"Sigstore bundle attached as an OCI referrer. A tag moved to new content after its first content was signed is " +
			"caught here: the new digest has no signature.",
		Rationale: "An unsigned image can come from anywhere: the build that should have made it, or whoever could push to " +
			"the registry. A signature ties the content to the key or CI identity that built it.",
		Remediation: "Sign the image in its build (cosign sign --key, or keyless in CI) and deploy it by the signed digest.",
	})
	signatureCheck(signatures.Invalid, check.Meta{
		ID:       "image-signature-invalid",
		Title:    "Image signed by someone else, or badly",
		Severity: check.Critical,
		Looks: "with --verify-images, the image of every container that an images.verify policy covers: it has signatures, " +
			"but none verifies against the policy. The finding says what was found: another key, another certificate " +
			"identity or issuer (named), a certificate from a CA the trusted root does not hold, a signature without its " +
			"transparency log entry, or a signature of other content copied beside this one.",
		Rationale: "A signature by the wrong identity is worse than none: someone signed this content, and it was not the " +
			"build you trust. It is what a compromised or impersonated pipeline leaves behind.",
		Remediation: "Find out who signed the image and why; deploy an image built and signed by the policy's key or identity, " +
			"or correct the policy if the signer legitimately changed.",
	})
	signatureCheck(signatures.Unresolved, check.Meta{
		ID:       "image-digest-unresolved",
		Title:    "Image whose signatures could not be checked",
		Severity: check.High,
		Looks: "with --verify-images, the image of every container that an images.verify policy covers: the registry could " +
			"not be asked (unreachable, credentials refused, no such tag, a signature manifest kube4c cannot read), so " +
			"nothing is known of its signatures. It is reported, never passed: the registry's error is in the finding.",
		Rationale: "A check that cannot look must not pass: an unreachable registry, or one that refuses kube4c, would " +
			"otherwise hide an unsigned image.",
		Remediation: "Give kube4c access to the registry (docker login, or the credentials of the docker config file it reads), " +
			"or fix the image reference.",
	})
}

// signatureCheck registers the check m that reports the containers whose
// image's verification ended with status.
func signatureCheck(status signatures.Status, m check.Meta) {
	m.Layer = check.LayerContainer
	m.Reads = withWorkloads(signatures.Kind)
	m.References = check.References{
		NSA:   []string{"Kubernetes Pod security: Building secure container images"},
		MITRE: []string{"T1525"},
		URLs:  []string{"https://docs.sigstore.dev/cosign/verifying/verify/"},
	}
	check.Register(&check.Check{
		Meta: m,
		Run: func(ctx *check.Context) {
			results := map[string]*signatures.Result{}
			for _, r := range inventory.SyntheticContent[signatures.Result](ctx.Inventory, signatures.Kind) {
				results[r.Image] = r
			}
			if len(results) == 0 {
				return
			}
			check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
				if r := results[c.Image]; r != nil && r.Status == status {
					ctx.ReportFinding(check.Finding{Object: w.Object, Container: c.Name, Path: c.Path + ".image",
						Message: aboutImage(c, signatureMessage(r))})
				}
			})(ctx)
		},
	})
}

// signatureMessage says what verification found, after the image.
func signatureMessage(r *signatures.Result) string {
	at := ""
	if r.Digest != "" {
		at = " (" + r.Digest + ")"
	}
	switch r.Status {
	case signatures.Missing:
		return " is not signed" + at + ", policy " + r.Policy + ": " + r.Detail
	case signatures.Invalid:
		return " has no valid signature" + at + ", policy " + r.Policy + ": " + r.Detail
	default:
		return ": signatures not checked, policy " + r.Policy + ": " + r.Detail
	}
}
