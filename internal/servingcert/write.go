package servingcert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File names Write uses: those of a Secret of type kubernetes.io/tls for
// the serving pair, and the same pattern for the CA.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
	CertFile   = "tls.crt"
	KeyFile    = "tls.key"
)

// ErrExist is wrapped by Write's error when a file is already there and
// force is false.
var ErrExist = errors.New("already exists")

// Write writes b into dir as ca.crt, ca.key, tls.crt and tls.key,
// creating dir (mode 0700) when it is missing. Keys get mode 0600,
// certificates 0644. Unless force is true it refuses, before writing
// anything, when any of the four files exists; with force it replaces
// them (a symbolic link is replaced, not followed). It returns the paths
// written. When a write fails, the files it created are removed.
func (b *Bundle) Write(dir string, force bool) ([]string, error) {
	files := []struct {
		name string
		data []byte
		mode fs.FileMode
	}{
		{CACertFile, b.CACert, 0o644},
		{CAKeyFile, b.CAKey, 0o600},
		{CertFile, b.Cert, 0o644},
		{KeyFile, b.Key, 0o600},
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if !force {
		var there []string
		for _, f := range files {
			if _, err := os.Lstat(filepath.Join(dir, f.name)); err == nil {
				there = append(there, f.name)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		if len(there) > 0 {
			return nil, fmt.Errorf("%s: %s %w (pass --force to replace)", dir, strings.Join(there, ", "), ErrExist)
		}
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := writeNew(path, f.data, f.mode, force); err != nil {
			for _, w := range written {
				_ = os.Remove(w)
			}
			return nil, err
		}
		written = append(written, path)
	}
	return written, nil
}

// writeNew creates path with mode and writes data to it. It never writes
// through an existing file: without replace an existing path is an error,
// with it the path is removed first, so that a key never inherits a
// looser mode or lands where a link points.
func writeNew(path string, data []byte, mode fs.FileMode, replace bool) error {
	if replace {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s %w (pass --force to replace)", path, ErrExist)
		}
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
