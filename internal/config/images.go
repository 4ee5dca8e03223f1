package config

import (
	"fmt"
	"path/filepath"
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/inventory"
)

// ImagePolicy is one entry of `images.verify:`: who must have signed the
// images it covers. Exactly one of Key and Keyless is set.
type ImagePolicy struct {
	// Name names the policy in findings; "" gives images.verify[i].
	Name string
	// Images are globs (path.Match: "*" stays within one path segment) of
	// image repositories, matched against the full name
	// ("docker.io/library/nginx") and the short one ("nginx"); empty
	// covers every image.
	Images []string
	// Key is the path of a PEM public key (cosign.pub).
	Key string
	// Keyless names the certificate identity Fulcio must have issued the
	// signing certificate to.
	Keyless *Keyless
	// Source is where the policy is written.
	Source inventory.Location
}

// Keyless is a keyless (Fulcio certificate) signing identity. Identity or
// IdentityRegexp, and Issuer or IssuerRegexp, are required.
type Keyless struct {
	// Identity is the certificate's subject alternative name, e.g. the
	// workflow URI of a CI job or an e-mail address.
	Identity, IdentityRegexp string
	// Issuer is the OIDC issuer that vouched for the identity.
	Issuer, IssuerRegexp string
	// TrustedRoot is the path of a Sigstore trusted_root.json holding the
	// Fulcio CAs, Rekor logs and timestamp authorities to trust.
	TrustedRoot string
}

var (
	imagesKeys  = []string{"verify"}
	policyKeys  = []string{"name", "images", "key", "keyless"}
	keylessKeys = []string{"identity", "identityRegexp", "issuer", "issuerRegexp", "trustedRoot"}
)

// ImagePolicies returns the `images.verify:` policies, in file order (the
// first that covers an image decides); none for a nil Config.
func (c *Config) ImagePolicies() []ImagePolicy {
	if c == nil {
		return nil
	}
	return c.imagePolicies
}

// images reads the `images:` section.
func (p *parser) images(n *yaml.Node) {
	p.mapping(n, "images", imagesKeys, func(k, v *yaml.Node) {
		for i, item := range p.sequence(v, "images.verify") {
			if pol, ok := p.imagePolicy(item, fmt.Sprintf("images.verify[%d]", i)); ok {
				p.cfg.imagePolicies = append(p.cfg.imagePolicies, pol)
			}
		}
	})
}

// imagePolicy reads one verification policy; paths in it are relative to
// the configuration file.
func (p *parser) imagePolicy(n *yaml.Node, where string) (pol ImagePolicy, ok bool) {
	pol.Source = p.loc(n)
	ok = p.mapping(n, where, policyKeys, func(k, v *yaml.Node) {
		field := where + "." + k.Value
		switch k.Value {
		case "name":
			pol.Name = p.str(v, field)
		case "images":
			pol.Images = p.stringList(v, field, p.glob(field))
		case "key":
			pol.Key = p.relativePath(p.str(v, field))
		case "keyless":
			pol.Keyless = p.keyless(v, field)
		}
	})
	if !ok {
		return pol, false
	}
	if pol.Name == "" {
		pol.Name = where
	}
	if (pol.Key == "") == (pol.Keyless == nil) {
		p.errorf(n, "%s: a policy needs either key (a PEM public key) or keyless (an identity and its issuer)", where)
	}
	return pol, true
}

// keyless reads a keyless identity.
func (p *parser) keyless(n *yaml.Node, where string) *Keyless {
	var k Keyless
	ok := p.mapping(n, where, keylessKeys, func(key, v *yaml.Node) {
		field := where + "." + key.Value
		switch key.Value {
		case "identity":
			k.Identity = p.str(v, field)
		case "identityRegexp":
			k.IdentityRegexp = p.regexp(v, field)
		case "issuer":
			k.Issuer = p.str(v, field)
		case "issuerRegexp":
			k.IssuerRegexp = p.regexp(v, field)
		case "trustedRoot":
			k.TrustedRoot = p.relativePath(p.str(v, field))
		}
	})
	if !ok {
		return nil
	}
	if k.Identity == "" && k.IdentityRegexp == "" {
		p.errorf(n, "%s: needs identity or identityRegexp (the certificate's subject, e.g. a CI workflow URI)", where)
	}
	if k.Issuer == "" && k.IssuerRegexp == "" {
		p.errorf(n, "%s: needs issuer or issuerRegexp (the OIDC issuer, e.g. https://token.actions.githubusercontent.com)", where)
	}
	if k.TrustedRoot == "" {
		p.errorf(n, "%s: needs trustedRoot (a Sigstore trusted_root.json; kube4c fetches no trust material itself)", where)
	}
	return &k
}

// regexp reads a regular expression.
func (p *parser) regexp(n *yaml.Node, field string) string {
	s := p.str(n, field)
	if _, err := regexp.Compile(s); err != nil {
		p.errorf(n, "%s: %v", field, err)
	}
	return s
}

// relativePath resolves a path written in the file against its directory.
func (p *parser) relativePath(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(p.file), path)
}
