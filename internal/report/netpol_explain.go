package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/kube4c/kube4c/internal/netpol"
)

// WriteExplanation writes how netpol reach --explain decided a connection,
// for a person to read: the verdict, then every policy and rule of the
// egress at the source and the ingress at the destination. Every value
// goes through safe: names, selectors and port names come from manifests.
func WriteExplanation(w io.Writer, x *netpol.Explanation) error {
	var b strings.Builder
	r := x.Reach
	fmt.Fprintf(&b, "%s -> %s: %s\n", safe(r.From), safe(r.To), safe(r.Summary()))
	for _, t := range []*netpol.SideTrace{&x.Egress, &x.Ingress} {
		writeSideTrace(&b, t)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSideTrace(b *strings.Builder, t *netpol.SideTrace) {
	where := map[netpol.Direction]string{netpol.Ingress: "into", netpol.Egress: "out of"}[t.Direction]
	fmt.Fprintf(b, "\n%s %s %s: ", t.Direction.Title(), where, safe(t.Endpoint))
	switch {
	case t.Endpoint.Pod == nil:
		b.WriteString("not a workload; no NetworkPolicy applies, every port is open\n")
		return
	case t.Endpoint.Pod.HostNetwork:
		b.WriteString("its pods use the host network, where NetworkPolicies do not apply (the traffic is the node's): every port is open\n")
		return
	case !t.Isolated:
		fmt.Fprintf(b, "no NetworkPolicy selects it for %s, so it is not isolated: every port is open\n", t.Direction)
		return
	}
	fmt.Fprintf(b, "isolated by %s; a connection passes when a rule of any of them admits it\n", countPolicies(len(t.Policies)))
	for _, pol := range t.Policies {
		fmt.Fprintf(b, "  NetworkPolicy %s (podSelector %s)", safe(pol.ID()), safe(pol.PodSelector()))
		if len(pol.Rules(t.Direction)) == 0 {
			fmt.Fprintf(b, ": no %s rules, admits nothing\n", t.Direction)
			continue
		}
		b.WriteString("\n")
		for _, rt := range t.Rules {
			if rt.Rule.Policy != pol {
				continue
			}
			fmt.Fprintf(b, "    %s[%d] (ports %s): %s", t.Direction, rt.Rule.Index, safe(rt.Rule.Ports()), rt.Verdict)
			if rt.Verdict != netpol.Denied {
				fmt.Fprintf(b, " on %s", safe(rt.Ports))
			}
			fmt.Fprintf(b, "; %s\n", safe(rt.Reason))
		}
	}
	admitted := t.Yes.String()
	if t.Yes.Empty() {
		admitted = "nothing"
	}
	fmt.Fprintf(b, "  => %s admits %s", t.Direction, safe(admitted))
	if !t.Maybe.Empty() {
		fmt.Fprintf(b, ", maybe %s", safe(t.Maybe))
	}
	b.WriteString("\n")
}

// safe formats a value with its control characters escaped (SafeText).
func safe(v any) string { return SafeText(fmt.Sprint(v)) }
