package audit_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/audit"
)

func TestReceiverRefusesItemsThatAreNotEvents(t *testing.T) {
	dir := t.TempDir()
	url, client, alerts := startReceiver(t, dir, 1<<20)
	list := func(items string) string {
		return `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + items + `]}`
	}
	good := execEvent("good")
	for name, body := range map[string]string{
		"a Pod":                  list(`{"kind":"Pod"}`),
		"a Pod among events":     list(good + `,{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}}`),
		"another API version":    list(`{"kind":"Event","apiVersion":"v1","auditID":"x"}`),
		"an object without kind": list(`{"metadata":{"name":"p"},"spec":{}}`),
		"an empty object":        list(`{}`),
		"a core Event":           list(`{"kind":"Event","apiVersion":"v1","involvedObject":{}}`),
		"an events.k8s.io Event": list(`{"kind":"Event","apiVersion":"events.k8s.io/v1","auditID":"x"}`),
	} {
		if code, resp := post(t, client, url, strings.NewReader(body)); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, code, resp)
		}
	}
	if v, err := audit.Verify(dir); err != nil || v.Events != 0 || len(*alerts) != 0 {
		t.Errorf("refused batches were archived or evaluated: %+v %v, alerts %v", v, err, *alerts)
	}
	if code, resp := post(t, client, url, strings.NewReader(list(good))); code != http.StatusOK {
		t.Errorf("a batch of events: %d %s", code, resp)
	}
}

// readIDs reads an input with audit.Read and returns the audit IDs of its
// events and its malformed lines.
func readIDs(t *testing.T, name string, data []byte) (ids, bad []string) {
	t.Helper()
	err := audit.Read(bytes.NewReader(data), name, audit.Handler{
		Event:     func(ev *auditv1.Event) { ids = append(ids, string(ev.AuditID)) },
		Malformed: func(m audit.Malformed) { bad = append(bad, m.String()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, bad
}

func TestReadArchiveFiles(t *testing.T) {
	dir := t.TempDir()
	url, client, _ := startReceiver(t, dir, 1<<20)
	for _, ids := range [][]string{{"a", "b"}, {"c"}} {
		if code, body := post(t, client, url, strings.NewReader(eventList(ids...))); code != http.StatusOK {
			t.Fatalf("batch: %d %s", code, body)
		}
	}
	paths, err := audit.ArchivePaths(dir)
	if err != nil || len(paths) != 1 || filepath.Base(paths[0]) != audit.ArchiveFileName(1) {
		t.Fatalf("archive paths %v %v", paths, err)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	ids, bad := readIDs(t, paths[0], data)
	if strings.Join(ids, " ") != "a b c" || len(bad) > 0 {
		t.Errorf("events %q, malformed %q; want a b c read from the archive's records", ids, bad)
	}
}

func TestReadRefusesItemsThatAreNotEvents(t *testing.T) {
	event := `{"level":"Metadata","auditID":"%s","stage":"ResponseComplete","requestURI":"/","verb":"get","user":{"username":"u"}}`
	input := strings.Join([]string{
		`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + fmt.Sprintf(event, "a") + `,{"kind":"Pod","apiVersion":"v1"},` + fmt.Sprintf(event, "b") + `]}`,
		`{"seq":1,"prev":"0","hash":"1","event":{"kind":"Pod"}}`,
		`{"seq":2,"prev":"1","hash":"2","event":` + fmt.Sprintf(event, "c") + `}`,
	}, "\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(input))
	zw.Close()
	ids, bad := readIDs(t, "log", gz.Bytes())
	if strings.Join(ids, " ") != "a b c" {
		t.Errorf("events %q, want a b c: a bad item hides neither the items beside it nor the lines after it", ids)
	}
	if len(bad) != 2 || !strings.HasPrefix(bad[0], "log:1: item 1: kind \"Pod\" is not Event") || !strings.HasPrefix(bad[1], "log:2: ") {
		t.Errorf("malformed %q, want line 1's item 1 and line 2", bad)
	}
}

func TestVerifyRefusesADirectoryWithoutArchive(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := audit.Verify(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Verify of a directory without archive files: %+v, %v; want an error naming it", v, err)
	}
	if _, err := audit.ArchivePaths(dir); err == nil {
		t.Error("ArchivePaths of a directory without archive files: no error")
	}
}
