package controlplane

import (
	"io/fs"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/inventory"
)

// HostKind is the kind of the synthetic object that carries what a node
// source read from a node's files beside Kubernetes objects.
const HostKind = "NodeHost"

// HostGVK is the group, version and kind of Host objects.
var HostGVK = schema.GroupVersionKind{Group: "kube4c.io", Version: "v1", Kind: HostKind}

// Host is what kube4c read from one node's files that is not a Kubernetes
// object: the kubelet's command-line flags from its systemd units, and the
// mode and ownership of the files CIS sections 1.1 and 4.1 cover.
type Host struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	// Root is the directory the node's files were read under.
	Root string `json:"root"`
	// KubeletFlags are the kubelet's flags from its systemd unit, drop-ins
	// and environment files; KubeletFlagsFile is the last file that set one.
	KubeletFlags     Flags  `json:"-"`
	KubeletFlagsFile string `json:"kubeletFlagsFile,omitempty"`
	// KubeletUnit is the kubelet's systemd unit file, when found.
	KubeletUnit string `json:"kubeletUnit,omitempty"`
	// Roles maps what a file is for (for example "kubelet-config",
	// "kube-apiserver-manifest", "pki") to its paths on the node.
	Roles map[string][]string `json:"roles,omitempty"`
	// Files holds the state of files, by path on the node (without Root).
	Files map[string]File `json:"files,omitempty"`
}

// RoleFiles returns the state of the files of a role, in path order.
func (h *Host) RoleFiles(role string) []File {
	var out []File
	for _, p := range h.Roles[role] {
		if f, ok := h.Files[p]; ok {
			out = append(out, f)
		} else {
			out = append(out, File{Path: p})
		}
	}
	return out
}

// File is the state of one file on the node.
type File struct {
	// Path is the path on the node (without the scan root).
	Path string `json:"path"`
	// Exists is false when the file is absent.
	Exists bool `json:"exists"`
	// Mode holds the permission bits.
	Mode fs.FileMode `json:"mode"`
	// Dir is true for a directory.
	Dir bool `json:"dir,omitempty"`
	// User and Group name the owner (numeric when no name is known).
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
}

// DeepCopyObject copies the host, for runtime.Object.
func (h *Host) DeepCopyObject() runtime.Object {
	out := *h
	h.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.KubeletFlags = Flags{list: append([]Flag(nil), h.KubeletFlags.list...)}
	out.Roles = make(map[string][]string, len(h.Roles))
	for k, v := range h.Roles {
		out.Roles[k] = append([]string(nil), v...)
	}
	out.Files = make(map[string]File, len(h.Files))
	for k, v := range h.Files {
		out.Files[k] = v
	}
	return &out
}

// NewHostObject wraps h as an inventory object read from file.
func NewHostObject(h *Host, file string) *inventory.Object {
	h.TypeMeta = metav1.TypeMeta{APIVersion: HostGVK.GroupVersion().String(), Kind: HostKind}
	return &inventory.Object{GVK: HostGVK, Obj: h, Meta: h, Source: inventory.Source{File: file}}
}
