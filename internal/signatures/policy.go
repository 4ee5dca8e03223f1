package signatures

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/image"
)

// policy is a configured policy with its trust material loaded.
type policy struct {
	config.ImagePolicy
	// key verifies signatures of a key policy; nil for keyless.
	key signature.Verifier
	// verifier checks Sigstore bundles and keyless certificates.
	verifier *verify.Verifier
	// identity is the certificate identity a keyless policy wants.
	identity *verify.CertificateIdentity
}

// compile loads the key or the trusted root of p; errors name where the
// policy is written.
func compile(p config.ImagePolicy) (*policy, error) {
	out := &policy{ImagePolicy: p}
	where := p.Name
	if p.Source.File != "" {
		where = p.Source.String() + ": " + p.Name
	}
	if p.Key != "" {
		pem, err := os.ReadFile(p.Key)
		if err != nil {
			return nil, fmt.Errorf("%s: key: %w", where, err)
		}
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(pem)
		if err != nil {
			return nil, fmt.Errorf("%s: key %s: %w", where, p.Key, err)
		}
		if out.key, err = signature.LoadDefaultVerifier(pub); err != nil {
			return nil, fmt.Errorf("%s: key %s: %w", where, p.Key, err)
		}
		// Any key hint in a bundle resolves to the policy's key; a key
		// policy needs no timestamps (cosign sign --key may skip Rekor).
		material := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
			return root.NewExpiringKey(out.key, time.Time{}, time.Time{}), nil
		})
		if out.verifier, err = verify.NewVerifier(material, verify.WithNoObserverTimestamps()); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return out, nil
	}
	k := p.Keyless
	trusted, err := root.NewTrustedRootFromPath(k.TrustedRoot)
	if err != nil {
		return nil, fmt.Errorf("%s: trustedRoot %s: %w", where, k.TrustedRoot, err)
	}
	// A keyless certificate lives ten minutes: the signing time must come
	// from the transparency log or a timestamp authority, as cosign asks.
	if out.verifier, err = verify.NewVerifier(trusted, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	id, err := verify.NewShortCertificateIdentity(k.Issuer, k.IssuerRegexp, k.Identity, k.IdentityRegexp)
	if err != nil {
		return nil, fmt.Errorf("%s: keyless: %w", where, err)
	}
	out.identity = &id
	return out, nil
}

// covers reports whether the policy applies to the image ref: its Images
// globs match the repository's full or short name, or it has none.
func (p *policy) covers(ref image.Ref) bool {
	if len(p.Images) == 0 {
		return true
	}
	full, short := ref.Named.Name(), ref.FamiliarName()
	for _, glob := range p.Images {
		if ok, _ := path.Match(glob, full); ok {
			return true
		}
		if ok, _ := path.Match(glob, short); ok {
			return true
		}
	}
	return false
}

// wants describes what the policy accepts, for messages.
func (p *policy) wants() string {
	if p.key != nil {
		return "the key " + p.Key
	}
	k := p.Keyless
	return fmt.Sprintf("identity %s from issuer %s", cmp.Or(k.Identity, "~"+k.IdentityRegexp), cmp.Or(k.Issuer, "~"+k.IssuerRegexp))
}
