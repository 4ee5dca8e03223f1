package controlplane

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// The control-plane components kube4c reads from static pods.
const (
	APIServer         = "kube-apiserver"
	ControllerManager = "kube-controller-manager"
	Scheduler         = "kube-scheduler"
	Etcd              = "etcd"
)

// Components lists the control-plane components, in CIS order.
var Components = []string{APIServer, ControllerManager, Scheduler, Etcd}

// Component is one control-plane component found in a static pod.
type Component struct {
	// Name is one of Components.
	Name string
	// Pod is the pod that runs it.
	Pod *inventory.Object
	// Flags is its parsed command line (command and args together).
	Flags      Flags
	container  int
	argsOffset int // index in Flags of the first element of args
	commandLen int
}

// FlagPath returns the field path of the flag's argument in the pod, for
// locating findings, or the container's path when the flag is unset.
func (c *Component) FlagPath(name string) string {
	base := fmt.Sprintf("spec.containers[%d]", c.container)
	fl, ok := c.Flags.Last(name)
	switch {
	case !ok:
		if c.commandLen > 0 {
			return base + ".command"
		}
		return base + ".args"
	case fl.Index < c.commandLen:
		return fmt.Sprintf("%s.command[%d]", base, fl.Index)
	default:
		return fmt.Sprintf("%s.args[%d]", base, fl.Index-c.argsOffset)
	}
}

// ComponentOf returns the control-plane component that pod obj runs, or
// nil: a container whose command (or, without one, image) names a
// component.
func ComponentOf(obj *inventory.Object) *Component {
	pod, ok := obj.Obj.(*corev1.Pod)
	if !ok {
		return nil
	}
	for i, c := range pod.Spec.Containers {
		name := componentName(c)
		if name == "" {
			continue
		}
		args := append(append([]string{}, c.Command...), c.Args...)
		flags := ParseFlags(args)
		return &Component{Name: name, Pod: obj, Flags: flags, container: i, argsOffset: len(c.Command), commandLen: len(c.Command)}
	}
	return nil
}

func componentName(c corev1.Container) string {
	candidates := []string{}
	if len(c.Command) > 0 {
		candidates = append(candidates, path.Base(c.Command[0]))
	}
	image := path.Base(c.Image)
	if i := strings.IndexAny(image, ":@"); i >= 0 {
		image = image[:i]
	}
	candidates = append(candidates, image)
	for _, cand := range candidates {
		for _, name := range Components {
			if cand == name {
				return name
			}
		}
	}
	return ""
}
