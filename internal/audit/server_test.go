package audit_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/testutil"
)

// startReceiver serves a receiver over TLS and returns its URL, a client
// with the API server's certificate and the alerts raised so far.
func startReceiver(t *testing.T, dir string, maxBody int64) (string, *http.Client, *[]audit.Alert) {
	t.Helper()
	archive, err := audit.OpenArchive(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []audit.Alert
	r := audit.NewReceiver(audit.NewEngine(audit.Rules.All(), nil), archive)
	r.RequireClientCert = true
	r.MaxBody = maxBody
	r.OnAlert = func(a audit.Alert) { alerts = append(alerts, a) }
	pki := testutil.NewPKI(t)
	srv := httptest.NewUnstartedServer(r)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server}, ClientCAs: pki.Pool, ClientAuth: tls.VerifyClientCertIfGiven}
	srv.StartTLS()
	t.Cleanup(func() { srv.Close(); archive.Close() })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.Pool, Certificates: []tls.Certificate{pki.Client}}}}
	return srv.URL, client, &alerts
}

// eventList returns a webhook body with the events of ids: exec sessions.
func eventList(ids ...string) string {
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = execEvent(id)
	}
	return `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + strings.Join(items, ",") + `]}`
}

// execEvent returns an exec session's event as the API server's webhook
// sends it: without kind and apiVersion.
func execEvent(id string) string {
	return fmt.Sprintf(`{"level":"Metadata","auditID":%q,"stage":"ResponseStarted","requestURI":"/api/v1/namespaces/ns/pods/p/exec","verb":"create",`+
		`"user":{"username":"alice"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"ns","name":"p"},"responseStatus":{"code":101},`+
		`"requestReceivedTimestamp":"2026-11-26T09:00:00.000000Z","stageTimestamp":"2026-11-26T09:00:00.000001Z"}`, id)
}

func post(t *testing.T, client *http.Client, url string, body io.Reader) (int, string) {
	t.Helper()
	resp, err := client.Post(url, "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestReceiver(t *testing.T) {
	dir := t.TempDir()
	url, client, alerts := startReceiver(t, dir, 1<<20)
	if code, body := post(t, client, url+"/audit", strings.NewReader(eventList("a", "b"))); code != http.StatusOK {
		t.Fatalf("batch: %d %s", code, body)
	}
	if len(*alerts) != 2 || (*alerts)[0].Rule != "audit-pod-exec" || (*alerts)[1].AuditID != "b" {
		t.Errorf("alerts %+v", *alerts)
	}
	if v, err := audit.Verify(dir); err != nil || v.Events != 2 || len(v.Problems) > 0 {
		t.Errorf("archive: %+v %v", v, err)
	}

	for name, body := range map[string]string{
		"not JSON":       `{"kind":`,
		"not a list":     `{"kind":"Pod","apiVersion":"v1"}`,
		"malformed item": `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"stageTimestamp":"noon"}]}`,
	} {
		if code, _ := post(t, client, url, strings.NewReader(body)); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}

	anonymous := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: client.Transport.(*http.Transport).TLSClientConfig.RootCAs}}}
	if code, _ := post(t, anonymous, url, strings.NewReader(eventList("c"))); code != http.StatusUnauthorized {
		t.Errorf("without a client certificate: %d, want 401", code)
	}
	resp, err := anonymous.Get(url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", resp, err)
	}
	resp, err = anonymous.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"kube4c_audit_events_received_total 2", `kube4c_audit_alerts_total{rule="audit-pod-exec"} 2`, "kube4c_audit_archived_bytes_total", "kube4c_audit_fsync_seconds_count 1", `kube4c_audit_batches_total{code="400"} 3`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if v, _ := audit.Verify(dir); v.Events != 2 {
		t.Errorf("refused batches were archived: %d events", v.Events)
	}
}

// spaces reads n spaces without holding them.
type spaces struct{ n int64 }

func (z *spaces) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	for i := range p[:k] {
		p[i] = ' '
	}
	z.n -= k
	return int(k), nil
}

func TestReceiverRefusesAnOversizedBodyInBoundedMemory(t *testing.T) {
	url, client, _ := startReceiver(t, t.TempDir(), 1<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	req, _ := http.NewRequest(http.MethodPost, url, &spaces{n: 100 << 20})
	req.ContentLength = -1 // streamed, so the server cannot refuse it by its header
	resp, err := client.Do(req)
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
	} else if !strings.Contains(err.Error(), "connection reset") && !strings.Contains(err.Error(), "broken pipe") {
		// The server may close the connection before the client has sent all.
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 40<<20 {
		t.Errorf("allocated %d MiB to refuse a 100 MiB body", grew>>20)
	}
	var buf bytes.Buffer
	buf.WriteString(eventList("ok"))
	if code, _ := post(t, client, url, &buf); code != http.StatusOK {
		t.Errorf("after the oversized body: %d", code)
	}
}
