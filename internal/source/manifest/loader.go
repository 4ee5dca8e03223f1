// Package manifest reads Kubernetes objects from YAML and JSON files and
// streams, keeping the position of every field.
package manifest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
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
	// AllowUnrendered makes a kustomization directory a warning instead of
	// an input error (see Kustomizations).
	AllowUnrendered bool
	// RequireObjects makes a path that yields no Kubernetes object and no
	// List an input error, unless it had errors of its own: a gate must not
	// pass when its input went missing.
	RequireObjects bool
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
	return loadWith(paths, opts, defaultLimits)
}

// loadWith is Load within lim.
func loadWith(paths []string, opts Options, lim limits) source.Result {
	var res source.Result
	w := newWalker(opts.AllowUnrendered)
	for _, p := range paths {
		if opts.Open != nil {
			w.file(p)
		} else {
			w.path(p)
		}
	}
	res.Errors = append(res.Errors, w.errors...)
	res.Warnings = append(res.Warnings, w.warnings...)
	res.Skipped = append(res.Skipped, w.skipped...)
	res.Files = len(w.files)

	// Documents are read in order and decoded a batch at a time on every
	// CPU; a batch holds at most batchBytes of text, which bounds the
	// memory taken by documents read but not decoded.
	var batch []document
	size := 0
	read := map[string]fileStats{}
	decodeBatch := func() {
		results := make([]docResult, len(batch))
		parallel.For(len(batch), func(i int) {
			results[i] = batch[i].decode()
		})
		for i, r := range results {
			switch {
			case r.item != nil:
				r.item.list.results = append(r.item.list.results, r)
				continue
			case r.end != nil:
				r = finishList(batch[i].file, r.end)
			}
			read[batch[i].file] = read[batch[i].file].add(r)
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
	for _, name := range w.files {
		r, closeFn, err := open(name, opts)
		if err != nil {
			readErrors = append(readErrors, source.Problem{Location: inventory.Location{File: name}, Message: err.Error()})
			read[name] = fileStats{errors: 1}
			continue
		}
		err = splitStream(r, lim, func(c chunk) bool {
			batch = append(batch, document{file: name, chunk: c})
			if size += len(c.data); size >= batchBytes {
				decodeBatch()
			}
			return true
		})
		closeFn()
		if err != nil {
			readErrors = append(readErrors, source.Problem{Location: inventory.Location{File: name}, Message: "read failed: " + err.Error()})
			read[name] = fileStats{errors: 1}
		}
	}
	decodeBatch()
	res.Errors = append(res.Errors, readErrors...)
	if opts.RequireObjects {
		res.Errors = append(res.Errors, w.missing(read)...)
	}
	return res
}

// fileStats counts what the documents of a file yielded.
type fileStats struct {
	documents, read, errors int
}

func (f fileStats) add(r docResult) fileStats {
	if !r.empty {
		f.documents++
	}
	if r.read {
		f.read++
	}
	f.errors += len(r.errors)
	return f
}

// batchBytes is how much document text Load reads before decoding it.
const batchBytes = 4 << 20

// document is one document of a file, read but not decoded.
type document struct {
	file  string
	chunk chunk
}

// decode decodes the document, adding a hint to its errors when it looks
// like an unrendered template.
func (d document) decode() docResult {
	res := decodeDocument(d.file, d.chunk)
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
