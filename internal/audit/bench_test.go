package audit_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kube4c/kube4c/internal/audit"
	_ "github.com/kube4c/kube4c/internal/catalog"
)

// sampleEvents builds n audit events as JSON lines, in the proportions of
// a busy cluster: mostly reads by controllers and nodes, some by people,
// a few writes with their objects, exec sessions and denials.
func sampleEvents(n int) []byte {
	var b bytes.Buffer
	users := []string{"system:kube-controller-manager", "system:node:worker-1", "system:serviceaccount:kube-system:coredns", "alice@example.com", "system:serviceaccount:shop:api"}
	resources := []string{"pods", "configmaps", "endpoints", "leases", "secrets", "nodes", "services", "deployments"}
	for i := range n {
		user, res := users[i%len(users)], resources[i%len(resources)]
		verb, stage, code, object := "get", "ResponseComplete", 200, ""
		switch {
		case i%100 == 0:
			verb, res, object = "create", "pods", `,"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},"spec":{"containers":[{"name":"a","image":"nginx:1.27","securityContext":{"privileged":true}}]}}`
		case i%50 == 0:
			verb, res, stage, code = "create", "pods/exec", "ResponseStarted", 101
		case i%20 == 0:
			code = 403
		case i%3 == 0:
			verb = "watch"
		case i%3 == 1:
			verb = "list"
		}
		resource, sub, _ := bytes.Cut([]byte(res), []byte("/"))
		fmt.Fprintf(&b, `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"6e1f7a3c-%08d-4d2b-9a3e-1c2b3d4e5f60","stage":%q,`+
			`"requestURI":"/api/v1/namespaces/shop/%s/item-%d","verb":%q,"user":{"username":%q,"groups":["system:authenticated"]},`+
			`"sourceIPs":["10.0.%d.%d"],"userAgent":"kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/abcdef0",`+
			`"objectRef":{"resource":%q,"subresource":%q,"namespace":"shop","name":"item-%d","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":%d}%s,`+
			`"requestReceivedTimestamp":"2026-11-26T09:%02d:%02d.123456Z","stageTimestamp":"2026-11-26T09:%02d:%02d.124456Z",`+
			`"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding"}}`+"\n",
			i, stage, res, i%97, verb, user, i%250, i%200, resource, sub, i%97, code, object, i/60%60, i%60, i/60%60, i%60)
	}
	return b.Bytes()
}

// repeat reads block times times.
type repeat struct {
	block []byte
	times int
	off   int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.times == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.block[r.off:])
	r.off += n
	if r.off == len(r.block) {
		r.off, r.times = 0, r.times-1
	}
	return n, nil
}

// BenchmarkAnalyze reads and evaluates every audit rule on a generated
// log of 1,000,000 events (1,000 distinct events repeated), per op.
// Run it on one core: go test -run - -bench Analyze -cpu 1 ./internal/audit
func BenchmarkAnalyze(b *testing.B) {
	const distinct, times = 1000, 1000
	block := sampleEvents(distinct)
	engine := func() *audit.Engine { return audit.NewEngine(audit.Rules.All(), nil) }
	b.SetBytes(int64(len(block) * times))
	b.ResetTimer()
	for range b.N {
		a := &audit.Analyzer{Engine: engine()}
		if err := audit.Read(&repeat{block: block, times: times}, "bench", a.Handler()); err != nil {
			b.Fatal(err)
		}
		if a.Events != distinct*times || a.Malformed != 0 || a.ByRule["audit-pod-exec"] != 10*times {
			b.Fatalf("read %d events, %d malformed, alerts %v", a.Events, a.Malformed, a.ByRule)
		}
	}
	b.ReportMetric(float64(distinct*times)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReceiver posts batches of 400 events (the API server's default
// --audit-webhook-batch-max-size) to a receiver over HTTP. Each batch is
// archived and fsynced before its response. With one sender, every batch
// has its own fsync; with several, batches that arrive during a write share
// the next fsync (group commit).
func BenchmarkReceiver(b *testing.B) {
	for _, senders := range []int{1, 8} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) { benchmarkReceiver(b, senders) })
	}
}

func benchmarkReceiver(b *testing.B, senders int) {
	const perBatch = 400
	lines := bytes.Split(bytes.TrimSpace(sampleEvents(perBatch)), []byte("\n"))
	body := []byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + string(bytes.Join(lines, []byte(","))) + `]}`)
	archive, err := audit.OpenArchive(b.TempDir(), 100<<20)
	if err != nil {
		b.Fatal(err)
	}
	defer archive.Close()
	srv := httptest.NewServer(audit.NewReceiver(audit.NewEngine(audit.Rules.All(), nil), archive))
	defer srv.Close()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Error(resp.Status)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(perBatch)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
