// Package node reads a node's files (under a root directory, / by default)
// into inventory objects: the control-plane static pods, the kubelet's
// KubeletConfiguration, the files the API server's flags name
// (EncryptionConfiguration, audit Policy), and a Host object with the
// kubelet's command-line flags and the mode and owner of the files CIS
// sections 1.1 and 4.1 cover.
package node

import (
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// Well-known paths on a node (kubeadm's layout).
const (
	ManifestsDir        = "/etc/kubernetes/manifests"
	PKIDir              = "/etc/kubernetes/pki"
	DefaultKubeletKube  = "/etc/kubernetes/kubelet.conf"
	DefaultEtcdDataDir  = "/var/lib/etcd"
	defaultKubeletUnit  = "kubelet.service"
	defaultKubeletConf  = "/var/lib/kubelet/config.yaml"
	kubeProxyConfig     = "/var/lib/kube-proxy/config.conf"
	kubeletDropInSuffix = ".d"
)

// systemdDirs are searched for the kubelet unit and its drop-ins, from the
// lowest to the highest priority.
var systemdDirs = []string{"/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"}

// Options tune Load.
type Options struct {
	// Owner overrides how a file's owner is named (tests); nil reads it
	// from the file system and the root's /etc/passwd and /etc/group.
	Owner func(nodePath string, info os.FileInfo) (user, group string)
}

// Load reads the node's files under root, as a process chrooted to root
// would: links and ".." resolve inside root, and nothing outside it is
// read. A missing or unparsable file is reported by path in the result's
// errors; nothing panics.
func Load(root string, opts Options) source.Result {
	snap, err := openSnapshot(root)
	r := &reader{root: root, snap: snap, host: &controlplane.Host{Root: root, Files: map[string]controlplane.File{}, Roles: map[string][]string{}}}
	if err != nil {
		r.problem(root, "cannot open the root directory: "+cleanErr(err))
	}
	defer snap.Close()
	r.host.Name = hostname(snap)
	if opts.Owner != nil {
		r.owner = opts.Owner
	} else {
		r.owner = newOwners(snap).of
	}
	r.readStaticPods()
	r.readKubelet()
	r.readAPIServerFiles()
	r.loadFile(kubeProxyConfig, false)
	r.statControlPlaneFiles()
	if len(r.res.Objects) == 0 && len(r.host.Roles["kubelet-service"]) == 0 && len(r.res.Errors) == 0 {
		// Every CIS item would be "not applicable": that is no verdict.
		r.problem(root, "no control-plane or kubelet file under "+root+" (static pods in "+ManifestsDir+", a kubelet systemd unit, "+
			defaultKubeletConf+"): nothing to judge; is --root a Kubernetes node's file system?")
	}
	r.res.Objects = append(r.res.Objects, controlplane.NewHostObject(r.host, r.abs("/")))
	return r.res
}

// reader accumulates what Load reads.
type reader struct {
	root  string
	snap  *snapshot
	host  *controlplane.Host
	res   source.Result
	owner func(string, os.FileInfo) (string, string)
	pods  map[string]*controlplane.Component
}

// abs returns the path on disk that names a path on the node in messages
// and locations. Reads go through r.snap, which resolves links inside the
// root.
func (r *reader) abs(nodePath string) string {
	return filepath.Join(r.root, filepath.FromSlash(path.Clean("/"+nodePath)))
}

// nodePath returns the path on the node of a path on disk under root.
func (r *reader) nodePath(disk string) string {
	rel, err := filepath.Rel(r.root, disk)
	if err != nil {
		return disk
	}
	return "/" + filepath.ToSlash(rel)
}

// loadFile parses one YAML file into the result; a missing file is an error
// named by path when required.
func (r *reader) loadFile(nodePath string, required bool) []*inventory.Object {
	disk := r.abs(nodePath)
	if _, err := r.snap.stat(nodePath); err != nil {
		if required {
			r.problem(disk, "cannot read "+nodePath+": "+cleanErr(err))
		}
		return nil
	}
	res := r.loadManifests([]string{nodePath})
	r.res.Merge(res)
	for _, obj := range res.Objects {
		if err := controlplane.Validate(obj); err != nil {
			r.problem(disk, "cannot decode "+obj.Kind()+" in "+nodePath+": "+err.Error())
		}
	}
	return res.Objects
}

// loadManifests parses YAML files, read inside the root and named by their
// paths under it.
func (r *reader) loadManifests(nodePaths []string) source.Result {
	byDisk := make(map[string]string, len(nodePaths))
	disks := make([]string, len(nodePaths))
	for i, p := range nodePaths {
		disks[i] = r.abs(p)
		byDisk[disks[i]] = p
	}
	return manifest.Load(disks, manifest.Options{Open: func(disk string) (io.ReadCloser, error) {
		return r.snap.open(byDisk[disk])
	}})
}

func (r *reader) problem(file, message string) {
	r.res.Errors = append(r.res.Errors, source.Problem{Location: inventory.Location{File: file}, Message: message})
}

// failed reports whether reading a node path failed, and reports the error
// unless it only says that the path is missing (a link loop, a permission
// denied are errors).
func (r *reader) failed(nodePath string, err error) bool {
	if err != nil && !securejoin.IsNotExist(err) {
		r.problem(r.abs(nodePath), "cannot read "+nodePath+": "+cleanErr(err))
	}
	return err != nil
}

func (r *reader) readStaticPods() {
	r.pods = map[string]*controlplane.Component{}
	res := r.loadManifests(r.manifestFiles(ManifestsDir))
	r.res.Merge(res)
	for _, obj := range res.Objects {
		if c := controlplane.ComponentOf(obj); c != nil && r.pods[c.Name] == nil {
			r.pods[c.Name] = c
			r.host.Roles[c.Name+"-manifest"] = []string{r.nodePath(obj.Source.File)}
		}
	}
}

// manifestFiles lists the YAML and JSON files below a directory, as a
// directory given to manifest.Load would, skipping hidden directories; a
// missing directory has none.
func (r *reader) manifestFiles(dir string) []string {
	var files []string
	_ = r.snap.walk(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case r.failed(p, err):
		case d.IsDir():
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
		case manifest.HasExtension(d.Name()):
			files = append(files, p)
		}
		return nil
	})
	return files
}

// readKubelet reads the kubelet's systemd unit and drop-ins, and the
// KubeletConfiguration file its --config flag names.
func (r *reader) readKubelet() {
	var units []controlplane.UnitFile
	for _, dir := range systemdDirs {
		unit := path.Join(dir, defaultKubeletUnit)
		text, err := r.snap.readFile(unit)
		if r.failed(unit, err) {
			continue
		}
		units = append(units[:0], controlplane.UnitFile{Path: unit, Text: string(text)})
		r.host.KubeletUnit = unit
	}
	units = append(units, r.dropIns()...)
	for _, u := range units {
		r.host.Roles["kubelet-service"] = append(r.host.Roles["kubelet-service"], u.Path)
	}
	cmd := controlplane.ExpandExecStart(units, func(p string) (string, error) {
		b, err := r.snap.readFile(p)
		return string(b), err
	})
	r.host.KubeletFlags = controlplane.ParseFlags(cmd.Args)
	r.host.KubeletFlagsFile = cmd.From
	config, ok := r.host.KubeletFlags.Value("config")
	if !ok && len(units) == 0 {
		if _, err := r.snap.stat(defaultKubeletConf); err == nil {
			config, ok = defaultKubeletConf, true
		}
	}
	if ok && config != "" {
		r.host.Roles["kubelet-config"] = []string{config}
		for _, obj := range r.loadFile(config, true) {
			if ca := clientCAFile(obj); ca != "" {
				r.host.Roles["kubelet-client-ca"] = []string{ca}
			}
		}
	}
	if ca, ok := r.host.KubeletFlags.Value("client-ca-file"); ok {
		r.host.Roles["kubelet-client-ca"] = []string{ca}
	}
	kubeconfig, ok := r.host.KubeletFlags.Value("kubeconfig")
	if !ok && len(units) > 0 {
		kubeconfig = DefaultKubeletKube
	}
	if kubeconfig != "" {
		r.host.Roles["kubelet-kubeconfig"] = []string{kubeconfig}
	}
}

// dropIns returns the kubelet's drop-in files in the order systemd applies
// them: by file name, a file in a higher-priority directory replacing one
// of the same name.
func (r *reader) dropIns() []controlplane.UnitFile {
	byName := map[string]string{}
	for _, dir := range systemdDirs {
		d := path.Join(dir, defaultKubeletUnit+kubeletDropInSuffix)
		entries, err := r.snap.readDir(d)
		r.failed(d, err)
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".conf") {
				byName[e.Name()] = path.Join(d, e.Name())
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []controlplane.UnitFile
	for _, n := range names {
		text, err := r.snap.readFile(byName[n])
		if err != nil {
			r.problem(r.abs(byName[n]), "cannot read "+byName[n]+": "+cleanErr(err))
			continue
		}
		out = append(out, controlplane.UnitFile{Path: byName[n], Text: string(text)})
	}
	return out
}

// readAPIServerFiles reads the files the API server's flags name.
func (r *reader) readAPIServerFiles() {
	api := r.pods[controlplane.APIServer]
	if api == nil {
		return
	}
	for _, flag := range []string{"encryption-provider-config", "audit-policy-file"} {
		if p, ok := api.Flags.Value(flag); ok && p != "" {
			r.host.Roles[flag] = []string{p}
			r.loadFile(p, true)
		}
	}
}

func cleanErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// hostname is the node's name from the root's /etc/hostname, or "node".
func hostname(snap *snapshot) string {
	b, err := snap.readFile("/etc/hostname")
	if name := strings.TrimSpace(string(b)); err == nil && name != "" {
		return name
	}
	return "node"
}
