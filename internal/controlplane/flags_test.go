package controlplane

import (
	"slices"
	"testing"
)

func TestParseFlags(t *testing.T) {
	f := ParseFlags([]string{
		"kube-apiserver", "--a=1", "--b", "2", "--profiling", "false", "--bare", "--enable-admission-plugins=X,Y",
		"--enable-admission-plugins", "Z", "--a=3", "-v=2", "--feature-gates=Foo=true, Bar=false", "--empty=", "--event-qps", "-1",
	})
	for _, tt := range []struct {
		name, want string
		set        bool
	}{
		{"a", "3", true},            // the last occurrence wins
		{"b", "2", true},            // --flag value
		{"profiling", "true", true}, // a boolean never takes the next argument
		{"bare", "true", true},      // bare boolean
		{"v", "2", true},            // single dash
		{"empty", "", true},
		{"event-qps", "-1", true}, // a negative number is a value
		{"missing", "", false},
	} {
		if got, ok := f.Value(tt.name); got != tt.want || ok != tt.set {
			t.Errorf("%s = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.set)
		}
	}
	if got := f.List("enable-admission-plugins"); !slices.Equal(got, []string{"X", "Y", "Z"}) {
		t.Errorf("repeated comma-joined flag = %v", got)
	}
	if on, set := f.Gate("Bar"); on || !set {
		t.Errorf("gate Bar = %v, %v; want false, true", on, set)
	}
	if _, set := f.Gate("Baz"); set {
		t.Error("unset gate reported as set")
	}
	if f.Has("empty") || !f.Bool("bare", false) || f.Bool("b", true) != true {
		t.Error("Has or Bool misread a flag")
	}
	if fl, _ := f.Last("b"); fl.Index != 2 {
		t.Errorf("--b at index %d, want 2 (where the flag is written)", fl.Index)
	}
}

func TestExpandExecStart(t *testing.T) {
	units := []UnitFile{
		{Path: "/lib/systemd/system/kubelet.service", Text: "[Service]\nExecStart=/usr/bin/kubelet --old\n"},
		{Path: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", Text: `[Service]
# comment
Environment="A=--config=/var/lib/kubelet/config.yaml" "B=--v=2"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/missing
ExecStart=
ExecStart=/usr/bin/kubelet $A ${B} \
  $KUBELET_KUBEADM_ARGS --node-ip="10.0.0.1"
`},
	}
	env := map[string]string{"/var/lib/kubelet/kubeadm-flags.env": `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd.sock --read-only-port=0"` + "\n# B=ignored\n"}
	cmd := ExpandExecStart(units, func(p string) (string, error) {
		if text, ok := env[p]; ok {
			return text, nil
		}
		return "", errMissing
	})
	want := []string{"--config=/var/lib/kubelet/config.yaml", "--v=2", "--container-runtime-endpoint=unix:///run/containerd.sock", "--read-only-port=0", "--node-ip=10.0.0.1"}
	if !slices.Equal(cmd.Args, want) {
		t.Errorf("args = %q\nwant   %q", cmd.Args, want)
	}
	if cmd.From != units[1].Path {
		t.Errorf("ExecStart from %s, want the drop-in", cmd.From)
	}
}

type missingError struct{}

func (missingError) Error() string { return "missing" }

var errMissing = missingError{}
