package catalog

import (
	"encoding/json"
	"slices"
	"strings"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/check"
)

// registerAuditRule registers an audit-log rule of the cluster layer that
// keeps no state between events.
func registerAuditRule(m check.Meta, rule audit.EventRule) {
	m.Layer = check.LayerCluster
	audit.Register(&audit.Rule{Meta: m, New: func(check.Settings) audit.EventRule { return rule }})
}

// target is what an event acted on.
type target struct {
	resource, subresource, group, namespace, name string
}

func targetOf(ev *auditv1.Event) target {
	r := ev.ObjectRef
	if r == nil {
		return target{}
	}
	return target{resource: r.Resource, subresource: r.Subresource, group: r.APIGroup, namespace: r.Namespace, name: r.Name}
}

// is reports whether the target is the resource (and subresource; "" for
// the object itself).
func (t target) is(resource, subresource string) bool {
	return t.resource == resource && t.subresource == subresource
}

// where formats the target's namespace and name for messages.
func (t target) where() string {
	if t.namespace == "" {
		return quote(t.name)
	}
	return quote(t.namespace + "/" + t.name)
}

// code is the event's HTTP response code; 0 when it has none.
func code(ev *auditv1.Event) int32 {
	if ev.ResponseStatus == nil {
		return 0
	}
	return ev.ResponseStatus.Code
}

// completed reports whether the event records the end of a request that
// succeeded. Rules about changes match only these, so that the request's
// other stages do not repeat the alert.
func completed(ev *auditv1.Event) bool {
	return ev.Stage == auditv1.StageResponseComplete && code(ev) < 400
}

// denied reports whether the event records the end of a request that was
// refused for want of permission or credentials.
func denied(ev *auditv1.Event) bool {
	return ev.Stage == auditv1.StageResponseComplete && (code(ev) == 401 || code(ev) == 403)
}

// changes reports whether ev completed a create, update or patch of the
// resource.
func changes(ev *auditv1.Event, resource string) bool {
	return completed(ev) && targetOf(ev).is(resource, "") && isWrite(ev.Verb)
}

func isWrite(verb string) bool { return verb == "create" || verb == "update" || verb == "patch" }

// isSystemUser reports whether the user is part of the control plane:
// a system: identity other than a service account, or a service account
// of kube-system.
func isSystemUser(name string) bool {
	if sa, ok := strings.CutPrefix(name, "system:serviceaccount:"); ok {
		return strings.HasPrefix(sa, "kube-system:")
	}
	return strings.HasPrefix(name, "system:")
}

// objectOf decodes the object the event carries into out: the response
// object for a patch (whose request is only the patch), else the request
// object, else the response object. It reports false when there is none
// (the audit policy logs only metadata) or it does not decode.
func objectOf(ev *auditv1.Event, out any) bool {
	var candidates [][]byte
	if ev.Verb != "patch" && ev.RequestObject != nil {
		candidates = append(candidates, ev.RequestObject.Raw)
	}
	if ev.ResponseObject != nil {
		candidates = append(candidates, ev.ResponseObject.Raw)
	}
	for _, raw := range candidates {
		if len(raw) > 0 && json.Unmarshal(raw, out) == nil {
			return true
		}
	}
	return false
}

// anyOf reports whether v is one of values.
func anyOf(v string, values ...string) bool { return slices.Contains(values, v) }

// pastTense turns a write verb into a past participle for messages.
func pastTense(verb string) string {
	if strings.HasSuffix(verb, "e") {
		return verb + "d"
	}
	return verb + "ed"
}
