package netpol

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestPortSetOperations(t *testing.T) {
	tcp := func(from, to int32) PortRange { return PortRange{Protocol: corev1.ProtocolTCP, From: from, To: to} }
	udp53 := PortRange{Protocol: corev1.ProtocolUDP, From: 53, To: 53}
	a := Ports(tcp(80, 80), tcp(81, 90), udp53, tcp(8000, 8100))
	for _, c := range []struct {
		got  PortSet
		want string
	}{
		{a, "TCP:80-90,8000-8100 UDP:53"},
		{a.Intersect(Ports(tcp(85, 8050))), "TCP:85-90,8000-8050"},
		{a.Minus(Ports(tcp(82, 8099))), "TCP:80-81,8100 UDP:53"},
		{a.Union(AllPorts()), "all"},
		{AllPorts().Minus(Ports(udp53)).Union(Ports(udp53)), "all"},
		{AllPorts().Intersect(a), "TCP:80-90,8000-8100 UDP:53"},
		{Ports(PortRange{Protocol: "ICMP", From: 1, To: 1}), "-"},
		{Ports(PortRange{Protocol: corev1.ProtocolSCTP, From: 1, To: maxPort}), "SCTP:all"},
	} {
		if s := c.got.String(); s != c.want {
			t.Errorf("got %s, want %s", s, c.want)
		}
	}
	if !a.Contains(corev1.ProtocolUDP, 53) || a.Contains(corev1.ProtocolTCP, 53) {
		t.Error("Contains")
	}
}

// The union or intersection of a set with a set it covers is one of the
// two, without allocating: rules admitting the same ports are the common
// case of a reach matrix, which evaluates millions of cells.
func TestPortSetCoveringOperandsDoNotAllocate(t *testing.T) {
	tcp := func(from, to int32) PortRange { return PortRange{Protocol: corev1.ProtocolTCP, From: from, To: to} }
	wide, narrow := Ports(tcp(80, 90), tcp(443, 443)), Ports(tcp(85, 86))
	for _, c := range []struct {
		name string
		op   func() PortSet
		want string
	}{
		{"wide ∪ narrow", func() PortSet { return wide.Union(narrow) }, "TCP:80-90,443"},
		{"narrow ∪ wide", func() PortSet { return narrow.Union(wide) }, "TCP:80-90,443"},
		{"wide ∪ wide", func() PortSet { return wide.Union(wide) }, "TCP:80-90,443"},
		{"wide ∩ narrow", func() PortSet { return wide.Intersect(narrow) }, "TCP:85-86"},
		{"narrow ∩ wide", func() PortSet { return narrow.Intersect(wide) }, "TCP:85-86"},
	} {
		if got := c.op().String(); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
		if n := testing.AllocsPerRun(100, func() { c.op() }); n != 0 {
			t.Errorf("%s allocates %.0f times", c.name, n)
		}
	}
	if got := narrow.Union(Ports(tcp(87, 87))).String(); got != "TCP:85-87" {
		t.Errorf("a union that covers neither operand: %s", got)
	}
}

func TestAddressSets(t *testing.T) {
	p := netip.MustParsePrefix
	all4 := setOf(p("0.0.0.0/0"))
	holed := all4.minus(setOf(p("10.0.0.0/8"), p("169.254.169.254/32")))
	if holed.contains(netip.MustParseAddr("169.254.169.254")) || !holed.contains(netip.MustParseAddr("169.254.169.253")) || !holed.contains(netip.MustParseAddr("11.0.0.0")) {
		t.Errorf("minus: %v", holed)
	}
	if !holed.union(setOf(p("10.0.0.0/8"), p("169.254.169.254/32"))).covers(all4) {
		t.Error("union does not restore the set")
	}
	if got := setOf(p("10.0.0.0/9"), p("10.128.0.0/9")); len(got) != 1 || !got.covers(setOf(p("10.0.0.0/8"))) {
		t.Errorf("adjacent prefixes not merged: %v", got)
	}
	if setOf(p("::/0")).intersects(all4) || !setOf(p("fd00::/8")).intersects(setOf(p("fc00::/7"))) {
		t.Error("families must not mix")
	}
}

func TestProblemsNotesAndLookup(t *testing.T) {
	e := build(t, world+policy("prod", "bad", `  podSelector: {matchExpressions: [{key: app, operator: in, values: [web]}]}
  policyTypes: [Ingress, Sideways]
  ingress:
    - from: [{}, {ipBlock: {cidr: 300.0.0.0/8}}, {ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]
      ports: [{port: 80, endPort: 70}, {port: http, endPort: 90}, {protocol: ICMP}]
`)+dbFromUnknown+policy("prod", "bad", "  podSelector: {}\n")+
		"---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: c, namespace: prod}\nspec: {selector: all()}\n")
	var msgs []string
	for _, p := range e.Problems() {
		msgs = append(msgs, p.Path+": "+p.Message)
	}
	for _, want := range []string{
		"spec.podSelector: invalid podSelector",
		"spec.policyTypes[1]: unknown policy type \"Sideways\"",
		"spec.ingress[0].from[0]: the peer gives neither",
		"spec.ingress[0].from[1].ipBlock: invalid ipBlock cidr",
		"spec.ingress[0].from[2]: a peer may give an ipBlock or selectors",
		"spec.ingress[0].ports[0].endPort: endPort 70 is below port 80",
		"spec.ingress[0].ports[1].endPort: endPort cannot go with the named port",
		"spec.ingress[0].ports[2].protocol: unknown protocol",
	} {
		if !strings.Contains(strings.Join(msgs, "\n"), want) {
			t.Errorf("no problem %q in:\n%s", want, strings.Join(msgs, "\n"))
		}
	}
	notes := strings.Join(e.Notes(), "\n")
	for _, want := range []string{"NetworkPolicy prod/bad is defined 2 times", "1 NetworkPolicy objects of crd.projectcalico.org/v1 are not evaluated", "namespace other has no Namespace object in the scan: only its label kubernetes.io/metadata.name=other is known, so selectors on team give unknown verdicts"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if _, err := e.Lookup("web"); err == nil || !strings.Contains(err.Error(), "dev/web, prod/web") {
		t.Errorf("ambiguous name: %v", err)
	}
	for name, want := range map[string]string{"db": "prod/db", "prod/statefulset/db": "prod/db", "internet": "internet", "other/client": "other/client"} {
		if ep, err := e.Lookup(name); err != nil || ep.String() != want {
			t.Errorf("Lookup(%q) = %v, %v", name, ep, err)
		}
	}
	if eps, err := e.Select("prod/*"); err != nil || len(eps) != 4 {
		t.Errorf("Select(prod/*) = %v, %v", eps, err)
	}
}

var dbFromUnknown = dbFrom(nsTeamB)

// Each definition of a kind, namespace and name (the same manifest in two
// files) is a workload of its own, judged on its own labels whichever file
// comes first, and named with where it is defined; a PodTemplate runs no
// pods.
func TestDuplicatesAndTemplates(t *testing.T) {
	pod := func(label string) string {
		return "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x, labels: {copy: " + label + "}}\nspec: {containers: [{name: c, image: i}]}\n"
	}
	tmpl := "---\napiVersion: v1\nkind: PodTemplate\nmetadata: {name: t, namespace: x}\ntemplate: {spec: {containers: [{name: c, image: i}]}}\n"
	same := "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: p, namespace: x}\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n"
	policy := "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: second, namespace: x}\nspec: {podSelector: {matchLabels: {copy: second}}}\n"
	for _, text := range []string{pod("first") + pod("second"), pod("second") + pod("first")} {
		e := build(t, text+tmpl+same+policy)
		var got []string
		for _, p := range e.Pods() {
			got = append(got, fmt.Sprintf("%s %s isolated=%v", p.ID, p.Labels["copy"], p.Isolated(Ingress)))
		}
		want := []string{"x/deployment/p  isolated=false", "x/pod/p@-:2:1 ", "x/pod/p@-:7:1 "}
		if len(got) != 3 || got[0] != want[0] || !strings.HasPrefix(got[1], want[1]) || !strings.HasPrefix(got[2], want[2]) {
			t.Fatalf("workloads %q", got)
		}
		for _, line := range got[1:] {
			if strings.Contains(line, "second") != strings.HasSuffix(line, "isolated=true") {
				t.Errorf("the policy's selection does not follow each copy's labels: %q", got)
			}
		}
	}
}
