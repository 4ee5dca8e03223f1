package catalog

import "testing"

func TestIngressNoTLS(t *testing.T) {
	ing := func(apiVersion, tls string) string {
		return `apiVersion: ` + apiVersion + `
kind: Ingress
metadata: {name: i}
spec:
  rules:
    - host: a.example.com
    - host: b.example.com
` + tls
	}
	expectFindings(t, scanText(t, "ingress-no-tls", ing("networking.k8s.io/v1", "")), "spec.tls")
	expectFindings(t, scanText(t, "ingress-no-tls", ing("extensions/v1beta1", "")), "spec.tls")
	expectFindings(t, scanText(t, "ingress-no-tls", ing("networking.k8s.io/v1", "  tls: [{hosts: [a.example.com], secretName: s}]\n")),
		"spec.rules[1].host")
	// Near misses: every host covered, by name, by wildcard, or by a tls
	// entry without hosts (the controller's default certificate).
	expectFindings(t, scanText(t, "ingress-no-tls", ing("networking.k8s.io/v1", "  tls: [{hosts: [a.example.com, b.example.com]}]\n")))
	expectFindings(t, scanText(t, "ingress-no-tls", ing("networking.k8s.io/v1", "  tls: [{hosts: [\"*.example.com\"]}]\n")))
	expectFindings(t, scanText(t, "ingress-no-tls", ing("networking.k8s.io/v1", "  tls: [{secretName: default}]\n")))
}

func TestWildcardHostMatching(t *testing.T) {
	for _, c := range []struct {
		pattern, host string
		want          bool
	}{
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "a.b.example.com", false},
		{"*.example.com", "example.com", false},
		{"*.example.com", ".example.com", false},
		{"a.example.com", "a.example.com", false},
	} {
		if got := matchesWildcard(c.pattern, c.host); got != c.want {
			t.Errorf("matchesWildcard(%q, %q) = %v", c.pattern, c.host, got)
		}
	}
}
