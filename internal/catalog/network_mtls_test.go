package catalog

import (
	"slices"
	"strings"
	"testing"
)

const meshWorld = `apiVersion: v1
kind: Namespace
metadata: {name: mesh, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: rev, labels: {istio.io/rev: canary}}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain}
---
apiVersion: v1
kind: Namespace
metadata: {name: ld, annotations: {linkerd.io/inject: enabled, config.linkerd.io/skip-inbound-ports: "25"}}
`

func meshDeployment(ns, name, labels, annotations, ports string) string {
	return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" +
		"  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name + labels + "}, annotations: {" + annotations + "}}\n" +
		"    spec: {containers: [{name: c, image: x, ports: [" + ports + "]}]}\n"
}

var meshWorkloads = meshDeployment("mesh", "a", "", "", "{containerPort: 8080}, {containerPort: 9090}") +
	meshDeployment("mesh", "b", ", sidecar.istio.io/inject: 'false'", "", "") +
	meshDeployment("rev", "c", "", "", "") +
	meshDeployment("plain", "d", "", "", "") +
	meshDeployment("plain", "e", ", sidecar.istio.io/inject: 'true'", "", "") +
	meshDeployment("ld", "f", "", "", "") +
	meshDeployment("ld", "g", "", "linkerd.io/inject: disabled", "") +
	meshDeployment("plain", "h", "", "linkerd.io/inject: enabled", "") +
	meshDeployment("plain", "i", "", "linkerd.io/inject: enabled, config.linkerd.io/skip-inbound-ports: '3306,4000-4010'", "")

func peerAuthentication(version, ns, name, spec string) string {
	return "---\napiVersion: security.istio.io/" + version + "\nkind: PeerAuthentication\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n" + spec
}

var meshStrict = peerAuthentication("v1", "istio-system", "default", "  mtls: {mode: STRICT}\n")

func reportedWorkloads(t *testing.T, extra, configYAML string) []string {
	t.Helper()
	var names []string
	for _, f := range scanWithSettings(t, "mtls-not-strict", meshWorld+meshWorkloads+extra, configYAML) {
		names = append(names, f.Object.Name())
	}
	slices.Sort(names)
	return names
}

func TestMTLSNotStrict(t *testing.T) {
	for _, c := range []struct {
		name, extra, config string
		want                []string
	}{
		{name: "no PeerAuthentication: Istio's default is PERMISSIVE, Linkerd's all-unauthenticated", want: []string{"a", "b", "c", "e", "f", "h", "i"}},
		{name: "mesh-wide STRICT in the root namespace", extra: meshStrict, want: []string{"b", "f", "h", "i"}},
		{name: "namespace PERMISSIVE overrides the mesh", extra: meshStrict + peerAuthentication("v1", "mesh", "ns", "  mtls: {mode: PERMISSIVE}\n"), want: []string{"a", "b", "f", "h", "i"}},
		{name: "namespace UNSET inherits the mesh", extra: meshStrict + peerAuthentication("v1", "mesh", "ns", "  mtls: {mode: UNSET}\n"), want: []string{"b", "f", "h", "i"}},
		{name: "workload DISABLE", extra: meshStrict + peerAuthentication("v1beta1", "rev", "c", "  selector: {matchLabels: {app: c}}\n  mtls: {mode: DISABLE}\n"), want: []string{"b", "c", "f", "h", "i"}},
		{name: "a port-level PERMISSIVE override", extra: meshStrict + peerAuthentication("v1", "mesh", "a", "  selector: {matchLabels: {app: a}}\n  portLevelMtls: {9090: {mode: PERMISSIVE}}\n"), want: []string{"a", "b", "f", "h", "i"}},
		{name: "port-level STRICT on every declared port counts", extra: peerAuthentication("v1", "mesh", "a", "  selector: {matchLabels: {app: a}}\n  mtls: {mode: PERMISSIVE}\n  portLevelMtls: {8080: {mode: STRICT}, 9090: {mode: STRICT}}\n") +
			peerAuthentication("v1", "rev", "ns", "  mtls: {mode: STRICT}\n") + peerAuthentication("v1", "plain", "ns", "  mtls: {mode: STRICT}\n"), want: []string{"b", "f", "h", "i"}},
		{name: "a selector that does not match leaves the namespace mode", extra: peerAuthentication("v1", "mesh", "x", "  selector: {matchLabels: {app: x}}\n  mtls: {mode: STRICT}\n") + meshStrict, want: []string{"b", "f", "h", "i"}},
		{name: "root namespace from the settings", extra: peerAuthentication("v1", "mesh-root", "default", "  mtls: {mode: STRICT}\n"), config: "settings:\n  mtls-not-strict:\n    rootNamespace: mesh-root\n", want: []string{"b", "f", "h", "i"}},
		{name: "other kinds named PeerAuthentication are ignored", extra: "---\napiVersion: example.com/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n", want: []string{"a", "b", "c", "e", "f", "h", "i"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := reportedWorkloads(t, c.extra, c.config); !slices.Equal(got, c.want) {
				t.Errorf("reported %v, want %v", got, c.want)
			}
		})
	}
}

func TestMTLSMessagesAndPaths(t *testing.T) {
	findings := scanText(t, "mtls-not-strict", meshWorld+meshWorkloads+meshStrict+
		peerAuthentication("v1", "mesh", "a", "  selector: {matchLabels: {app: a}}\n  portLevelMtls: {9090: {mode: PERMISSIVE}}\n"))
	byName := map[string]string{}
	for _, f := range findings {
		byName[f.Object.Name()] = f.Path + " | " + f.Message
	}
	for name, want := range map[string]string{
		"a": "spec.template.metadata | Deployment \"a\" is in the Istio mesh but accepts plaintext: port 9090 PERMISSIVE (PeerAuthentication mesh/a)",
		"b": "opts out of the Istio sidecar",
		"f": "spec.template.metadata | Deployment \"f\" is in the Linkerd mesh but accepts plaintext: ports 25 skip the proxy",
		"i": "spec.template.metadata.annotations[config.linkerd.io/skip-inbound-ports] | Deployment \"i\" is in the Linkerd mesh but accepts plaintext: ports 3306,4000-4010",
		"h": "spec.template.metadata | Deployment \"h\" is in the Linkerd mesh but accepts plaintext: the default inbound policy all-unauthenticated (Linkerd's default) admits plaintext on ports no Server covers",
	} {
		if !strings.Contains(byName[name], want) {
			t.Errorf("%s: got %q, want it to contain %q", name, byName[name], want)
		}
	}
}
