// Package signatures checks that the images workloads run are signed by
// whom the configuration says. For every image it resolves the digest in
// the registry (a pinned digest is used as is), fetches the image's cosign
// signatures — the legacy sha256-<hex>.sig tag and Sigstore bundles
// attached as OCI referrers — with go-containerregistry, and verifies them
// with sigstore-go against the public key or the keyless identity of the
// first policy that covers the image. Trust material is read from files:
// nothing is fetched but the images' manifests and signatures.
package signatures

import (
	"strconv"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Status is the outcome of verifying one image.
type Status string

// The outcomes.
const (
	// Verified: a signature verifies against the policy.
	Verified Status = "verified"
	// Missing: the image has no signature at all.
	Missing Status = "missing"
	// Invalid: signatures exist but none verifies against the policy
	// (another key or identity, a signature of other content, a broken
	// certificate chain).
	Invalid Status = "invalid"
	// Unresolved: the registry could not be asked (unreachable, denied,
	// no such image), so nothing is known of the signatures.
	Unresolved Status = "unresolved"
)

// Result is what kube4c found out about the signatures of one image.
type Result struct {
	// Image is the reference as the workloads write it.
	Image string `json:"image"`
	// Digest is the content it resolved to ("sha256:..."); "" when
	// unresolved.
	Digest string `json:"digest,omitempty"`
	// Policy names the policy that covers the image.
	Policy string `json:"policy"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Signer says who signed, for a verified image: the key's policy or
	// the certificate identity and issuer.
	Signer string `json:"signer,omitempty"`
	// Detail says why an image is invalid or unresolved: what was found
	// instead, or the registry's error.
	Detail string `json:"detail,omitempty"`
}

// Kind is the kind of the synthetic object that carries one image's
// Result beside the Kubernetes objects of a scan.
const Kind = "ImageSignature"

// NewObject wraps the n-th result of a verification run as an inventory
// object.
func NewObject(r Result, n int) *inventory.Object {
	return inventory.NewSynthetic(Kind, "image-"+strconv.Itoa(n), "", r)
}
