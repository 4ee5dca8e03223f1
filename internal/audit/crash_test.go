package audit_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/audit"
)

const helperDir = "KUBE4C_AUDIT_RECEIVER_DIR"

// TestReceiverHelperProcess is the receiver that
// TestSIGKILLLosesNoAcknowledgedEvent kills; it does nothing on its own.
func TestReceiverHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDir)
	if dir == "" {
		t.Skip("helper process of TestSIGKILLLosesNoAcknowledgedEvent")
	}
	archive, err := audit.OpenArchive(dir, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := filepath.Join(dir, "addr")
	os.WriteFile(addr+".tmp", []byte(ln.Addr().String()), 0o600)
	os.Rename(addr+".tmp", addr)
	t.Fatal(http.Serve(ln, audit.NewReceiver(audit.NewEngine(nil, nil), archive)))
}

// archivedIDs returns the audit IDs of every event in the archive.
func archivedIDs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "audit-*.jsonl.gz"))
	ids := map[string]bool{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			continue // an empty file
		}
		data, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var rec struct {
				Event struct {
					AuditID string `json:"auditID"`
				} `json:"event"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ids[rec.Event.AuditID] = true
		}
	}
	return ids
}

func waitForFile(t *testing.T, path string) []byte {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil {
			return data
		}
	}
	t.Fatalf("%s never appeared", path)
	return nil
}

func TestSIGKILLLosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a receiver process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReceiverHelperProcess$")
	cmd.Env = append(os.Environ(), helperDir+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := "http://" + string(waitForFile(t, filepath.Join(dir, "addr")))

	// Four senders post batches until the receiver dies under them.
	var mu sync.Mutex
	var acked []string
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for s := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; ; b++ {
				ids := make([]string, 20)
				for i := range ids {
					ids[i] = fmt.Sprintf("s%d-b%d-e%d", s, b, i)
				}
				resp, err := http.Post(url, "application/json", strings.NewReader(eventList(ids...)))
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return
				}
				mu.Lock()
				acked = append(acked, ids...)
				if len(acked) >= 2000 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}()
	}
	<-enough
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()

	// Reopening the archive cuts off the batch being written at the kill.
	archive, err := audit.OpenArchive(dir, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	archive.Close()
	v, err := audit.Verify(dir)
	if err != nil || len(v.Problems) > 0 {
		t.Fatalf("after recovery: %v %v", err, v.Problems)
	}
	archived := archivedIDs(t, dir)
	lost := 0
	for _, id := range acked {
		if !archived[id] {
			lost++
		}
	}
	if lost > 0 || v.Files < 2 {
		t.Errorf("%d of %d acknowledged events lost (%d archived in %d files)", lost, len(acked), len(archived), v.Files)
	}
}
