package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kube4c/kube4c/internal/source/manifest"
)

// maxQuotedFile is the largest file the html report quotes lines of.
const maxQuotedFile = 32 << 20

// scannedFiles returns the report.Options.Source of a scan of paths: the
// content of a regular file under one of them, for the html format's
// snippets. Standard input is not quoted (it cannot be read twice); nil
// when no path is a file or directory.
func scannedFiles(paths []string) func(string) ([]byte, error) {
	var roots []string
	for _, p := range paths {
		if p == manifest.Stdin {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			roots = append(roots, abs)
		}
	}
	if len(roots) == 0 {
		return nil
	}
	return func(file string) ([]byte, error) {
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, err
		}
		if !underAny(abs, roots) {
			return nil, fmt.Errorf("%s was not scanned", file)
		}
		f, err := os.Open(abs)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		info, err := f.Stat()
		switch {
		case err != nil:
			return nil, err
		case !info.Mode().IsRegular():
			return nil, fmt.Errorf("%s is not a regular file", file)
		case info.Size() > maxQuotedFile:
			return nil, errors.New("too large to quote")
		}
		return io.ReadAll(io.LimitReader(f, maxQuotedFile))
	}
}

// underAny reports whether path is one of roots or inside one.
func underAny(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, strings.TrimSuffix(r, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
