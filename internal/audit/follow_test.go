package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// followed runs Follow on path in the background and gives access to the
// audit IDs it has read so far.
type followed struct {
	mu   sync.Mutex
	ids  []string
	bad  []Malformed
	stop context.CancelFunc
	done chan error
}

func startFollow(t *testing.T, path string) *followed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &followed{stop: cancel, done: make(chan error, 1)}
	go func() {
		f.done <- Follow(ctx, path, time.Millisecond, Handler{
			Event: func(ev *auditv1.Event) {
				f.mu.Lock()
				f.ids = append(f.ids, string(ev.AuditID))
				f.mu.Unlock()
			},
			Malformed: func(m Malformed) {
				f.mu.Lock()
				f.bad = append(f.bad, m)
				f.mu.Unlock()
			},
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-f.done; err != nil {
			t.Error(err)
		}
	})
	return f
}

// waitFor waits until n events have been read, and returns their IDs.
func (f *followed) waitFor(t *testing.T, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		f.mu.Lock()
		ids := append([]string(nil), f.ids...)
		f.mu.Unlock()
		if len(ids) >= n {
			return ids
		}
	}
	t.Fatalf("only %q read, want %d events", f.ids, n)
	return nil
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	file, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := file.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func TestFollowAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	appendTo(t, path, line("audit.k8s.io/v1", "1")+"\n")
	f := startFollow(t, path)
	f.waitFor(t, 1)

	// A line written in two parts is read once, whole.
	second := line("audit.k8s.io/v1", "2")
	appendTo(t, path, second[:40])
	appendTo(t, path, second[40:]+"\nnot json\n")
	f.waitFor(t, 2)

	// Lines written just before the rename, and the new file's first lines
	// written before the follower notices, are all read, in order.
	appendTo(t, path, line("audit.k8s.io/v1", "3")+"\n"+line("audit.k8s.io/v1", "4")[:30])
	appendTo(t, path, line("audit.k8s.io/v1", "4")[30:]+"\n")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path+".1", line("audit.k8s.io/v1", "5")+"\n")
	appendTo(t, path, line("audit.k8s.io/v1", "6")+"\n")
	f.waitFor(t, 6)

	// A second rotation.
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, line("audit.k8s.io/v1", "7")+"\n")
	ids := f.waitFor(t, 7)
	if got := strings.Join(ids, " "); got != "1 2 3 4 5 6 7" {
		t.Errorf("read %s", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bad) != 1 || f.bad[0].Line != 3 {
		t.Errorf("malformed %+v, want line 3", f.bad)
	}
}

func TestFollowTruncation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	appendTo(t, path, line("audit.k8s.io/v1", "1")+"\n"+line("audit.k8s.io/v1", "2")+"\n")
	f := startFollow(t, path)
	f.waitFor(t, 2)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, line("audit.k8s.io/v1", "3")+"\n")
	if got := strings.Join(f.waitFor(t, 3), " "); got != "1 2 3" {
		t.Errorf("read %s", got)
	}
}
