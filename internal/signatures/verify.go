package signatures

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"golang.org/x/sync/errgroup"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/image"
)

// Options tune a Verifier.
type Options struct {
	// Keychain supplies registry credentials; nil means the docker config
	// file ($DOCKER_CONFIG/config.json) and its credential helpers.
	Keychain authn.Keychain
	// Parallel bounds the images worked on at once; 0 means 16.
	Parallel int
	// Timeout bounds the registry work on one image; 0 means 30 s.
	Timeout time.Duration
	// Progress, when set, is called as images are done: done of total in
	// stage "resolving" (tags to digests), then "verifying" (digests).
	Progress func(stage string, done, total int)
}

// Verifier verifies the signatures of images against the configured
// policies. It is safe for concurrent use.
type Verifier struct {
	policies []*policy
	opts     Options
}

// NewVerifier loads the keys and trusted roots of policies. An error
// names the policy and the file that could not be read.
func NewVerifier(policies []config.ImagePolicy, opts Options) (*Verifier, error) {
	if opts.Keychain == nil {
		opts.Keychain = authn.DefaultKeychain
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 16
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	v := &Verifier{opts: opts}
	var errs []error
	for _, p := range policies {
		c, err := compile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v.policies = append(v.policies, c)
	}
	return v, errors.Join(errs...)
}

// Request asks for the signatures of one image.
type Request struct {
	// Image is the reference as workloads write it.
	Image string
	// Keychain adds credentials for this image (the pull secrets of the
	// workloads that run it); nil for none.
	Keychain authn.Keychain
}

// target is an image resolved to the digest whose signatures decide it.
type target struct {
	policy *policy
	digest name.Digest
	opts   []remote.Option
	// done holds the result when it is known without signatures (no
	// policy covers the image, or it could not be resolved).
	done *Result
	skip bool
}

// Verify decides every requested image a policy covers, in request order;
// images no policy covers have no result. Each image is resolved once and
// each digest's signatures are fetched and verified once per policy.
func (v *Verifier) Verify(ctx context.Context, reqs []Request) []Result {
	targets := make([]target, len(reqs))
	v.each(ctx, "resolving", len(reqs), func(ctx context.Context, i int) {
		targets[i] = v.resolve(ctx, reqs[i])
	})
	// One verdict per (policy, digest): tags and images that name the
	// same content share it; first gives its position in order.
	type key struct{ policy, digest string }
	first := map[key]int{}
	var order []int
	for i, t := range targets {
		if t.done != nil || t.skip {
			continue
		}
		k := key{t.policy.Name, t.digest.String()}
		if _, ok := first[k]; !ok {
			first[k] = len(order)
			order = append(order, i)
		}
	}
	results := make([]Result, len(order))
	v.each(ctx, "verifying", len(order), func(ctx context.Context, n int) {
		t := targets[order[n]]
		results[n] = t.policy.check(t.digest, append(t.opts, remote.WithContext(ctx)))
	})
	var out []Result
	for i, t := range targets {
		switch {
		case t.skip:
			continue
		case t.done != nil:
			out = append(out, *t.done)
		default:
			r := results[first[key{t.policy.Name, t.digest.String()}]]
			r.Image, r.Digest, r.Policy = reqs[i].Image, t.digest.DigestStr(), t.policy.Name
			out = append(out, r)
		}
	}
	return out
}

// each runs fn for 0..n-1 on at most Parallel goroutines, each with the
// per-image timeout, reporting progress.
func (v *Verifier) each(ctx context.Context, stage string, n int, fn func(ctx context.Context, i int)) {
	var done atomic.Int64
	g := errgroup.Group{}
	g.SetLimit(v.opts.Parallel)
	for i := range n {
		g.Go(func() error {
			ictx, cancel := context.WithTimeout(ctx, v.opts.Timeout)
			defer cancel()
			fn(ictx, i)
			if v.opts.Progress != nil {
				v.opts.Progress(stage, int(done.Add(1)), n)
			}
			return nil
		})
	}
	_ = g.Wait() // fn reports its problems in its result
}

// resolve finds the policy of an image and the digest it names now.
func (v *Verifier) resolve(ctx context.Context, req Request) target {
	ref, err := image.Parse(req.Image)
	if err != nil {
		return target{done: &Result{Image: req.Image, Policy: "-", Status: Unresolved, Detail: "not an image reference: " + err.Error()}}
	}
	i := slices.IndexFunc(v.policies, func(p *policy) bool { return p.covers(ref) })
	if i < 0 {
		return target{skip: true}
	}
	p := v.policies[i]
	unresolved := func(err error) target {
		return target{done: &Result{Image: req.Image, Policy: p.Name, Status: Unresolved, Detail: err.Error()}}
	}
	keychain := v.opts.Keychain
	if req.Keychain != nil {
		keychain = authn.NewMultiKeychain(req.Keychain, keychain)
	}
	opts := []remote.Option{remote.WithAuthFromKeychain(keychain), remote.WithUserAgent("kube4c")}
	if ref.Digest != "" {
		d, err := name.NewDigest(ref.Named.Name() + "@" + ref.Digest)
		if err != nil {
			return unresolved(err)
		}
		return target{policy: p, digest: d, opts: opts}
	}
	tag, err := name.NewTag(ref.Named.Name() + ":" + cmp.Or(ref.Tag, "latest"))
	if err != nil {
		return unresolved(err)
	}
	ctxOpts := append(slices.Clip(opts), remote.WithContext(ctx))
	desc, err := remote.Head(tag, ctxOpts...)
	if err != nil {
		// Some registries answer GET but not HEAD for manifests.
		got, gerr := remote.Get(tag, ctxOpts...)
		if gerr != nil {
			return unresolved(fmt.Errorf("resolving %s: %w", tag, gerr))
		}
		desc = &got.Descriptor
	}
	return target{policy: p, digest: tag.Context().Digest(desc.Digest.String()), opts: opts}
}

// check fetches and verifies the signatures of d: verified by the first
// that verifies, missing when there is none, invalid with what was found
// when none verifies, unresolved when the registry could not be read.
func (p *policy) check(d name.Digest, opts []remote.Option) Result {
	set, err := fetchSignatures(d, opts)
	if err != nil {
		return Result{Status: Unresolved, Detail: err.Error()}
	}
	if set.empty() {
		return Result{Status: Missing, Detail: "no cosign signature (no " + strings.Replace(d.DigestStr(), ":", "-", 1) +
			".sig tag and no Sigstore bundle referrer)"}
	}
	var found []string
	note := func(err error) {
		if msg := err.Error(); !slices.Contains(found, msg) {
			found = append(found, msg)
		}
	}
	for _, s := range set.legacy {
		signer, err := p.verifyLegacy(s, d)
		if err == nil {
			return Result{Status: Verified, Signer: signer}
		}
		note(err)
	}
	for _, b := range set.bundles {
		signer, err := p.verifyBundle(b, d)
		if err == nil {
			return Result{Status: Verified, Signer: signer}
		}
		note(err)
	}
	return Result{Status: Invalid, Detail: fmt.Sprintf("none of %d signatures verifies with %s: %s",
		len(set.legacy)+len(set.bundles), p.wants(), strings.Join(found, "; "))}
}

// verifyLegacy verifies a .sig layer: the signature over the payload, by
// the key or by a certificate of the wanted identity, and that the payload
// names d.
func (p *policy) verifyLegacy(s *legacySignature, d name.Digest) (string, error) {
	if p.key != nil {
		if err := p.key.VerifySignature(bytes.NewReader(s.signature), bytes.NewReader(s.payload)); err != nil {
			return "", fmt.Errorf("a signature by another key%s", signedBy(s.cert))
		}
	} else {
		if s.cert == nil {
			return "", errors.New("a signature made with a key, not a certificate")
		}
		pb := verify.NewPolicy(verify.WithArtifact(bytes.NewReader(s.payload)), verify.WithCertificateIdentity(*p.identity))
		if _, err := p.verifier.Verify(s, pb); err != nil {
			return "", fmt.Errorf("a signature%s that fails: %v", signedBy(s.cert), err)
		}
	}
	signed, err := s.signedDigest()
	if err != nil {
		return "", err
	}
	if signed != d.DigestStr() {
		return "", fmt.Errorf("a valid signature of other content (%s), not of this image", signed)
	}
	return p.signer(s.cert), nil
}

// verifyBundle verifies a Sigstore bundle: a message signature of the
// manifest digest or a DSSE statement that names it as its subject, by
// the key or a certificate of the wanted identity.
func (p *policy) verifyBundle(b *bundle.Bundle, d name.Digest) (string, error) {
	var cert *x509.Certificate
	if vc, err := b.VerificationContent(); err == nil {
		cert = vc.Certificate()
	}
	digest, err := hex.DecodeString(d.DigestStr()[strings.IndexByte(d.DigestStr(), ':')+1:])
	if err != nil || d.DigestStr()[:7] != "sha256:" {
		return "", fmt.Errorf("an image digest %s kube4c cannot check (want sha256)", d.DigestStr())
	}
	var opt verify.PolicyOption
	switch {
	case p.key != nil && cert != nil:
		return "", fmt.Errorf("a bundle%s, not by the key", signedBy(cert))
	case p.key != nil:
		opt = verify.WithKey()
	case cert == nil:
		return "", errors.New("a bundle signed with a key, not a certificate")
	default:
		opt = verify.WithCertificateIdentity(*p.identity)
	}
	res, err := p.verifier.Verify(b, verify.NewPolicy(verify.WithArtifactDigest("sha256", digest), opt))
	if err != nil {
		return "", fmt.Errorf("a bundle%s that fails: %v", signedBy(cert), err)
	}
	if res.Statement != nil && res.Statement.GetPredicateType() != signPredicate {
		return "", fmt.Errorf("an attestation (%s), not a signature", res.Statement.GetPredicateType())
	}
	return p.signer(cert), nil
}

// signer names who signed, for a verified result.
func (p *policy) signer(cert *x509.Certificate) string {
	if p.key != nil {
		return "key " + p.Key
	}
	return strings.TrimPrefix(signedBy(cert), " by ")
}

// signedBy names the identity and issuer of a signing certificate, as
// " by identity X (issuer Y)"; "" for none.
func signedBy(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	s, err := certificate.SummarizeCertificate(cert)
	if err != nil {
		return " by an unreadable certificate"
	}
	return fmt.Sprintf(" by identity %s (issuer %s)", s.SubjectAlternativeName, s.Issuer)
}
