package fix

import (
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

const pod = `# the web pod
apiVersion: v1
kind: Pod
metadata:
  name: web   # keep this comment
spec:
  containers:
  - name: app
    image: "nginx:1.27"
    imagePullPolicy: 'IfNotPresent'
    securityContext:
      allowPrivilegeEscalation: true

      capabilities:
        drop:
          - NET_RAW
  - name: sidecar
    image: busybox
    command:
      - sh
      - -c
      - |
        echo one
        echo two
# trailing comment
`

func set(path string, v any) check.Patch { return check.Patch{Path: path, Value: v} }

func TestPlanFile(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		root    int
		patches []check.Patch
		want    string // the fixed file; "" when every patch is refused
		refused string // a part of the refusal reason
	}{
		{
			name: "replace a plain scalar, keep the rest byte for byte",
			src:  pod, root: 2,
			patches: []check.Patch{set("spec.containers[0].securityContext.allowPrivilegeEscalation", false)},
			want:    strings.Replace(pod, "allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false", 1),
		},
		{
			name: "replace a quoted scalar, keep its quotes",
			src:  pod, root: 2,
			patches: []check.Patch{set("spec.containers[0].imagePullPolicy", "Always")},
			want:    strings.Replace(pod, "'IfNotPresent'", "'Always'", 1),
		},
		{
			name: "add to a block list under its last item",
			src:  pod, root: 2,
			patches: []check.Patch{{Path: "spec.containers[0].securityContext.capabilities.drop", Value: "ALL", Append: true}},
			want:    strings.Replace(pod, "          - NET_RAW\n", "          - NET_RAW\n          - ALL\n", 1),
		},
		{
			name: "new keys after a block scalar, merged under one new mapping",
			src:  pod, root: 2,
			patches: []check.Patch{
				set("spec.containers[1].securityContext.allowPrivilegeEscalation", false),
				set("spec.containers[1].securityContext.readOnlyRootFilesystem", true),
				{Path: "spec.containers[1].securityContext.capabilities.drop", Value: "ALL", Append: true},
			},
			want: strings.Replace(pod, "        echo two\n", "        echo two\n    securityContext:\n      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n      capabilities:\n        drop: [\"ALL\"]\n", 1),
		},
		{
			name: "a key into an existing mapping that ends in a nested list",
			src:  pod, root: 2,
			patches: []check.Patch{
				set("spec.containers[0].securityContext.readOnlyRootFilesystem", true),
				{Path: "spec.containers[0].securityContext.capabilities.drop", Value: "ALL", Append: true},
			},
			want: strings.Replace(pod, "          - NET_RAW\n", "          - NET_RAW\n          - ALL\n      readOnlyRootFilesystem: true\n", 1),
		},
		{
			name: "pod-level field",
			src:  pod, root: 2,
			patches: []check.Patch{{Path: "spec.automountServiceAccountToken", Value: false, IfAbsent: true}},
			want:    strings.Replace(pod, "# trailing comment\n", "  automountServiceAccountToken: false\n# trailing comment\n", 1),
		},
		{
			name:    "CRLF line ends",
			src:     "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - name: a\r\n    image: x\r\n",
			root:    1,
			patches: []check.Patch{set("spec.containers[0].securityContext.runAsNonRoot", true)},
			want:    "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - name: a\r\n    image: x\r\n    securityContext:\r\n      runAsNonRoot: true\r\n",
		},
		{
			name:    "no line end at the end of the file, four-space indentation",
			src:     "kind: Pod\nspec:\n    containers:\n        -   name: a\n            image: x",
			root:    1,
			patches: []check.Patch{set("spec.containers[0].securityContext.seccompProfile.type", "RuntimeDefault")},
			want:    "kind: Pod\nspec:\n    containers:\n        -   name: a\n            image: x\n            securityContext:\n                seccompProfile:\n                    type: RuntimeDefault",
		},
		{
			name:    "an empty flow mapping is replaced, its comment kept",
			src:     "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext: {}  # empty\n",
			root:    1,
			patches: []check.Patch{set("spec.containers[0].securityContext.allowPrivilegeEscalation", false)},
			want:    "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      allowPrivilegeEscalation: false  # empty\n",
		},
		{
			name:    "an empty value",
			src:     "kind: Pod\nspec:\n  securityContext:\n  containers: []\n",
			root:    1,
			patches: []check.Patch{set("spec.securityContext.runAsNonRoot", true)},
			want:    "kind: Pod\nspec:\n  securityContext:\n    runAsNonRoot: true\n  containers: []\n",
		},
		{
			name: "an empty value on the last line, with no line end, and a key after it",
			src:  "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:",
			root: 1,
			patches: []check.Patch{
				set("spec.containers[0].securityContext.runAsNonRoot", true),
				{Path: "spec.automountServiceAccountToken", Value: false, IfAbsent: true},
			},
			want: "kind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      runAsNonRoot: true\n  automountServiceAccountToken: false",
		},
		{
			name:    "a null field gets its value",
			src:     "kind: Pod\nspec:\n  automountServiceAccountToken: null\n",
			root:    1,
			patches: []check.Patch{{Path: "spec.automountServiceAccountToken", Value: false, IfAbsent: true}},
			want:    "kind: Pod\nspec:\n  automountServiceAccountToken: false\n",
		},
		{
			name:    "a flow list gets the item first",
			src:     `{"kind": "Pod", "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}]}}`,
			root:    1,
			patches: []check.Patch{{Path: "spec.containers[0].securityContext.capabilities.drop", Value: "ALL", Append: true}},
			want:    `{"kind": "Pod", "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW", "ALL"]}}}]}}`,
		},
		{
			name:    "a JSON value is replaced",
			src:     `{"kind": "Pod", "spec": {"containers": [{"name": "a", "imagePullPolicy": "Never"}]}}`,
			root:    1,
			patches: []check.Patch{set("spec.containers[0].imagePullPolicy", "Always")},
			want:    `{"kind": "Pod", "spec": {"containers": [{"name": "a", "imagePullPolicy": "Always"}]}}`,
		},
		{
			name:    "a flow mapping that would have to grow is refused",
			src:     `{"kind": "Pod", "spec": {"containers": [{"name": "a"}]}}`,
			root:    1,
			patches: []check.Patch{set("spec.containers[0].securityContext.runAsNonRoot", true)},
			refused: "flow style",
		},
		{
			name:    "a path through an anchor is refused",
			src:     "kind: Pod\nspec:\n  containers:\n  - &app\n    name: a\n  initContainers:\n  - *app\n",
			root:    1,
			patches: []check.Patch{set("spec.containers[0].securityContext.runAsNonRoot", true)},
			refused: "anchor or alias",
		},
		{
			name:    "a merge key is refused",
			src:     "base: &b {x: 1}\nkind: Pod\nspec:\n  <<: *b\n",
			root:    1,
			patches: []check.Patch{set("spec.automountServiceAccountToken", false)},
			refused: "merge key",
		},
		{
			name:    "a template directive is refused",
			src:     "kind: Pod\nspec:\n  containers:\n  - name: a\n    {{- with .Values.securityContext }}\n    securityContext: x\n    {{- end }}\n",
			root:    1,
			patches: []check.Patch{set("spec.containers[0].securityContext.runAsNonRoot", true)},
			refused: "line 5 starts with {{",
		},
		{
			name:    "a placeholder inside a value stays as it is",
			src:     "kind: Pod\nspec:\n  containers:\n  - name: a\n    args:\n    - --target={{.Target}}\n",
			root:    1,
			patches: []check.Patch{set("spec.containers[0].imagePullPolicy", "Always")},
			want:    "kind: Pod\nspec:\n  containers:\n  - name: a\n    args:\n    - --target={{.Target}}\n    imagePullPolicy: Always\n",
		},
		{
			name:    "a value set on purpose is left alone",
			src:     "kind: Pod\nspec:\n  automountServiceAccountToken: true\n",
			root:    1,
			patches: []check.Patch{{Path: "spec.automountServiceAccountToken", Value: false, IfAbsent: true}},
			refused: "on purpose",
		},
		{
			name:    "a second document and a List item",
			src:     "kind: ConfigMap\n---\n# list\nkind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - name: a\n---\nkind: Secret\n",
			root:    4,
			patches: []check.Patch{set("spec.containers[0].imagePullPolicy", "Always")},
			want:    "kind: ConfigMap\n---\n# list\nkind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - name: a\n      imagePullPolicy: Always\n---\nkind: Secret\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var targets []Target
			for _, p := range tt.patches {
				tg := Target{RootLine: tt.root, Patch: p}
				if strings.Contains(tt.src, "kind: List") {
					tg.Prefix = "items[0]"
				}
				targets = append(targets, tg)
			}
			plan := PlanFile([]byte(tt.src), targets)
			if tt.want == "" {
				if len(plan.Refused) != len(targets) || !strings.Contains(plan.Refused[0].Reason, tt.refused) {
					t.Fatalf("refused = %+v, want every target refused with %q", plan.Refused, tt.refused)
				}
				if string(plan.Fixed) != tt.src || len(plan.Edits) != 0 {
					t.Errorf("a refused plan changed the file:\n%s", plan.Fixed)
				}
				return
			}
			for _, r := range plan.Refused {
				t.Errorf("refused %s: %s", r.Target.Patch, r.Reason)
			}
			if got := string(plan.Fixed); got != tt.want {
				t.Errorf("fixed:\n%s\nwant:\n%s", got, tt.want)
			}
			if len(plan.Applied) != len(targets) {
				t.Errorf("applied %d of %d", len(plan.Applied), len(targets))
			}
		})
	}
}

// TestPlanFileAlreadyFixed: a target whose field already holds the value
// needs no edit.
func TestPlanFileAlreadyFixed(t *testing.T) {
	plan := PlanFile([]byte(pod), []Target{
		{RootLine: 2, Patch: set("spec.containers[1].image", "busybox")},
		{RootLine: 2, Patch: check.Patch{Path: "spec.containers[0].securityContext.capabilities.drop", Value: "NET_RAW", Append: true}},
	})
	if len(plan.Edits) != 0 || len(plan.Applied) != 2 || string(plan.Fixed) != pod {
		t.Errorf("plan = %+v", plan)
	}
}

// TestPlanFileBrokenFile: a file that does not parse is not edited.
func TestPlanFileBrokenFile(t *testing.T) {
	src := "kind: Pod\nspec:\n  containers: [\n"
	plan := PlanFile([]byte(src), []Target{{RootLine: 1, Patch: set("spec.automountServiceAccountToken", false)}})
	if len(plan.Refused) != 1 || !strings.Contains(plan.Refused[0].Reason, "does not parse") {
		t.Errorf("refused = %+v", plan.Refused)
	}
}

// TestPropose: each target's fix on its own, in lines and columns
// (characters, not bytes).
func TestPropose(t *testing.T) {
	src := "kind: Pod # é\nspec:\n  containers:\n  - name: é\n    imagePullPolicy: Never\n"
	props := Propose([]byte(src), []Target{
		{RootLine: 1, Patch: set("spec.containers[0].imagePullPolicy", "Always")},
		{RootLine: 1, Patch: set("spec.containers[0].securityContext.runAsNonRoot", true)},
		{RootLine: 1, Patch: set("spec.containers[1].imagePullPolicy", "Always")}, // no such container
	})
	if len(props) != 2 {
		t.Fatalf("proposals = %+v", props)
	}
	want := []Replacement{
		{StartLine: 5, StartColumn: 22, EndLine: 5, EndColumn: 27, Text: "Always"},
		{StartLine: 6, StartColumn: 1, EndLine: 6, EndColumn: 1, Text: "    securityContext:\n      runAsNonRoot: true\n"},
	}
	for i, p := range props {
		if len(p.Replacements) != 1 || p.Replacements[0] != want[i] {
			t.Errorf("proposal %d = %+v, want %+v", i, p.Replacements, want[i])
		}
	}
}
