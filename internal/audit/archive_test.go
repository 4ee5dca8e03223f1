package audit

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fillArchive appends batches of events to a new archive whose files hold
// about two batches each.
func fillArchive(t *testing.T, batches, perBatch int) string {
	t.Helper()
	dir := t.TempDir()
	a, err := OpenArchive(dir, 600)
	if err != nil {
		t.Fatal(err)
	}
	for b := range batches {
		var events [][]byte
		for i := range perBatch {
			events = append(events, []byte(fmt.Sprintf(`{"auditID":"%d-%d","verb":"get"}`, b, i)))
		}
		if _, err := a.Append(events); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func archiveLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
}

func writeLines(t *testing.T, path string, lines []string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Join(lines, "")))
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func verified(t *testing.T, dir string) *Verification {
	t.Helper()
	v, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestArchiveVerifies(t *testing.T) {
	dir := fillArchive(t, 6, 5)
	v := verified(t, dir)
	if len(v.Problems) > 0 || v.Events != 30 || v.Files < 3 {
		t.Fatalf("verification %+v", v)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	file := func(n int) string { return ArchiveFileName(n) }
	for name, tamper := range map[string]func(t *testing.T, dir string){
		"modified event": func(t *testing.T, dir string) {
			lines := archiveLines(t, filepath.Join(dir, file(2)))
			lines[1] = strings.Replace(lines[1], `"verb":"get"`, `"verb":"delete"`, 1)
			writeLines(t, filepath.Join(dir, file(2)), lines)
		},
		"removed event": func(t *testing.T, dir string) {
			lines := archiveLines(t, filepath.Join(dir, file(2)))
			writeLines(t, filepath.Join(dir, file(2)), append(lines[:1], lines[2:]...))
		},
		"reordered events": func(t *testing.T, dir string) {
			lines := archiveLines(t, filepath.Join(dir, file(2)))
			lines[0], lines[1] = lines[1], lines[0]
			writeLines(t, filepath.Join(dir, file(2)), lines)
		},
		"removed file": func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, file(2)))
		},
		"removed first file": func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, file(1)))
		},
		"reordered files": func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, file(2)), filepath.Join(dir, "tmp"))
			os.Rename(filepath.Join(dir, file(3)), filepath.Join(dir, file(2)))
			os.Rename(filepath.Join(dir, "tmp"), filepath.Join(dir, file(3)))
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := fillArchive(t, 6, 5)
			tamper(t, dir)
			if v := verified(t, dir); len(v.Problems) == 0 {
				t.Errorf("not detected: %+v", v)
			}
		})
	}
}

func TestOpenArchiveCutsATornBatch(t *testing.T) {
	dir := fillArchive(t, 2, 3)
	files, _ := archiveFiles(dir)
	last := filepath.Join(dir, ArchiveFileName(files[len(files)-1]))
	// A crash in the middle of a batch leaves part of a gzip member.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"seq":7,"prev":"x","hash":"y","event":{}}` + "\n"))
	zw.Close()
	f, _ := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(buf.Bytes()[:buf.Len()/2])
	f.Close()

	a, err := OpenArchive(dir, 600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append([][]byte{[]byte(`{"auditID":"after"}`)}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if v := verified(t, dir); len(v.Problems) > 0 || v.Events != 7 {
		t.Errorf("after recovery: %+v", v)
	}
}
