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
	var t *corev1.PodTemplateSpec
	at := &underSpec
	switch o := obj.Obj.(type) {
	case *corev1.Pod:
		return newWorkload(obj, &o.ObjectMeta, &o.Spec, &ofPod)
	case *corev1.PodTemplate:
		t, at = &o.Template, &underTemplate
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
		t, at = &o.Spec.JobTemplate.Spec.Template, &underJobTemplate
	case *batchv1beta1.CronJob:
		t, at = &o.Spec.JobTemplate.Spec.Template, &underJobTemplate
	default:
		return nil
	}
	if t == nil {
		// A ReplicationController may omit its template; it runs nothing.
		return nil
	}
	return newWorkload(obj, &t.ObjectMeta, &t.Spec, at)
}

// podPaths are the field paths of a pod's metadata and spec in a kind of
// workload, and of the first containers of the spec: the workloads of a
// kind share these strings.
type podPaths struct {
	meta, spec string
	// init, regular and ephemeral hold the paths of the first containers
	// of each kind.
	init, regular, ephemeral []string
}

// The pod paths of Pods, PodTemplates, CronJobs and other workloads.
var (
	ofPod            = newPodPaths("metadata", "spec")
	underTemplate    = newPodPaths("template.metadata", "template.spec")
	underSpec        = newPodPaths("spec.template.metadata", "spec.template.spec")
	underJobTemplate = newPodPaths("spec.jobTemplate.spec.template.metadata", "spec.jobTemplate.spec.template.spec")
)

// sharedContainerPaths is how many containers of each kind have their
// path in podPaths; further ones (rare) get a path of their own.
const sharedContainerPaths = 16

func newPodPaths(meta, spec string) podPaths {
	p := podPaths{meta: meta, spec: spec}
	for i := range sharedContainerPaths {
		p.init = append(p.init, containerPath(spec, InitContainer, i))
		p.regular = append(p.regular, containerPath(spec, RegularContainer, i))
		p.ephemeral = append(p.ephemeral, containerPath(spec, EphemeralContainer, i))
	}
	return p
}

// container returns the path of container i of a kind.
func (p *podPaths) container(kind ContainerKind, i int) string {
	shared := p.regular
	switch kind {
	case InitContainer:
		shared = p.init
	case EphemeralContainer:
		shared = p.ephemeral
	}
	if i < len(shared) {
		return shared[i]
	}
	return containerPath(p.spec, kind, i)
}

func containerPath(spec string, kind ContainerKind, i int) string {
	return spec + "." + string(kind) + "[" + strconv.Itoa(i) + "]"
}

func newWorkload(obj *Object, meta *metav1.ObjectMeta, spec *corev1.PodSpec, at *podPaths) *Workload {
	w := &Workload{Object: obj, PodMeta: meta, Spec: spec, MetaPath: at.meta, SpecPath: at.spec}
	w.containers = listContainers(spec, at)
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

// listContainers lists the containers of pod spec s, whose paths at gives.
func listContainers(s *corev1.PodSpec, at *podPaths) []Container {
	out := make([]Container, 0, len(s.InitContainers)+len(s.Containers)+len(s.EphemeralContainers))
	add := func(kind ContainerKind, i int, c *corev1.Container) {
		out = append(out, Container{Container: c, Kind: kind, Index: i, Path: at.container(kind, i)})
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
