// Package manifest reads Kubernetes objects from YAML and JSON files and
// streams, keeping the position of every field.
package manifest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// Stdin is the path that stands for standard input.
const Stdin = "-"

// Options tune a Load.
type Options struct {
	// Stdin is read for the path "-". Nil means os.Stdin.
	Stdin io.Reader
	// Workers is the number of documents decoded in parallel; 0 means one
	// per CPU.
	Workers int
}

// Extensions are the file name endings read when walking a directory.
var Extensions = []string{".yaml", ".yml", ".json"}

// Load reads every path: files, directories (recursively, files with one of
// the Extensions) and "-" for standard input. Problems are collected per
// document: one bad document never stops the others.
func Load(paths []string, opts Options) source.Result {
	var res source.Result
	files, problems := expand(paths)
	res.Errors = append(res.Errors, problems...)
	res.Files = len(files)

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		file, doc int
		name      string
		ch        chunk
	}
	type done struct {
		file, doc int
		res       docResult
	}
	jobs := make(chan job, workers*4)
	outs := make([][]done, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := range jobs {
				res := document(j.name, j.doc, j.ch)
				hintTemplates(&res, j.ch.data)
				outs[w] = append(outs[w], done{file: j.file, doc: j.doc, res: res})
			}
		}(w)
	}
	var readErrors []source.Problem
	for fi, name := range files {
		r, closeFn, err := open(name, opts.Stdin)
		if err != nil {
			readErrors = append(readErrors, source.Problem{Location: inventory.Location{File: name}, Message: err.Error()})
			continue
		}
		doc := 0
		err = splitDocuments(r, MaxDocumentBytes, func(c chunk) bool {
			jobs <- job{file: fi, doc: doc, name: name, ch: c}
			doc++
			return true
		})
		closeFn()
		if err != nil {
			readErrors = append(readErrors, source.Problem{Location: inventory.Location{File: name}, Message: "read failed: " + err.Error()})
		}
	}
	close(jobs)
	wg.Wait()

	var all []done
	for _, o := range outs {
		all = append(all, o...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].file != all[j].file {
			return all[i].file < all[j].file
		}
		return all[i].doc < all[j].doc
	})
	for _, d := range all {
		if !d.res.empty {
			res.Documents++
		}
		res.Objects = append(res.Objects, d.res.objects...)
		res.Errors = append(res.Errors, d.res.errors...)
		res.Warnings = append(res.Warnings, d.res.warnings...)
		res.Skipped = append(res.Skipped, d.res.skipped...)
	}
	res.Errors = append(res.Errors, readErrors...)
	return res
}

func open(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == Stdin {
		if stdin == nil {
			stdin = os.Stdin
		}
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// expand turns the paths into the list of files to read, in a stable order:
// each path in the order given, a directory's files sorted by path.
func expand(paths []string) ([]string, []source.Problem) {
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
		if p == Stdin {
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
			if hasExtension(d.Name()) {
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

func hasExtension(name string) bool {
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
