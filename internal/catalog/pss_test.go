package catalog

import (
	"context"
	"regexp"

	"github.com/kube4c/kube4c/internal/testutil/fixture"

	"encoding/json"
	"errors"
	"strings"
	"testing"

	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/podsecurity"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// jsonSettings is a check.Settings that holds each check's settings as JSON.
type jsonSettings map[string]string

func (s jsonSettings) Decode(checkID string, out any) error {
	if text, ok := s[checkID]; ok {
		return json.Unmarshal([]byte(text), out)
	}
	return nil
}

// failingSettings is a check.Settings whose Decode always fails.
type failingSettings struct{}

func (failingSettings) Decode(string, any) error { return errors.New("settings.x: broken") }

// scanPSSWith loads text and runs the check id with settings.
func scanPSSWith(t *testing.T, id string, settings check.Settings, text string) ([]*check.Finding, []check.Failure) {
	t.Helper()
	findings, failures, err := check.Run(context.Background(), fixture.Inventory(t, text), []*check.Check{check.Default.Get(id)}, check.Env{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	return findings, failures
}

// scanPSS runs the check id at the PSS version and fails on a check failure.
func scanPSS(t *testing.T, id, version, text string) []*check.Finding {
	t.Helper()
	findings, failures := scanPSSWith(t, id, PSSVersionSettings(nil, version), text)
	if len(failures) > 0 {
		t.Fatalf("check failed: %v", failures[0].Err)
	}
	return findings
}

// pssIDs lists the PSA check named in each finding's message.
func pssIDs(findings []*check.Finding) string {
	var ids []string
	for _, f := range findings {
		_, rest, _ := strings.Cut(f.Message, ", check ")
		id, _, _ := strings.Cut(rest, ":")
		ids = append(ids, id)
	}
	return strings.Join(ids, " ")
}

// pssEverything breaks every Baseline control, in a Pod.
const pssEverything = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  hostNetwork: true
  hostPID: true
  securityContext:
    sysctls:
      - {name: kernel.shm_rmid_forced, value: "1"}
      - {name: kernel.msgmax, value: "1"}
    seLinuxOptions: {type: spc_t}
  volumes:
    - {name: data, emptyDir: {}}
    - {name: root, hostPath: {path: /}}
  initContainers:
    - name: init
      image: x
      securityContext: {privileged: true}
  containers:
    - name: app
      image: x
      ports: [{containerPort: 80, hostPort: 80}]
      securityContext:
        capabilities: {add: [SYS_ADMIN, NET_BIND_SERVICE]}
        procMount: Unmasked
        seccompProfile: {type: Unconfined}
        windowsOptions: {hostProcess: true}
      readinessProbe: {httpGet: {host: 1.2.3.4, port: 80}}
  ephemeralContainers:
    - name: debug
      image: x
      securityContext: {appArmorProfile: {type: Unconfined}}
`

func TestPSSBaseline(t *testing.T) {
	f := scanText(t, PSSBaselineID, pssEverything)
	expectFindings(t, f,
		"spec.hostNetwork",
		"spec.securityContext.sysctls[1]",
		"spec.securityContext.seLinuxOptions",
		"spec.volumes[1]",
		"spec.initContainers[0].securityContext.privileged",
		"spec.containers[0]",
		"spec.containers[0].ports",
		"spec.containers[0].securityContext.capabilities.add",
		"spec.containers[0].securityContext.procMount",
		"spec.containers[0].securityContext.seccompProfile",
		"spec.containers[0].securityContext.windowsOptions.hostProcess",
		"spec.ephemeralContainers[0].securityContext.appArmorProfile")
	want := "hostNamespaces sysctls seLinuxOptions hostPathVolumes privileged hostProbesAndHostLifecycle hostPorts " +
		"capabilities_baseline procMount seccompProfile_baseline windowsHostProcess appArmorProfile"
	if got := pssIDs(f); got != want {
		t.Errorf("checks\n%s\nwant\n%s", got, want)
	}
	for _, finding := range f {
		if finding.Severity != check.High || finding.Layer != check.LayerContainer {
			t.Errorf("%s: severity %v, layer %v", finding.Path, finding.Severity, finding.Layer)
		}
	}
	wantMsg := `violates PodSecurity "baseline:latest", check privileged: privileged ` +
		`(container "init" must not set securityContext.privileged=true)`
	if f[4].Message != wantMsg || f[4].Container != "init" || f[0].Container != "" {
		t.Errorf("message %q, container %q", f[4].Message, f[4].Container)
	}
	if f[0].Message != `violates PodSecurity "baseline:latest", check hostNamespaces: host namespaces (hostNetwork=true, hostPID=true)` {
		t.Errorf("message %q", f[0].Message)
	}

	// Baseline allows all of this; Restricted does not.
	nearMiss := `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: runtime/default
    spec:
      securityContext:
        sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65000"}]
        seLinuxOptions: {level: "s0:c123,c456"}
      volumes:
        - {name: implicit-empty-dir}
        - {name: config, configMap: {name: c}}
      containers:
        - name: app
          image: x
          ports: [{containerPort: 80}]
          securityContext:
            privileged: false
            capabilities: {add: [CHOWN, NET_BIND_SERVICE]}
            procMount: Default
            seccompProfile: {type: RuntimeDefault}
            runAsUser: 0
`
	expectFindings(t, scanText(t, PSSBaselineID, nearMiss))
	if got := pssIDs(scanText(t, PSSRestrictedID, nearMiss)); got != "runAsNonRoot allowPrivilegeEscalation capabilities_restricted runAsUser" {
		t.Errorf("restricted: %s", got)
	}
}

func TestPSSRestricted(t *testing.T) {
	fires := `apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          volumes:
            - {name: tmp, emptyDir: {}}
            - {name: repo, gitRepo: {repository: x}}
          initContainers:
            - name: init
              image: x
          containers:
            - name: app
              image: x
              securityContext:
                runAsUser: 0
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL]}
                seccompProfile: {type: RuntimeDefault}
          ephemeralContainers:
            - name: debug
              image: x
              securityContext: {privileged: true}
`
	f := scanText(t, PSSRestrictedID, fires)
	spec := "spec.jobTemplate.spec.template.spec"
	// runAsNonRoot and seccompProfile are missing: set on the pod, they
	// cover every container, so the findings point there (located at the
	// pod spec, as the pod has no securityContext).
	expectFindings(t, f,
		spec+".securityContext.runAsNonRoot",
		spec+".securityContext.seccompProfile",
		spec+".volumes[1]",
		spec+".initContainers[0].securityContext.allowPrivilegeEscalation",
		spec+".initContainers[0].securityContext.capabilities.drop",
		spec+".containers[0].securityContext.runAsUser",
		spec+".ephemeralContainers[0].securityContext.privileged")
	if got, want := pssIDs(f), "runAsNonRoot seccompProfile_restricted restrictedVolumes allowPrivilegeEscalation capabilities_restricted runAsUser privileged"; got != want {
		t.Errorf("checks\n%s\nwant\n%s", got, want)
	}
	if f[0].Location.Line != 9 || !strings.Contains(f[0].Message, `pod or containers "init", "app", "debug" must set securityContext.runAsNonRoot=true`) {
		t.Errorf("runAsNonRoot at line %d: %s", f[0].Location.Line, f[0].Message)
	}
	for i, want := range []string{"", "", "", "", "", "app", "debug"} {
		if f[i].Container != want {
			t.Errorf("finding %d (%s) names container %q, want %q", i, f[i].Path, f[i].Container, want)
		}
		if f[i].Severity != check.Medium {
			t.Errorf("finding %d has severity %v", i, f[i].Severity)
		}
	}
	last := f[len(f)-1].Message
	if !strings.HasSuffix(last, "; a Baseline control, also reported by pss-baseline") || !strings.Contains(last, `"restricted:latest"`) {
		t.Errorf("message of a Baseline control: %s", last)
	}

	// Pod-level settings, a capability added on top of drop ALL, and a
	// pod that sets runAsNonRoot=false itself.
	explicit := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    runAsNonRoot: false
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: app
      image: x
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL], add: [NET_ADMIN]}
`
	f = scanText(t, PSSRestrictedID, explicit)
	expectFindings(t, f, "spec.securityContext.runAsNonRoot", "spec.containers[0].securityContext.capabilities.add")
	if pssIDs(f) != "runAsNonRoot capabilities_restricted" || f[1].Container != "app" {
		t.Errorf("checks %s, container %q", pssIDs(f), f[1].Container)
	}
}

func TestPSSNearMisses(t *testing.T) {
	// The example of the checks' metadata meets both levels.
	for _, id := range []string{PSSBaselineID, PSSRestrictedID} {
		c := check.Default.Get(id)
		expectFindings(t, scanText(t, id, c.Example))
	}
	// runAsNonRoot on every container (init and ephemeral too) instead of
	// the pod; NET_BIND_SERVICE may be added back.
	perContainer := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  template:
    spec:
      securityContext:
        seccompProfile: {type: Localhost, localhostProfile: p.json}
      volumes:
        - {name: token, projected: {sources: []}}
        - {name: data, persistentVolumeClaim: {claimName: c}}
      initContainers:
        - name: init
          image: x
          securityContext: &sc
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
      containers:
        - {name: app, image: x, securityContext: *sc}
      ephemeralContainers:
        - {name: debug, image: x, securityContext: *sc}
`
	for _, id := range []string{PSSBaselineID, PSSRestrictedID} {
		expectFindings(t, scanText(t, id, perContainer))
	}
	// Windows pods are exempt from the Linux-only Restricted controls.
	windows := `apiVersion: v1
kind: Pod
metadata: {name: w}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers: [{name: app, image: x}]
`
	expectFindings(t, scanText(t, PSSRestrictedID, windows))
}

func TestPSSVersions(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
spec:
  securityContext: {runAsNonRoot: true}
  containers: [{name: app, image: x}]
`
	for _, tt := range []struct{ version, want string }{
		{"v1.0", "seccompProfile_baseline"},
		{"v1.8", "seccompProfile_baseline allowPrivilegeEscalation"},
		// From v1.19, seccomp is read from fields, not annotations.
		{"v1.19", "seccompProfile_restricted allowPrivilegeEscalation"},
		{"v1.22", "seccompProfile_restricted allowPrivilegeEscalation capabilities_restricted"},
		{"latest", "seccompProfile_restricted allowPrivilegeEscalation capabilities_restricted"},
	} {
		if got := pssIDs(scanPSS(t, PSSRestrictedID, tt.version, pod)); got != tt.want {
			t.Errorf("restricted %s: %s, want %s", tt.version, got, tt.want)
		}
	}
	f := scanPSS(t, PSSBaselineID, "v1.18", pod)
	expectFindings(t, f, "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]")
	if !strings.HasPrefix(f[0].Message, `violates PodSecurity "baseline:v1.18", check seccompProfile_baseline: seccompProfile (forbidden annotation`) {
		t.Errorf("message %q", f[0].Message)
	}
	expectFindings(t, scanPSS(t, PSSBaselineID, "v1.19", pod))

	// In a template, the annotation is the template's.
	deployment := `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    metadata:
      annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}
    spec:
      containers: [{name: app, image: x}]
`
	expectFindings(t, scanPSS(t, PSSBaselineID, "v1.0", deployment), "spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]")
}

func TestPSSSettings(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers: [{name: app, image: x}]
`
	config := jsonSettings{PSSRestrictedID: `{"version": "v1.7"}`}
	run := func(s check.Settings) string {
		t.Helper()
		f, failures := scanPSSWith(t, PSSRestrictedID, s, pod)
		if len(failures) > 0 {
			return "failure: " + failures[0].Err.Error()
		}
		return pssIDs(f)
	}
	if got := run(config); got != "" {
		t.Errorf("config v1.7: %s", got)
	}
	if got := run(PSSVersionSettings(config, "v1.8")); got != "allowPrivilegeEscalation" {
		t.Errorf("flag v1.8 over config v1.7: %s", got)
	}
	if got := run(PSSVersionSettings(config, "")); got != "" {
		t.Errorf("no flag, config v1.7: %s", got)
	}
	if got := run(nil); got != "seccompProfile_restricted allowPrivilegeEscalation capabilities_restricted" {
		t.Errorf("no settings: %s", got)
	}

	bad := jsonSettings{PSSBaselineID: `{"version": "v1.99"}`}
	if got := run(bad); !strings.Contains(got, "allowPrivilegeEscalation") {
		t.Errorf("settings of the other check changed pss-restricted: %s", got)
	}
	err := ValidatePSSSettings(bad)
	if err == nil || !strings.Contains(err.Error(), `settings.pss-baseline.version: PSS version "v1.99" is newer than v1.37`) {
		t.Errorf("ValidatePSSSettings: %v", err)
	}
	if f, failures := scanPSSWith(t, PSSBaselineID, bad, pod); len(f) > 0 || len(failures) != 1 || !strings.Contains(failures[0].Err.Error(), "settings.pss-baseline.version") {
		t.Errorf("bad version: findings %v, failures %v", f, failures)
	}
	if err := ValidatePSSSettings(PSSVersionSettings(failingSettings{}, "v1.2")); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("decode errors of the base settings are lost: %v", err)
	}
	if err := ValidatePSSSettings(PSSVersionSettings(bad, "v1.2")); err != nil {
		t.Errorf("the flag does not override the config: %v", err)
	}
	if err := ValidatePSSSettings(nil); err != nil {
		t.Error(err)
	}
}

func TestValidatePSSVersion(t *testing.T) {
	for _, v := range []string{"latest", "v1.0", "v1.25", "v1.37"} {
		if err := ValidatePSSVersion(v); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	for v, want := range map[string]string{
		"v1.38":  `PSS version "v1.38" is newer than v1.37, the newest this build knows; use "latest"`,
		"1.30":   `invalid PSS version "1.30": must be "latest" or "v1.x", from v1.0 to v1.37`,
		"v2.0":   `invalid PSS version "v2.0"`,
		"v1.01":  `invalid PSS version "v1.01"`,
		"":       `invalid PSS version ""`,
		"Latest": `invalid PSS version "Latest"`,
	} {
		if err := ValidatePSSVersion(v); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %s", v, err, want)
		}
	}
}

// TestPSSNewestVersion ties pssNewestMinor to the PSA library: it must know
// every version the library's checks have.
func TestPSSNewestVersion(t *testing.T) {
	for _, c := range policy.DefaultChecks() {
		for _, v := range c.Versions {
			if v.MinimumVersion.Minor() > pssNewestMinor {
				t.Errorf("PSA check %s has version %s, newer than pssNewestMinor v1.%d", c.ID, v.MinimumVersion, pssNewestMinor)
			}
		}
		if _, ok := pssFields[c.ID]; !ok {
			t.Errorf("PSA check %s has no entry in pssFields", c.ID)
		}
	}
}

// TestPSSLocateFallsBack covers details that name nothing to point at.
func TestPSSLocateFallsBack(t *testing.T) {
	res := manifest.Load([]string{manifest.Stdin}, manifest.Options{Stdin: strings.NewReader(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: x}]
`)})
	w := inventory.New(res.Objects).Workloads()[0]
	for _, r := range []podsecurity.Result{
		{ID: "someFutureCheck", CheckResult: policy.CheckResult{ForbiddenDetail: `container "app" must not`}},
		{ID: "privileged", CheckResult: policy.CheckResult{ForbiddenDetail: `container "gone" must not`}},
		{ID: "hostNamespaces", CheckResult: policy.CheckResult{ForbiddenDetail: "hostUsers=false"}},
		{ID: "hostPathVolumes", CheckResult: policy.CheckResult{ForbiddenDetail: `volume "gone"`}},
		{ID: "sysctls", CheckResult: policy.CheckResult{ForbiddenDetail: "a.b"}},
		{ID: "appArmorProfile", CheckResult: policy.CheckResult{}},
	} {
		if f := pssLocate(r, w); f.Path != "spec" || f.Container != "" {
			t.Errorf("%s %q: located at %s, container %q", r.ID, r.ForbiddenDetail, f.Path, f.Container)
		}
	}
	lv := api.LevelVersion{Level: api.LevelBaseline, Version: api.MajorMinorVersion(1, 3)}
	if m := pssMessage(podsecurity.Result{ID: "x"}, lv, quote(lv.String())); m != `violates PodSecurity "baseline:v1.3", check x: unknown forbidden reason` {
		t.Errorf("message %q", m)
	}
}

// pssContainersPattern is the regexp pssNamedContainers stands in for.
var pssContainersPattern = regexp.MustCompile(`\bcontainers? ("[^"]*"(?:, "[^"]*")*)`)

// FuzzPSSNamedContainers checks the hand-written reader of container names
// in PSA details against the regexp it replaces.
func FuzzPSSNamedContainers(f *testing.F) {
	for _, s := range []string{
		`container "a" must set securityContext.allowPrivilegeEscalation=false`,
		`containers "a", "b" must not set securityContext.privileged=true`,
		`pod or containers "app", "side" must set securityContext.runAsNonRoot=true`,
		`initcontainer "x"`, `subcontainers "x"`, `containerss "x"`, `container "unterminated`, `container "a", "b`,
		`containers "", "b"`, `x container "a" and container "b", "c"`, `container  "a"`, `containers"a"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, clause string) {
		first, count := pssNamedContainers(clause)
		m := pssContainersPattern.FindStringSubmatch(clause)
		if m == nil {
			if count != 0 {
				t.Fatalf("%q: got %d names (first %q), the regexp finds none", clause, count, first)
			}
			return
		}
		names := pssQuoted.FindAllStringSubmatch(m[1], -1)
		if count != len(names) || first != names[0][1] {
			t.Fatalf("%q: got %d names (first %q), the regexp finds %d (first %q)", clause, count, first, len(names), names[0][1])
		}
	})
}
