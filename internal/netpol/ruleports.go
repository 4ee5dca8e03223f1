package netpol

import (
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kube4c/kube4c/internal/inventory"
)

// rulePorts is a rule's ports list: numbers and ranges resolved up front,
// named ports kept to be resolved on each destination pod.
type rulePorts struct {
	all   bool
	fixed PortSet
	named []namedPort
	text  string
}

type namedPort struct {
	name     string
	protocol corev1.Protocol
}

func (e *Engine) compilePorts(obj *inventory.Object, path string, ports []networkingv1.NetworkPolicyPort) rulePorts {
	if len(ports) == 0 {
		return rulePorts{all: true, fixed: allPorts, text: "all"}
	}
	var rp rulePorts
	var fixed []PortRange
	var text []string
	for i, p := range ports {
		at := fmt.Sprintf("%s.ports[%d]", path, i)
		proto := corev1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		if protocolRank(proto) < 0 {
			e.problem(obj, at+".protocol", "unknown protocol %q (want TCP, UDP or SCTP); the port matches nothing", proto)
			continue
		}
		switch {
		case p.Port == nil:
			fixed = append(fixed, PortRange{Protocol: proto, From: 1, To: maxPort})
			text = append(text, string(proto)+":all")
		case p.Port.Type == intstr.String:
			if p.EndPort != nil {
				e.problem(obj, at+".endPort", "endPort cannot go with the named port %q (the API server refuses it); endPort is ignored", p.Port.StrVal)
			}
			rp.named = append(rp.named, namedPort{name: p.Port.StrVal, protocol: proto})
			text = append(text, string(proto)+":"+p.Port.StrVal)
		default:
			from, to := p.Port.IntVal, p.Port.IntVal
			if p.EndPort != nil {
				if *p.EndPort < from {
					e.problem(obj, at+".endPort", "endPort %d is below port %d (the API server refuses it); endPort is ignored", *p.EndPort, from)
				} else {
					to = *p.EndPort
				}
			}
			if from < 1 || to > maxPort {
				e.problem(obj, at+".port", "port %d-%d is outside 1-65535; the port matches nothing", from, to)
				continue
			}
			r := PortRange{Protocol: proto, From: from, To: to}
			fixed = append(fixed, r)
			text = append(text, string(proto)+":"+r.String())
		}
	}
	rp.fixed = Ports(fixed...)
	rp.text = strings.Join(text, ",")
	return rp
}

// String formats the ports as written, e.g. "TCP:80,TCP:http".
func (rp rulePorts) String() string { return rp.text }

// resolve returns the ports the list admits on dst: named ports resolve to
// the numbers dst's containers declare under that name and protocol. A
// destination that is not a pod has no named ports.
func (rp rulePorts) resolve(dst *Workload) PortSet {
	if len(rp.named) == 0 || dst == nil {
		return rp.fixed
	}
	var extra []PortRange
	for _, n := range rp.named {
		for _, cp := range dst.ports {
			if cp.Name == n.name && cp.Protocol == n.protocol {
				extra = append(extra, PortRange{Protocol: cp.Protocol, From: cp.Port, To: cp.Port})
			}
		}
	}
	return rp.fixed.Union(Ports(extra...))
}

// parseIPBlock returns the addresses of an ipBlock: its CIDR minus its
// exceptions.
func parseIPBlock(b *networkingv1.IPBlock) (addrSet, error) {
	cidr, err := netip.ParsePrefix(strings.TrimSpace(b.CIDR))
	if err != nil {
		return nil, fmt.Errorf("invalid ipBlock cidr %q", b.CIDR)
	}
	set := setOf(cidr)
	var except []netip.Prefix
	for _, x := range b.Except {
		p, err := netip.ParsePrefix(strings.TrimSpace(x))
		if err != nil {
			return nil, fmt.Errorf("invalid ipBlock except %q", x)
		}
		except = append(except, p)
	}
	return set.minus(setOf(except...)), nil
}

// describe formats an ipBlock as written.
func describeIPBlock(b *networkingv1.IPBlock) string {
	s := "ipBlock " + b.CIDR
	if len(b.Except) > 0 {
		s += " except " + strings.Join(b.Except, ",")
	}
	return s
}
