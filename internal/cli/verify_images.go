package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/signatures"
)

// verifyFlags are scan's image signature flags: --verify-images turns the
// checks on; the others add a policy that covers every image the config's
// images.verify policies leave.
type verifyFlags struct {
	enabled                 bool
	key                     string
	identity, issuer, trust string
}

func (v *verifyFlags) addFlags(fl *pflag.FlagSet) {
	fl.BoolVar(&v.enabled, "verify-images", false, "resolve every image's digest in its registry and verify its cosign signatures "+
		"against the config's images.verify policies (and --verify-key or --verify-identity); credentials from the docker config file")
	fl.StringVar(&v.key, "verify-key", "", "with --verify-images: a PEM public key (cosign.pub) that must have signed every image no images.verify policy covers")
	fl.StringVar(&v.identity, "verify-identity", "", "with --verify-images: the keyless signing identity (certificate subject, e.g. a CI workflow URI) "+
		"every image no images.verify policy covers must be signed by; needs --verify-issuer and --trusted-root")
	fl.StringVar(&v.issuer, "verify-issuer", "", "with --verify-identity: the OIDC issuer of that identity")
	fl.StringVar(&v.trust, "trusted-root", "", "with --verify-identity: the Sigstore trusted_root.json to verify certificates and log entries against (read from the file; nothing is fetched)")
}

// policies returns the policies in force: the config's, then the flags'
// catch-all one.
func (v *verifyFlags) policies(cfg *config.Config) ([]config.ImagePolicy, error) {
	keyless := v.identity != "" || v.issuer != "" || v.trust != ""
	switch {
	case !v.enabled && (v.key != "" || keyless):
		return nil, usageError("--verify-key, --verify-identity, --verify-issuer and --trusted-root need --verify-images")
	case !v.enabled:
		return nil, nil
	case v.key != "" && keyless:
		return nil, usageError("--verify-key and --verify-identity are two policies for the same images: give one (write both in images.verify for different images)")
	case keyless && (v.identity == "" || v.issuer == "" || v.trust == ""):
		return nil, usageError("--verify-identity needs --verify-issuer and --trusted-root")
	}
	policies := cfg.ImagePolicies()
	switch {
	case v.key != "":
		policies = append(policies, config.ImagePolicy{Name: "--verify-key", Key: v.key})
	case keyless:
		policies = append(policies, config.ImagePolicy{Name: "--verify-identity",
			Keyless: &config.Keyless{Identity: v.identity, Issuer: v.issuer, TrustedRoot: v.trust}})
	}
	if len(policies) == 0 {
		return nil, usageError("--verify-images needs a policy: images.verify in the config file, --verify-key, or --verify-identity")
	}
	return policies, nil
}

// source wraps src so that it verifies the images' signatures, drawing
// progress on a terminal. live, the cluster src reads when it is one,
// also gives the workloads' image pull secrets.
func (v *verifyFlags) source(cmd *cobra.Command, g *globalFlags, cfg *config.Config, src pipeline.Source, live *rest.Config) (pipeline.Source, error) {
	policies, err := v.policies(cfg)
	if err != nil || policies == nil {
		return src, err
	}
	opts := signatures.Options{}
	if file, ok := cmd.ErrOrStderr().(*os.File); ok && !g.quiet && term.IsTerminal(int(file.Fd())) {
		var mu sync.Mutex
		opts.Progress = func(stage string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if done == total {
				fmt.Fprint(file, "\r\x1b[K")
				return
			}
			fmt.Fprintf(file, "\r\x1b[Kimage signatures: %s %d/%d", stage, done, total)
		}
	}
	verifier, err := signatures.NewVerifier(policies, opts)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	out := pipeline.WithImageSignatures{Source: src, Verifier: verifier}
	if live != nil {
		out.PullSecrets = pullSecretsOf(live)
	}
	return out, nil
}

// pullSecretsOf reads image pull secrets from a live cluster, one get per
// secret: the only Secret data kube4c ever reads, and only with
// --verify-images. It returns those it could read and an error naming the
// others.
func pullSecretsOf(cfg *rest.Config) signatures.PullSecretSource {
	return func(ctx context.Context, namespace string, names []string) ([]*corev1.Secret, error) {
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return nil, err
		}
		var out []*corev1.Secret
		var errs []error
		for _, name := range names {
			s, err := client.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, s)
		}
		return out, errors.Join(errs...)
	}
}
