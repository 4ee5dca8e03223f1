package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// KustomizationFiles are the names kustomize reads a kustomization from.
//
// kube4c does not render kustomizations (yet). A directory that holds one
// is reported, with the command that renders it, as an input error, or as
// a warning with Options.AllowUnrendered. Either way, of the files below
// it, kube4c reads those that the kustomization lists under resources, as
// they are, and skips the others (patches, inputs of generators,
// components), which are not objects of their own. A directory below with
// a kustomization of its own follows its own.
var KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// maxKustomizationBytes bounds the kustomization file read.
const maxKustomizationBytes = 1 << 20

// kustomization is what kube4c reads of a kustomization file.
type kustomization struct {
	file string // its path, as shown
	real string // its real path
	// resources holds the real paths of the files listed under resources.
	resources map[string]bool
}

// isFile reports whether real is the kustomization file itself.
func (k *kustomization) isFile(real string) bool { return k != nil && k.real == real }

// kustomization reads the kustomization of the directory shown as shown,
// whose real path is real, and reports it; nil when there is none.
func (w *walker) kustomization(shown, real string) *kustomization {
	for _, name := range KustomizationFiles {
		path := filepath.Join(real, name)
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		k := &kustomization{file: filepath.Join(shown, name), real: path, resources: map[string]bool{}}
		switch {
		case err != nil:
			w.problem(k.file, cleanPathError(err))
		case !info.Mode().IsRegular():
			w.problem(k.file, "not a regular file ("+fileType(info.Mode())+")")
		default:
			w.readKustomization(k, real)
		}
		w.reportKustomization(k, shown)
		return k
	}
	return nil
}

// readKustomization reads the resources of k, in the directory real.
func (w *walker) readKustomization(k *kustomization, real string) {
	f, err := os.Open(k.real)
	if err != nil {
		w.problem(k.file, cleanPathError(err))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKustomizationBytes))
	if err != nil {
		w.problem(k.file, "read failed: "+err.Error())
		return
	}
	var spec struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &spec); err != nil {
		w.problem(k.file, "cannot read the kustomization: "+err.Error())
		return
	}
	for _, r := range spec.Resources {
		if !strings.Contains(r, "://") {
			k.resources[filepath.Join(real, filepath.FromSlash(r))] = true
		}
	}
}

// reportKustomization says that the directory dir is an unrendered
// kustomization: an input error, or a warning when that is allowed.
func (w *walker) reportKustomization(k *kustomization, dir string) {
	msg := fmt.Sprintf("%s is a kustomization: kube4c does not render kustomizations, so its patches, generators, "+
		"name prefixes, labels and images are not applied; render it and scan the result: kubectl kustomize %s | kube4c scan -", dir, dir)
	p := source.Problem{Location: inventory.Location{File: k.file}}
	if w.allowUnrendered {
		p.Message = msg + " (kube4c read the files it lists under resources as they are, as --allow-unrendered asks)"
		w.warnings = append(w.warnings, p)
		return
	}
	p.Message = msg + " (or pass --allow-unrendered to read the files it lists under resources as they are)"
	w.errors = append(w.errors, p)
}
