//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/watch"
)

// installReportCRDs installs the chart's report CRDs and waits until they
// are served.
func installReportCRDs(t *testing.T, cfg *rest.Config) {
	t.Helper()
	crds := load(t, filepath.Join("..", "..", "deploy", "chart", "kube4c", "crds"))
	if len(crds) != 4 {
		t.Fatalf("want the 4 report CRDs of the chart, got %d", len(crds))
	}
	apply(t, cfg, crds)
	cs := kubernetes.NewForConfigOrDie(cfg)
	waitFor(t, "the report CRDs to be served", func() bool {
		for _, gv := range []string{"openreports.io/v1alpha1", "wgpolicyk8s.io/v1alpha2"} {
			if _, err := cs.Discovery().ServerResourcesForGroupVersion(gv); err != nil {
				return false
			}
		}
		return true
	})
}

// runningWatcher is a kube4c watch running in the test process.
type runningWatcher struct {
	metrics string // base URL of /metrics
	stop    func()
	done    chan error
}

// startWatcher runs kube4c watch against cfg until the test ends or stop.
func startWatcher(t *testing.T, cfg *rest.Config, identity string, format watch.Format) *runningWatcher {
	t.Helper()
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &runningWatcher{metrics: "http://" + ln.Addr().String(), done: make(chan error, 1)}
	go func() {
		w.done <- watch.Run(ctx, watch.Options{Config: cfg, Plan: plan, Format: format, Resync: 5 * time.Second, Listener: ln, LogFindings: true,
			LeaderElection: &watch.LeaderElection{Namespace: "kube4c-system", Name: "kube4c-watch-test", Identity: identity}})
	}()
	w.stop = func() {
		cancel()
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("watcher %s: %v", identity, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("watcher %s did not stop", identity)
		}
	}
	t.Cleanup(func() {
		select {
		case <-ctx.Done():
		default:
			w.stop()
		}
	})
	waitForLong(t, "the watcher to be ready", func() bool { return w.get(t, "/readyz") == "ok\n" })
	return w
}

// logLines captures what this process logs through slog as JSON lines,
// for the rest of the test.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func captureLogs(t *testing.T) *logLines {
	l := &logLines{}
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(l, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return l
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the lines logged with message msg, from the from-th line
// logged on, as their "check object" attributes.
func (l *logLines) lines(from int, msg string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for i, line := range strings.Split(l.buf.String(), "\n") {
		var entry struct{ Msg, Check, Object string }
		if i >= from && json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == msg {
			out = append(out, entry.Check+" "+entry.Object)
		}
	}
	return out
}

// count returns how many lines were logged.
func (l *logLines) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), "\n")
}

// get returns the body of a GET to the watcher, "" when it fails.
func (w *runningWatcher) get(t *testing.T, path string) string { return httpBody(w.metrics + path) }

// httpBody returns the body of a GET that answers 200, "" otherwise.
func httpBody(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(body)
}

// metric returns the value of a metric without labels, or of the sum of
// its series with labels.
func (w *runningWatcher) metric(t *testing.T, name string) float64 {
	sum := 0.0
	for _, line := range strings.Split(w.get(t, "/metrics"), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		series, value, _ := strings.Cut(line, " ")
		if series == name || strings.HasPrefix(series, name+"{") {
			var v float64
			fmt.Sscan(value, &v)
			sum += v
		}
	}
	return sum
}

// waitForLong polls cond for up to 90 s: a generous bound, so that a slow
// CI machine does not fail the test; the speed itself is measured by the
// benchmark (hack/bench-watch.sh).
func waitForLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 90*time.Second {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%s: %v", what, time.Since(start).Round(10*time.Millisecond))
}

// reportKeys returns the results of every report kube4c wrote, as
// "check Kind/namespace/name path severity" lines by namespace ("" for the
// cluster's report).
func reportKeys(t *testing.T, dyn dynamic.Interface, format watch.Format) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, unit := range []string{"any", ""} {
		list, err := dyn.Resource(format.GVR(unit)).List(context.Background(), metav1.ListOptions{LabelSelector: watch.ManagedByLabel + "=kube4c"})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range list.Items {
			ns := item.GetNamespace()
			if _, ok := out[ns]; !ok {
				out[ns] = []string{}
			}
			results, _, _ := unstructured.NestedSlice(item.Object, "results")
			for _, r := range results {
				m := r.(map[string]any)
				policy, _, _ := unstructured.NestedString(m, "policy")
				severity, _, _ := unstructured.NestedString(m, "severity")
				path, _, _ := unstructured.NestedString(m, "properties", "path")
				subject := ""
				if subjects, _, _ := unstructured.NestedSlice(m, "resources"); len(subjects) > 0 {
					s := subjects[0].(map[string]any)
					subject = fmt.Sprintf("%s/%s/%s", s["kind"], str(s["namespace"]), s["name"])
				}
				out[ns] = append(out[ns], policy+" "+subject+" "+path+" "+severity)
			}
		}
	}
	for ns := range out {
		slices.Sort(out[ns])
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// scanKeys returns what kube4c scan --cluster finds, as reportKeys does,
// for the namespaces (and "" for the cluster) that have reports.
func scanKeys(t *testing.T, kubeconfig string) map[string][]string {
	t.Helper()
	code, out, errOut := kube4c(t, "scan", "--cluster", "--kubeconfig", kubeconfig, "-q", "-o", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("cluster scan: exit %d: %s", code, errOut)
	}
	out2 := map[string][]string{}
	for _, f := range parseReport(t, out).Findings {
		unit := f.Object.Namespace
		if f.Object.Kind == "Namespace" {
			unit = f.Object.Name
		}
		out2[unit] = append(out2[unit], fmt.Sprintf("%s %s/%s/%s %s %s", f.CheckID, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path, f.Severity))
	}
	for ns := range out2 {
		slices.Sort(out2[ns])
	}
	return out2
}

// agrees reports whether every namespace's report lists exactly what the
// scan finds in it; diff says how they differ.
func agrees(reports, scan map[string][]string) (bool, string) {
	var diff []string
	units := map[string]bool{}
	for u := range reports {
		units[u] = true
	}
	for u := range scan {
		units[u] = true
	}
	for _, u := range slices.Sorted(maps.Keys(units)) {
		if slices.Equal(reports[u], scan[u]) {
			continue
		}
		if _, ok := reports[u]; !ok {
			diff = append(diff, fmt.Sprintf("namespace %q: no report (scan finds %d)", u, len(scan[u])))
			continue
		}
		for _, k := range scan[u] {
			if !slices.Contains(reports[u], k) {
				diff = append(diff, fmt.Sprintf("namespace %q: report lacks %s", u, k))
			}
		}
		for _, k := range reports[u] {
			if !slices.Contains(scan[u], k) {
				diff = append(diff, fmt.Sprintf("namespace %q: report has %s, which the scan does not find", u, k))
			}
		}
	}
	return len(diff) == 0, strings.Join(diff, "\n")
}

// waitForAgreement waits until the reports agree with a scan of the
// cluster of kubeconfig.
func waitForAgreement(t *testing.T, kubeconfig string, format watch.Format, step string) map[string][]string {
	t.Helper()
	var last string
	var reports map[string][]string
	start := time.Now()
	for {
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		scan := scanKeys(t, kubeconfig)
		reports = reportKeys(t, dynamic.NewForConfigOrDie(cfg), format)
		// A terminating namespace can hold no report (the API server
		// refuses new objects there): kube4c deletes its report.
		for ns := range scan {
			if terminating(t, cfg, ns) {
				delete(scan, ns)
			}
		}
		ok, diff := agrees(reports, scan)
		if ok {
			t.Logf("%s: reports agree with the scan over %d namespaces after %v", step, len(reports), time.Since(start).Round(10*time.Millisecond))
			return reports
		}
		last = diff
		if time.Since(start) > 90*time.Second {
			t.Fatalf("%s: the reports never agreed with a cluster scan:\n%s", step, last)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// terminating reports whether a namespace is being deleted.
func terminating(t *testing.T, cfg *rest.Config, name string) bool {
	if name == "" {
		return false
	}
	ns, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Namespaces().Get(context.Background(), name, metav1.GetOptions{})
	return err == nil && ns.DeletionTimestamp != nil
}

// has reports whether a namespace's report holds a result of check about
// the object.
func has(reports map[string][]string, ns, checkID, object string) bool {
	for _, k := range reports[ns] {
		if strings.HasPrefix(k, checkID+" "+object+" ") {
			return true
		}
	}
	return false
}

// kube4c watch keeps one report per namespace and one for the cluster
// equal to what kube4c scan --cluster finds, through fixes, new policies,
// new bindings and a deleted namespace; a second replica only stands by.
func TestWatchKeepsReportsCurrent(t *testing.T) {
	ctx := context.Background()
	installReportCRDs(t, admin)
	cs := kubernetes.NewForConfigOrDie(admin)
	dyn := dynamic.NewForConfigOrDie(admin)
	createNamespace(t, cs, "kube4c-system", nil)
	format := watch.OpenReports

	logs := captureLogs(t)
	first := startWatcher(t, admin, "replica-a", format)
	apply(t, admin, load(t, filepath.Join("..", "..", "examples")))
	createNamespace(t, cs, "watch-doomed", nil)
	privileged := true
	_, err := cs.CoreV1().Pods("watch-doomed").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx:1.27",
			SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reports := waitForAgreement(t, adminKubeconfig, format, "examples applied")
	if !has(reports, "logging", "privileged-container", "DaemonSet/logging/log-agent") {
		t.Fatalf("the log agent's privileged container is not in the logging report: %v", reports["logging"])
	}

	// A second replica stands by: the Lease names the first, and every
	// report was applied by the field manager of kube4c watch alone.
	second := startWatcher(t, admin, "replica-b", format)
	lease, err := cs.CoordinationV1().Leases("kube4c-system").Get(ctx, "kube4c-watch-test", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := *lease.Spec.HolderIdentity; got != "replica-a" {
		t.Errorf("the Lease is held by %q, want replica-a", got)
	}

	// Fix the log agent.
	patch := `{"spec":{"template":{"spec":{"containers":[{"name":"shipper","securityContext":{"privileged":false}}]}}}}`
	if _, err := cs.AppsV1().DaemonSets("logging").Patch(ctx, "log-agent", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	reports = waitForAgreement(t, adminKubeconfig, format, "log agent fixed")
	if has(reports, "logging", "privileged-container", "DaemonSet/logging/log-agent") {
		t.Errorf("the fixed log agent is still reported privileged")
	}
	waitForLong(t, "the fixed finding's alert", func() bool {
		return slices.Contains(logs.lines(0, "fixed finding"), "privileged-container DaemonSet/logging/log-agent")
	})

	// A default-deny policy isolates the build runner's namespace.
	isolation := func(k string) bool {
		return strings.HasPrefix(k, "pod-not-isolated") || strings.HasPrefix(k, "namespace-no-default-deny")
	}
	if !slices.ContainsFunc(reports["ci"], isolation) {
		t.Fatalf("the ci namespace is not reported as not isolated to begin with: %v", reports["ci"])
	}
	_, err = cs.NetworkingV1().NetworkPolicies("ci").Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default-deny"},
		Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}},
		metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	reports = waitForAgreement(t, adminKubeconfig, format, "default deny in ci")
	if slices.ContainsFunc(reports["ci"], isolation) {
		t.Errorf("isolation findings stay in the ci report after a default deny: %v", reports["ci"])
	}

	// A ServiceAccount bound to a ClusterRole that allows everything.
	_, err = cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "watch-everything"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.RbacV1().RoleBindings("shop").Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "shop-everything"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "watch-everything"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default", Namespace: "shop"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reports = waitForAgreement(t, adminKubeconfig, format, "ServiceAccount bound to *")
	waitForLong(t, "the new RBAC finding's alert", func() bool {
		return slices.ContainsFunc(logs.lines(0, "new finding"), func(l string) bool { return strings.HasSuffix(l, "RoleBinding/shop/shop-everything") })
	})
	if !slices.ContainsFunc(reports["shop"], func(k string) bool { return strings.Contains(k, "RoleBinding/shop/shop-everything") }) {
		t.Errorf("no RBAC finding about the binding in the shop's report: %v", reports["shop"])
	}

	// A deleted namespace loses its report (the namespace controller does
	// not run here: the namespace stays terminating, and has no report).
	if err := cs.CoreV1().Namespaces().Delete(ctx, "watch-doomed", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForLong(t, "the deleted namespace's report to go", func() bool {
		_, err := dyn.Resource(format.GVR("x")).Namespace("watch-doomed").Get(ctx, watch.ReportName, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})

	// Only the leader wrote; each report has one manager, kube4c watch's.
	if n := second.metric(t, "kube4c_watch_report_writes_total"); n != 0 {
		t.Errorf("the standby replica wrote %v times", n)
	}
	if first.metric(t, "kube4c_watch_leader") != 1 || second.metric(t, "kube4c_watch_leader") != 0 {
		t.Errorf("leader gauges: first %v, second %v", first.metric(t, "kube4c_watch_leader"), second.metric(t, "kube4c_watch_leader"))
	}
	list, err := dyn.Resource(format.GVR("x")).List(ctx, metav1.ListOptions{LabelSelector: watch.ManagedByLabel + "=kube4c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range list.Items {
		var managers []string
		for _, mf := range item.GetManagedFields() {
			managers = append(managers, mf.Manager+"/"+string(mf.Operation))
		}
		if !slices.Equal(managers, []string{watch.FieldManager + "/Apply"}) {
			t.Errorf("report %s/%s has managers %v, want only %s/Apply", item.GetNamespace(), item.GetName(), managers, watch.FieldManager)
		}
	}

	// The full resyncs (every 5 s here) found the incremental state equal
	// to a fresh evaluation.
	waitForLong(t, "a full resync", func() bool { return first.metric(t, "kube4c_watch_resync_last_timestamp_seconds") > 0 })
	if d := first.metric(t, "kube4c_watch_resync_differences"); d != 0 {
		t.Errorf("the full resync found %v differences", d)
	}
	// A report deleted by hand comes back at the next full resync; the
	// others, which hold what was written, are not written again.
	untouched := reportVersions(t, dyn, format)
	if err := dyn.Resource(format.GVR("x")).Namespace("shop").Delete(ctx, watch.ReportName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	delete(untouched, "shop/"+watch.ReportName)
	waitForLong(t, "the deleted report to come back", func() bool {
		_, err := dyn.Resource(format.GVR("x")).Namespace("shop").Get(ctx, watch.ReportName, metav1.GetOptions{})
		return err == nil
	})
	for name, version := range untouched {
		if now := reportVersions(t, dyn, format)[name]; now != version {
			t.Errorf("the full resync rewrote report %s, which held what was written", name)
		}
	}

	// When the leader stops, the standby takes over and keeps writing.
	before := reportVersions(t, dyn, format)
	logged := logs.count()
	first.stop()
	waitForLong(t, "the standby to lead", func() bool { return second.metric(t, "kube4c_watch_leader") == 1 })
	createNamespace(t, cs, "watch-late", nil)
	if _, err := cs.CoreV1().Pods("watch-late").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "after-failover"},
		Spec: corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "c", Image: "nginx:1.27"}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	reports = waitForAgreement(t, adminKubeconfig, format, "after failover")
	if !has(reports, "watch-late", "host-network", "Pod/watch-late/after-failover") {
		t.Errorf("the new leader did not report the new pod: %v", reports["watch-late"])
	}
	// It alerts only what changed since the first leader wrote: the new
	// namespace's findings.
	waitForLong(t, "the new pod's alert", func() bool {
		return slices.Contains(logs.lines(logged, "new finding"), "host-network Pod/watch-late/after-failover")
	})
	for _, l := range logs.lines(logged, "new finding") {
		if !strings.Contains(l, "/watch-late") {
			t.Errorf("after failover, the new leader alerted an old finding: %s", l)
		}
	}
	if fixed := logs.lines(logged, "fixed finding"); len(fixed) > 0 {
		t.Errorf("after failover, the new leader alerted fixes nobody made: %v", fixed)
	}
	// It read the reports the first leader wrote and rewrote none of them.
	after := reportVersions(t, dyn, format)
	for name, version := range before {
		if after[name] != version {
			t.Errorf("the new leader rewrote report %s, which nothing changed", name)
		}
	}
}

// reportVersions returns the resourceVersion of each report object
// kube4c wrote, by namespace/name.
func reportVersions(t *testing.T, dyn dynamic.Interface, format watch.Format) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, unit := range []string{"x", ""} {
		list, err := dyn.Resource(format.GVR(unit)).List(context.Background(), metav1.ListOptions{LabelSelector: watch.ManagedByLabel + "=kube4c"})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range list.Items {
			out[item.GetNamespace()+"/"+item.GetName()] = item.GetResourceVersion()
		}
	}
	return out
}

// A watch the API server drops (it stops, and starts again) resumes: the
// changes made after the restart reach the reports, none is lost and none
// is listed twice. This one writes PolicyReports.
func TestWatchResumesAfterTheAPIServerRestarts(t *testing.T) {
	ctx := context.Background()
	assets, err := assetsDir()
	if err != nil {
		t.Fatal(err)
	}
	e := &envtest.Environment{BinaryAssetsDirectory: assets, ControlPlaneStopTimeout: 5 * time.Second}
	api := e.ControlPlane.GetAPIServer()
	// A directory of its own keeps the API server's serving certificate
	// across the restart, so that clients still trust it.
	api.CertDir = t.TempDir()
	if _, err := e.Start(); err != nil {
		t.Fatalf("starting a control plane of its own: %v", err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	user, err := e.ControlPlane.AddUser(envtest.User{Name: "kube4c-restart-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := user.Config()
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	// Without the report CRDs, kube4c watch says so and stops.
	code, _, errOut := kube4c(t, "watch", "--kubeconfig", kubeconfig, "--listen", "", "--leader-elect=false")
	if code != 2 || !strings.Contains(errOut, "reports.openreports.io, clusterreports.openreports.io") || !strings.Contains(errOut, "not installed") {
		t.Errorf("kube4c watch without the CRDs: exit %d, %q", code, errOut)
	}
	installReportCRDs(t, cfg)
	cs := kubernetes.NewForConfigOrDie(cfg)
	createNamespace(t, cs, "kube4c-system", nil)
	createNamespace(t, cs, "restart", nil)
	format := watch.PolicyReports
	pod := func(name string, spec corev1.PodSpec) {
		t.Helper()
		spec.Containers = []corev1.Container{{Name: "c", Image: "nginx:1.27", SecurityContext: spec.Containers[0].SecurityContext}}
		if _, err := cs.CoreV1().Pods("restart").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	privileged := true
	pod("before", corev1.PodSpec{Containers: []corev1.Container{{SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}})
	startWatcher(t, cfg, "restart-replica", format)
	reports := waitForAgreement(t, kubeconfig, format, "before the restart")
	if !has(reports, "restart", "privileged-container", "Pod/restart/before") {
		t.Fatalf("no finding about the privileged pod: %v", reports["restart"])
	}

	// A graceful stop waits a minute for the open watches; past 5 s the
	// API server is killed, which drops them all the same.
	stopped := time.Now()
	if err := api.Stop(); err != nil && !strings.Contains(err.Error(), "timeout waiting for process kube-apiserver to stop") {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the watches break; the watcher retries
	if err := api.Start(); err != nil {
		t.Fatalf("restarting the API server: %v", err)
	}
	t.Logf("the API server was down for %v", time.Since(stopped).Round(100*time.Millisecond))
	if err := cs.CoreV1().Pods("restart").Delete(ctx, "before", metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	pod("after", corev1.PodSpec{HostPID: true, Containers: []corev1.Container{{}}})
	reports = waitForAgreement(t, kubeconfig, format, "after the restart")
	if has(reports, "restart", "privileged-container", "Pod/restart/before") {
		t.Errorf("the deleted pod is still reported")
	}
	if !has(reports, "restart", "host-pid", "Pod/restart/after") {
		t.Errorf("the pod created after the restart is not reported: %v", reports["restart"])
	}
}
