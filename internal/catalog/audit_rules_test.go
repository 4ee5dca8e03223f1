package catalog

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/check"
)

// ev describes an audit event of the corpus compactly. Zero fields take
// the defaults of a successful, completed request by a person.
type ev struct {
	stage        auditv1.Stage
	verb, user   string
	impersonated string
	groups       []string
	uri          string
	resource     string // resource[/subresource]
	group        string
	ns, name     string
	code         int32
	object       string // requestObject, JSON
	response     string // responseObject, JSON
	annotations  map[string]string
	at           time.Time
}

var corpusTime = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func (e ev) event() *auditv1.Event {
	out := &auditv1.Event{Level: auditv1.LevelRequestResponse, Stage: e.stage, Verb: e.verb, RequestURI: e.uri,
		SourceIPs: []string{"10.0.0.7"}, AuditID: "id-1"}
	out.APIVersion, out.Kind = "audit.k8s.io/v1", "Event"
	if out.Stage == "" {
		out.Stage = auditv1.StageResponseComplete
	}
	out.User.Username, out.User.Groups = e.user, e.groups
	if e.user == "" {
		out.User.Username = "alice@example.com"
	}
	if e.impersonated != "" {
		out.ImpersonatedUser = &authnv1.UserInfo{Username: e.impersonated}
	}
	if e.resource != "" {
		res, sub, _ := strings.Cut(e.resource, "/")
		out.ObjectRef = &auditv1.ObjectReference{Resource: res, Subresource: sub, APIGroup: e.group, Namespace: e.ns, Name: e.name}
	}
	if e.stage != auditv1.StageRequestReceived {
		c := e.code
		if c == 0 {
			c = 200
		}
		out.ResponseStatus = &metav1.Status{Code: c}
	}
	out.Annotations = e.annotations
	if e.object != "" {
		out.RequestObject = &runtime.Unknown{Raw: []byte(e.object)}
	}
	if e.response != "" {
		out.ResponseObject = &runtime.Unknown{Raw: []byte(e.response)}
	}
	at := e.at
	if at.IsZero() {
		at = corpusTime
	}
	out.StageTimestamp.Time, out.RequestReceivedTimestamp.Time = at, at
	return out
}

// auditCase is one event of the corpus and the rule it must (or must not) fire.
type auditCase struct {
	name  string
	rule  string
	event ev
	fires bool
}

const (
	privilegedPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[{"name":"a","image":"x","securityContext":{"privileged":true}}]}}`
	plainPod      = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[{"name":"a","image":"x"}]}}`
	hostPIDDeploy = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{},"template":{"spec":{"hostPID":true,"containers":[{"name":"a","image":"x"}]}}}}`
	hostPathPod   = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"volumes":[{"name":"etc","hostPath":{"path":"/etc"}}],"containers":[{"name":"a","image":"x","volumeMounts":[{"name":"etc","mountPath":"/h","readOnly":true}]}]}}`
	adminBinding  = `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"User","name":"mallory"}]}`
	viewBinding   = `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"bob"}]}`
)

func role(rule string) string {
	return `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},"rules":[` + rule + `]}`
}

var auditCorpus = []auditCase{
	{"refused by kube4c", "audit-admission-refused", ev{verb: "create", resource: "pods", ns: "ns", name: "p", code: 403,
		annotations: map[string]string{"validate.kube4c.io/decision": "denied", "validate.kube4c.io/findings": "privileged-container=deny,image-not-pinned=warn"}}, true},
	{"warned by kube4c", "audit-admission-refused", ev{verb: "create", resource: "pods", ns: "ns", name: "p",
		annotations: map[string]string{"validate.kube4c.io/decision": "warned", "validate.kube4c.io/findings": "image-not-pinned=warn"}}, false},
	{"refused by another webhook", "audit-admission-refused", ev{verb: "create", resource: "pods", ns: "ns", name: "p", code: 403,
		annotations: map[string]string{"policy.example.com/decision": "denied"}}, false},
	{"exec started", "audit-pod-exec", ev{stage: auditv1.StageResponseStarted, verb: "create", resource: "pods/exec", ns: "ns", name: "p", code: 101}, true},
	{"attach started", "audit-pod-exec", ev{stage: auditv1.StageResponseStarted, verb: "get", resource: "pods/attach", ns: "ns", name: "p", code: 101}, true},
	{"exec received only", "audit-pod-exec", ev{stage: auditv1.StageRequestReceived, verb: "create", resource: "pods/exec", ns: "ns", name: "p"}, false},
	{"exec refused", "audit-pod-exec", ev{stage: auditv1.StageResponseStarted, verb: "create", resource: "pods/exec", ns: "ns", name: "p", code: 403}, false},
	{"logs are not exec", "audit-pod-exec", ev{stage: auditv1.StageResponseStarted, verb: "get", resource: "pods/log", ns: "ns", name: "p"}, false},

	{"port-forward", "audit-port-forward", ev{stage: auditv1.StageResponseStarted, verb: "create", resource: "pods/portforward", ns: "ns", name: "p", code: 101}, true},
	{"port-forward refused", "audit-port-forward", ev{stage: auditv1.StageResponseStarted, verb: "create", resource: "pods/portforward", ns: "ns", name: "p", code: 403}, false},

	{"ephemeral container", "audit-ephemeral-container", ev{verb: "patch", resource: "pods/ephemeralcontainers", ns: "ns", name: "p"}, true},
	{"ephemeral containers read", "audit-ephemeral-container", ev{verb: "get", resource: "pods/ephemeralcontainers", ns: "ns", name: "p"}, false},

	{"node proxy", "audit-node-proxy", ev{verb: "get", resource: "nodes/proxy", name: "n1", uri: "/api/v1/nodes/n1/proxy/runningpods"}, true},
	{"node metrics", "audit-node-proxy", ev{verb: "get", resource: "nodes/metrics", name: "n1"}, false},

	{"privileged pod", "audit-pod-host-access", ev{verb: "create", resource: "pods", ns: "ns", name: "p", object: privilegedPod}, true},
	{"hostPID deployment", "audit-pod-host-access", ev{verb: "create", resource: "deployments", group: "apps", ns: "ns", name: "d", object: hostPIDDeploy}, true},
	{"hostPath /etc", "audit-pod-host-access", ev{verb: "create", resource: "pods", ns: "ns", name: "p", object: hostPathPod}, true},
	{"patched privileged pod read from the response", "audit-pod-host-access", ev{verb: "patch", resource: "pods", ns: "ns", name: "p", object: `{"metadata":{"labels":{"a":"b"}}}`, response: privilegedPod}, true},
	{"plain pod", "audit-pod-host-access", ev{verb: "create", resource: "pods", ns: "ns", name: "p", object: plainPod}, false},
	{"privileged pod refused", "audit-pod-host-access", ev{verb: "create", resource: "pods", ns: "ns", name: "p", object: privilegedPod, code: 403}, false},

	{"pod in kube-system", "audit-kube-system-create", ev{verb: "create", resource: "pods", ns: "kube-system", name: "p"}, true},
	{"service account in kube-system", "audit-kube-system-create", ev{verb: "create", resource: "serviceaccounts", ns: "kube-system", name: "sa"}, true},
	{"pod in kube-system by the scheduler's controller", "audit-kube-system-create", ev{verb: "create", resource: "pods", ns: "kube-system", name: "p", user: "system:serviceaccount:kube-system:daemon-set-controller"}, false},
	{"pod elsewhere", "audit-kube-system-create", ev{verb: "create", resource: "pods", ns: "default", name: "p"}, false},

	{"NodePort", "audit-nodeport-service", ev{verb: "create", resource: "services", ns: "ns", name: "s", object: `{"kind":"Service","spec":{"type":"NodePort"}}`}, true},
	{"ClusterIP", "audit-nodeport-service", ev{verb: "create", resource: "services", ns: "ns", name: "s", object: `{"kind":"Service","spec":{"type":"ClusterIP"}}`}, false},

	{"ingress without TLS", "audit-ingress-without-tls", ev{verb: "create", resource: "ingresses", group: "networking.k8s.io", ns: "ns", name: "i", object: `{"spec":{"rules":[{"host":"a.example.com"}]}}`}, true},
	{"ingress with TLS", "audit-ingress-without-tls", ev{verb: "create", resource: "ingresses", group: "networking.k8s.io", ns: "ns", name: "i", object: `{"spec":{"tls":[{"hosts":["a.example.com"],"secretName":"t"}]}}`}, false},

	{"password in a ConfigMap", "audit-configmap-credentials", ev{verb: "create", resource: "configmaps", ns: "ns", name: "c", object: `{"data":{"DB_PASSWORD":"hunter2","mode":"fast"}}`}, true},
	{"AWS key in a ConfigMap", "audit-configmap-credentials", ev{verb: "update", resource: "configmaps", ns: "ns", name: "c", object: `{"data":{"env":"export K=AKIAABCDEFGHIJKLMNOP"}}`}, true},
	{"plain ConfigMap", "audit-configmap-credentials", ev{verb: "create", resource: "configmaps", ns: "ns", name: "c", object: `{"data":{"mode":"fast","password_min_length":""}}`}, false},

	{"cluster-admin binding", "audit-cluster-admin-binding", ev{verb: "create", resource: "clusterrolebindings", group: "rbac.authorization.k8s.io", name: "b", object: adminBinding}, true},
	{"view binding", "audit-cluster-admin-binding", ev{verb: "create", resource: "clusterrolebindings", group: "rbac.authorization.k8s.io", name: "b", object: viewBinding}, false},

	{"wildcard role", "audit-role-wildcard", ev{verb: "create", resource: "clusterroles", name: "r", object: role(`{"apiGroups":[""],"resources":["*"],"verbs":["get"]}`)}, true},
	{"exec role", "audit-role-wildcard", ev{verb: "create", resource: "roles", ns: "ns", name: "r", object: role(`{"apiGroups":[""],"resources":["pods/exec"],"verbs":["create"]}`)}, true},
	{"narrow role", "audit-role-wildcard", ev{verb: "create", resource: "roles", ns: "ns", name: "r", object: role(`{"apiGroups":[""],"resources":["pods","pods/log"],"verbs":["get"]}`)}, false},

	{"escalate verb", "audit-role-escalation-verbs", ev{verb: "create", resource: "clusterroles", name: "r", object: role(`{"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"verbs":["escalate","bind"]}`)}, true},
	{"impersonate verb", "audit-role-escalation-verbs", ev{verb: "update", resource: "clusterroles", name: "r", object: role(`{"apiGroups":[""],"resources":["users"],"verbs":["impersonate"]}`)}, true},
	{"role writer without escalate", "audit-role-escalation-verbs", ev{verb: "create", resource: "clusterroles", name: "r", object: role(`{"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles"],"verbs":["create"]}`)}, false},

	{"system role patched", "audit-system-clusterrole-modified", ev{verb: "patch", resource: "clusterroles", name: "system:node"}, true},
	{"system role reconciled by the API server", "audit-system-clusterrole-modified", ev{verb: "update", resource: "clusterroles", name: "system:node", user: "system:apiserver"}, false},
	{"own role patched", "audit-system-clusterrole-modified", ev{verb: "patch", resource: "clusterroles", name: "team-reader"}, false},

	{"anonymous list", "audit-anonymous-allowed", ev{verb: "list", user: "system:anonymous", groups: []string{"system:unauthenticated"}, uri: "/api/v1/namespaces", resource: "namespaces"}, true},
	{"anonymous health probe", "audit-anonymous-allowed", ev{verb: "get", user: "system:anonymous", uri: "/readyz?verbose"}, false},
	{"anonymous refused", "audit-anonymous-allowed", ev{verb: "list", user: "system:anonymous", uri: "/api/v1/secrets", code: 403}, false},

	{"impersonation", "audit-impersonation", ev{verb: "get", impersonated: "system:serviceaccount:ns:app", uri: "/api/v1/namespaces/ns/pods"}, true},
	{"no impersonation", "audit-impersonation", ev{verb: "get", uri: "/api/v1/namespaces/ns/pods"}, false},

	{"secret read by a person", "audit-secret-read", ev{verb: "get", resource: "secrets", ns: "ns", name: "db"}, true},
	{"secrets listed by an app", "audit-secret-read", ev{verb: "list", resource: "secrets", ns: "ns", user: "system:serviceaccount:ns:app"}, true},
	{"secret read by a controller", "audit-secret-read", ev{verb: "get", resource: "secrets", ns: "ns", name: "db", user: "system:kube-controller-manager"}, false},
	{"secret read refused", "audit-secret-read", ev{verb: "get", resource: "secrets", ns: "ns", name: "db", code: 403}, false},

	{"secret read refused", "audit-secret-read-denied", ev{verb: "get", resource: "secrets", ns: "ns", name: "db", code: 403}, true},
	{"secret read allowed", "audit-secret-read-denied", ev{verb: "get", resource: "secrets", ns: "ns", name: "db"}, false},

	{"token requested", "audit-serviceaccount-token", ev{verb: "create", resource: "serviceaccounts/token", ns: "ns", name: "app"}, true},
	{"token requested by the kubelet", "audit-serviceaccount-token", ev{verb: "create", resource: "serviceaccounts/token", ns: "ns", name: "app", user: "system:node:n1"}, false},

	{"node joined", "audit-node-joined", ev{verb: "create", resource: "nodes", name: "n9", user: "system:node:n9"}, true},
	{"node updated", "audit-node-joined", ev{verb: "patch", resource: "nodes", name: "n9", user: "system:node:n9"}, false},
}

// evaluate runs one audit rule on events and returns the reasons it gave.
func evaluate(t *testing.T, id string, settings check.Settings, events ...*auditv1.Event) []string {
	t.Helper()
	r := audit.Rules.Get(id)
	if r == nil {
		t.Fatalf("no audit rule %q", id)
	}
	rule := r.New(settings)
	var whys []string
	for _, e := range events {
		// Round-trip through JSON, as events come from a log.
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var decoded auditv1.Event
		if err := json.Unmarshal(data, &decoded); err != nil {
			t.Fatal(err)
		}
		rule(&decoded, func(why string) { whys = append(whys, why) })
	}
	return whys
}

func TestAuditRules(t *testing.T) {
	for _, tc := range auditCorpus {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			whys := evaluate(t, tc.rule, nil, tc.event.event())
			if fired := len(whys) > 0; fired != tc.fires {
				t.Fatalf("fired = %v (%q), want %v", fired, whys, tc.fires)
			}
			for _, w := range whys {
				if w == "" {
					t.Error("alert without a reason")
				}
			}
		})
	}
}

// TestAuditCorpusCoversEveryRule asserts each audit rule has a firing event
// and a near miss in the corpus.
func TestAuditCorpusCoversEveryRule(t *testing.T) {
	fires, misses := map[string]bool{}, map[string]bool{}
	for _, tc := range auditCorpus {
		if tc.fires {
			fires[tc.rule] = true
		} else {
			misses[tc.rule] = true
		}
	}
	for _, c := range audit.Rules.All() {
		if c.ID != burstID && (!fires[c.ID] || !misses[c.ID]) {
			t.Errorf("%s: corpus has a firing event: %v, a near miss: %v", c.ID, fires[c.ID], misses[c.ID])
		}
		if c.Layer != check.LayerCluster || !strings.HasPrefix(c.ID, "audit-") {
			t.Errorf("%s: audit rules are of the cluster layer and named audit-...", c.ID)
		}
	}
}

func TestAuditPodHostAccessNamesTheWorkloadCheck(t *testing.T) {
	whys := evaluate(t, "audit-pod-host-access", nil, ev{verb: "create", resource: "pods", ns: "ns", name: "p", object: privilegedPod}.event())
	if len(whys) != 1 || !strings.Contains(whys[0], "privileged-container") || !strings.Contains(whys[0], "Pod/ns/p") {
		t.Errorf("got %q", whys)
	}
}

type burstConfig struct{ count int }

func (b burstConfig) Decode(id string, out any) error {
	if id == burstID {
		out.(*burstSettings).Count = b.count
		out.(*burstSettings).Window = "10s"
	}
	return nil
}

func TestAuditForbiddenBurst(t *testing.T) {
	denial := func(user string, second int) *auditv1.Event {
		return ev{verb: "list", user: user, resource: "secrets", code: 403, at: corpusTime.Add(time.Duration(second) * time.Second)}.event()
	}
	// Three denials within 10s fire; the count starts again after.
	got := evaluate(t, burstID, burstConfig{count: 3}, denial("eve", 0), denial("eve", 4), denial("bob", 5), denial("eve", 9), denial("eve", 10))
	if len(got) != 1 || !strings.HasPrefix(got[0], "eve was refused 3 times within 10s") {
		t.Errorf("burst: %q", got)
	}
	// Near miss: three denials spread over more than the window.
	if got := evaluate(t, burstID, burstConfig{count: 3}, denial("eve", 0), denial("eve", 6), denial("eve", 12)); len(got) != 0 {
		t.Errorf("spread denials fired: %q", got)
	}
	// Defaults: ten within a minute.
	var events []*auditv1.Event
	for i := range 10 {
		events = append(events, denial("eve", i))
	}
	if got := evaluate(t, burstID, nil, events...); len(got) != 1 {
		t.Errorf("default burst: %q", got)
	}
	if got := evaluate(t, burstID, nil, events[:9]...); len(got) != 0 {
		t.Errorf("nine denials fired: %q", got)
	}
}

func TestAuditForbiddenBurstSettings(t *testing.T) {
	c := audit.Rules.Get(burstID)
	if err := c.ValidateSettings(burstConfig{count: 1}); err == nil {
		t.Error("count 1 accepted")
	}
	if err := c.ValidateSettings(burstConfig{count: 5}); err != nil {
		t.Error(err)
	}
}

func TestAuditForbiddenBurstForgetsQuietUsers(t *testing.T) {
	b := &forbiddenBurst{count: 3, window: time.Minute, recent: map[string][]time.Time{}}
	for i := range sweepEvery - 1 {
		b.observe(sprintf("user-%d", i), corpusTime)
	}
	b.observe("late", corpusTime.Add(time.Hour))
	if len(b.recent) != 1 {
		t.Errorf("%d users remembered after the sweep, want 1", len(b.recent))
	}
}
