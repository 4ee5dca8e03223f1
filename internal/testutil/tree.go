package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTree writes files (slash-separated path below the root: content)
// under a new temporary directory, with mode 0600, and returns it.
func WriteTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	for p, content := range files {
		disk := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(disk), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(disk, []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}
