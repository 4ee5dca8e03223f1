package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/podsecurity"
)

// The IDs of the Pod Security Standards checks.
const (
	PSSBaselineID   = "pss-baseline"
	PSSRestrictedID = "pss-restricted"
)

// pssNewestMinor is the newest PSS version (v1.N) that
// k8s.io/pod-security-admission v0.N knows. Raise it with the dependency.
const pssNewestMinor = 37

// pssURL is the reference of the Pod Security Standards.
const pssURL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

// pssExample is a pod that meets the Restricted level (and so Baseline).
const pssExample = `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example.com/app:1.4.2
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: ["ALL"]`

// pssSettings are the settings of pss-baseline and pss-restricted.
type pssSettings struct {
	// Version is the PSS version to evaluate, "latest" or "v1.0" to "v1.37";
	// empty means latest.
	Version string `json:"version" yaml:"version"`
}

func init() {
	looks := "The pod metadata and spec of every workload (Pods, PodTemplates, and the pod templates of Deployments, " +
		"ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and ReplicationControllers), evaluated by the " +
		"Kubernetes Pod Security Admission library (k8s.io/pod-security-admission) at the %s level of the PSS " +
		"version given by --pss-version or settings.%s.version (default: latest). Each PSA check that forbids " +
		"the pod is one finding, named by its PSA check ID and worded as PSA words it, at the field concerned."
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       PSSBaselineID,
			Title:    "Pod does not meet the Baseline Pod Security Standard",
			Layer:    check.LayerContainer,
			Severity: check.High,
			Looks:    fmt.Sprintf(looks, "Baseline", PSSBaselineID),
			Rationale: "Baseline is the least Kubernetes asks of any workload: it forbids the known ways out of a container, " +
				"such as privileged containers, host namespaces, hostPath volumes, host ports, extra capabilities, unsafe " +
				"sysctls and disabled AppArmor, SELinux or seccomp confinement. A namespace labelled " +
				"pod-security.kubernetes.io/enforce=baseline rejects such pods; each one is a path from a compromised " +
				"container to the node.",
			Remediation: "Change the field the finding points at as its message says: drop privileged, hostNetwork, hostPID, " +
				"hostIPC, hostPath volumes and hostPorts, add no capabilities beyond the default set, and leave procMount, " +
				"sysctls, AppArmor, SELinux and seccomp at safe values. Agents that truly need the host (CNI, storage, " +
				"node monitoring) belong in a namespace that enforces the privileged level, with an exception that says why.",
			Example: pssExample,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security"},
				MITRE: []string{"T1611"},
				PSS:   []string{"baseline: all controls"},
				URLs:  []string{pssURL},
			},

			ValidateSettings: pssValidate(PSSBaselineID),
		},
		Run: pssRun(api.LevelBaseline, PSSBaselineID),
	})
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       PSSRestrictedID,
			Title:    "Pod does not meet the Restricted Pod Security Standard",
			Layer:    check.LayerContainer,
			Severity: check.Medium,
			Looks: fmt.Sprintf(looks, "Restricted", PSSRestrictedID) + " Restricted includes every Baseline control, " +
				"so a pod that breaks one is reported by both pss-baseline and pss-restricted: each check alone tells " +
				"whether a namespace enforcing its level would admit the pod, as PSA decides. The findings of " +
				"Baseline controls say so; when you enforce only one level, disable the other check.",
			Rationale: "Restricted is the current hardening practice for pods: containers run as a non-root user, cannot " +
				"gain privileges, drop every capability, run under the RuntimeDefault or a Localhost seccomp profile and " +
				"mount only volume types that do not reach the node. A compromised container then has little to work with.",
			Remediation: "Set the pod and container securityContext as in the example: runAsNonRoot: true (and a non-zero " +
				"runAsUser), allowPrivilegeEscalation: false, capabilities drop [\"ALL\"] (adding back at most " +
				"NET_BIND_SERVICE) and seccompProfile type RuntimeDefault. Use only configMap, csi, downwardAPI, emptyDir, " +
				"ephemeral, image, persistentVolumeClaim, projected and secret volumes. Fix Baseline findings as pss-baseline says.",
			Example: pssExample,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security"},
				MITRE: []string{"T1611"},
				PSS:   []string{"restricted: all controls"},
				URLs:  []string{pssURL},
			},

			ValidateSettings:  pssValidate(PSSRestrictedID),
			DisabledByDefault: true,
		},
		Run: pssRun(api.LevelRestricted, PSSRestrictedID),
	})
}

// ValidatePSSVersion checks a PSS version as --pss-version takes it:
// "latest", or "v1.0" to the newest version this build knows.
func ValidatePSSVersion(version string) error {
	_, err := parsePSSVersion(version)
	return err
}

func parsePSSVersion(version string) (api.Version, error) {
	v, err := api.ParseVersion(version)
	if err != nil {
		return api.Version{}, fmt.Errorf("invalid PSS version %q: %v, from v1.0 to v1.%d", version, err, pssNewestMinor)
	}
	if !v.Latest() && v.Minor() > pssNewestMinor {
		return api.Version{}, fmt.Errorf("PSS version %q is newer than v1.%d, the newest this build knows; use \"latest\"", version, pssNewestMinor)
	}
	return v, nil
}

// PSSVersionSettings wraps base (which may be nil) so that the PSS checks
// evaluate version, whatever base configures for them: it gives the
// --pss-version flag precedence over the config file. An empty version
// returns base unchanged. Validate version with ValidatePSSVersion first.
func PSSVersionSettings(base check.Settings, version string) check.Settings {
	if version == "" {
		return base
	}
	return check.Overlay(base, func(out any) {
		if s, ok := out.(*pssSettings); ok {
			s.Version = version
		}
	}, PSSBaselineID, PSSRestrictedID)
}

// ValidatePSSSettings checks the settings of both PSS checks, so that a bad
// version is reported before a scan rather than as a failed check.
func ValidatePSSSettings(s check.Settings) error {
	_, errB := pssVersionOf(s, PSSBaselineID)
	_, errR := pssVersionOf(s, PSSRestrictedID)
	return errors.Join(errB, errR)
}

// pssValidate returns the settings validation of the check id.
func pssValidate(id string) func(check.Settings) error {
	return func(s check.Settings) error {
		_, err := pssVersionOf(s, id)
		return err
	}
}

// pssVersionOf returns the PSS version configured for the check id.
func pssVersionOf(s check.Settings, id string) (api.Version, error) {
	var cfg pssSettings
	if s != nil {
		if err := s.Decode(id, &cfg); err != nil {
			return api.Version{}, err
		}
	}
	if cfg.Version == "" {
		return api.LatestVersion(), nil
	}
	v, err := parsePSSVersion(cfg.Version)
	if err != nil {
		return api.Version{}, fmt.Errorf("settings.%s.version: %w", id, err)
	}
	return v, nil
}

// pssRun returns the Run function of the check id at level.
func pssRun(level api.Level, id string) func(*check.Context) {
	return func(ctx *check.Context) {
		version, err := pssVersionOf(ctx.Settings, id)
		if err != nil {
			// The CLI validates the settings first (ValidatePSSSettings);
			// the engine turns this into a failure of the check.
			panic(err)
		}
		lv := api.LevelVersion{Level: level, Version: version}
		messages := pssMessages{lv: lv, quotedLV: quote(lv.String()), byResult: map[pssMessageKey]string{}}
		var forbidden []podsecurity.Result // reused: findings keep only strings
		check.PerWorkload(func(ctx *check.Context, w *inventory.Workload) {
			forbidden = ctx.PodSecurity().Forbidden(forbidden[:0], lv, w)
			for _, r := range forbidden {
				f := pssLocate(r, w)
				f.Object = w.Object
				f.Message = messages.of(r)
				ctx.ReportFinding(f)
			}
		})(ctx)
	}
}

// message carries the PSA check ID, reason and detail. quotedLV is
// lv.String() quoted, which callers compute once.
func pssMessage(r podsecurity.Result, lv api.LevelVersion, quotedLV string) string {
	reason := r.ForbiddenReason
	if reason == "" {
		reason = policy.UnknownForbiddenReason
	}
	// PSA words its own rejections the same way.
	detail, also := "", ""
	if r.ForbiddenDetail != "" {
		detail = " (" + r.ForbiddenDetail + ")"
	}
	if lv.Level == api.LevelRestricted && r.Level == api.LevelBaseline {
		also = "; a Baseline control, also reported by " + PSSBaselineID
	}
	return "violates PodSecurity " + quotedLV + ", check " + string(r.ID) + ": " + reason + detail + also
}

// pssMessages words the findings of one PSS check at one level and
// version, and words each distinct result once: the pods of one workload,
// or of workloads built alike, break the same controls in the same words,
// and one string then serves all their findings.
type pssMessages struct {
	lv       api.LevelVersion
	quotedLV string
	byResult map[pssMessageKey]string
}

// pssMessageKey is what a finding's message depends on.
type pssMessageKey struct {
	id             policy.CheckID
	level          api.Level
	reason, detail string
}

// of returns the message of r.
func (m *pssMessages) of(r podsecurity.Result) string {
	key := pssMessageKey{r.ID, r.Level, r.ForbiddenReason, r.ForbiddenDetail}
	msg, ok := m.byResult[key]
	if !ok {
		msg = pssMessage(r, m.lv, m.quotedLV)
		m.byResult[key] = msg
	}
	return msg
}

// pssLocator says how to find the field a PSA check's detail is about.
type pssLocator int

const (
	// bySetter: the pod, named containers or annotations set the field.
	bySetter pssLocator = iota
	// byVolume: the detail quotes volume names.
	byVolume
	// bySysctl: the detail lists sysctl names.
	bySysctl
	// byHostNamespace: the detail lists hostNetwork=true and the like.
	byHostNamespace
)

// pssField tells where the fields a PSA check reads are.
type pssField struct {
	locate pssLocator
	// container is the field below a container (for bySetter); empty for the
	// container itself.
	container string
	// pod is the field below the pod spec that the pod sets; empty when the
	// pod has none.
	pod string
}

// pssFields maps PSA check IDs to their fields. Checks it does not know
// point at the pod spec.
var pssFields = map[policy.CheckID]pssField{
	"allowPrivilegeEscalation":   {container: "securityContext.allowPrivilegeEscalation"},
	"appArmorProfile":            {container: "securityContext.appArmorProfile", pod: "securityContext.appArmorProfile"},
	"capabilities_baseline":      {container: "securityContext.capabilities.add"},
	"capabilities_restricted":    {container: "securityContext.capabilities.drop"}, // or .add, see containerField
	"hostNamespaces":             {locate: byHostNamespace},
	"hostPathVolumes":            {locate: byVolume},
	"hostPorts":                  {container: "ports"},
	"hostProbesAndHostLifecycle": {},
	"privileged":                 {container: "securityContext.privileged"},
	"procMount":                  {container: "securityContext.procMount"},
	"procMount_restricted":       {container: "securityContext.procMount"},
	"restrictedVolumes":          {locate: byVolume},
	"runAsNonRoot":               {container: "securityContext.runAsNonRoot", pod: "securityContext.runAsNonRoot"},
	"runAsUser":                  {container: "securityContext.runAsUser", pod: "securityContext.runAsUser"},
	"seLinuxOptions":             {container: "securityContext.seLinuxOptions", pod: "securityContext.seLinuxOptions"},
	"seccompProfile_baseline":    {container: "securityContext.seccompProfile", pod: "securityContext.seccompProfile"},
	"seccompProfile_restricted":  {container: "securityContext.seccompProfile", pod: "securityContext.seccompProfile"},
	"sysctls":                    {locate: bySysctl},
	"windowsHostProcess":         {container: "securityContext.windowsOptions.hostProcess", pod: "securityContext.windowsOptions.hostProcess"},
}

var (
	// pssQuoted matches one quoted name.
	pssQuoted = regexp.MustCompile(`"([^"]*)"`)
)

// pssLocate returns a finding with the path (and, when it is about one
// container, the container) of the field r is about in w, read from the
// detail; the pod spec when the field cannot be told.
func pssLocate(r podsecurity.Result, w *inventory.Workload) check.Finding {
	field, known := pssFields[r.ID]
	// The first clause names the first offender ("...; ..." lists more).
	clause, _, _ := strings.Cut(r.ForbiddenDetail, ";")
	var path string
	switch {
	case !known:
	case field.locate == byVolume:
		i := slices.IndexFunc(w.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == pssFirstQuoted(clause) })
		path = pssItem(w, "volumes", i)
	case field.locate == bySysctl:
		var sysctls []corev1.Sysctl
		if sc := w.Spec.SecurityContext; sc != nil {
			sysctls = sc.Sysctls
		}
		name, _, _ := strings.Cut(clause, ",")
		i := slices.IndexFunc(sysctls, func(s corev1.Sysctl) bool { return s.Name == strings.TrimSpace(name) })
		path = pssItem(w, "securityContext.sysctls", i)
	case field.locate == byHostNamespace:
		name, _, _ := strings.Cut(clause, "=")
		if name = strings.TrimSpace(name); name == "hostNetwork" || name == "hostPID" || name == "hostIPC" {
			path = w.SpecPath + "." + name
		}
	case field.locate == bySetter && strings.HasPrefix(clause, "pod ") && field.pod != "":
		// The pod sets the field, or ("pod or containers ... must set")
		// setting it on the pod fixes every container at once.
		path = w.SpecPath + "." + field.pod
	default:
		if f, ok := pssContainerFinding(w, clause, field.containerField(clause)); ok {
			return f
		}
		path = pssAnnotation(w, r.ForbiddenDetail)
	}
	if path == "" {
		path = w.SpecPath
	}
	return check.Finding{Path: path}
}

// containerField returns the field below a container for the clause.
func (f pssField) containerField(clause string) string {
	if strings.Contains(clause, "capabilities.add") {
		return "securityContext.capabilities.add"
	}
	return f.container
}

// pssContainerFinding locates the first container the clause names, at sub
// below it. It names the container when the clause names only one.
func pssContainerFinding(w *inventory.Workload, clause, sub string) (check.Finding, bool) {
	first, count := pssNamedContainers(clause)
	if count == 0 {
		return check.Finding{}, false
	}
	for _, c := range w.Containers() {
		if c.Name != first {
			continue
		}
		f := check.Finding{Path: c.Path}
		if sub != "" {
			f.Path = c.Path + "." + sub
		}
		if count == 1 {
			f.Container = c.Name
		}
		return f, true
	}
	return check.Finding{}, false
}

// pssNamedContainers reads the containers PSA names in a clause, `container
// "a"` or `containers "a", "b"`: the first name and how many there are
// (0 when the clause names none). It finds what the regexp
// \bcontainers? ("[^"]*"(?:, "[^"]*")*) would, without its cost.
func pssNamedContainers(clause string) (first string, count int) {
	for from := 0; ; {
		i := strings.Index(clause[from:], "container")
		if i < 0 {
			return "", 0
		}
		i += from
		from = i + 1
		if i > 0 && isWordByte(clause[i-1]) {
			continue
		}
		rest := strings.TrimPrefix(clause[i+len("container"):], "s")
		if !strings.HasPrefix(rest, ` "`) {
			continue
		}
		rest = rest[1:]
		for {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			if count == 0 {
				first = rest[1 : 1+end]
			}
			count++
			rest = rest[2+end:]
			if !strings.HasPrefix(rest, `, "`) {
				break
			}
			rest = rest[2:]
		}
		if count > 0 {
			return first, count
		}
	}
}

// isWordByte reports whether b is an ASCII word character, as \b sees it.
func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// pssFirstQuoted returns the first quoted name of s, or "".
func pssFirstQuoted(s string) string {
	if m := pssQuoted.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// pssItem returns the path of item i of the list at sub below the pod spec,
// or "" when i is -1.
func pssItem(w *inventory.Workload, sub string, i int) string {
	if i < 0 {
		return ""
	}
	return w.Field(sub + "[" + strconv.Itoa(i) + "]")
}

// pssAnnotation returns the path of the first pod annotation the detail
// names as key=value, or "" when it names none.
func pssAnnotation(w *inventory.Workload, detail string) string {
	keys := make([]string, 0, len(w.PodMeta.Annotations))
	for k := range w.PodMeta.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.Contains(detail, k+"=") {
			return w.MetaPath + ".annotations[" + k + "]"
		}
	}
	return ""
}
