package inventory

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WorkloadKinds are the kinds that have a PodSpec view.
var WorkloadKinds = []string{"Pod", "PodTemplate", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}

// Workload is the PodSpec view of an object that runs pods: a Pod, a
// PodTemplate, or a controller with a pod template.
type Workload struct {
	// Object is the inventory object the pod spec belongs to.
	Object *Object
	// PodMeta is the metadata of the pods (the template's, or the Pod's own).
	PodMeta *metav1.ObjectMeta
	// Spec is the pod spec.
	Spec *corev1.PodSpec
	// MetaPath is the field path of PodMeta ("metadata" for a Pod).
	MetaPath string
	// SpecPath is the field path of Spec, e.g. "spec.jobTemplate.spec.template.spec".
	SpecPath string

	containers []Container
}

// workloadOf returns the PodSpec view of obj, or nil when obj runs no pods.
func workloadOf(obj *Object) *Workload {
	const (
		tmpl    = "spec.template"
		cronJob = "spec.jobTemplate.spec.template"
	)
	var t *corev1.PodTemplateSpec
	base := tmpl
	switch o := obj.Obj.(type) {
	case *corev1.Pod:
		return newWorkload(obj, &o.ObjectMeta, &o.Spec, "metadata", "spec")
	case *corev1.PodTemplate:
		t, base = &o.Template, "template"
	case *corev1.ReplicationController:
		t = o.Spec.Template
	case *appsv1.Deployment:
		t = &o.Spec.Template
	case *appsv1.StatefulSet:
		t = &o.Spec.Template
	case *appsv1.DaemonSet:
		t = &o.Spec.Template
	case *appsv1.ReplicaSet:
		t = &o.Spec.Template
	case *appsv1beta1.Deployment:
		t = &o.Spec.Template
	case *appsv1beta1.StatefulSet:
		t = &o.Spec.Template
	case *appsv1beta2.Deployment:
		t = &o.Spec.Template
	case *appsv1beta2.StatefulSet:
		t = &o.Spec.Template
	case *appsv1beta2.DaemonSet:
		t = &o.Spec.Template
	case *appsv1beta2.ReplicaSet:
		t = &o.Spec.Template
	case *extensionsv1beta1.Deployment:
		t = &o.Spec.Template
	case *extensionsv1beta1.DaemonSet:
		t = &o.Spec.Template
	case *extensionsv1beta1.ReplicaSet:
		t = &o.Spec.Template
	case *batchv1.Job:
		t = &o.Spec.Template
	case *batchv1.CronJob:
		t, base = &o.Spec.JobTemplate.Spec.Template, cronJob
	case *batchv1beta1.CronJob:
		t, base = &o.Spec.JobTemplate.Spec.Template, cronJob
	default:
		return nil
	}
	if t == nil {
		// A ReplicationController may omit its template; it runs nothing.
		return nil
	}
	return newWorkload(obj, &t.ObjectMeta, &t.Spec, base+".metadata", base+".spec")
}

func newWorkload(obj *Object, meta *metav1.ObjectMeta, spec *corev1.PodSpec, metaPath, specPath string) *Workload {
	w := &Workload{Object: obj, PodMeta: meta, Spec: spec, MetaPath: metaPath, SpecPath: specPath}
	w.containers = w.listContainers()
	return w
}

// ContainerKind tells regular, init and ephemeral containers apart.
type ContainerKind string

// Container kinds, named after their PodSpec field.
const (
	InitContainer      ContainerKind = "initContainers"
	RegularContainer   ContainerKind = "containers"
	EphemeralContainer ContainerKind = "ephemeralContainers"
)

// Container is one container of a workload, with its field path.
type Container struct {
	*corev1.Container
	// Kind says which PodSpec list the container is in.
	Kind ContainerKind
	// Index is its position in that list.
	Index int
	// Path is its field path, e.g. "spec.template.spec.containers[1]".
	Path string
}

// Containers returns every container of the workload: init containers,
// then regular ones, then ephemeral ones. The slice is shared: do not
// modify it.
func (w *Workload) Containers() []Container { return w.containers }

func (w *Workload) listContainers() []Container {
	s := w.Spec
	out := make([]Container, 0, len(s.InitContainers)+len(s.Containers)+len(s.EphemeralContainers))
	add := func(kind ContainerKind, i int, c *corev1.Container) {
		out = append(out, Container{Container: c, Kind: kind, Index: i, Path: w.SpecPath + "." + string(kind) + "[" + strconv.Itoa(i) + "]"})
	}
	for i := range s.InitContainers {
		add(InitContainer, i, &s.InitContainers[i])
	}
	for i := range s.Containers {
		add(RegularContainer, i, &s.Containers[i])
	}
	for i := range s.EphemeralContainers {
		// EphemeralContainerCommon has exactly the fields of Container.
		add(EphemeralContainer, i, (*corev1.Container)(&s.EphemeralContainers[i].EphemeralContainerCommon))
	}
	return out
}

// Field returns the path of a field below the pod spec, e.g.
// w.Field("hostNetwork") is "spec.template.spec.hostNetwork".
func (w *Workload) Field(sub string) string { return w.SpecPath + "." + sub }
