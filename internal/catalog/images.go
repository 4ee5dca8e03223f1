package catalog

import (
	"strings"

	"github.com/distribution/reference"
	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// imageRef is a parsed container image reference.
type imageRef struct {
	named  reference.Named
	tag    string // "" when none
	digest string // "" when none
}

func parseImage(image string) (imageRef, error) {
	named, err := reference.ParseNormalizedNamed(strings.TrimSpace(image))
	if err != nil {
		return imageRef{}, err
	}
	r := imageRef{named: named}
	if t, ok := named.(reference.Tagged); ok {
		r.tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.digest = d.Digest().String()
	}
	return r, nil
}

// mutable reports whether the reference can point at other content later:
// it has no digest.
func (r imageRef) mutable() bool { return r.digest == "" }

// parsedImage is the outcome of parsing one image reference.
type parsedImage struct {
	ref imageRef
	err error
}

// parsedImages parses every distinct image of the inventory once; the image
// checks share the result.
func parsedImages(inv *inventory.Inventory) map[string]parsedImage {
	return inv.Memo("checks.images", func() any {
		images := map[string]parsedImage{}
		for _, w := range inv.Workloads() {
			for _, c := range w.Containers() {
				if _, ok := images[c.Image]; !ok {
					ref, err := parseImage(c.Image)
					images[c.Image] = parsedImage{ref, err}
				}
			}
		}
		return images
	}).(map[string]parsedImage)
}

// imageRule runs fn for every container whose image parses; a container
// whose image does not parse is reported once, by image-latest-tag.
func imageRule(fn func(w *inventory.Workload, c inventory.Container, t *texts, ref imageRef, report func(string, string))) func(*check.Context) check.ContainerRule {
	return func(ctx *check.Context) check.ContainerRule {
		images := parsedImages(ctx.Inventory)
		t := &texts{}
		return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
			if p := images[c.Image]; p.err == nil {
				fn(w, c, t, p.ref, report)
			}
		}
	}
}

// registrySettings configure image-untrusted-registry.
type registrySettings struct {
	// AllowedRegistries lists registries ("ghcr.io") or repository
	// prefixes ("registry.example.com/team/") images may come from.
	AllowedRegistries []string `json:"allowedRegistries" yaml:"allowedRegistries"`
}

// allowedBy reports whether an image's fully qualified name is covered by an
// allowed registry or prefix, at a path-component boundary.
func allowedBy(name string, allowed []string) bool {
	for _, a := range allowed {
		a = strings.TrimSuffix(strings.TrimSpace(a), "/")
		if a == "" {
			continue
		}
		if name == a || strings.HasPrefix(name, a+"/") {
			return true
		}
	}
	return false
}

func init() {
	check.Register(&check.Check{
		ID:       "image-latest-tag",
		Title:    "Image uses the latest tag or no tag",
		Layer:    check.LayerContainer,
		Severity: check.Medium,
		Looks:    "the image of every container: a reference without tag or digest, or with the tag latest and no digest. References that do not parse are reported too.",
		Rationale: "latest (which is what no tag means) moves: the same manifest deploys different code from one day to the next, " +
			"rollbacks do not roll back, and a compromised push is picked up silently.",
		Remediation: "Pin a version tag, and better the digest: image: registry.example.com/app:1.4.2@sha256:<digest>.",
		Example:     `image: registry.example.com/shop/api:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`,
		References: check.References{
			CIS:   []string{"5.5.1"},
			NSA:   []string{"Kubernetes Pod security: Building secure container images"},
			MITRE: []string{"T1525"},
		},
		Containers: func(ctx *check.Context) check.ContainerRule {
			images := parsedImages(ctx.Inventory)
			t := &texts{}
			return func(w *inventory.Workload, c inventory.Container, report func(string, string)) {
				latestTagRule(t, c, images[c.Image], report)
			}
		},
	})
}

// latestTagRule reports an image without tag or digest, with the latest
// tag and no digest, or one that does not parse.
func latestTagRule(t *texts, c inventory.Container, p parsedImage, report func(string, string)) {
	ref, err := p.ref, p.err
	switch {
	case err != nil:
		report(c.Path+".image", "image "+quote(c.Image)+" of container "+quote(c.Name)+" is not a valid reference ("+err.Error()+"); its version cannot be known")
	case ref.digest != "":
	case ref.tag == "":
		report(t.field(c, ".image"), t.image(c, " has no tag, which means latest; pin a version and a digest"))
	case ref.tag == "latest":
		report(t.field(c, ".image"), t.image(c, " uses the latest tag; pin a version and a digest"))
	}
}

func init() {
	check.Register(&check.Check{
		ID:          "image-not-pinned",
		Title:       "Image not pinned by digest",
		Layer:       check.LayerContainer,
		Severity:    check.Low,
		Looks:       "the image of every container, for a @sha256 digest.",
		Rationale:   "A tag can be moved to other content at any time, by mistake or by an attacker who can push to the registry; only a digest names exactly one image.",
		Remediation: "Reference the image by digest (tag@sha256:...), and let a bot such as Renovate keep digests current.",
		Example:     `image: registry.example.com/shop/api:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`,
		References: check.References{
			CIS:   []string{"5.5.1"},
			NSA:   []string{"Kubernetes Pod security: Building secure container images"},
			MITRE: []string{"T1525"},
		},
		Containers: imageRule(func(w *inventory.Workload, c inventory.Container, t *texts, ref imageRef, report func(string, string)) {
			if ref.mutable() {
				report(t.field(c, ".image"), t.image(c, " is not pinned by digest; add @sha256:<digest>"))
			}
		}),
	})

	check.Register(&check.Check{
		ID:       "image-pull-policy",
		Title:    "Mutable image tag without imagePullPolicy: Always",
		Layer:    check.LayerContainer,
		Severity: check.Low,
		Looks: "imagePullPolicy of containers whose image has no digest. An unset policy counts as Kubernetes defaults it: " +
			"Always for latest or no tag, IfNotPresent otherwise.",
		Rationale: "With a mutable tag and IfNotPresent, each node runs whatever it pulled first under that tag: pods of one " +
			"workload can run different code, and a node may keep a vulnerable image after the tag was fixed.",
		Remediation: "Pin the image by digest (then any policy is safe), or set imagePullPolicy: Always.",
		Example:     "imagePullPolicy: Always",
		References: check.References{
			NSA:   []string{"Kubernetes Pod security: Building secure container images"},
			MITRE: []string{"T1525"},
		},
		Containers: imageRule(func(w *inventory.Workload, c inventory.Container, t *texts, ref imageRef, report func(string, string)) {
			if !ref.mutable() {
				return
			}
			policy := c.ImagePullPolicy
			if policy == "" {
				if ref.tag == "" || ref.tag == "latest" {
					return // defaulted to Always
				}
				report(c.Path+".imagePullPolicy", "container "+quote(c.Name)+" uses the mutable tag "+quote(ref.tag)+" and no imagePullPolicy, which defaults to IfNotPresent; pin a digest or set imagePullPolicy: Always")
				return
			}
			if policy != corev1.PullAlways {
				report(c.Path+".imagePullPolicy", "container "+quote(c.Name)+" uses a mutable tag with imagePullPolicy "+string(policy)+"; pin a digest or set imagePullPolicy: Always")
			}
		}),
	})

	check.Register(&check.Check{
		ID:       "image-untrusted-registry",
		Title:    "Image from a registry not on the allowlist",
		Layer:    check.LayerContainer,
		Severity: check.High,
		Looks: "the fully qualified name of every container image (nginx is docker.io/library/nginx) against " +
			"settings.image-untrusted-registry.allowedRegistries in .kube4c.yaml. Off until allowed registries are configured.",
		Rationale:         "Images from registries you do not control can change under you or carry malware; an allowlist keeps deployments to vetted sources.",
		Remediation:       "Mirror the image into an allowed registry, or add the registry to allowedRegistries after review.",
		Example:           "# .kube4c.yaml\nchecks:\n  image-untrusted-registry: {enabled: true}\nsettings:\n  image-untrusted-registry:\n    allowedRegistries: [registry.example.com, ghcr.io/example-org]",
		DisabledByDefault: true,
		References: check.References{
			CIS:   []string{"5.5.1"},
			NSA:   []string{"Kubernetes Pod security: Building secure container images"},
			MITRE: []string{"T1525", "T1195.002"},
		},
		Containers: func(ctx *check.Context) check.ContainerRule {
			var s registrySettings
			if !settingsOf(ctx, "image-untrusted-registry", &s) || len(s.AllowedRegistries) == 0 {
				return nil
			}
			return imageRule(func(w *inventory.Workload, c inventory.Container, t *texts, ref imageRef, report func(string, string)) {
				if name := ref.named.Name(); !allowedBy(name, s.AllowedRegistries) {
					report(c.Path+".image", "image "+quote(c.Image)+" of container "+quote(c.Name)+" comes from "+reference.Domain(ref.named)+
						", which is not in allowedRegistries; mirror it into an allowed registry")
				}
			})(ctx)
		},
	})
}
