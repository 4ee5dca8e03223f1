package catalog

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// aboutContainer words a message about container c: `container "NAME"`
// followed by text, which starts with a space.
func aboutContainer(c inventory.Container, text string) string {
	return "container " + quote(c.Name) + text
}

// aboutImage words a message about the image of container c: `image
// "IMAGE" of container "NAME"` followed by text (without the image part
// when the container has none).
func aboutImage(c inventory.Container, text string) string {
	if c.Image == "" {
		return aboutContainer(c, text)
	}
	return "image " + quote(c.Image) + " of " + aboutContainer(c, text)
}

// isWindows reports whether the pod declares the Windows OS; Linux-only
// settings such as seccomp and capabilities do not apply to it.
func isWindows(w *inventory.Workload) bool {
	return w.Spec.OS != nil && w.Spec.OS.Name == corev1.Windows
}

// Empty security contexts that podSC and containerSC return for unset ones;
// callers only read them.
var (
	noPodSC       = &corev1.PodSecurityContext{}
	noContainerSC = &corev1.SecurityContext{}
)

// podSC returns the pod's security context, never nil. Do not modify it.
func podSC(w *inventory.Workload) *corev1.PodSecurityContext {
	if w.Spec.SecurityContext == nil {
		return noPodSC
	}
	return w.Spec.SecurityContext
}

// containerSC returns the container's security context, never nil. Do not
// modify it.
func containerSC(c inventory.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		return noContainerSC
	}
	return c.SecurityContext
}

// setting is a security setting resolved between pod and container level:
// the container's value wins; path says where the winning value is set.
type setting[T any] struct {
	Value *T
	// base is the path of the container or pod spec whose securityContext
	// holds the value (the container's when neither does), field the path
	// below securityContext.
	base, field string
}

// path returns the path of the value, or where the container would set it.
func (s setting[T]) path() string { return s.base + ".securityContext." + s.field }

// resolve returns the container-level value when set, else the pod-level one.
func resolve[T any](w *inventory.Workload, c inventory.Container, containerValue, podValue *T, field string) setting[T] {
	if containerValue == nil && podValue != nil {
		return setting[T]{podValue, w.SpecPath, field}
	}
	return setting[T]{containerValue, c.Path, field}
}

func runAsNonRootOf(w *inventory.Workload, c inventory.Container) setting[bool] {
	return resolve(w, c, containerSC(c).RunAsNonRoot, podSC(w).RunAsNonRoot, "runAsNonRoot")
}

func runAsUserOf(w *inventory.Workload, c inventory.Container) setting[int64] {
	return resolve(w, c, containerSC(c).RunAsUser, podSC(w).RunAsUser, "runAsUser")
}

func seccompOf(w *inventory.Workload, c inventory.Container) setting[corev1.SeccompProfile] {
	return resolve(w, c, containerSC(c).SeccompProfile, podSC(w).SeccompProfile, "seccompProfile")
}

func appArmorOf(w *inventory.Workload, c inventory.Container) setting[corev1.AppArmorProfile] {
	return resolve(w, c, containerSC(c).AppArmorProfile, podSC(w).AppArmorProfile, "appArmorProfile")
}

// Legacy annotations that set seccomp and AppArmor before the fields existed.
const (
	seccompPodAnnotation        = "seccomp.security.alpha.kubernetes.io/pod"
	seccompContainerAnnotation  = "container.seccomp.security.alpha.kubernetes.io/"
	appArmorContainerAnnotation = "container.apparmor.security.beta.kubernetes.io/"
)

// annotation returns the pod template's annotation and its field path.
func annotation(w *inventory.Workload, key string) (string, string, bool) {
	v, ok := w.PodMeta.Annotations[key]
	if !ok {
		return "", "", false
	}
	return v, w.MetaPath + ".annotations[" + key + "]", true
}

// normalizeCapability upper-cases a capability and removes the CAP_ prefix.
func normalizeCapability(name string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
}
