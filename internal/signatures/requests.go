package signatures

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// PullSecretSource reads the named image pull secrets of a namespace (a
// live cluster's, with get on each: never a list).
type PullSecretSource func(ctx context.Context, namespace string, names []string) ([]*corev1.Secret, error)

// secretRef names a pull secret.
type secretRef struct{ namespace, name string }

// Requests returns one request per distinct image of inv's workloads, in
// inventory order. With secrets set, each request carries the credentials
// of the pull secrets named by the workloads that run the image (their
// own imagePullSecrets and their service account's), each secret read
// once; what cannot be read is returned as a warning naming the secret.
func Requests(ctx context.Context, inv *inventory.Inventory, secrets PullSecretSource) ([]Request, []source.Problem) {
	var images []string
	uses := map[string][]secretRef{}
	for _, w := range inv.Workloads() {
		refs := pullSecretsOf(inv, w)
		for _, c := range w.Containers() {
			if c.Image == "" {
				continue
			}
			if _, ok := uses[c.Image]; !ok {
				images = append(images, c.Image)
				uses[c.Image] = nil
			}
			for _, r := range refs {
				if !slices.Contains(uses[c.Image], r) {
					uses[c.Image] = append(uses[c.Image], r)
				}
			}
		}
	}
	reqs := make([]Request, len(images))
	for i, img := range images {
		reqs[i].Image = img
	}
	if secrets == nil {
		return reqs, nil
	}
	read, problems := readPullSecrets(ctx, uses, secrets)
	for i, img := range images {
		var list []*corev1.Secret
		for _, r := range uses[img] {
			if s := read[r]; s != nil {
				list = append(list, s)
			}
		}
		if len(list) > 0 {
			reqs[i].Keychain, _ = PullSecretKeychain(list) // readPullSecrets reported the bad ones
		}
	}
	return reqs, problems
}

// pullSecretsOf names the pull secrets of a workload's pods: its own,
// then its service account's.
func pullSecretsOf(inv *inventory.Inventory, w *inventory.Workload) []secretRef {
	ns := w.Object.Namespace()
	var out []secretRef
	add := func(list []corev1.LocalObjectReference) {
		for _, s := range list {
			if r := (secretRef{ns, s.Name}); s.Name != "" && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	add(w.Spec.ImagePullSecrets)
	sa := w.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	if obj := inv.Get(schema.GroupKind{Kind: "ServiceAccount"}, ns, sa); obj != nil {
		if acct, ok := obj.Obj.(*corev1.ServiceAccount); ok {
			add(acct.ImagePullSecrets)
		}
	}
	return out
}

// readPullSecrets reads every secret uses names, a namespace at a time,
// and checks that each is a pull secret.
func readPullSecrets(ctx context.Context, uses map[string][]secretRef, secrets PullSecretSource) (map[secretRef]*corev1.Secret, []source.Problem) {
	byNamespace := map[string][]string{}
	var namespaces []string
	for _, refs := range uses {
		for _, r := range refs {
			if _, ok := byNamespace[r.namespace]; !ok {
				namespaces = append(namespaces, r.namespace)
			}
			if !slices.Contains(byNamespace[r.namespace], r.name) {
				byNamespace[r.namespace] = append(byNamespace[r.namespace], r.name)
			}
		}
	}
	slices.Sort(namespaces)
	read := map[secretRef]*corev1.Secret{}
	var problems []source.Problem
	for _, ns := range namespaces {
		names := byNamespace[ns]
		slices.Sort(names)
		got, err := secrets(ctx, ns, names)
		if err != nil {
			problems = append(problems, source.Problem{Object: "Secret/" + ns, Message: "image pull secrets not read, their registries are asked anonymously: " + err.Error()})
		}
		for _, s := range got {
			if _, err := PullSecretKeychain([]*corev1.Secret{s}); err != nil {
				problems = append(problems, source.Problem{Object: "Secret/" + s.Namespace + "/" + s.Name, Message: err.Error()})
				continue
			}
			read[secretRef{s.Namespace, s.Name}] = s
		}
	}
	return read, problems
}
