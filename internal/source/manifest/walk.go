package manifest

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// walker turns the paths to scan into the files to read, in a stable
// order: each path in the order given, a directory's files sorted by path.
//
// It reads regular files only: a named pipe, a device or a socket named
// directly is an error (standard input is "-"), and is skipped in a
// directory, where reading it could hang. Symbolic links are followed; a
// directory reached twice (a link loop, or two links to one directory) is
// walked once. Files under a kustomization are read as Kustomizations
// says.
type walker struct {
	allowUnrendered bool

	files []string
	// taken holds the real paths of the files taken, walked those of the
	// directories walked.
	taken, walked map[string]bool
	// inputs are the paths given, with the files each yields.
	inputs []input

	errors, warnings, skipped []source.Problem
}

// input is a path given to Load and what it yields.
type input struct {
	path     string
	dir      bool
	files    []string
	problems int // errors met while walking it
}

func newWalker(allowUnrendered bool) *walker {
	return &walker{allowUnrendered: allowUnrendered, taken: map[string]bool{}, walked: map[string]bool{}}
}

// path takes one path given to Load.
func (w *walker) path(p string) {
	w.inputs = append(w.inputs, input{path: p})
	errorsBefore := len(w.errors)
	defer func() { w.current().problems += len(w.errors) - errorsBefore }()
	if p == Stdin {
		w.add(p, p)
		return
	}
	info, err := os.Stat(p)
	if err != nil {
		w.problem(p, cleanPathError(err))
		return
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		w.problem(p, cleanPathError(err))
		return
	}
	switch {
	case info.IsDir():
		w.current().dir = true
		w.dir(p, real, nil)
	case !info.Mode().IsRegular():
		w.problem(p, fmt.Sprintf("not a regular file (%s): kube4c reads files and directories; pipe other input to standard input: kube4c scan - < %s", fileType(info.Mode()), p))
	default:
		w.add(p, real)
	}
}

// file takes a path as a file to read, without looking at it: the caller
// opens it (Options.Open).
func (w *walker) file(p string) {
	w.inputs = append(w.inputs, input{path: p})
	w.add(p, p)
}

func (w *walker) current() *input { return &w.inputs[len(w.inputs)-1] }

func (w *walker) problem(file, message string) {
	w.errors = append(w.errors, source.Problem{Location: inventory.Location{File: file}, Message: message})
}

// add takes the file shown as name, whose real path is real.
func (w *walker) add(name, real string) {
	if w.taken[real] {
		return
	}
	w.taken[real] = true
	w.files = append(w.files, name)
	in := w.current()
	in.files = append(in.files, name)
}

// dir walks the directory shown as shown, whose real path is real. kz is
// the kustomization of a directory above, if any.
func (w *walker) dir(shown, real string, kz *kustomization) {
	if w.walked[real] {
		slog.Debug("directory already scanned: a symbolic link leads to it again", "path", shown, "target", real)
		return
	}
	w.walked[real] = true
	if found := w.kustomization(shown, real); found != nil {
		kz = found
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		w.problem(shown, cleanPathError(err))
	}
	for _, e := range entries {
		w.entry(filepath.Join(shown, e.Name()), filepath.Join(real, e.Name()), e, kz)
	}
}

// entry takes one entry of a directory.
func (w *walker) entry(shown, real string, e fs.DirEntry, kz *kustomization) {
	name := e.Name()
	typ := e.Type()
	if typ&fs.ModeSymlink != 0 {
		info, err := os.Stat(real)
		if err != nil {
			if HasExtension(name) {
				w.problem(shown, cleanPathError(err))
			} else {
				slog.Debug("skipped a broken symbolic link", "path", shown, "error", cleanPathError(err))
			}
			return
		}
		if real, err = filepath.EvalSymlinks(real); err != nil {
			w.problem(shown, cleanPathError(err))
			return
		}
		typ = info.Mode().Type()
	}
	switch {
	case typ.IsDir():
		if strings.HasPrefix(name, ".") {
			return
		}
		w.dir(shown, real, kz)
	case !HasExtension(name) || kz.isFile(real):
	case !typ.IsRegular():
		slog.Debug("skipped: not a regular file", "path", shown, "type", fileType(typ))
	case kz != nil && !kz.resources[real]:
		w.skipped = append(w.skipped, source.Problem{Location: inventory.Location{File: shown},
			Message: "not read: the kustomization " + kz.file + " does not list it under resources (a patch, or an input of a generator, is not an object of its own)"})
	default:
		w.add(shown, real)
	}
}

// fileType names the type of a file that is not regular.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// missing returns an error for each path that yielded no Kubernetes object
// and no List, and had no error of its own. read counts what each file
// yielded.
func (w *walker) missing(read map[string]fileStats) []source.Problem {
	var out []source.Problem
	for _, in := range w.inputs {
		var sum fileStats
		for _, f := range in.files {
			s := read[f]
			sum.documents += s.documents
			sum.read += s.read
			sum.errors += s.errors
		}
		if sum.read > 0 || sum.errors > 0 || in.problems > 0 {
			continue
		}
		var msg string
		switch {
		case in.path == Stdin && sum.documents == 0:
			msg = "no input: standard input is empty (did the command that feeds it fail?)"
		case in.dir && len(in.files) == 0:
			msg = "no .yaml, .yml or .json files in the directory"
		default:
			msg = fmt.Sprintf("no Kubernetes objects in the input (%d documents, none with an apiVersion and a kind; -v lists those skipped)", sum.documents)
		}
		out = append(out, source.Problem{Location: inventory.Location{File: in.path}, Message: msg})
	}
	return out
}
