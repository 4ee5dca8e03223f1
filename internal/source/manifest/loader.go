// Package manifest reads Kubernetes objects from YAML and JSON files and
// streams, keeping the position of every field.
package manifest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/source"
)

// Stdin is the path that stands for standard input.
const Stdin = "-"

// Options tune a Load.
type Options struct {
	// Stdin is read for the path "-". Nil means os.Stdin.
	Stdin io.Reader
	// Open, when set, opens every path but "-" in place of the file
	// system; every path is then a file, never a directory to walk. The
	// node source reads a snapshot's files through it, inside the root.
	Open func(name string) (io.ReadCloser, error)
}

// Extensions are the file name endings read when walking a directory.
var Extensions = []string{".yaml", ".yml", ".json"}

// Load reads every path: files, directories (recursively, files with one of
// the Extensions) and "-" for standard input. Problems are collected per
// document: one bad document never stops the others.
func Load(paths []string, opts Options) source.Result {
	var res source.Result
	files, problems := expand(paths, opts.Open != nil)
	res.Errors = append(res.Errors, problems...)
	res.Files = len(files)

	// Documents are read in order and decoded a batch at a time on every
	// CPU; a batch holds at most batchBytes of text, which bounds the
	// memory taken by documents read but not decoded.
	var batch []document
	size := 0
	decodeBatch := func() {
		results := make([]docResult, len(batch))
		parallel.For(len(batch), func(i int) {
			results[i] = batch[i].decode()
		})
		for _, r := range results {
			if !r.empty {
				res.Documents++
			}
			res.Objects = append(res.Objects, r.objects...)
			res.Errors = append(res.Errors, r.errors...)
			res.Warnings = append(res.Warnings, r.warnings...)
			res.Skipped = append(res.Skipped, r.skipped...)
		}
		batch, size = batch[:0], 0
	}
	var readErrors []source.Problem
	for _, name := range files {
		r, closeFn, err := open(name, opts)
		if err != nil {
			readErrors = append(readErrors, source.Problem{Location: inventory.Location{File: name}, Message: err.Error()})
			continue
		}
		index := 0
		err = splitDocuments(r, MaxDocumentBytes, func(c chunk) bool {
			batch = append(batch, document{file: name, index: index, chunk: c})
			index++
			if size += len(c.data); size >= batchBytes {
				decodeBatch()
			}
			return true
		})
		closeFn()
		if err != nil {
			readErrors = append(readErrors, source.Problem{Location: inventory.Location{File: name}, Message: "read failed: " + err.Error()})
		}
	}
	decodeBatch()
	res.Errors = append(res.Errors, readErrors...)
	return res
}

// batchBytes is how much document text Load reads before decoding it.
const batchBytes = 4 << 20

// document is one document of a file, read but not decoded.
type document struct {
	file  string
	index int // its position in the file, from 0
	chunk chunk
}

// decode decodes the document, adding a hint to its errors when it looks
// like an unrendered template.
func (d document) decode() docResult {
	res := decodeDocument(d.file, d.index, d.chunk)
	hintTemplates(&res, d.chunk.data)
	return res
}

func open(name string, opts Options) (io.Reader, func(), error) {
	if name == Stdin {
		stdin := opts.Stdin
		if stdin == nil {
			stdin = os.Stdin
		}
		return stdin, func() {}, nil
	}
	openFile := func(name string) (io.ReadCloser, error) { return os.Open(name) }
	if opts.Open != nil {
		openFile = opts.Open
	}
	f, err := openFile(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// expand turns the paths into the list of files to read, in a stable order:
// each path in the order given, a directory's files sorted by path. With
// filesOnly, every path is a file and none is looked at.
func expand(paths []string, filesOnly bool) ([]string, []source.Problem) {
	var files []string
	var problems []source.Problem
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, p := range paths {
		if p == Stdin || filesOnly {
			add(p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			problems = append(problems, source.Problem{Location: inventory.Location{File: p}, Message: cleanPathError(err)})
			continue
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		// WalkDir does not enter a symlinked root; walk its target and name
		// files under the path as given.
		root, err := filepath.EvalSymlinks(p)
		if err != nil {
			problems = append(problems, source.Problem{Location: inventory.Location{File: p}, Message: cleanPathError(err)})
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if rel, relErr := filepath.Rel(root, path); relErr == nil {
				path = filepath.Join(p, rel)
			}
			if err != nil {
				problems = append(problems, source.Problem{Location: inventory.Location{File: path}, Message: cleanPathError(err)})
				return nil
			}
			if d.IsDir() {
				if path != filepath.Clean(p) && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if HasExtension(d.Name()) {
				add(path)
			}
			return nil
		})
		if err != nil {
			problems = append(problems, source.Problem{Location: inventory.Location{File: p}, Message: cleanPathError(err)})
		}
	}
	return files, problems
}

// HasExtension reports whether a file name ends with one of the
// Extensions, the files a directory walk reads.
func HasExtension(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range Extensions {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

func cleanPathError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// hintTemplates adds a hint to the errors of a document that contains
// template syntax such as "{{ .Values.x }}": the input is a chart or
// template, not a manifest.
func hintTemplates(res *docResult, text []byte) {
	if len(res.errors) == 0 || !bytes.Contains(text, []byte("{{")) {
		return
	}
	for i := range res.errors {
		res.errors[i].Message += " (the document contains {{ }}: an unrendered template? render it first, e.g. helm template CHART | kube4c scan -)"
	}
}
