package catalog

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/image"
	"github.com/kube4c/kube4c/internal/inventory"
)

// imageRule makes the Run function of a check about the images of
// containers: fn is called for every container whose image parses; a
// container whose image does not parse is reported once, by
// image-latest-tag.
func imageRule(fn func(ctx *check.Context, w *inventory.Workload, c inventory.Container, ref image.Ref)) func(*check.Context) {
	return check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
		if p := ctx.Images().Of(c.Image); p.Err == nil {
			fn(ctx, w, c, p.Ref)
		}
	})
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
		Meta: check.Meta{
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
		},
		Run: check.PerContainer(latestTagRule),
	})
}

// latestTagRule reports an image without tag or digest, with the latest
// tag and no digest, or one that does not parse.
func latestTagRule(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
	p := ctx.Images().Of(c.Image)
	ref, err := p.Ref, p.Err
	switch {
	case err != nil:
		ctx.ReportContainer(w, c, c.Path+".image", "image "+quote(c.Image)+" of container "+quote(c.Name)+" is not a valid reference ("+err.Error()+"); its version cannot be known")
	case ref.Digest != "":
	case ref.Tag == "":
		ctx.ReportContainer(w, c, c.Path+".image", aboutImage(c, " has no tag, which means latest; pin a version and a digest"))
	case ref.Tag == "latest":
		ctx.ReportContainer(w, c, c.Path+".image", aboutImage(c, " uses the latest tag; pin a version and a digest"))
	}
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
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
		},
		Run: imageRule(func(ctx *check.Context, w *inventory.Workload, c inventory.Container, ref image.Ref) {
			if ref.Mutable() {
				ctx.ReportContainer(w, c, c.Path+".image", aboutImage(c, " is not pinned by digest; add @sha256:<digest>"))
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
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
		},
		Run: imageRule(func(ctx *check.Context, w *inventory.Workload, c inventory.Container, ref image.Ref) {
			if !ref.Mutable() {
				return
			}
			policy := c.ImagePullPolicy
			if policy == "" {
				if ref.Tag == "" || ref.Tag == "latest" {
					return // defaulted to Always
				}
				ctx.ReportContainer(w, c, c.Path+".imagePullPolicy", "container "+quote(c.Name)+" uses the mutable tag "+quote(ref.Tag)+" and no imagePullPolicy, which defaults to IfNotPresent; pin a digest or set imagePullPolicy: Always")
				return
			}
			if policy != corev1.PullAlways {
				ctx.ReportContainer(w, c, c.Path+".imagePullPolicy", "container "+quote(c.Name)+" uses a mutable tag with imagePullPolicy "+string(policy)+"; pin a digest or set imagePullPolicy: Always")
			}
		}),
		Fix: check.SetTo("Always"),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
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
		},
		Run: func(ctx *check.Context) {
			var s registrySettings
			if !settingsOf(ctx, "image-untrusted-registry", &s) || len(s.AllowedRegistries) == 0 {
				return
			}
			imageRule(func(ctx *check.Context, w *inventory.Workload, c inventory.Container, ref image.Ref) {
				if name := ref.Named.Name(); !allowedBy(name, s.AllowedRegistries) {
					ctx.ReportContainer(w, c, c.Path+".image", "image "+quote(c.Image)+" of container "+quote(c.Name)+" comes from "+ref.Domain()+
						", which is not in allowedRegistries; mirror it into an allowed registry")
				}
			})(ctx)
		},
	})
}
