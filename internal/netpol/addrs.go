package netpol

import (
	"net/netip"
	"slices"
)

// addrRange is an inclusive range of addresses of one family.
type addrRange struct{ lo, hi netip.Addr }

// addrSet is a set of addresses: sorted, disjoint ranges (IPv4 first).
type addrSet []addrRange

func rangeOf(p netip.Prefix) addrRange {
	p = p.Masked()
	lo := p.Addr()
	b := lo.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	hi, _ := netip.AddrFromSlice(b)
	return addrRange{lo: lo, hi: hi}
}

// setOf returns the addresses of the prefixes.
func setOf(prefixes ...netip.Prefix) addrSet {
	s := make(addrSet, 0, len(prefixes))
	for _, p := range prefixes {
		s = append(s, rangeOf(p))
	}
	return s.normalize()
}

// union returns the addresses in s or o.
func (s addrSet) union(o addrSet) addrSet { return append(slices.Clone(s), o...).normalize() }

// normalize sorts the ranges and merges those that overlap or touch.
func (s addrSet) normalize() addrSet {
	slices.SortFunc(s, func(a, b addrRange) int { return a.lo.Compare(b.lo) })
	out := s[:0]
	for _, r := range s {
		if n := len(out); n > 0 && r.lo.BitLen() == out[n-1].hi.BitLen() && (!out[n-1].hi.Less(r.lo) || out[n-1].hi.Next() == r.lo) {
			if out[n-1].hi.Less(r.hi) {
				out[n-1].hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// minus returns the addresses of s that are not in o.
func (s addrSet) minus(o addrSet) addrSet {
	out := slices.Clone(s)
	for _, b := range o {
		next := make(addrSet, 0, len(out)+1) // taking a range away splits one in two at most
		for _, a := range out {
			if a.lo.BitLen() != b.lo.BitLen() || a.hi.Less(b.lo) || b.hi.Less(a.lo) {
				next = append(next, a)
				continue
			}
			if a.lo.Less(b.lo) {
				next = append(next, addrRange{lo: a.lo, hi: b.lo.Prev()})
			}
			if b.hi.Less(a.hi) {
				next = append(next, addrRange{lo: b.hi.Next(), hi: a.hi})
			}
		}
		out = next
	}
	return out
}

// intersects reports whether s and o share an address.
func (s addrSet) intersects(o addrSet) bool {
	for _, a := range s {
		for _, b := range o {
			if a.lo.BitLen() == b.lo.BitLen() && !a.hi.Less(b.lo) && !b.hi.Less(a.lo) {
				return true
			}
		}
	}
	return false
}

// covers reports whether every address of o is in s.
func (s addrSet) covers(o addrSet) bool { return len(o.minus(s)) == 0 }

// contains reports whether a is in s.
func (s addrSet) contains(a netip.Addr) bool {
	for _, r := range s {
		if r.lo.BitLen() == a.BitLen() && !a.Less(r.lo) && !r.hi.Less(a) {
			return true
		}
	}
	return false
}

// family returns the ranges of s of one address length (32 or 128 bits).
func (s addrSet) family(bits int) addrSet {
	var out addrSet
	for _, r := range s {
		if r.lo.BitLen() == bits {
			out = append(out, r)
		}
	}
	return out
}

// Well-known addresses.
var (
	// MetadataAddrs are the addresses of the cloud instance metadata
	// services (AWS, Google Cloud, Azure, and AWS over IPv6).
	MetadataAddrs = []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254")}

	// DefaultClusterCIDRs are assumed to hold pod addresses when no
	// cluster CIDR is given: the private and shared address spaces.
	DefaultClusterCIDRs = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("fc00::/7"),
	}

	// notInternet are addresses that never belong to the internet:
	// unspecified, loopback, link-local (where metadata services live) and
	// multicast.
	notInternet = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("224.0.0.0/4"),
		netip.MustParsePrefix("::/128"), netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("fe80::/10"), netip.MustParsePrefix("ff00::/8"),
		netip.MustParsePrefix("fd00:ec2::254/128"),
	}

	everything = setOf(netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"))
)
