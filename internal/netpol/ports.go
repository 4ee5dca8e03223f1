package netpol

import (
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// protocols are the protocols NetworkPolicy ports may name, in display order.
var protocols = []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}

const maxPort = 65535

func protocolRank(p corev1.Protocol) int { return slices.Index(protocols, p) }

// PortRange is an inclusive range of ports of one protocol.
type PortRange struct {
	Protocol corev1.Protocol `json:"protocol"`
	From     int32           `json:"from"`
	To       int32           `json:"to"`
}

// PortSet is an immutable set of ports, by protocol. The zero value is the
// empty set.
type PortSet struct {
	ranges []PortRange // sorted by protocol rank and From; disjoint, not adjacent
	all    bool
}

var allPorts = func() PortSet {
	r := make([]PortRange, len(protocols))
	for i, p := range protocols {
		r[i] = PortRange{Protocol: p, From: 1, To: maxPort}
	}
	return PortSet{ranges: r, all: true}
}()

// AllPorts is every port of every protocol.
func AllPorts() PortSet { return allPorts }

// Ports builds a set from ranges; ranges of unknown protocols are dropped.
func Ports(ranges ...PortRange) PortSet {
	r := make([]PortRange, 0, len(ranges))
	for _, pr := range ranges {
		if protocolRank(pr.Protocol) >= 0 && pr.From <= pr.To {
			r = append(r, pr)
		}
	}
	return normalize(r)
}

func normalize(r []PortRange) PortSet {
	slices.SortFunc(r, func(a, b PortRange) int {
		if d := protocolRank(a.Protocol) - protocolRank(b.Protocol); d != 0 {
			return d
		}
		return int(a.From - b.From)
	})
	out := r[:0]
	for _, pr := range r {
		if n := len(out); n > 0 && out[n-1].Protocol == pr.Protocol && pr.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, pr.To)
			continue
		}
		out = append(out, pr)
	}
	s := PortSet{ranges: out}
	s.all = len(out) == len(protocols) && !slices.ContainsFunc(out, func(pr PortRange) bool { return pr.From > 1 || pr.To < maxPort })
	return s
}

// Ranges returns the ranges of the set, by protocol and port.
func (s PortSet) Ranges() []PortRange { return slices.Clone(s.ranges) }

// AppendRanges appends the set's ranges to dst, in the order of Ranges.
func (s PortSet) AppendRanges(dst []PortRange) []PortRange { return append(dst, s.ranges...) }

// Empty reports whether the set has no port.
func (s PortSet) Empty() bool { return len(s.ranges) == 0 }

// All reports whether the set holds every port of every protocol.
func (s PortSet) All() bool { return s.all }

// Contains reports whether the set holds port of protocol.
func (s PortSet) Contains(protocol corev1.Protocol, port int32) bool {
	for _, pr := range s.ranges {
		if pr.Protocol == protocol && pr.From <= port && port <= pr.To {
			return true
		}
	}
	return false
}

// Union returns the ports in s or o.
func (s PortSet) Union(o PortSet) PortSet {
	switch {
	case s.all || o.Empty():
		return s
	case o.all || s.Empty():
		return o
	case s.covers(o): // the common case of rules admitting the same ports: no allocation
		return s
	case o.covers(s):
		return o
	}
	return normalize(append(slices.Clone(s.ranges), o.ranges...))
}

// covers reports whether every port of o is in s. A range of o lies in
// one range of s, since the ranges of a set are disjoint and not adjacent.
func (s PortSet) covers(o PortSet) bool {
	for _, b := range o.ranges {
		if !slices.ContainsFunc(s.ranges, func(a PortRange) bool {
			return a.Protocol == b.Protocol && a.From <= b.From && b.To <= a.To
		}) {
			return false
		}
	}
	return true
}

// Intersect returns the ports in both s and o.
func (s PortSet) Intersect(o PortSet) PortSet {
	switch {
	case s.all || o.Empty():
		return o
	case o.all || s.Empty():
		return s
	case o.covers(s):
		return s
	case s.covers(o):
		return o
	}
	var out []PortRange
	for _, a := range s.ranges {
		for _, b := range o.ranges {
			if a.Protocol == b.Protocol && a.From <= b.To && b.From <= a.To {
				out = append(out, PortRange{Protocol: a.Protocol, From: max(a.From, b.From), To: min(a.To, b.To)})
			}
		}
	}
	return normalize(out)
}

// Minus returns the ports in s but not in o.
func (s PortSet) Minus(o PortSet) PortSet {
	switch {
	case o.Empty() || s.Empty():
		return s
	case o.all:
		return PortSet{}
	}
	out := slices.Clone(s.ranges)
	for _, b := range o.ranges {
		var next []PortRange
		for _, a := range out {
			if a.Protocol != b.Protocol || a.To < b.From || b.To < a.From {
				next = append(next, a)
				continue
			}
			if a.From < b.From {
				next = append(next, PortRange{Protocol: a.Protocol, From: a.From, To: b.From - 1})
			}
			if b.To < a.To {
				next = append(next, PortRange{Protocol: a.Protocol, From: b.To + 1, To: a.To})
			}
		}
		out = next
	}
	return normalize(out)
}

// String formats the set as "all", "-" when empty, or by protocol, e.g.
// "TCP:80,443,8000-8080 UDP:53" ("UDP:all" for every port of a protocol).
func (s PortSet) String() string {
	switch {
	case s.all:
		return "all"
	case s.Empty():
		return "-"
	}
	var b strings.Builder
	for i, pr := range s.ranges {
		switch {
		case i == 0:
		case s.ranges[i-1].Protocol == pr.Protocol:
			b.WriteByte(',')
		default:
			b.WriteByte(' ')
		}
		if i == 0 || s.ranges[i-1].Protocol != pr.Protocol {
			b.WriteString(string(pr.Protocol) + ":")
		}
		b.WriteString(pr.String())
	}
	return b.String()
}

// String formats the range without its protocol: "80", "8000-8080" or "all".
func (pr PortRange) String() string {
	switch {
	case pr.From == 1 && pr.To == maxPort:
		return "all"
	case pr.From == pr.To:
		return strconv.Itoa(int(pr.From))
	default:
		return strconv.Itoa(int(pr.From)) + "-" + strconv.Itoa(int(pr.To))
	}
}
