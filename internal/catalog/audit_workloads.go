package catalog

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// hostAccessChecks are the workload checks audit-pod-host-access runs on
// the pods and pod templates created through the API.
var hostAccessChecks = []string{"privileged-container", "sensitive-host-path", "host-network", "host-pid", "host-ipc", "container-runtime-socket"}

// podRunningResources maps the API resources that run pods to their kind and
// a constructor of their typed object.
var podRunningResources = map[string]struct {
	gvk schema.GroupVersionKind
	new func() runtime.Object
}{
	"pods":         {corev1.SchemeGroupVersion.WithKind("Pod"), func() runtime.Object { return &corev1.Pod{} }},
	"deployments":  {appsv1.SchemeGroupVersion.WithKind("Deployment"), func() runtime.Object { return &appsv1.Deployment{} }},
	"daemonsets":   {appsv1.SchemeGroupVersion.WithKind("DaemonSet"), func() runtime.Object { return &appsv1.DaemonSet{} }},
	"statefulsets": {appsv1.SchemeGroupVersion.WithKind("StatefulSet"), func() runtime.Object { return &appsv1.StatefulSet{} }},
	"replicasets":  {appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), func() runtime.Object { return &appsv1.ReplicaSet{} }},
	"jobs":         {batchv1.SchemeGroupVersion.WithKind("Job"), func() runtime.Object { return &batchv1.Job{} }},
	"cronjobs":     {batchv1.SchemeGroupVersion.WithKind("CronJob"), func() runtime.Object { return &batchv1.CronJob{} }},
}

// workloadOfEvent returns the workload an event created or changed, as an
// inventory object, or nil.
func workloadOfEvent(ev *auditv1.Event) *inventory.Object {
	t := targetOf(ev)
	res, ok := podRunningResources[t.resource]
	if !ok || t.subresource != "" || !completed(ev) || !isWrite(ev.Verb) {
		return nil
	}
	obj := res.new()
	if !objectOf(ev, obj) {
		return nil
	}
	meta, ok := obj.(metav1.Object)
	if !ok {
		return nil
	}
	if meta.GetNamespace() == "" {
		meta.SetNamespace(t.namespace)
	}
	return &inventory.Object{GVK: res.gvk, Obj: obj, Meta: meta}
}

func init() {
	registerAuditRule(check.Meta{
		ID:       "audit-pod-host-access",
		Title:    "Workload created with privileged or host access",
		Severity: check.High,
		Looks: "Completed creates, updates and patches of pods and pod controllers whose object the audit policy records " +
			"(level Request or RequestResponse), checked with the workload checks " + joinQuoted(hostAccessChecks) + ".",
		Rationale: "A privileged pod, or one sharing the node's namespaces or mounting its sensitive paths, is the usual first step " +
			"of a container escape; seeing it created tells who did it and when, even if an admission policy let it through.",
		Remediation: "Find out who created the workload and why; enforce the Pod Security Standards baseline with admission control " +
			"so that such pods are refused.",
		References: check.References{MITRE: []string{"T1610", "T1611"}, PSS: []string{"baseline: Privileged Containers", "baseline: Host Namespaces", "baseline: HostPath Volumes"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		obj := workloadOfEvent(ev)
		if obj == nil {
			return
		}
		var checks []*check.Check
		for _, id := range hostAccessChecks {
			checks = append(checks, check.Default.Get(id))
		}
		findings, _, _ := check.Run(context.Background(), inventory.New([]*inventory.Object{obj}), checks, check.Env{Now: time.Now()})
		for _, f := range findings {
			alert(ev.User.Username + " " + pastTense(ev.Verb) + " " + obj.Ref().String() + ": " + f.CheckID + ": " + f.Message)
		}
	})

	registerAuditRule(check.Meta{
		ID:          "audit-kube-system-create",
		Title:       "Pod or service account created in kube-system by a non-system user",
		Severity:    check.High,
		Looks:       "Completed creates of pods and service accounts in the kube-system namespace by users other than control-plane identities and kube-system service accounts.",
		Rationale:   "kube-system holds the cluster's most privileged workloads and identities; a person creating objects there is unusual and a common way to hide a backdoor among system pods.",
		Remediation: "Confirm the change was expected; deploy add-ons through their own namespaces and a reviewed pipeline, and restrict write access to kube-system.",
		References:  check.References{MITRE: []string{"T1036", "T1136"}},
	}, func(ev *auditv1.Event, alert func(string)) {
		t := targetOf(ev)
		if ev.Verb == "create" && completed(ev) && t.subresource == "" && t.namespace == "kube-system" &&
			anyOf(t.resource, "pods", "serviceaccounts") && !isSystemUser(ev.User.Username) {
			alert(ev.User.Username + " created " + t.resource + " " + t.where() + " in kube-system")
		}
	})
}
