package node

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

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

// statControlPlaneFiles records the state of every file a role names, plus
// the PKI directory's tree and the etcd data directory.
func (r *reader) statControlPlaneFiles() {
	if len(r.pods) > 0 {
		for role, paths := range kubeconfigRoles {
			for _, p := range paths {
				if _, err := os.Lstat(r.abs(p)); err == nil {
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
}

// tree lists a directory and everything below it, as node paths.
func (r *reader) tree(dir string) []string {
	var out []string
	_ = filepath.WalkDir(r.abs(dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			out = append(out, r.nodePath(p))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func (r *reader) stat(nodePath string) controlplane.File {
	f := controlplane.File{Path: nodePath}
	info, err := os.Stat(r.abs(nodePath))
	if err != nil {
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

func newOwners(root string) *owners {
	return &owners{users: idNames(filepath.Join(root, "etc", "passwd")), groups: idNames(filepath.Join(root, "etc", "group"))}
}

// idNames maps the numeric IDs of a passwd or group file to names.
func idNames(file string) map[string]string {
	out := map[string]string{"0": "root"}
	b, err := os.ReadFile(file)
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
