package catalog

import (
	"strconv"

	"github.com/kube4c/kube4c/internal/check"
)

// tlsCovers reports whether a tls section covers host. An entry without
// hosts covers every host (the controller's default certificate); a
// wildcard "*.example.com" covers one label below example.com.
func tlsCovers(tls [][]string, host string) bool {
	for _, hosts := range tls {
		if len(hosts) == 0 {
			return true
		}
		for _, h := range hosts {
			if h == host || matchesWildcard(h, host) {
				return true
			}
		}
	}
	return false
}

func matchesWildcard(pattern, host string) bool {
	if len(pattern) < 3 || pattern[:2] != "*." || host == "" {
		return false
	}
	suffix := pattern[1:] // ".example.com"
	if len(host) <= len(suffix) || host[len(host)-len(suffix):] != suffix {
		return false
	}
	label := host[:len(host)-len(suffix)]
	for i := 0; i < len(label); i++ {
		if label[i] == '.' {
			return false
		}
	}
	return true
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "ingress-no-tls",
			Title:    "Ingress serves plain HTTP",
			Layer:    check.LayerCode,
			Reads:    []string{"Ingress"},
			Severity: check.Medium,
			Looks:    "spec.tls of every Ingress, and whether it covers the host of each rule.",
			Rationale: "Without TLS, requests and responses, including credentials and session cookies, cross " +
				"the network in clear text and can be read or changed by anyone on the path.",
			Remediation: "Add a spec.tls entry that covers every host of the Ingress, with a certificate " +
				"Secret (for example issued by cert-manager), and redirect HTTP to HTTPS in the controller.",
			Example: `spec:
  tls:
    - hosts: ["shop.example.com"]
      secretName: shop-example-com-tls`,
			References: check.References{
				NSA:   []string{"Network separation and hardening: Encryption"},
				MITRE: []string{"T1040", "T1557"},
				URLs:  []string{"https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.ByKind("Ingress") {
				v, ok := viewIngress(obj.Obj)
				if !ok {
					continue
				}
				hosts, tls := v.hosts, v.tls
				name := quote(obj.Name())
				if len(tls) == 0 {
					ctx.Report(obj, "spec.tls", "Ingress "+name+" has no tls section: traffic to it is plain HTTP; add spec.tls with a certificate for its hosts")
					continue
				}
				for i, h := range hosts {
					if h != "" && !tlsCovers(tls, h) {
						ctx.Report(obj, "spec.rules["+strconv.Itoa(i)+"].host", "host "+quote(h)+" of Ingress "+name+
							" is not listed in spec.tls: it is served over plain HTTP; add it to a tls entry")
					}
				}
			}
		},
	})
}
