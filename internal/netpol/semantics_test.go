package netpol

import (
	"fmt"
	"strings"
	"testing"
)

// policyCase is one connection under some policies, with the verdict the
// Kubernetes documentation gives. rule names what the case exercises.
type policyCase struct {
	rule     string
	policies string
	from, to string
	want     string // Reach.Summary()
	cidrs    []string
}

// Frequently used policies.
var (
	denyIngressProd = policy("prod", "deny", "  podSelector: {}\n  policyTypes: [Ingress]\n")
	dbFrom          = func(peers string) string {
		return policy("prod", "db", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: "+peers+"\n")
	}
	webIngress = func(rules string) string {
		return policy("prod", "web", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress: "+rules+"\n")
	}
	webEgress = func(rules string) string {
		return policy("prod", "web-out", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress: "+rules+"\n")
	}
	clientEgress = policy("dev", "client-out", "  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n"+
		"  egress: [{to: [{namespaceSelector: {}}], ports: [{port: http}]}]\n")
	nsTeamB = "[{namespaceSelector: {matchLabels: {team: b}}}]"
)

var policyCases = []policyCase{
	// Isolation and policyTypes.
	{rule: "a pod no policy selects is not isolated", from: "dev/client", to: "prod/web", want: "allowed on all"},
	{rule: "podSelector {} selects every pod of its namespace (kube-score #293, #420)", policies: denyIngressProd, from: "dev/client", to: "prod/db", want: "denied"},
	{rule: "podSelector {} selects pods without labels", policies: denyIngressProd, from: "dev/client", to: "prod/bare", want: "denied"},
	{rule: "an Ingress-only policy leaves egress open", policies: denyIngressProd, from: "prod/web", to: "dev/client", want: "allowed on all"},
	{rule: "policyTypes defaults to Ingress: a bare policy denies ingress", policies: policy("prod", "bare", "  podSelector: {}\n"), from: "dev/client", to: "prod/web", want: "denied"},
	{rule: "policyTypes defaults to Ingress only when there are no egress rules", policies: policy("prod", "bare", "  podSelector: {}\n"), from: "prod/web", to: "dev/client", want: "allowed on all"},
	{rule: "policyTypes defaults to include Egress when egress rules are written", policies: policy("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]\n"), from: "prod/web", to: "dev/client", want: "denied"},
	{rule: "defaulted Egress admits what the egress rules list", policies: policy("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]\n"), from: "prod/web", to: "prod/db", want: "allowed on all"},
	{rule: "defaulted policyTypes always include Ingress", policies: policy("prod", "p", "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]\n"), from: "dev/client", to: "prod/web", want: "denied"},
	{rule: "an empty egress list does not make a policy affect Egress", policies: policy("prod", "p", "  podSelector: {}\n  egress: []\n"), from: "prod/web", to: "dev/client", want: "allowed on all"},
	{rule: "policyTypes [Egress] ignores ingress rules", policies: policy("prod", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{}]\n  ingress: [{from: [{podSelector: {matchLabels: {app: none}}}]}]\n"), from: "dev/client", to: "prod/web", want: "allowed on all"},
	{rule: "policyTypes [Egress] without rules denies egress", policies: policy("prod", "p", "  podSelector: {}\n  policyTypes: [Egress]\n"), from: "prod/web", to: "dev/client", want: "denied"},
	{rule: "policyTypes [Ingress, Egress] without rules denies both ways", policies: policy("prod", "p", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"), from: "prod/web", to: "prod/db", want: "denied"},
	{rule: "a policy selects pods of its own namespace only", policies: policy("dev", "p", "  podSelector: {}\n"), from: "dev/client", to: "prod/web", want: "allowed on all"},
	{rule: "objects without a namespace, policies included, live in default", policies: policy("", "p", "  podSelector: {}\n"), from: "dev/client", to: "default/plain", want: "denied"},

	// Empty and missing lists.
	{rule: "an ingress rule without from admits every source, the internet included", policies: webIngress("[{}]"), from: "internet", to: "prod/web", want: "allowed on all"},
	{rule: "an empty from list admits every source, as a missing one does", policies: webIngress("[{from: []}]"), from: "other/client", to: "prod/web", want: "allowed on all"},
	{rule: "an empty list of ingress rules admits nothing, unlike a list with an empty rule", policies: webIngress("[]"), from: "prod/db", to: "prod/web", want: "denied"},
	{rule: "a rule with ports and no from admits every source on those ports", policies: webIngress("[{ports: [{port: 8080}]}]"), from: "internet", to: "prod/web", want: "allowed on TCP:8080"},
	{rule: "an egress rule with an empty to list admits every destination", policies: webEgress("[{to: []}]"), from: "prod/web", to: "cloud-metadata", want: "allowed on all"},

	// Peers.
	{rule: "a podSelector peer alone selects pods of the policy's namespace only", policies: dbFrom("[{podSelector: {matchLabels: {app: web}}}]"), from: "dev/web", to: "prod/db", want: "denied"},
	{rule: "a podSelector peer selects matching pods of the policy's namespace", policies: dbFrom("[{podSelector: {matchLabels: {app: web}}}]"), from: "prod/web", to: "prod/db", want: "allowed on all"},
	{rule: "a namespaceSelector peer alone selects every pod of matching namespaces", policies: dbFrom(nsTeamB), from: "dev/client", to: "prod/db", want: "allowed on all"},
	{rule: "a namespaceSelector peer does not select the policy's own namespace unless it matches", policies: dbFrom(nsTeamB), from: "prod/web", to: "prod/db", want: "denied"},
	{rule: "an empty namespaceSelector selects every namespace, even those of unknown labels", policies: dbFrom("[{namespaceSelector: {}}]"), from: "other/client", to: "prod/db", want: "allowed on all"},
	{rule: "selectors never admit addresses outside the cluster", policies: dbFrom("[{namespaceSelector: {}}]"), from: "internet", to: "prod/db", want: "denied"},
	{rule: "namespaceSelector and podSelector in one peer must both match (pod fails)", policies: dbFrom("[{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: web}}}]"), from: "dev/client", to: "prod/db", want: "denied"},
	{rule: "namespaceSelector and podSelector in one peer must both match (both match)", policies: dbFrom("[{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: web}}}]"), from: "dev/web", to: "prod/db", want: "allowed on all"},
	{rule: "namespaceSelector and podSelector in one peer must both match (namespace fails)", policies: dbFrom("[{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: web}}}]"), from: "prod/web", to: "prod/db", want: "denied"},
	{rule: "separate peers are alternatives (namespace peer matches)", policies: dbFrom("[{namespaceSelector: {matchLabels: {team: b}}}, {podSelector: {matchLabels: {app: web}}}]"), from: "dev/client", to: "prod/db", want: "allowed on all"},
	{rule: "separate peers are alternatives (pod peer matches)", policies: dbFrom("[{namespaceSelector: {matchLabels: {team: b}}}, {podSelector: {matchLabels: {app: web}}}]"), from: "prod/web", to: "prod/db", want: "allowed on all"},

	// matchExpressions, through apimachinery.
	{rule: "matchExpressions In", policies: dbFrom("[{podSelector: {matchExpressions: [{key: app, operator: In, values: [web, cache]}]}}]"), from: "prod/cache", to: "prod/db", want: "allowed on all"},
	{rule: "matchExpressions NotIn matches pods without the key", policies: dbFrom("[{podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}}]"), from: "prod/cache", to: "prod/db", want: "allowed on all"},
	{rule: "matchExpressions NotIn excludes the listed values", policies: dbFrom("[{podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}}]"), from: "prod/web", to: "prod/db", want: "denied"},
	{rule: "matchExpressions Exists", policies: dbFrom("[{podSelector: {matchExpressions: [{key: tier, operator: Exists}]}}]"), from: "prod/cache", to: "prod/db", want: "denied"},
	{rule: "matchExpressions DoesNotExist", policies: dbFrom("[{podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}}]"), from: "prod/bare", to: "prod/db", want: "allowed on all"},
	{rule: "matchExpressions NotIn on a namespaceSelector", policies: dbFrom("[{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}]"), from: "dev/client", to: "prod/db", want: "allowed on all"},
	{rule: "matchLabels and matchExpressions are ANDed", policies: dbFrom("[{podSelector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [back]}]}}]"), from: "prod/web", to: "prod/db", want: "denied"},
	{rule: "an invalid operator makes the podSelector select nothing", policies: policy("prod", "p", "  podSelector: {matchExpressions: [{key: app, operator: in, values: [web]}]}\n"), from: "dev/client", to: "prod/web", want: "allowed on all"},

	// Namespaces without a Namespace object.
	{rule: "labels of a namespace without a Namespace object are unknown", policies: dbFrom(nsTeamB), from: "other/client", to: "prod/db", want: "unknown (maybe all)"},
	{rule: "kubernetes.io/metadata.name is always known", policies: dbFrom("[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}}]"), from: "other/client", to: "prod/db", want: "allowed on all"},
	{rule: "a failing kubernetes.io/metadata.name requirement decides despite unknown labels", policies: dbFrom("[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev, team: b}}}]"), from: "other/client", to: "prod/db", want: "denied"},
	{rule: "an admitting peer wins over an unknown one", policies: dbFrom("[{namespaceSelector: {matchLabels: {team: b}}}, {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}}]"), from: "other/client", to: "prod/db", want: "allowed on all"},
	{rule: "a known namespace without the label does not match", policies: dbFrom("[{namespaceSelector: {matchLabels: {owner: x}}}]"), from: "dev/client", to: "prod/db", want: "denied"},

	// Ports.
	{rule: "a named port resolves on the selected pod for ingress", policies: webIngress("[{ports: [{port: http}]}]"), from: "dev/client", to: "prod/web", want: "allowed on TCP:8080"},
	{rule: "a named egress port resolves on each destination pod (prod/web: 8080)", policies: clientEgress, from: "dev/client", to: "prod/web", want: "allowed on TCP:8080"},
	{rule: "a named egress port resolves on each destination pod (dev/web: 80)", policies: clientEgress, from: "dev/client", to: "dev/web", want: "allowed on TCP:80"},
	{rule: "a named port the destination does not declare admits nothing", policies: clientEgress, from: "dev/client", to: "prod/db", want: "denied"},
	{rule: "a named port must match the protocol (TCP asked, UDP declared)", policies: webIngress("[{ports: [{port: dns}]}]"), from: "dev/client", to: "prod/web", want: "denied"},
	{rule: "a named port of protocol UDP", policies: webIngress("[{ports: [{port: dns, protocol: UDP}]}]"), from: "dev/client", to: "prod/web", want: "allowed on UDP:5353"},
	{rule: "named ports admit nothing towards the internet", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]"), from: "prod/web", to: "internet", want: "denied"},
	{rule: "endPort opens a range", policies: webIngress("[{ports: [{port: 8000, endPort: 8100}]}]"), from: "dev/client", to: "prod/web", want: "allowed on TCP:8000-8100"},
	{rule: "a protocol without a port admits every port of that protocol", policies: webIngress("[{ports: [{protocol: UDP}]}]"), from: "dev/client", to: "prod/web", want: "allowed on UDP:all"},
	{rule: "rules of every policy that selects a pod add up", policies: dbFrom("[{podSelector: {matchLabels: {app: web}}}]\n      ports: [{port: 5432}]") + policy("prod", "db2", "  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 9000}]}]\n"), from: "prod/web", to: "prod/db", want: "allowed on TCP:5432,9000"},
	{rule: "egress of the source and ingress of the destination must both admit", policies: dbFrom("[{podSelector: {matchLabels: {app: web}}}]\n      ports: [{port: 5432}, {port: 6000}]") + webEgress("[{ports: [{port: 5432}]}]"), from: "prod/web", to: "prod/db", want: "allowed on TCP:5432"},
	{rule: "a denying egress wins over an admitting ingress", policies: webEgress("[]") + dbFrom("[{podSelector: {matchLabels: {app: web}}}]"), from: "prod/web", to: "prod/db", want: "denied"},

	// ipBlock, the internet and the metadata service.
	{rule: "ipBlock 0.0.0.0/0 admits the whole internet", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"), from: "prod/web", to: "internet", want: "allowed on all"},
	{rule: "ipBlock 0.0.0.0/0 holds the metadata address", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"), from: "prod/web", to: "cloud-metadata", want: "allowed on all"},
	{rule: "ipBlock 0.0.0.0/0 holds every pod address", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]"), from: "prod/web", to: "prod/db", want: "allowed on all"},
	{rule: "ipBlock except removes the metadata address", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]"), from: "prod/web", to: "cloud-metadata", want: "denied"},
	{rule: "ipBlock except of link-local addresses keeps the whole internet", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]"), from: "prod/web", to: "internet", want: "allowed on all"},
	{rule: "an ipBlock holding the link-local range holds the metadata address", policies: webEgress("[{to: [{ipBlock: {cidr: 169.254.0.0/16}}]}]"), from: "prod/web", to: "cloud-metadata", want: "allowed on all"},
	{rule: "ipBlock ::/0 holds the IPv6 metadata address", policies: webEgress("[{to: [{ipBlock: {cidr: '::/0'}}]}]"), from: "prod/web", to: "cloud-metadata", want: "allowed on all"},
	{rule: "a public CIDR admits part of the internet", policies: webEgress("[{to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]"), from: "prod/web", to: "internet", want: "allowed on all, for part of the internet's addresses only"},
	{rule: "a public CIDR holds no pod address", policies: webEgress("[{to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]"), from: "prod/web", to: "prod/db", want: "denied"},
	{rule: "an ipBlock over part of the cluster CIDRs may or may not hold a pod's address", policies: webEgress("[{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]"), from: "prod/web", to: "prod/db", want: "unknown (maybe all)"},
	{rule: "an ipBlock over every cluster CIDR holds the pod's address", policies: webEgress("[{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]"), from: "prod/web", to: "prod/db", want: "allowed on all", cidrs: []string{"10.32.0.0/16"}},
	{rule: "an ipBlock except inside the cluster CIDRs makes pods unknown", policies: webEgress("[{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]"), from: "prod/web", to: "prod/db", want: "unknown (maybe all)"},
	{rule: "an ipBlock admits sources from the internet", policies: dbFrom("[{ipBlock: {cidr: 0.0.0.0/0}}]\n      ports: [{port: 5432}]"), from: "internet", to: "prod/db", want: "allowed on TCP:5432"},
	{rule: "a pod not isolated for egress reaches the metadata service", from: "prod/web", to: "cloud-metadata", want: "allowed on all"},

	// Policies of other APIs (other scanners' false positives).
	{rule: "a Calico NetworkPolicy (crd.projectcalico.org) is not a Kubernetes NetworkPolicy", policies: "---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: prod}\nspec: {selector: all(), types: [Ingress]}\n", from: "dev/client", to: "prod/web", want: "allowed on all"},
	{rule: "a Calico NetworkPolicy (projectcalico.org/v3) is not a Kubernetes NetworkPolicy", policies: "---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: prod}\nspec: {selector: all(), types: [Ingress, Egress]}\n", from: "prod/web", to: "dev/client", want: "allowed on all"},
	{rule: "a CiliumNetworkPolicy is not a Kubernetes NetworkPolicy", policies: "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: deny, namespace: prod}\nspec: {endpointSelector: {}, ingress: [{}]}\n", from: "dev/client", to: "prod/db", want: "allowed on all"},
}

func TestPolicySemantics(t *testing.T) {
	if len(policyCases) < 40 {
		t.Fatalf("only %d policy cases", len(policyCases))
	}
	seen := map[string]bool{}
	for _, c := range policyCases {
		if seen[c.rule] {
			t.Fatalf("two cases exercise %q: name each after its rule", c.rule)
		}
		seen[c.rule] = true
		t.Run(c.rule, func(t *testing.T) {
			e := build(t, world+c.policies, c.cidrs...)
			from, to := endpoint(t, e, c.from), endpoint(t, e, c.to)
			if got := e.Reach(from, to).Summary(); got != c.want {
				t.Errorf("%s -> %s: got %q, want %q\n%s", c.from, c.to, got, c.want, ruleReasons(e.Explain(from, to)))
			}
		})
	}
}

// ruleReasons lists the rules an explanation evaluated, with their
// verdicts and reasons, for a failing case's message.
func ruleReasons(x *Explanation) string {
	var b strings.Builder
	for _, t := range []SideTrace{x.Egress, x.Ingress} {
		for _, rt := range t.Rules {
			fmt.Fprintf(&b, "  %s %s[%d]: %s; %s\n", rt.Rule.Policy.ID(), t.Direction, rt.Rule.Index, rt.Verdict, rt.Reason)
		}
	}
	return b.String()
}
