package netpol

import "testing"

// For every source whose egress is open, the peer sets of a target say
// what Reach says of the ports the target declares: in the policy cases'
// worlds and a synthetic cluster.
func TestIngressPeerSetsAgreeWithReach(t *testing.T) {
	engines := []*Engine{Build(syntheticInventory(6, 8, 30), Options{})}
	for _, c := range policyCases {
		engines = append(engines, build(t, world+c.policies, c.cidrs...))
	}
	judged, narrowed := 0, 0
	for _, e := range engines {
		for _, dst := range e.Pods() {
			if len(dst.Ports()) == 0 {
				continue
			}
			sets, all := e.IngressPeerSets(dst)
			if !all {
				narrowed++
			}
			bySets := map[*Workload]Decision{}
			for _, s := range sets {
				s.Each(e, func(p *Workload) { bySets[p] = max(bySets[p], s.Verdict) })
			}
			for _, src := range e.Pods() {
				if src == dst || !src.Open(Egress) {
					continue
				}
				r := e.Reach(PodEndpointOf(src), PodEndpointOf(dst))
				want := Denied
				for _, p := range dst.Ports() {
					want = max(want, r.Allows(p.Protocol, p.Port))
				}
				got := bySets[src]
				if all {
					got = Allowed
				}
				if got != want {
					t.Fatalf("%s -> %s: peer sets say %s, Reach says %s (%s)", src.ID, dst.ID, got, want, r.Summary())
				}
				judged++
			}
		}
	}
	if judged == 0 || narrowed == 0 {
		t.Errorf("%d pairs judged, %d targets with peer sets: the test proves nothing", judged, narrowed)
	}
}
