package admission_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	authnv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/admission"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
)

const privilegedPod = `
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext: {privileged: true}
`

const quietPod = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: web
      image: registry.example.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
      resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
`

// newServer serves reviews with the config text (empty: defaults).
func newServer(t *testing.T, configText string) *httptest.Server {
	t.Helper()
	var cfg *config.Config
	if configText != "" {
		var err error
		if cfg, err = config.Parse(".kube4c.yaml", []byte(configText)); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := pipeline.NewPlan(pipeline.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	reviewer, err := admission.NewReviewer(plan, cfg.AdmissionPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reviewer.Log = slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(admission.NewServer(reviewer, admission.NewMetrics()))
	t.Cleanup(srv.Close)
	return srv
}

// request builds a review of the manifest (and of the old one for an
// UPDATE).
func request(t *testing.T, op admissionv1.Operation, manifest, old string) *admissionv1.AdmissionRequest {
	t.Helper()
	raw := func(s string) runtime.RawExtension {
		j, err := yaml.YAMLToJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return runtime.RawExtension{Raw: j}
	}
	req := &admissionv1.AdmissionRequest{
		UID:       types.UID("uid-1"),
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Namespace: "shop", Name: "debug", Operation: op,
		UserInfo: authnv1.UserInfo{Username: "alice", Groups: []string{"developers"}},
		Object:   raw(manifest),
	}
	if old != "" {
		req.OldObject = raw(old)
	}
	return req
}

// post sends a review and returns the response.
func post(t *testing.T, srv *httptest.Server, req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	t.Helper()
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/validate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		t.Fatal(err)
	}
	if review.Response == nil || review.Response.UID != req.UID {
		t.Fatalf("response does not answer uid %s: %+v", req.UID, review.Response)
	}
	return review.Response
}

func TestPrivilegedPodIsRefusedWithCheckPathAndFix(t *testing.T) {
	srv := newServer(t, "")
	resp := post(t, srv, request(t, admissionv1.Create, privilegedPod, ""))
	if resp.Allowed {
		t.Fatal("a privileged pod was admitted")
	}
	msg := resp.Result.Message
	for _, want := range []string{"privileged-container", "spec.containers[0].securityContext.privileged", "Fix:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("denial lacks %q:\n%s", want, msg)
		}
	}
	if resp.Result.Code != 403 {
		t.Errorf("code %d, want 403", resp.Result.Code)
	}
	if got := resp.AuditAnnotations["decision"]; got != "denied" {
		t.Errorf("decision annotation %q", got)
	}
	if !strings.Contains(resp.AuditAnnotations["findings"], "privileged-container=deny") {
		t.Errorf("findings annotation %q", resp.AuditAnnotations["findings"])
	}
	for _, w := range resp.Warnings {
		if len([]rune(w)) > 120 {
			t.Errorf("warning longer than 120 characters: %q", w)
		}
	}
}

func TestQuietPodIsAdmitted(t *testing.T) {
	resp := post(t, newServer(t, ""), request(t, admissionv1.Create, quietPod, ""))
	if !resp.Allowed {
		t.Fatalf("refused: %s", resp.Result.Message)
	}
}

func TestUpdateOfAnAlreadyBadObjectOnlyWarns(t *testing.T) {
	srv := newServer(t, "")
	scaled := strings.Replace(privilegedPod, "image: busybox:1.36", "image: busybox:1.37", 1)
	resp := post(t, srv, request(t, admissionv1.Update, scaled, privilegedPod))
	if !resp.Allowed {
		t.Fatalf("an update keeping an old finding was refused: %s", resp.Result.Message)
	}
	if !strings.Contains(strings.Join(resp.Warnings, "\n"), "privileged-container") {
		t.Errorf("no warning about the kept finding: %q", resp.Warnings)
	}
	// A finding the update brings is refused.
	resp = post(t, srv, request(t, admissionv1.Update, privilegedPod, quietPod))
	if resp.Allowed {
		t.Fatal("an update making a pod privileged was admitted")
	}
}

func TestPolicyDecisions(t *testing.T) {
	cases := []struct {
		name, config string
		allowed      bool
	}{
		{"dry run only warns", "admission: {dryRun: true}", true},
		{"checks turned to warn", "admission: {checks: {privileged-container: warn, pss-baseline: warn, privilege-escalation-allowed: warn}}", true},
		{"deny none", "admission: {deny: none}", true},
		{"exempt namespace", "admission: {exempt: {namespaces: [sh*]}}", true},
		{"exempt group", "admission: {exempt: {groups: [developers]}}", true},
		{"exempt user", "admission: {exempt: {users: [ali*]}}", true},
		{"other exempt namespace", "admission: {exempt: {namespaces: [kube-system]}}", false},
		{"exception annotation-free config exception",
			"exceptions: [{checks: [\"*\"], namespaces: [shop], reason: debugging}]", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := post(t, newServer(t, c.config), request(t, admissionv1.Create, privilegedPod, ""))
			if resp.Allowed != c.allowed {
				msg := ""
				if resp.Result != nil {
					msg = resp.Result.Message
				}
				t.Fatalf("allowed = %v, want %v (%s; warnings %q)", resp.Allowed, c.allowed, msg, resp.Warnings)
			}
		})
	}
}

func TestAdmissionConfigErrorsNameTheLine(t *testing.T) {
	for text, want := range map[string]string{
		"admission:\n  deny: severe\n":                     ".kube4c.yaml:2:9: admission.deny: unknown severity",
		"admission:\n  timeout: 1m\n":                      "at most 30s",
		"admission:\n  checks: {privileged-container: no}": "want deny, warn or off",
		"admission:\n  exempt: {namespaceSelector: {matchExpressions: [{key: a, operator: Bogus}]}}": "namespaceSelector",
		"admission:\n  deny: medium\n  warn: high\n":                                                 "above deny",
		"admission:\n  exempt: {namespaceSelector: {}}\n":                                            "exempt the whole cluster",
		"admission:\n  denny: high\n":                                                                `unknown key "denny"`,
	} {
		_, err := config.Parse(".kube4c.yaml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

func TestMalformedRequestsAreRefusedWith400(t *testing.T) {
	srv := newServer(t, "")
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	for name, body := range map[string]string{
		"empty":        "",
		"invalid JSON": "{",
		"v1beta1":      `{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"1"}}`,
		"no request":   `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`,
		"no uid":       `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}`,
		"deep object":  `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","object":` + deep + `}}`,
	} {
		resp, err := http.Post(srv.URL+"/validate", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || len(bytes.TrimSpace(msg)) == 0 {
			t.Errorf("%s: status %d %q, want 400 with a message", name, resp.StatusCode, msg)
		}
	}
}

// endless is an endless body of spaces.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestOversizedBodyIsRefusedInBoundedMemory(t *testing.T) {
	srv := newServer(t, "")
	resp, err := http.Post(srv.URL+"/validate", "application/json", io.LimitReader(endless{}, 100<<20))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestUndecodableObjectFollowsTheFailurePolicy(t *testing.T) {
	bad := request(t, admissionv1.Create, privilegedPod, "")
	bad.Object.Raw = []byte(`{"apiVersion":"v1","kind":"Pod","spec":{"containers":"nope"}}`)
	if resp := post(t, newServer(t, ""), bad); resp.Allowed || !strings.Contains(resp.Result.Message, "could not review") {
		t.Errorf("fail closed: %+v", resp)
	}
	resp := post(t, newServer(t, "admission: {failOpen: true}"), bad)
	if !resp.Allowed || len(resp.Warnings) == 0 {
		t.Errorf("fail open: %+v", resp)
	}
}

func TestHostileNamesAreEscaped(t *testing.T) {
	hostile := strings.Replace(privilegedPod, "- name: shell", "- name: \"x\\e[2Jy\"", 1)
	resp := post(t, newServer(t, ""), request(t, admissionv1.Create, hostile, ""))
	for _, s := range append(resp.Warnings, resp.Result.Message) {
		if strings.ContainsRune(s, 0x1b) {
			t.Errorf("escape character reached the client: %q", s)
		}
	}
}

func TestOtherOperationsAndSubresourcesAreAdmitted(t *testing.T) {
	srv := newServer(t, "")
	del := request(t, admissionv1.Delete, privilegedPod, "")
	if !post(t, srv, del).Allowed {
		t.Error("DELETE refused")
	}
	status := request(t, admissionv1.Update, privilegedPod, quietPod)
	status.SubResource = "status"
	if !post(t, srv, status).Allowed {
		t.Error("status update refused")
	}
	eph := request(t, admissionv1.Update, quietPod+`
  ephemeralContainers:
    - name: debugger
      image: busybox:1.36
      securityContext: {privileged: true}
`, quietPod)
	eph.SubResource = "ephemeralcontainers"
	if post(t, srv, eph).Allowed {
		t.Error("a privileged ephemeral container was admitted")
	}
}

// A review that cannot finish within the timeout is answered by the
// failure policy: refused by default, admitted with a warning with
// failOpen.
func TestReviewPastItsDeadlineFollowsTheFailurePolicy(t *testing.T) {
	req := request(t, admissionv1.Create, privilegedPod, "")
	resp := post(t, newServer(t, "admission: {timeout: 1ns}"), req)
	if resp.Allowed || !strings.Contains(resp.Result.Message, "did not finish within 1ns") {
		t.Errorf("fail closed: %+v", resp.Result)
	}
	resp = post(t, newServer(t, "admission: {timeout: 1ns, failOpen: true}"), req)
	if !resp.Allowed || len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], "failOpen") {
		t.Errorf("fail open: allowed %v, warnings %q", resp.Allowed, resp.Warnings)
	}
}
