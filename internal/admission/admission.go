// Package admission is kube4c's admission door: a validating webhook that
// judges each object the API server is about to store with the very
// checks of `kube4c scan` (pipeline.Plan.Review), and turns the findings
// into a decision by the config's admission section: refuse, warn, or
// admit.
package admission

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// Known gives the webhook what it knows of the cluster around an object:
// an informer cache (see Cache). Without one, checks that need other
// objects warn and never refuse.
type Known interface {
	// Objects returns the objects to judge obj among.
	Objects(obj *inventory.Object) []*inventory.Object
	// NamespaceLabels returns the labels of a namespace, false when the
	// namespace is not known.
	NamespaceLabels(namespace string) (map[string]string, bool)
	// Holds reports whether the cache holds every object of a kind.
	Holds(kind string) bool
}

// Reviewer decides admission requests.
type Reviewer struct {
	plan   *pipeline.Plan
	policy config.Admission
	known  Known
	// Observe, when set, is told of every decision (metrics).
	Observe func(Outcome)
	// Log receives the reviews that failed; nil means slog's default.
	Log *slog.Logger
}

// NewReviewer returns a reviewer running plan's checks under policy;
// known may be nil.
func NewReviewer(plan *pipeline.Plan, policy config.Admission, known Known) (*Reviewer, error) {
	if policy.Exempt.NamespaceSelector != nil && known == nil {
		return nil, errors.New("admission.exempt.namespaceSelector needs the namespaces' labels: give --kubeconfig or run in the cluster")
	}
	return &Reviewer{plan: plan, policy: policy, known: known}, nil
}

// Outcome is what a review decided, for metrics and logs.
type Outcome struct {
	// Verdict is "allowed", "warned", "denied", "exempt", "skipped" or
	// "error".
	Verdict   string
	Namespace string
	// Findings are the findings and what each did.
	Findings []Decided
	Elapsed  time.Duration
}

// Decided is a finding with the decision it led to.
type Decided struct {
	*check.Finding
	// Decision is deny, warn or off.
	Decision config.Decision
	// Why says why a finding that would refuse only warns, if it does.
	Why string
}

// Review answers one admission request. It never fails: a request it
// cannot judge is answered by the failure policy (admission.failOpen).
func (r *Reviewer) Review(ctx context.Context, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	start := time.Now()
	out := Outcome{Namespace: req.Namespace}
	resp := r.review(ctx, req, &out)
	resp.UID = req.UID
	out.Elapsed = time.Since(start)
	if r.Observe != nil {
		r.Observe(out)
	}
	return resp
}

// reviewedSubresources are the subresources whose requests carry a whole
// object to judge: none, and the ephemeral containers of a pod.
var reviewedSubresources = []string{"", "ephemeralcontainers"}

func (r *Reviewer) review(ctx context.Context, req *admissionv1.AdmissionRequest, out *Outcome) *admissionv1.AdmissionResponse {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update || !slices.Contains(reviewedSubresources, req.SubResource) {
		out.Verdict = "skipped"
		return &admissionv1.AdmissionResponse{Allowed: true}
	}
	var nsLabels map[string]string
	if r.known != nil && req.Namespace != "" {
		nsLabels, _ = r.known.NamespaceLabels(req.Namespace)
	}
	if why, ok := r.policy.Exempt.Exempt(req.Namespace, nsLabels, req.UserInfo.Username, req.UserInfo.Groups); ok {
		out.Verdict = "exempt"
		return &admissionv1.AdmissionResponse{Allowed: true, AuditAnnotations: map[string]string{"decision": "exempt: " + why}}
	}
	ctx, cancel := context.WithTimeout(ctx, r.policy.Timeout)
	defer cancel()
	decided, err := r.judge(ctx, req)
	if err != nil {
		return r.failed(req, err, out)
	}
	out.Findings = decided
	return r.respond(decided, out)
}

// judge reviews the request's object and decides each finding.
func (r *Reviewer) judge(ctx context.Context, req *admissionv1.AdmissionRequest) ([]Decided, error) {
	obj, err := decodeObject(req.Object, req)
	if err != nil {
		return nil, err
	}
	findings, err := r.findings(ctx, obj)
	if err != nil {
		return nil, err
	}
	var had map[findingKey]bool
	if req.Operation == admissionv1.Update && len(req.OldObject.Raw) > 0 {
		old, err := decodeObject(req.OldObject, req)
		if err != nil {
			return nil, fmt.Errorf("old object: %w", err)
		}
		oldFindings, err := r.findings(ctx, old)
		if err != nil {
			return nil, err
		}
		had = map[findingKey]bool{}
		for _, f := range oldFindings {
			had[keyOf(f)] = true
		}
	}
	byController := createdByController(obj, req.UserInfo.Username)
	decided := make([]Decided, 0, len(findings))
	for _, f := range findings {
		d := Decided{Finding: f, Decision: r.decision(f)}
		if d.Decision == config.Deny {
			switch {
			case had[keyOf(f)]:
				d.Decision, d.Why = config.Warn, "the object had it before this update"
			case !r.evaluable(f.CheckID, obj.Kind()):
				d.Decision, d.Why = config.Warn, "the check needs objects the webhook does not know"
			case byController:
				d.Decision, d.Why = config.Warn, "made by a Kubernetes controller for an owner admitted before"
			case r.policy.DryRun:
				d.Decision, d.Why = config.Warn, "dry run"
			}
		}
		if d.Decision != config.Off {
			decided = append(decided, d)
		}
	}
	return decided, nil
}

// findings runs the plan's checks on obj among what is known of the
// cluster, and returns the findings about obj that count.
func (r *Reviewer) findings(ctx context.Context, obj *inventory.Object) ([]*check.Finding, error) {
	req := pipeline.ReviewRequest{Object: obj}
	if r.known != nil {
		req.Known = r.known.Objects(obj)
	}
	rep, err := r.plan.Review(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(rep.Failures) > 0 {
		f := rep.Failures[0]
		return nil, fmt.Errorf("check %s failed: %v", f.CheckID, f.Err)
	}
	return rep.Findings, nil
}

// decision is what a finding does by the policy: the check's override,
// else its severity against the deny and warn thresholds.
func (r *Reviewer) decision(f *check.Finding) config.Decision {
	if d, ok := r.policy.Checks[f.CheckID]; ok {
		return d
	}
	switch {
	case r.policy.Deny != 0 && f.Severity >= r.policy.Deny:
		return config.Deny
	case r.policy.Warn != 0 && f.Severity >= r.policy.Warn:
		return config.Warn
	}
	return config.Off
}

// evaluable reports whether the webhook knows every kind a check reads
// about an object of kind: a check that reads only the object itself
// always, one that needs other objects only from a cache holding them.
func (r *Reviewer) evaluable(checkID, kind string) bool {
	for _, need := range NeededKinds(checkID, kind) {
		if r.known == nil || !r.known.Holds(need) {
			return false
		}
	}
	return true
}

// NeededKinds returns the kinds other than kind that a check reads when
// it judges an object of kind: nil for a check that judges the object
// alone. Workloads count as one kind: a check over workloads judges a
// Deployment without the other workloads.
func NeededKinds(checkID, kind string) []string {
	c := check.Default.Get(checkID)
	if c == nil {
		return nil
	}
	workload := slices.Contains(inventory.WorkloadKinds, kind)
	var out []string
	for _, k := range c.ReadKinds() {
		if k != kind && k != check.EveryKind && !(workload && slices.Contains(inventory.WorkloadKinds, k)) {
			out = append(out, k)
		}
	}
	return out
}

// controllerUsers are the identities of Kubernetes' workload controllers:
// kube-controller-manager's own, and the service accounts it uses with
// --use-service-account-credentials.
var controllerUsers = []string{
	"system:kube-controller-manager",
	"system:serviceaccount:kube-system:replicaset-controller",
	"system:serviceaccount:kube-system:deployment-controller",
	"system:serviceaccount:kube-system:statefulset-controller",
	"system:serviceaccount:kube-system:daemon-set-controller",
	"system:serviceaccount:kube-system:job-controller",
	"system:serviceaccount:kube-system:cronjob-controller",
	"system:serviceaccount:kube-system:replication-controller",
}

// createdByController reports whether obj is written by a workload
// controller for its controlling owner (the ReplicaSet of a Deployment,
// the pods of a ReplicaSet): the owner was judged when it was admitted,
// and refusing its children would stop a workload admitted with warnings
// from scaling or rolling back. The user is checked, not only the owner
// reference, which anyone may write.
func createdByController(obj *inventory.Object, user string) bool {
	return slices.Contains(controllerUsers, user) && metav1.GetControllerOfNoCopy(obj.Meta) != nil
}

// failed answers a request that could not be judged, by the failure
// policy, and logs it.
func (r *Reviewer) failed(req *admissionv1.AdmissionRequest, err error, out *Outcome) *admissionv1.AdmissionResponse {
	out.Verdict = "error"
	what := fmt.Sprintf("%s %s/%s", kindOf(req), req.Namespace, req.Name)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("the review did not finish within %s", r.policy.Timeout)
	}
	r.logger().Warn("admission review failed", "uid", req.UID, "object", what, "error", err)
	msg := "kube4c could not review " + safe(what) + ": " + safe(err.Error())
	if r.policy.FailOpen {
		return &admissionv1.AdmissionResponse{Allowed: true, Warnings: []string{clip(msg + " (allowed: failOpen)")},
			AuditAnnotations: map[string]string{"decision": "error, allowed by failOpen"}}
	}
	return &admissionv1.AdmissionResponse{Allowed: false, Result: &metav1.Status{
		Status: metav1.StatusFailure, Code: 500, Reason: metav1.StatusReasonInternalError, Message: msg}}
}

func (r *Reviewer) logger() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}
