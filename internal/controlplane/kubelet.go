package controlplane

import (
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Kubelet is a kubelet's configuration: its KubeletConfiguration file
// merged with its command-line flags, which win.
type Kubelet struct {
	// Config is the KubeletConfiguration file, nil when the kubelet has none.
	Config *Typed[kubeletv1beta1.KubeletConfiguration]
	// Flags are the kubelet's command-line flags.
	Flags Flags
	// Host is the host object that carries the flags.
	Host *inventory.Object
}

// Setting is the effective value of one kubelet setting and where it was
// decided.
type Setting struct {
	// Value is the value as text ("" when unset and without default).
	Value string
	// Set is false when the default applies.
	Set bool
	// Object and Path locate the value for findings.
	Object *inventory.Object
	Path   string
	// Where says in words where the value comes from.
	Where string
}

// KubeletField describes how one kubelet setting is written.
type KubeletField struct {
	// Flag is the command-line flag.
	Flag string
	// Path is the field path in KubeletConfiguration; empty when the
	// setting is a flag only.
	Path string
	// Get reads the field from the file; ok is false when it is unset.
	Get func(c *kubeletv1beta1.KubeletConfiguration) (value string, ok bool)
	// DefaultConfig is the default when a config file is used,
	// DefaultFlags when the kubelet runs on flags alone.
	DefaultConfig, DefaultFlags string
}

// Setting returns the effective value of field: the flag when set, else the
// config file's field, else the default that applies.
func (k *Kubelet) Setting(field KubeletField) Setting {
	if fl, ok := k.Flags.Last(field.Flag); ok {
		host := k.Host.Obj.(*Host)
		return Setting{Value: fl.Value, Set: true, Object: k.Host, Where: "flag --" + field.Flag + " of the ExecStart in " + host.KubeletFlagsFile}
	}
	if k.Config != nil {
		if field.Get != nil {
			if v, ok := field.Get(k.Config.Value); ok {
				return Setting{Value: v, Set: true, Object: k.Config.Object, Path: field.Path, Where: field.Path + " in " + k.Config.Object.Source.File}
			}
		}
		return Setting{Value: field.DefaultConfig, Object: k.Config.Object, Where: "default of KubeletConfiguration (" + field.Path + " unset)"}
	}
	return Setting{Value: field.DefaultFlags, Object: k.Host, Where: "default of flag --" + field.Flag + " (no config file)"}
}
