package node

import (
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/inventory"
)

// kubeconfigRoles are the control plane's kubeconfig files (CIS 1.1.13 to
// 1.1.18).
var kubeconfigRoles = map[string][]string{
	"admin-kubeconfig":              {"/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"},
	"scheduler-kubeconfig":          {"/etc/kubernetes/scheduler.conf"},
	"controller-manager-kubeconfig": {"/etc/kubernetes/controller-manager.conf"},
}

// proxyKubeconfigs are where kube-proxy's kubeconfig is found on nodes
// that run it from a systemd unit (CIS 4.1.3, 4.1.4).
var proxyKubeconfigs = []string{"/etc/kubernetes/proxy.conf", "/etc/kubernetes/kube-proxy.conf", "/var/lib/kube-proxy/kubeconfig.conf", "/var/lib/kube-proxy/kubeconfig"}

// Default CNI directories (CIS 1.1.9, 1.1.10).
const (
	defaultCNIConfDir = "/etc/cni/net.d"
	cniNetworksDir    = "/var/lib/cni/networks"
)

// statControlPlaneFiles records the state of every file a role names, plus
// the PKI directory's tree, the etcd data directory, the CNI files and
// kube-proxy's kubeconfig.
func (r *reader) statControlPlaneFiles() {
	for _, p := range proxyKubeconfigs {
		if _, err := r.snap.lstat(p); err == nil {
			r.host.Roles["proxy-kubeconfig"] = append(r.host.Roles["proxy-kubeconfig"], p)
		}
	}
	cniDir, ok := r.host.KubeletFlags.Value("cni-conf-dir")
	if !ok || cniDir == "" {
		cniDir = defaultCNIConfDir
	}
	for _, dir := range []string{cniDir, cniNetworksDir} {
		for _, p := range r.tree(dir) {
			if p != dir {
				r.host.Roles["cni"] = append(r.host.Roles["cni"], p)
			}
		}
	}
	if len(r.pods) > 0 {
		for role, paths := range kubeconfigRoles {
			for _, p := range paths {
				if _, err := r.snap.lstat(p); err == nil {
					r.host.Roles[role] = append(r.host.Roles[role], p)
				}
			}
		}
		r.host.Roles["pki"] = r.tree(PKIDir)
		if etcd := r.pods[controlplane.Etcd]; etcd != nil {
			dir, ok := etcd.Flags.Value("data-dir")
			if !ok || dir == "" {
				dir = DefaultEtcdDataDir
			}
			r.host.Roles["etcd-data-dir"] = []string{dir}
		}
	}
	for _, paths := range r.host.Roles {
		for _, p := range paths {
			if _, done := r.host.Files[p]; !done {
				r.host.Files[p] = r.stat(p)
			}
		}
	}
	r.parseKubeconfigs()
}

// parseKubeconfigs reports the kubeconfig files that do not parse.
func (r *reader) parseKubeconfigs() {
	roles := make([]string, 0, len(r.host.Roles))
	for role := range r.host.Roles {
		if strings.HasSuffix(role, "-kubeconfig") {
			roles = append(roles, role)
		}
	}
	sort.Strings(roles)
	for _, role := range roles {
		for _, p := range r.host.Roles[role] {
			if !r.host.Files[p].Exists || r.host.Files[p].Dir {
				continue
			}
			data, err := r.snap.readFile(p)
			if err != nil {
				r.problem(r.abs(p), "cannot read kubeconfig "+p+": "+cleanErr(err))
				continue
			}
			if _, err := clientcmd.Load(data); err != nil {
				r.problem(r.abs(p), "cannot parse kubeconfig "+p+": "+err.Error())
			}
		}
	}
}

// tree lists a directory and everything below it, as node paths.
func (r *reader) tree(dir string) []string {
	var out []string
	_ = r.snap.walk(dir, func(p string, _ fs.DirEntry, err error) error {
		if !r.failed(p, err) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// stat returns the state of a file on the node, following links inside
// the root.
func (r *reader) stat(nodePath string) controlplane.File {
	f := controlplane.File{Path: nodePath}
	info, err := r.snap.stat(nodePath)
	if r.failed(nodePath, err) {
		return f
	}
	f.Exists, f.Dir, f.Mode = true, info.IsDir(), info.Mode().Perm()
	f.User, f.Group = r.owner(nodePath, info)
	return f
}

// clientCAFile returns authentication.x509.clientCAFile of a
// KubeletConfiguration object.
func clientCAFile(obj *inventory.Object) string {
	u, ok := obj.Obj.(*unstructured.Unstructured)
	if !ok || obj.Kind() != controlplane.KubeletConfigKind {
		return ""
	}
	ca, _, _ := unstructured.NestedString(u.Object, "authentication", "x509", "clientCAFile")
	return ca
}

// owners names users and groups from the root's /etc/passwd and /etc/group.
type owners struct {
	users, groups map[string]string
}

func newOwners(snap *snapshot) *owners {
	return &owners{users: idNames(snap, "/etc/passwd"), groups: idNames(snap, "/etc/group")}
}

// idNames maps the numeric IDs of a passwd or group file to names.
func idNames(snap *snapshot, file string) map[string]string {
	out := map[string]string{"0": "root"}
	b, err := snap.readFile(file)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Split(line, ":")
		if len(fields) >= 3 && !strings.HasPrefix(fields[0], "#") {
			out[fields[2]] = fields[0]
		}
	}
	return out
}

func (o *owners) of(_ string, info os.FileInfo) (string, string) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "", ""
	}
	uid, gid := strconv.FormatUint(uint64(st.Uid), 10), strconv.FormatUint(uint64(st.Gid), 10)
	return nameOr(o.users, uid), nameOr(o.groups, gid)
}

func nameOr(names map[string]string, id string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return id
}
