//go:build integration

package integration

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/kube4c/kube4c/internal/watch"
)

// The update phase of BenchmarkWatchScale.
const (
	// watchUpdateRate is the patches a second (KUBE4C_WATCH_RATE
	// overrides it), watchUpdateFor how long.
	watchUpdateRate = 50
	watchUpdateFor  = 30 * time.Second
	// watchUpdateObjects are the objects updated (pod-00000 or svc-0000
	// on): update k switches object k mod watchUpdateObjects, so
	// consecutive updates go to consecutive namespaces, and each object is
	// updated once a pass (watchUpdateObjects/watchUpdateRate = 20 s
	// apart).
	watchUpdateObjects = 1000
	// watchSeenWithin bounds the wait for the findings of the updates.
	watchSeenWithin = 90 * time.Second
	// clockTicks is the kernel's USER_HZ (getconf CLK_TCK): the unit of
	// utime and stime in /proc/<pid>/stat.
	clockTicks = 100
	// watchChartMemLimit is the GOMEMLIMIT kube4c watch sets itself in
	// the chart's pod: 80 % of its memory limit (watch.resources, 512Mi).
	watchChartMemLimit = "429496729"
	// pinnedImage is the image of an updated pod when pinned by digest.
	pinnedImage = "registry.example.com/app@sha256:0a5f3c1c5d4e2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938"
)

// watchUpdates is what the updates of BenchmarkWatchScale change, chosen
// by KUBE4C_WATCH_UPDATES:
//
//   - pods (the default): each update pins a pod's image by digest, or
//     unpins it (back to a tag), which removes or adds its image-not-pinned
//     finding: one object, one finding.
//   - services: each update switches a Service between ClusterIP and
//     NodePort, which adds or removes its service-nodeport finding, and
//     exposes the 100 pods it selects (the first Service of an app to
//     become a NodePort adds a finding to each of them): one object, and
//     at times a hundred findings more.
type watchUpdates struct {
	// check is the check whose finding the updates switch on and off.
	check string
	// update returns the namespace and the key of the finding update k
	// switches, whether it wants the finding present, and the patch.
	update func(k int) (ns, key string, want bool, patch func(context.Context, kubernetes.Interface) error)
}

func updatesOf(b *testing.B) watchUpdates {
	target := func(k int) (i int, ns string, on bool) {
		i = k % watchUpdateObjects
		return i, fmt.Sprintf("scale-%02d", i%scaleNamespaces), (k/watchUpdateObjects)%2 == 0
	}
	switch scenario := cmp.Or(os.Getenv("KUBE4C_WATCH_UPDATES"), "pods"); scenario {
	case "pods":
		return watchUpdates{check: "image-not-pinned", update: func(k int) (string, string, bool, func(context.Context, kubernetes.Interface) error) {
			i, ns, pin := target(k)
			name := fmt.Sprintf("pod-%05d", i)
			image := "registry.example.com/app:1.0"
			if pin {
				image = pinnedImage
			}
			return ns, "image-not-pinned Pod/" + ns + "/" + name, !pin, func(ctx context.Context, cs kubernetes.Interface) error {
				_, err := cs.CoreV1().Pods(ns).Patch(ctx, name, types.StrategicMergePatchType,
					fmt.Appendf(nil, `{"spec":{"containers":[{"name":"app","image":%q}]}}`, image), metav1.PatchOptions{})
				return err
			}
		}}
	case "services":
		return watchUpdates{check: "service-nodeport", update: func(k int) (string, string, bool, func(context.Context, kubernetes.Interface) error) {
			i, ns, nodePort := target(k)
			name := fmt.Sprintf("svc-%04d", i)
			typ := corev1.ServiceTypeClusterIP
			if nodePort {
				typ = corev1.ServiceTypeNodePort
			}
			return ns, "service-nodeport Service/" + ns + "/" + name, nodePort, func(ctx context.Context, cs kubernetes.Interface) error {
				_, err := cs.CoreV1().Services(ns).Patch(ctx, name, types.MergePatchType,
					fmt.Appendf(nil, `{"spec":{"type":%q}}`, typ), metav1.PatchOptions{})
				return err
			}
		}}
	default:
		b.Fatalf("KUBE4C_WATCH_UPDATES=%q: want pods or services", scenario)
		return watchUpdates{}
	}
}

// BenchmarkWatchScale loads the object set of BenchmarkClusterScanScale
// (10,000 pods, 2,000 Services, 500 NetworkPolicies, 2,000 RBAC objects in
// 20 namespaces) into the test API server, runs `kube4c watch` as a
// process of its own (so that its RSS and CPU are its own, read from
// /proc), and measures:
//
//   - first-reports-s: from the start of the process until the reports are
//     complete. Complete means, at one poll (every 250 ms): /readyz answers
//     ok (the first evaluation is done), every namespace of the cluster and
//     the cluster itself have a report object (as a watch of the report
//     objects delivers them), and for each of them the fail counts of its
//     report objects add up to the findings the watcher holds for it
//     (kube4c_watch_findings, by namespace): every finding of the first
//     evaluation is written, no part is missing. Nothing changes in the
//     cluster meanwhile, so the findings held are those of the first
//     evaluation. ready-s is when /readyz first answered ok.
//   - RSS-MiB-steady: VmRSS 5 s after the first complete reports (no
//     change meanwhile); RSS-MiB-after-updates: VmRSS once the updates'
//     findings are all visible; RSS-MiB-peak: VmHWM at the end.
//   - update-p50-s, update-p99-s, update-max-s: 50 patches a second for
//     30 s, each switching one finding of one object on or off (a pod's
//     image pinned or not; see watchUpdates for the other choice). For
//     every update: the time from the patch returning until its
//     namespace's reports, as a watch on the report objects delivers them,
//     show the finding added (or removed) and keep showing it (the last
//     change to the wanted state counts). updates-unseen counts the
//     updates whose finding did not show before the next update of the
//     same object (20 s later) or
//     within 90 s after the last patch; their latency counts as the time
//     waited, a lower bound.
//   - CPU-s-per-100-updates: utime+stime of the watcher from the first
//     patch until 3 s after every update's finding is visible, per 100
//     updates; CPU-s-per-s-idle: its CPU over the 5 quiet seconds before.
//   - apiserver-CPU-s-first-reports and apiserver-CPU-s-per-100-updates:
//     the CPU the test's kube-apiserver used meanwhile (for the reports'
//     writes, the patches and the watches); report-MiB-first and
//     report-MiB-per-100-updates: the report objects a watch of them
//     receives, which is what the watcher wrote; results: the results of
//     the first reports.
//   - report-max-bytes and reports: the JSON size of the largest report
//     object (a Report or the ClusterReport, as the API server lists it)
//     and the number of report objects, after the updates.
//   - report-scan-differences: findings the reports and `kube4c scan
//     --cluster` disagree on after the updates (0 expected; each is logged).
//
// hack/bench-watch.sh runs it:
//
//	go test -tags integration -run '^$' -bench WatchScale -benchtime 1x -timeout 60m ./test/integration
//
// With KUBE4C_WATCH_PROFILE=DIR, the watcher writes a CPU profile of its
// whole run (DIR/cpu.pprof) and an allocation profile (DIR/mem.pprof, its
// inuse_space the live heap at the end), and its log (DIR/watch.log); the
// API server's CPU profile of the first 20 s of updates is
// DIR/apiserver.pprof.
// The watcher runs with GOMEMLIMIT=watchChartMemLimit, as the chart's
// memory limit makes it; KUBE4C_WATCH_GOGC and KUBE4C_WATCH_GOMEMLIMIT set
// GOGC and GOMEMLIMIT for the watcher instead.
func BenchmarkWatchScale(b *testing.B) {
	ctx := context.Background()
	start := time.Now()
	populate(b)
	b.Logf("populated the cluster in %v", time.Since(start).Round(time.Second))
	if _, err := envtest.InstallCRDs(admin, envtest.CRDInstallOptions{
		Paths: []string{filepath.Join("..", "..", "deploy", "chart", "kube4c", "crds")}, ErrorIfPathMissing: true, MaxTime: time.Minute,
	}); err != nil {
		b.Fatalf("installing the report CRDs: %v", err)
	}
	bin := filepath.Join(b.TempDir(), "kube4c")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/kube4c").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	cfg := rest.CopyConfig(admin)
	cfg.QPS, cfg.Burst = 1000, 2000
	cs := kubernetes.NewForConfigOrDie(cfg)
	nsList, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	units := []string{""} // the cluster's report
	for _, ns := range nsList.Items {
		units = append(units, ns.Name)
	}

	scenario := updatesOf(b)
	reports := newReportWatch(b, cfg, scenario.check)
	defer reports.stop()

	b.ResetTimer()
	b.Logf("load average before the watcher starts: %s (other processes of the machine compete for its CPUs)", loadAverage())
	controlPlaneFrom := controlPlaneCPU(b)
	w := startWatchProcess(b, bin)
	defer w.stop(b)

	// 1. The first complete reports. The watcher's findings are compared
	// with the reports when the reports changed since the last comparison,
	// else every 2 s (each /metrics costs the watcher a count of its
	// findings).
	var ready, complete time.Duration
	lastResults, lastCompared := -1, time.Time{}
	for {
		if time.Since(w.started) > 10*time.Minute {
			b.Fatalf("no complete reports after 10 minutes (ready after %v); the watcher's log is %s", ready, w.logPath)
		}
		if w.exited() {
			b.Fatalf("the watcher exited; its log:\n%s", tail(w.logPath, 40))
		}
		if ready == 0 {
			if w.get("/readyz") == "ok\n" {
				ready = time.Since(w.started)
			}
		}
		if ready != 0 && reports.covers(units) && (reports.results() != lastResults || time.Since(lastCompared) > 2*time.Second) {
			lastResults, lastCompared = reports.results(), time.Now()
			if reports.complete(w.findingsByUnit) {
				complete = time.Since(w.started)
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	firstControlPlane := controlPlaneCPU(b).minus(controlPlaneFrom)
	firstBytes, results := reports.received(), reports.results()
	b.Logf("ready (first evaluation done) after %v, complete reports after %v; the log says: %s", ready.Round(10*time.Millisecond),
		complete.Round(10*time.Millisecond), w.milestones())
	b.Logf("first reports: %d results in %d report objects, %.1f MiB received by the report watch; CPU meanwhile: watcher %.1f s, %s",
		results, reports.objects(), float64(firstBytes)/(1<<20), w.cpu(b).Seconds(), firstControlPlane)

	// 2. Steady state: 5 quiet seconds.
	idleFrom := w.cpu(b)
	time.Sleep(5 * time.Second)
	idleCPU := w.cpu(b) - idleFrom
	rssSteady, _ := w.memory(b)
	before := w.scrape()
	b.Logf("steady: VmRSS %d MiB; %s", rssSteady>>10, goMemory(before))

	// 3. 50 updates a second for 30 s.
	rate := watchUpdateRate
	if v := os.Getenv("KUBE4C_WATCH_RATE"); v != "" {
		if rate, err = strconv.Atoi(v); err != nil || rate <= 0 {
			b.Fatalf("KUBE4C_WATCH_RATE=%q: want a positive number of updates a second", v)
		}
	}
	updates := int(watchUpdateFor.Seconds()) * rate
	cpuFrom, controlPlaneFrom, bytesFrom := w.cpu(b), controlPlaneCPU(b), reports.received()
	phase := time.Now()
	if dir := os.Getenv("KUBE4C_WATCH_PROFILE"); dir != "" {
		// What the API server spends the updates on.
		go profileAPIServer(b, cs, filepath.Join(dir, "apiserver.pprof"), 20*time.Second)
	}
	var wg sync.WaitGroup
	samples := make([]*updateSample, updates)
	for k := range updates {
		time.Sleep(time.Until(phase.Add(time.Duration(k) * time.Second / time.Duration(rate))))
		ns, key, want, patch := scenario.update(k)
		s := reports.expect(ns, key, want)
		samples[k] = s
		wg.Go(func() {
			sent := time.Now()
			reports.patched(s, sent, patch(ctx, cs))
		})
	}
	issued := time.Since(phase)
	wg.Wait()
	for deadline := time.Now().Add(watchSeenWithin); time.Now().Before(deadline) && !reports.allSeen(); {
		time.Sleep(100 * time.Millisecond)
	}
	end := time.Now()
	drained := end.Sub(phase)
	time.Sleep(3 * time.Second)
	updateCPU := w.cpu(b) - cpuFrom
	updateControlPlane := controlPlaneCPU(b).minus(controlPlaneFrom)
	updateBytes := reports.received() - bytesFrom
	rssAfter, _ := w.memory(b)
	after := w.scrape()
	b.StopTimer()
	b.Logf("after the updates: VmRSS %d MiB; %s", rssAfter>>10, goMemory(after))

	latencies, patchTimes, unseen, skipped, failed := reports.outcome(samples, end)
	b.Logf("updates: %d issued in %v (%.1f/s), %d patches failed, %d skipped (the reports already in the wanted state: the previous update of the object never showed), "+
		"%d never seen (their latency counted as the time waited, a lower bound); the last seen %v after the first patch",
		updates, issued.Round(time.Millisecond), float64(updates)/issued.Seconds(), failed, skipped, unseen, drained.Round(time.Millisecond))
	b.Logf("update latency (patch returned → the report watch shows it): p50 %v p90 %v p99 %v max %v over %d updates; patch round trip p50 %v p99 %v",
		pct(latencies, 50), pct(latencies, 90), pct(latencies, 99), pct(latencies, 100), len(latencies), pct(patchTimes, 50), pct(patchTimes, 99))
	delta := func(series string) float64 { return after[series] - before[series] }
	evals := delta("kube4c_watch_evaluation_duration_seconds_count")
	evalSeconds := delta("kube4c_watch_evaluation_duration_seconds_sum")
	b.Logf("during the updates (until 3 s after the last was seen) the watcher took %d watch events, ran %d evaluations (%.1f ms on average, %.1f s in all), "+
		"applied %d report objects and left %d unchanged (%.1f MiB received by the report watch); CPU: watcher %.1f s, %s; load average %s",
		int(delta("kube4c_watch_events_total")), int(evals), 1000*evalSeconds/max(evals, 1), evalSeconds,
		int(delta(`kube4c_watch_report_writes_total{result="applied"}`)), int(delta(`kube4c_watch_report_writes_total{result="unchanged"}`)),
		float64(updateBytes)/(1<<20), updateCPU.Seconds(), updateControlPlane, loadAverage())

	// 4. The report objects, and whether they agree with a scan.
	sizes, differences := finalReports(b, cfg, bin)
	_, peak := w.memory(b)

	b.ReportMetric(complete.Seconds(), "first-reports-s")
	b.ReportMetric(ready.Seconds(), "ready-s")
	b.ReportMetric(float64(rssSteady)/1024, "RSS-MiB-steady")
	b.ReportMetric(float64(rssAfter)/1024, "RSS-MiB-after-updates")
	b.ReportMetric(float64(peak)/1024, "RSS-MiB-peak")
	b.ReportMetric(pct(latencies, 50).Seconds(), "update-p50-s")
	b.ReportMetric(pct(latencies, 99).Seconds(), "update-p99-s")
	b.ReportMetric(pct(latencies, 100).Seconds(), "update-max-s")
	b.ReportMetric(float64(unseen), "updates-unseen")
	b.ReportMetric(float64(updates)/issued.Seconds(), "updates/s")
	b.ReportMetric(updateCPU.Seconds()*100/float64(updates), "CPU-s-per-100-updates")
	b.ReportMetric(idleCPU.Seconds()/5, "CPU-s-per-s-idle")
	b.ReportMetric(firstControlPlane.apiserver.Seconds(), "apiserver-CPU-s-first-reports")
	b.ReportMetric(updateControlPlane.apiserver.Seconds()*100/float64(updates), "apiserver-CPU-s-per-100-updates")
	b.ReportMetric(float64(firstBytes)/(1<<20), "report-MiB-first")
	b.ReportMetric(float64(updateBytes)/(1<<20)*100/float64(updates), "report-MiB-per-100-updates")
	b.ReportMetric(float64(results), "results")
	b.ReportMetric(float64(slices.Max(sizes)), "report-max-bytes")
	b.ReportMetric(float64(len(sizes)), "reports")
	b.ReportMetric(float64(differences), "report-scan-differences")
}

// profileAPIServer writes a CPU profile of the test's kube-apiserver over
// d to path (its /debug/pprof, which kube-apiserver serves to admins).
func profileAPIServer(b *testing.B, cs kubernetes.Interface, path string, d time.Duration) {
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/debug/pprof/profile").Param("seconds", strconv.Itoa(int(d.Seconds()))).
		Timeout(d + time.Minute).DoRaw(context.Background())
	if err == nil {
		err = os.WriteFile(path, raw, 0o644)
	}
	if err != nil {
		b.Logf("profiling the API server: %v", err)
	}
}

// goMemory describes the Go heap of the watcher from its metrics: what
// is live (and garbage not yet collected), what the next GC lets it grow
// to, and what the runtime holds but the heap does not use.
func goMemory(m map[string]float64) string {
	mib := func(name string) float64 { return m[name] / (1 << 20) }
	return fmt.Sprintf("Go heap: allocated %.0f MiB, in use %.0f MiB, next GC at %.0f MiB, idle %.0f MiB of which %.0f MiB released to the OS; runtime total %.0f MiB",
		mib("go_memstats_heap_alloc_bytes"), mib("go_memstats_heap_inuse_bytes"), mib("go_memstats_next_gc_bytes"),
		mib("go_memstats_heap_idle_bytes"), mib("go_memstats_heap_released_bytes"), mib("go_memstats_sys_bytes"))
}

// controlPlane is the CPU time of the test's kube-apiserver and etcd.
type controlPlane struct{ apiserver, etcd time.Duration }

func (c controlPlane) minus(o controlPlane) controlPlane {
	return controlPlane{apiserver: c.apiserver - o.apiserver, etcd: c.etcd - o.etcd}
}

func (c controlPlane) String() string {
	return fmt.Sprintf("kube-apiserver %.1f s, etcd %.1f s", c.apiserver.Seconds(), c.etcd.Seconds())
}

// controlPlaneCPU returns the CPU time of the kube-apiserver and etcd that
// envtest started: the children of this process of those names.
func controlPlaneCPU(b *testing.B) controlPlane {
	b.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	var c controlPlane
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, ppid, cpu, ok := procStat(pid)
		if !ok || ppid != os.Getpid() {
			continue
		}
		switch comm {
		case "kube-apiserver":
			c.apiserver += cpu
		case "etcd":
			c.etcd += cpu
		}
	}
	return c
}

// procStat reads a process's name, parent and CPU time (user and system)
// from /proc/<pid>/stat.
func procStat(pid int) (comm string, ppid int, cpu time.Duration, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, 0, false
	}
	// "pid (comm) state ppid ...": the fields after the parenthesis are
	// state (the 3rd field of the line), ppid (4th), utime (14th) and
	// stime (15th).
	open, end := strings.IndexByte(string(data), '('), strings.LastIndexByte(string(data), ')')
	if open < 0 || end < open {
		return "", 0, 0, false
	}
	fields := strings.Fields(string(data[end+1:]))
	if len(fields) < 13 {
		return "", 0, 0, false
	}
	ppid, _ = strconv.Atoi(fields[1])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return string(data[open+1 : end]), ppid, time.Duration(utime+stime) * time.Second / clockTicks, true
}

// loadAverage returns the machine's load averages (1, 5, 15 minutes).
func loadAverage() string {
	data, _ := os.ReadFile("/proc/loadavg")
	fields := strings.Fields(string(data))
	return strings.Join(fields[:min(3, len(fields))], " ")
}

// watchProcess is kube4c watch running as a process of its own.
type watchProcess struct {
	cmd     *exec.Cmd
	started time.Time
	logPath string
	done    chan struct{}
	base    string // http://address of /metrics

	mu  sync.Mutex
	log []string // milestones: "message after 1.2s"
}

// startWatchProcess starts bin watch and waits until it serves /metrics.
func startWatchProcess(b *testing.B, bin string) *watchProcess {
	b.Helper()
	dir := os.Getenv("KUBE4C_WATCH_PROFILE")
	var args []string
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		args = append(args, "--cpuprofile", filepath.Join(dir, "cpu.pprof"), "--memprofile", filepath.Join(dir, "mem.pprof"))
	} else {
		dir = b.TempDir()
	}
	args = append(args, "watch", "--kubeconfig", adminKubeconfig, "--listen", "127.0.0.1:0", "--leader-elect=false",
		"--resync", "0", "--log-format", "json")
	w := &watchProcess{cmd: exec.Command(bin, args...), logPath: filepath.Join(dir, "watch.log"), done: make(chan struct{})}
	w.cmd.Env = os.Environ()
	// As deployed by the chart: its memory limit of 512Mi makes kube4c
	// watch set GOMEMLIMIT to 80 % of it.
	env := map[string]string{"GOMEMLIMIT": watchChartMemLimit}
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if value := os.Getenv("KUBE4C_WATCH_" + v); value != "" {
			env[v] = value
		}
	}
	for _, v := range slices.Sorted(maps.Keys(env)) {
		w.cmd.Env = append(w.cmd.Env, v+"="+env[v])
		b.Logf("the watcher runs with %s=%s", v, env[v])
	}
	logFile, err := os.Create(w.logPath)
	if err != nil {
		b.Fatal(err)
	}
	stderr, err := w.cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	w.cmd.Stdout = logFile
	address := make(chan string, 1)
	w.started = time.Now()
	if err := w.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		defer close(w.done)
		defer logFile.Close()
		lines := bufio.NewScanner(stderr)
		lines.Buffer(make([]byte, 1<<20), 16<<20)
		for lines.Scan() {
			at := time.Since(w.started)
			logFile.Write(append(lines.Bytes(), '\n'))
			var entry struct {
				Level   string `json:"level"`
				Msg     string `json:"msg"`
				Address string `json:"address"`
			}
			if json.Unmarshal(lines.Bytes(), &entry) != nil {
				continue
			}
			if entry.Address != "" {
				select {
				case address <- entry.Address:
				default:
				}
			}
			if entry.Level != "DEBUG" {
				w.mu.Lock()
				if len(w.log) < 20 {
					w.log = append(w.log, fmt.Sprintf("%q after %v", entry.Msg, at.Round(10*time.Millisecond)))
				}
				w.mu.Unlock()
			}
		}
		w.cmd.Wait()
	}()
	select {
	case a := <-address:
		w.base = "http://" + a
	case <-w.done:
		b.Fatalf("the watcher exited; its log:\n%s", tail(w.logPath, 40))
	case <-time.After(time.Minute):
		b.Fatalf("the watcher did not say where it serves /metrics; its log:\n%s", tail(w.logPath, 40))
	}
	return w
}

// stop ends the watcher by SIGTERM (it writes its profiles then).
func (w *watchProcess) stop(b *testing.B) {
	if w.exited() {
		return
	}
	w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(30 * time.Second):
		b.Errorf("the watcher did not stop within 30 s of SIGTERM")
		w.cmd.Process.Kill()
		<-w.done
	}
}

func (w *watchProcess) exited() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// milestones returns the first lines the watcher logged, with when.
func (w *watchProcess) milestones() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.log, "; ")
}

// get returns the body of a GET to the watcher, "" when it fails.
func (w *watchProcess) get(path string) string { return httpBody(w.base + path) }

// scrape returns the watcher's metrics by series ("name{labels}"), and
// for each name with labels their sum under the bare name too.
func (w *watchProcess) scrape() map[string]float64 {
	out := map[string]float64{}
	for line := range strings.SplitSeq(w.get("/metrics"), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		series, value, _ := strings.Cut(line, " ")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		out[series] += v
		if name, _, ok := strings.Cut(series, "{"); ok {
			out[name] += v
		}
	}
	return out
}

var namespaceLabel = regexp.MustCompile(`namespace="([^"]*)"`)

// findingsByUnit returns the findings the watcher holds by unit (the
// kube4c_watch_findings gauge by namespace), false when it cannot tell.
func (w *watchProcess) findingsByUnit() (map[string]int, bool) {
	body := w.get("/metrics")
	if body == "" {
		return nil, false
	}
	out := map[string]int{}
	for line := range strings.SplitSeq(body, "\n") {
		if !strings.HasPrefix(line, "kube4c_watch_findings{") {
			continue
		}
		series, value, _ := strings.Cut(line, " ")
		m := namespaceLabel.FindStringSubmatch(series)
		v, err := strconv.ParseFloat(value, 64)
		if m == nil || err != nil {
			return nil, false
		}
		out[m[1]] += int(v)
	}
	return out, true
}

// memory returns the watcher's VmRSS and VmHWM in KiB.
func (w *watchProcess) memory(b *testing.B) (rss, hwm int64) {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		b.Fatalf("reading the watcher's memory: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		key, value, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch key {
		case "VmRSS":
			rss = kb
		case "VmHWM":
			hwm = kb
		}
	}
	return rss, hwm
}

// cpu returns the CPU time the watcher used, user and system.
func (w *watchProcess) cpu(b *testing.B) time.Duration {
	b.Helper()
	_, _, cpu, ok := procStat(w.cmd.Process.Pid)
	if !ok {
		b.Fatal("cannot read the watcher's CPU time")
	}
	return cpu
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// reportWatch follows the report objects kube4c writes through a watch of
// each report resource, as a consumer of the reports would: what each
// unit's parts hold (their fail counts, and the results of the tracked check),
// and when the updates' findings show.
type reportWatch struct {
	cancel  context.CancelFunc
	tracked string // the check whose results are followed
	wg      sync.WaitGroup

	mu    sync.Mutex
	parts map[string]map[string]*reportPart // by unit and object name
	bytes int64
	// samples are the updates waiting for their finding, by unit.
	samples map[string][]*updateSample
	// open are the samples by finding key still measured (the last update of each).
	open map[string]*updateSample
}

// reportPart is one report object as last delivered.
type reportPart struct {
	fail int
	keys map[string]bool // "check Kind/namespace/name" of the results of the tracked check
}

// updateSample is one update and when its finding showed.
type updateSample struct {
	unit, key string
	want      bool // the finding present (else absent)
	// skipped: the reports were in the wanted state before the patch.
	skipped bool
	err     error
	// sent and returned bound the patch; satisfied is when the reports
	// last came to the wanted state (zero while they are not in it).
	sent, returned, satisfied time.Time
	// closed: a later update of the same object ended the measure, at
	// closedAt.
	closed   bool
	closedAt time.Time
}

// reportWire is what the benchmark reads of a watch event.
type reportWire struct {
	Type   string `json:"type"`
	Object struct {
		Kind     string `json:"kind"`
		Code     int    `json:"code"` // of an ERROR's Status
		Metadata struct {
			Name, Namespace, ResourceVersion string
		} `json:"metadata"`
		Summary struct {
			Fail int `json:"fail"`
		} `json:"summary"`
		Results []struct {
			Policy    string `json:"policy"`
			Resources []struct {
				Kind, Namespace, Name string
			} `json:"resources"`
		} `json:"results"`
	} `json:"object"`
}

func newReportWatch(b *testing.B, cfg *rest.Config, tracked string) *reportWatch {
	b.Helper()
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &watch.OpenReports.GroupVersion
	c.APIPath = "/apis"
	c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	c.Timeout = 0
	client, err := rest.RESTClientFor(c)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rw := &reportWatch{cancel: cancel, tracked: tracked, parts: map[string]map[string]*reportPart{}, samples: map[string][]*updateSample{},
		open: map[string]*updateSample{}}
	for _, resource := range []string{watch.OpenReports.Resource, watch.OpenReports.ClusterRes} {
		rw.wg.Go(func() { rw.follow(ctx, client, resource) })
	}
	return rw
}

func (rw *reportWatch) stop() {
	rw.cancel()
	rw.wg.Wait()
}

// follow lists and watches one report resource until ctx ends.
func (rw *reportWatch) follow(ctx context.Context, client *rest.RESTClient, resource string) {
	selector := watch.ManagedByLabel + "=kube4c"
	rv := ""
	for ctx.Err() == nil {
		if rv == "" {
			raw, err := client.Get().Resource(resource).Param("labelSelector", selector).DoRaw(ctx)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			var list struct {
				Metadata struct{ ResourceVersion string } `json:"metadata"`
				Items    []json.RawMessage                `json:"items"`
			}
			if err := json.Unmarshal(raw, &list); err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			rw.mu.Lock()
			for unit := range rw.parts {
				if (unit == "") == (resource == watch.OpenReports.ClusterRes) {
					delete(rw.parts, unit)
				}
			}
			rw.mu.Unlock()
			for _, item := range list.Items {
				var ev reportWire
				if json.Unmarshal(fmt.Appendf(nil, `{"type":"ADDED","object":%s}`, item), &ev) == nil {
					rw.apply(&ev, time.Now())
				}
			}
			rv = list.Metadata.ResourceVersion
		}
		stream, err := client.Get().Resource(resource).Param("watch", "true").Param("labelSelector", selector).
			Param("resourceVersion", rv).Param("allowWatchBookmarks", "true").Stream(ctx)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		dec := json.NewDecoder(stream)
		for {
			offset := dec.InputOffset()
			var ev reportWire
			if err := dec.Decode(&ev); err != nil {
				break
			}
			now := time.Now()
			rw.mu.Lock()
			rw.bytes += dec.InputOffset() - offset
			rw.mu.Unlock()
			switch ev.Type {
			case "ADDED", "MODIFIED", "DELETED":
				rw.apply(&ev, now)
				rv = ev.Object.Metadata.ResourceVersion
			case "BOOKMARK":
				rv = ev.Object.Metadata.ResourceVersion
			case "ERROR":
				if ev.Object.Code == http.StatusGone {
					rv = "" // too old: list again
				}
			}
			if rv == "" {
				break
			}
		}
		stream.Close()
	}
}

// apply records one event, and what it shows of the updates' findings.
func (rw *reportWatch) apply(ev *reportWire, at time.Time) {
	o := &ev.Object
	unit := o.Metadata.Namespace
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.parts[unit] == nil {
		rw.parts[unit] = map[string]*reportPart{}
	}
	if ev.Type == "DELETED" {
		delete(rw.parts[unit], o.Metadata.Name)
	} else {
		p := &reportPart{fail: o.Summary.Fail, keys: map[string]bool{}}
		for _, r := range o.Results {
			if r.Policy == rw.tracked && len(r.Resources) > 0 {
				s := r.Resources[0]
				p.keys[r.Policy+" "+s.Kind+"/"+s.Namespace+"/"+s.Name] = true
			}
		}
		rw.parts[unit][o.Metadata.Name] = p
	}
	for _, s := range rw.samples[unit] {
		rw.judge(s, at)
	}
}

// has reports whether a unit's reports hold a finding.
func (rw *reportWatch) has(unit, key string) bool {
	for _, p := range rw.parts[unit] {
		if p.keys[key] {
			return true
		}
	}
	return false
}

// judge records whether the reports are in the state a sample wants.
func (rw *reportWatch) judge(s *updateSample, at time.Time) {
	if s.closed || s.skipped || s.returned.IsZero() || s.err != nil {
		return
	}
	switch {
	case rw.has(s.unit, s.key) != s.want:
		s.satisfied = time.Time{}
	case s.satisfied.IsZero():
		s.satisfied = at
	}
}

// expect records an update about to be sent: it wants the finding key in
// (or out of) unit's reports. It ends the measure of the previous update
// of the same finding.
func (rw *reportWatch) expect(unit, key string, want bool) *updateSample {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if prev := rw.open[key]; prev != nil {
		prev.closed, prev.closedAt = true, time.Now()
		rw.samples[unit] = slices.DeleteFunc(rw.samples[unit], func(s *updateSample) bool { return s == prev })
	}
	s := &updateSample{unit: unit, key: key, want: want, skipped: rw.has(unit, key) == want}
	rw.open[key] = s
	rw.samples[unit] = append(rw.samples[unit], s)
	return s
}

// patched records that the patch of an update returned.
func (rw *reportWatch) patched(s *updateSample, sent time.Time, err error) {
	now := time.Now()
	rw.mu.Lock()
	defer rw.mu.Unlock()
	s.sent, s.returned, s.err = sent, now, err
	if !s.closed {
		rw.judge(s, now)
	}
}

// allSeen reports whether every update's finding shows.
func (rw *reportWatch) allSeen() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for _, list := range rw.samples {
		for _, s := range list {
			if !s.skipped && s.err == nil && s.satisfied.IsZero() {
				return false
			}
		}
	}
	return true
}

// outcome returns the latency of each update (for an update never seen,
// the time it was waited for: a lower bound), the patches' round trips,
// and the counts of updates never seen, skipped, and failed.
func (rw *reportWatch) outcome(samples []*updateSample, end time.Time) (latencies, patches []time.Duration, unseen, skipped, failed int) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for _, s := range samples {
		switch {
		case s.err != nil:
			failed++
		case s.skipped:
			skipped++
		case s.satisfied.IsZero():
			// Never, or not before the next update of its object.
			unseen++
			until := end
			if s.closed {
				until = s.closedAt
			}
			latencies = append(latencies, until.Sub(s.returned))
		default:
			latencies = append(latencies, max(0, s.satisfied.Sub(s.returned)))
		}
		if s.err == nil && !s.sent.IsZero() {
			patches = append(patches, s.returned.Sub(s.sent))
		}
	}
	return latencies, patches, unseen, skipped, failed
}

// results returns the results the reports hold (their fail counts).
func (rw *reportWatch) results() int {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	n := 0
	for _, parts := range rw.parts {
		for _, p := range parts {
			n += p.fail
		}
	}
	return n
}

// objects returns the number of report objects.
func (rw *reportWatch) objects() int {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	n := 0
	for _, parts := range rw.parts {
		n += len(parts)
	}
	return n
}

// received returns the bytes the report watches delivered.
func (rw *reportWatch) received() int64 {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.bytes
}

// covers reports whether every unit has a report object.
func (rw *reportWatch) covers(units []string) bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	for _, unit := range units {
		if len(rw.parts[unit]) == 0 {
			return false
		}
	}
	return true
}

// complete reports whether the reports of each unit hold as many results
// as the watcher holds findings (see BenchmarkWatchScale).
func (rw *reportWatch) complete(held func() (map[string]int, bool)) bool {
	rw.mu.Lock()
	fails := map[string]int{}
	for unit, parts := range rw.parts {
		for _, p := range parts {
			fails[unit] += p.fail
		}
	}
	rw.mu.Unlock()
	counts, ok := held()
	if !ok {
		return false
	}
	for unit := range union(counts, fails) {
		if counts[unit] != fails[unit] {
			return false
		}
	}
	return true
}

func union[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// pct returns the p-th percentile of ds (100: the largest), 0 for none.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(ds))
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)].Round(time.Millisecond)
}

// finalReports lists the report objects and returns their JSON sizes, and
// how many findings they and a cluster scan disagree on (each logged, the
// first 20 in full).
func finalReports(b *testing.B, cfg *rest.Config, bin string) (sizes []int, differences int) {
	b.Helper()
	dyn := dynamic.NewForConfigOrDie(cfg)
	reported := map[string][]string{}
	for _, unit := range []string{"any", ""} {
		list, err := dyn.Resource(watch.OpenReports.GVR(unit)).List(context.Background(), metav1.ListOptions{LabelSelector: watch.ManagedByLabel + "=kube4c"})
		if err != nil {
			b.Fatal(err)
		}
		for _, item := range list.Items {
			data, err := json.Marshal(item.Object)
			if err != nil {
				b.Fatal(err)
			}
			sizes = append(sizes, len(data))
			results, _, _ := unstructured.NestedSlice(item.Object, "results")
			for _, r := range results {
				m := r.(map[string]any)
				policy, _, _ := unstructured.NestedString(m, "policy")
				path, _, _ := unstructured.NestedString(m, "properties", "path")
				subject := ""
				if subjects, _, _ := unstructured.NestedSlice(m, "resources"); len(subjects) > 0 {
					s := subjects[0].(map[string]any)
					subject = fmt.Sprintf("%s/%s/%s", s["kind"], str(s["namespace"]), s["name"])
				}
				reported[item.GetNamespace()] = append(reported[item.GetNamespace()], policy+" "+subject+" "+path)
			}
		}
	}
	if len(sizes) == 0 {
		b.Fatal("no report objects")
	}

	var stdout, stderr bytesBuffer
	scan := exec.Command(bin, "scan", "--cluster", "--kubeconfig", adminKubeconfig, "-q", "-o", "json", "--fail-on", "none")
	scan.Stdout, scan.Stderr = &stdout, &stderr
	if err := scan.Run(); err != nil {
		b.Fatalf("scan: %v\n%s", err, stderr.String())
	}
	var report jsonReport
	if err := json.Unmarshal(stdout.data, &report); err != nil {
		b.Fatalf("scan output: %v", err)
	}
	scanned := map[string][]string{}
	for _, f := range report.Findings {
		unit := f.Object.Namespace
		if f.Object.Kind == "Namespace" {
			unit = f.Object.Name
		}
		scanned[unit] = append(scanned[unit], fmt.Sprintf("%s %s/%s/%s %s", f.CheckID, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Path))
	}
	byCheck := map[string]int{}
	note := func(unit, what string, keys []string) {
		for _, k := range keys {
			if differences < 20 {
				b.Logf("namespace %q: %s %s", unit, what, k)
			}
			differences++
			check, _, _ := strings.Cut(k, " ")
			byCheck[what+" "+check]++
		}
	}
	for _, unit := range slices.Sorted(maps.Keys(union(reported, scanned))) {
		note(unit, "the reports lack", difference(scanned[unit], reported[unit]))
		note(unit, "the scan does not find", difference(reported[unit], scanned[unit]))
	}
	if differences > 0 {
		b.Logf("the reports and a cluster scan disagree on %d findings: %v", differences, byCheck)
	}
	return sizes, differences
}

// difference returns the lines of a that b lacks (as multisets).
func difference(a, b []string) []string {
	in := map[string]int{}
	for _, l := range b {
		in[l]++
	}
	var out []string
	for _, l := range a {
		if in[l] > 0 {
			in[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}
