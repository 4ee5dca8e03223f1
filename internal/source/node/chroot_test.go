//go:build unix

package node

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/testutil"
)

// Contents that tell the snapshot's files from the host's.
const (
	snapshotKubelet = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 1111\n"
	hostKubelet     = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 9999\n"
	kubeletUnit     = "[Service]\nExecStart=/usr/bin/kubelet --config=%s\n"
)

// hostAndSnapshot writes the same files twice: once on the "host", under a
// directory outside the snapshot, with host contents, and once inside the
// snapshot at the host directory's absolute path, with snapshot contents. A
// link in the snapshot to the host directory's absolute path must read the
// snapshot's copy, as chroot would.
func hostAndSnapshot(t *testing.T, host, snapshot map[string]string) (hostDir, root string) {
	t.Helper()
	hostDir = testutil.WriteTree(t, host)
	rooted := map[string]string{}
	for p, content := range snapshot {
		rooted[strings.ReplaceAll(p, "$HOST", filepath.ToSlash(hostDir))] = content
	}
	return hostDir, testutil.WriteTree(t, rooted)
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// readOnlyPort returns readOnlyPort of the KubeletConfiguration read, or -1.
func readOnlyPort(t *testing.T, res source.Result) int64 {
	t.Helper()
	for _, o := range res.Objects {
		if o.Kind() != controlplane.KubeletConfigKind {
			continue
		}
		port, _, _ := unstructured.NestedInt64(o.Obj.(*unstructured.Unstructured).Object, "readOnlyPort")
		return port
	}
	return -1
}

func loadErrors(res source.Result) string {
	var lines []string
	for _, e := range res.Errors {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

func TestLoadResolvesLinksInsideTheRoot(t *testing.T) {
	cases := []struct {
		name string
		// link is the snapshot's kubelet config path's target; $HOST
		// stands for the host directory.
		link string
		// config is the --config flag's value; empty means the default path.
		config string
	}{
		{name: "absolute link", link: "$HOST/kubelet/config.yaml"},
		{name: "relative link climbing above the root", link: "../../../../../../../../../../../..$HOST/kubelet/config.yaml"},
		{name: "dot-dot in the flag", config: "/../../../../../../../../../..$HOST/kubelet/config.yaml"},
		{name: "absolute link to a parent directory", link: "$HOST/kubelet/../kubelet/config.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hostDir, root := hostAndSnapshot(t,
				map[string]string{"/kubelet/config.yaml": hostKubelet},
				map[string]string{"$HOST/kubelet/config.yaml": snapshotKubelet})
			config := tc.config
			if config == "" {
				config = defaultKubeletConf
			}
			config = strings.ReplaceAll(config, "$HOST", filepath.ToSlash(hostDir))
			unit := strings.Replace(kubeletUnit, "%s", config, 1)
			if err := os.MkdirAll(filepath.Join(root, "etc/systemd/system"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "etc/systemd/system/kubelet.service"), []byte(unit), 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.link != "" {
				symlink(t, strings.ReplaceAll(tc.link, "$HOST", filepath.ToSlash(hostDir)), filepath.Join(root, defaultKubeletConf))
			}
			res := Load(root, Options{})
			if port := readOnlyPort(t, res); port != 1111 {
				t.Errorf("readOnlyPort %d, want 1111 from the snapshot (9999 is the host's file); errors:\n%s", port, loadErrors(res))
			}
		})
	}
}

func TestLoadResolvesLinkedDirectoriesInsideTheRoot(t *testing.T) {
	apiServer := "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\n" +
		"spec: {containers: [{name: a, image: kube-apiserver:v1, command: [kube-apiserver, --secure-port=%s]}]}\n"
	hostDir, root := hostAndSnapshot(t,
		map[string]string{
			"/kubernetes/manifests/kube-apiserver.yaml": strings.Replace(apiServer, "%s", "9999", 1),
			"/kubernetes/kubelet.conf":                  "apiVersion: v1\nkind: Config\nclusters: {not: a list}\n",
			"/kubernetes/pki/ca.key":                    "host",
			"/hostname":                                 "host-name\n",
			"/system/kubelet.service.d/10-kubeadm.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --client-ca-file=/host.crt\n",
		},
		map[string]string{
			"$HOST/kubernetes/manifests/kube-apiserver.yaml": strings.Replace(apiServer, "%s", "1111", 1),
			"$HOST/kubernetes/kubelet.conf":                  "apiVersion: v1\nkind: Config\n",
			"$HOST/kubernetes/pki/ca.key":                    "snapshot",
			"$HOST/kubernetes/pki/sa.key":                    "snapshot",
			"$HOST/hostname":                                 "snapshot-name\n",
			"$HOST/system/kubelet.service.d/10-kubeadm.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --client-ca-file=/snapshot.crt\n",
			"/etc/systemd/system/kubelet.service":            "[Service]\nExecStart=/usr/bin/kubelet\n",
		})
	if err := os.Chmod(filepath.Join(hostDir, "kubernetes/pki/ca.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, hostDir+"/kubernetes", filepath.Join(root, "etc/kubernetes"))
	symlink(t, hostDir+"/hostname", filepath.Join(root, "etc/hostname"))
	symlink(t, hostDir+"/system/kubelet.service.d", filepath.Join(root, "etc/systemd/system/kubelet.service.d"))

	res := Load(root, Options{})
	if errs := loadErrors(res); errs != "" {
		t.Errorf("errors (the host's kubelet.conf does not parse, the snapshot's does):\n%s", errs)
	}
	var objs []any
	for _, o := range res.Objects {
		objs = append(objs, o.Obj)
	}
	h := host(t, objs)
	if h.Name != "snapshot-name" {
		t.Errorf("host name %q, want the snapshot's", h.Name)
	}
	if v, _ := h.KubeletFlags.Value("client-ca-file"); v != "/snapshot.crt" {
		t.Errorf("kubelet --client-ca-file %q, want the snapshot's drop-in", v)
	}
	if f := h.Files["/etc/kubernetes/pki/ca.key"]; !f.Exists || f.Mode != 0o600 {
		t.Errorf("ca.key state %+v, want the snapshot's mode 0600 (the host's is 0644)", f)
	}
	if f := h.Files["/etc/kubernetes/pki/sa.key"]; !f.Exists {
		t.Errorf("sa.key, only in the snapshot, is not listed: %v", h.Roles["pki"])
	}
	var port string
	for _, o := range res.Objects {
		if c := controlplane.ComponentOf(o); c != nil && c.Name == controlplane.APIServer {
			port, _ = c.Flags.Value("secure-port")
			if got := path.Clean(filepath.ToSlash(o.Source.File)); got != path.Join(filepath.ToSlash(root), ManifestsDir, "kube-apiserver.yaml") {
				t.Errorf("static pod named by %s, want its path under the root", got)
			}
		}
	}
	if port != "1111" {
		t.Errorf("kube-apiserver --secure-port %q, want 1111 from the snapshot's manifest", port)
	}
}

func TestLoadEndsSymlinkLoopsWithAnError(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{
		"/etc/systemd/system/kubelet.service": strings.Replace(kubeletUnit, "%s", defaultKubeletConf, 1),
	})
	symlink(t, "/var/lib/kubelet/b.yaml", filepath.Join(root, "var/lib/kubelet/config.yaml"))
	symlink(t, "config.yaml", filepath.Join(root, "var/lib/kubelet/b.yaml"))
	symlink(t, "/etc/cni/net.d", filepath.Join(root, "etc/cni/net.d"))
	res := Load(root, Options{})
	errs := loadErrors(res)
	for _, want := range []string{defaultKubeletConf + ": too many levels of symbolic links", defaultCNIConfDir + ": too many levels of symbolic links"} {
		if !strings.Contains(errs, want) {
			t.Errorf("a link loop should be an error %q, got:\n%s", want, errs)
		}
	}
}

func TestLoadRefusesWhatIsNotARegularFile(t *testing.T) {
	root := testutil.WriteTree(t, map[string]string{
		"/etc/systemd/system/kubelet.service": strings.Replace(kubeletUnit, "%s", defaultKubeletConf, 1),
	})
	if err := os.MkdirAll(filepath.Join(root, "var/lib/kubelet"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Opening a FIFO for reading blocks until a writer comes: never.
	if err := syscall.Mkfifo(filepath.Join(root, defaultKubeletConf), 0o600); err != nil {
		t.Fatal(err)
	}
	errs := loadErrors(Load(root, Options{}))
	if want := defaultKubeletConf + ": not a regular file"; !strings.Contains(errs, want) {
		t.Errorf("a FIFO should be an error %q, got:\n%s", want, errs)
	}
}

func TestLoadRefusesAFileTooLargeToBeConfiguration(t *testing.T) {
	const unit = "/etc/systemd/system/kubelet.service"
	root := testutil.WriteTree(t, map[string]string{
		unit:               strings.Replace(kubeletUnit, "%s", defaultKubeletConf, 1),
		defaultKubeletConf: snapshotKubelet,
	})
	// A sparse file: its size costs no disk.
	if err := os.Truncate(filepath.Join(root, unit), maxNodeFileBytes+1); err != nil {
		t.Fatal(err)
	}
	errs := loadErrors(Load(root, Options{}))
	if want := unit + ": larger than 16 MiB"; !strings.Contains(errs, want) {
		t.Errorf("an oversized unit file should be an error %q, got:\n%s", want, errs)
	}
}
