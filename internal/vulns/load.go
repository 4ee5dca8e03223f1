package vulns

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// Load reads scanner reports, files or directories of them (their .json
// and .sarif files, recursively), as ImageScan objects. A report that
// cannot be read, and a path that holds none, is an input error naming
// the file; the others are read all the same.
func Load(paths []string) source.Result {
	var res source.Result
	for _, path := range paths {
		files, err := reportFiles(path)
		if err != nil {
			res.Errors = append(res.Errors, source.Problem{Location: inventory.Location{File: path}, Message: err.Error()})
			continue
		}
		if len(files) == 0 {
			res.Errors = append(res.Errors, source.Problem{Location: inventory.Location{File: path},
				Message: "no scanner report (.json or .sarif) found"})
			continue
		}
		for _, file := range files {
			res.Files++
			images, err := ReadFile(file)
			if err != nil {
				res.Errors = append(res.Errors, source.Problem{Location: inventory.Location{File: file},
					Message: strings.TrimPrefix(err.Error(), file+": ")})
				continue
			}
			for i, img := range images {
				res.Documents++
				res.Objects = append(res.Objects, NewObject(img, i))
			}
		}
	}
	return res
}

// reportFiles returns path, or the report files under a directory path
// in a stable order.
func reportFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); !d.IsDir() && (ext == ".json" || ext == ".sarif") {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}
