package dast

import (
	"strconv"
	"strings"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// ScanKind is the kind of the synthetic object that carries one site's
// DAST results beside the Kubernetes objects of a scan.
const ScanKind = "WebScan"

// Load reads ZAP reports as WebScan objects, one per site. A report that
// cannot be read is an input error naming the file; the others are read
// all the same.
func Load(paths []string) source.Result {
	var res source.Result
	for _, path := range paths {
		res.Files++
		sites, err := ReadFile(path)
		if err != nil {
			msg, _ := strings.CutPrefix(err.Error(), path+": ")
			res.Errors = append(res.Errors, source.Problem{Location: inventory.Location{File: path}, Message: msg})
			continue
		}
		for i, site := range sites {
			res.Documents++
			res.Objects = append(res.Objects, inventory.NewSynthetic(ScanKind, path+"#"+strconv.Itoa(i), path, site))
		}
	}
	return res
}
