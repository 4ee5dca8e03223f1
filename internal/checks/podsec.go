package checks

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// containerRule inspects one container of a workload and reports as many
// findings as it needs through report.
type containerRule func(w *inventory.Workload, c inventory.Container, report func(path, message string))

// forEachContainer turns a containerRule into a check's Run function.
func forEachContainer(rule containerRule) func(*check.Context) {
	return func(ctx *check.Context) {
		for _, w := range ctx.Inventory.Workloads() {
			for _, c := range w.Containers() {
				rule(w, c, func(path, message string) {
					ctx.ReportFinding(check.Finding{Object: w.Object, Container: c.Name, Path: path, Message: message})
				})
			}
		}
	}
}

// isWindows reports whether the pod declares the Windows OS; Linux-only
// settings such as seccomp and capabilities do not apply to it.
func isWindows(w *inventory.Workload) bool {
	return w.Spec.OS != nil && w.Spec.OS.Name == corev1.Windows
}

// podSC returns the pod's security context, never nil.
func podSC(w *inventory.Workload) *corev1.PodSecurityContext {
	if w.Spec.SecurityContext == nil {
		return &corev1.PodSecurityContext{}
	}
	return w.Spec.SecurityContext
}

// containerSC returns the container's security context, never nil.
func containerSC(c inventory.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		return &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

// setting is a security setting resolved between pod and container level:
// the container's value wins; Path says where the winning value is set.
type setting[T any] struct {
	Value *T
	Path  string
}

// resolve returns the container-level value when set, else the pod-level one.
func resolve[T any](containerValue *T, containerPath string, podValue *T, podPath string) setting[T] {
	if containerValue != nil {
		return setting[T]{containerValue, containerPath}
	}
	if podValue != nil {
		return setting[T]{podValue, podPath}
	}
	return setting[T]{nil, containerPath}
}

func runAsNonRootOf(w *inventory.Workload, c inventory.Container) setting[bool] {
	return resolve(containerSC(c).RunAsNonRoot, c.Path+".securityContext.runAsNonRoot", podSC(w).RunAsNonRoot, w.Field("securityContext.runAsNonRoot"))
}

func runAsUserOf(w *inventory.Workload, c inventory.Container) setting[int64] {
	return resolve(containerSC(c).RunAsUser, c.Path+".securityContext.runAsUser", podSC(w).RunAsUser, w.Field("securityContext.runAsUser"))
}

func seccompOf(w *inventory.Workload, c inventory.Container) setting[corev1.SeccompProfile] {
	return resolve(containerSC(c).SeccompProfile, c.Path+".securityContext.seccompProfile", podSC(w).SeccompProfile, w.Field("securityContext.seccompProfile"))
}

func appArmorOf(w *inventory.Workload, c inventory.Container) setting[corev1.AppArmorProfile] {
	return resolve(containerSC(c).AppArmorProfile, c.Path+".securityContext.appArmorProfile", podSC(w).AppArmorProfile, w.Field("securityContext.appArmorProfile"))
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
	return v, w.MetaPath + ".annotations[" + key + "]", ok
}

// normalizeCapability upper-cases a capability and removes the CAP_ prefix.
func normalizeCapability(name string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
}
