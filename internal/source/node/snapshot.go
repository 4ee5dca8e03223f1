package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// snapshot reads a node's files under a root directory as a process
// chrooted to it would: every symbolic link, absolute or relative, and
// every ".." is resolved with the root as "/", so that a snapshot's
// /var/lib/kubelet/config.yaml -> /etc/... reads the snapshot's /etc, and
// nothing outside the root is ever read.
//
// Two libraries share the work. securejoin.SecureJoinVFS resolves a path
// with chroot semantics (absolute links restart at the root, ".." stops
// at it, loops end with ELOOP). os.Root alone cannot: it refuses every
// absolute link, and a real node's files are full of them. os.Root is the
// fence instead: securejoin looks at links through it, and every file is
// opened through it, so that even a link swapped in between resolving and
// opening cannot lead out of the root.
type snapshot struct {
	dir  string   // the root directory on disk, absolute and clean
	root *os.Root // nil when dir cannot be opened
}

// openSnapshot opens the root directory; when it cannot be opened, every
// read fails with the reason.
func openSnapshot(dir string) (*snapshot, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return &snapshot{dir: dir}, err
	}
	root, err := os.OpenRoot(abs)
	return &snapshot{dir: abs, root: root}, err
}

// Close releases the root directory.
func (s *snapshot) Close() {
	if s.root != nil {
		s.root.Close()
	}
}

// errNoRoot is the error of every read when the root could not be opened.
var errNoRoot = errors.New("the root directory cannot be opened")

// resolve returns the path below the root (for the os.Root) of a node path,
// with every link in it resolved inside the root.
func (s *snapshot) resolve(op, nodePath string) (string, error) {
	if s.root == nil {
		return "", &fs.PathError{Op: op, Path: nodePath, Err: errNoRoot}
	}
	joined, err := securejoin.SecureJoinVFS(s.dir, filepath.FromSlash(nodePath), rootVFS{s})
	if err != nil {
		return "", &fs.PathError{Op: op, Path: nodePath, Err: underlying(err)}
	}
	return s.local(joined), nil
}

// local returns the path below the root of a path on disk.
func (s *snapshot) local(disk string) string {
	rel, err := filepath.Rel(s.dir, disk)
	if err != nil {
		return disk // os.Root refuses it
	}
	return rel
}

// underlying strips the path from a path error: the caller names the node
// path instead.
func underlying(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// rootVFS is how securejoin looks at the links of a snapshot: through its
// os.Root.
type rootVFS struct{ s *snapshot }

// Lstat implements securejoin.VFS.
func (v rootVFS) Lstat(name string) (os.FileInfo, error) { return v.s.root.Lstat(v.s.local(name)) }

// Readlink implements securejoin.VFS.
func (v rootVFS) Readlink(name string) (string, error) { return v.s.root.Readlink(v.s.local(name)) }

// stat returns the state of the file a node path names, following links
// inside the root.
func (s *snapshot) stat(nodePath string) (fs.FileInfo, error) {
	local, err := s.resolve("stat", nodePath)
	if err != nil {
		return nil, err
	}
	info, err := s.root.Stat(local)
	return info, named(err, "stat", nodePath)
}

// lstat returns the state of a node path itself (a link is not followed),
// its directory resolved inside the root.
func (s *snapshot) lstat(nodePath string) (fs.FileInfo, error) {
	clean := path.Clean("/" + nodePath)
	dir, err := s.resolve("lstat", path.Dir(clean))
	if err != nil {
		return nil, err
	}
	info, err := s.root.Lstat(filepath.Join(dir, path.Base(clean)))
	return info, named(err, "lstat", nodePath)
}

// open opens the regular file a node path names. Anything else (a
// directory, a FIFO that would block, a device that never ends) is an
// error.
func (s *snapshot) open(nodePath string) (*os.File, error) {
	local, err := s.resolve("open", nodePath)
	if err != nil {
		return nil, err
	}
	if info, err := s.root.Stat(local); err != nil {
		return nil, named(err, "open", nodePath)
	} else if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: nodePath, Err: errNotRegular}
	}
	f, err := s.root.Open(local)
	return f, named(err, "open", nodePath)
}

// errNotRegular refuses to read what is not a regular file.
var errNotRegular = errors.New("not a regular file")

// maxNodeFileBytes bounds a file read from a node: the configuration
// files, unit files, manifests and certificates kube4c reads are far
// smaller, so a larger file is not one of them and is not held in memory.
const maxNodeFileBytes = 16 << 20

// errTooLarge refuses a file over maxNodeFileBytes.
var errTooLarge = fmt.Errorf("larger than %d MiB: not a configuration file kube4c reads", maxNodeFileBytes>>20)

// readFile returns the content of the regular file a node path names.
func (s *snapshot) readFile(nodePath string) ([]byte, error) {
	f, err := s.open(nodePath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The limit is checked on what is read, not on a size stated before:
	// a file can grow between the two.
	b, err := io.ReadAll(io.LimitReader(f, maxNodeFileBytes+1))
	if err == nil && len(b) > maxNodeFileBytes {
		return nil, &fs.PathError{Op: "read", Path: nodePath, Err: errTooLarge}
	}
	return b, named(err, "read", nodePath)
}

// readDir lists the directory a node path names, sorted by name.
func (s *snapshot) readDir(nodePath string) ([]fs.DirEntry, error) {
	local, err := s.resolve("open", nodePath)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(s.root.FS(), filepath.ToSlash(local))
	return entries, named(err, "open", nodePath)
}

// walk calls fn, as fs.WalkDir does, for the directory a node path names
// and everything below it, in lexical order, with their node paths below
// nodePath. Links below the directory are listed, not entered.
func (s *snapshot) walk(nodePath string, fn func(nodePath string, d fs.DirEntry, err error) error) error {
	base := path.Clean(nodePath)
	local, err := s.resolve("open", nodePath)
	if err != nil {
		return fn(base, nil, err)
	}
	top := filepath.ToSlash(local)
	return fs.WalkDir(s.root.FS(), top, func(p string, d fs.DirEntry, err error) error {
		p = path.Join(base, below(top, p))
		return fn(p, d, named(err, "open", p))
	})
}

// below returns the path of p below top, both slash-separated paths of
// the os.Root's file system.
func below(top, p string) string {
	switch {
	case p == top:
		return ""
	case top == ".":
		return p
	}
	return strings.TrimPrefix(p, top+"/")
}

// named replaces the path of a path error by the node path.
func named(err error, op, nodePath string) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: nodePath, Err: underlying(err)}
}
