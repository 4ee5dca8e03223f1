package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/cluster"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

// rbacFlags are shared by the rbac subcommands.
type rbacFlags struct {
	files       []string
	namespace   string
	output      string
	kubeVersion string
	cluster     *clusterFlags
}

func (f *rbacFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.files, "filename", "f", nil, "manifests to read: a file, a directory (searched recursively) or - for standard input; repeatable")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(report.RBACFormats(), " or "))
	addKubernetesVersionFlag(fl, &f.kubeVersion)
	f.cluster = newClusterFlags()
	// -n is the namespace of the question, not a limit on what is read:
	// a live cluster's RBAC objects are read in every namespace.
	f.cluster.config.Namespace = nil
	f.cluster.addConnectionFlags(fl, "read the RBAC objects of the live cluster (read-only) instead of files; --cluster=NAME uses that kubeconfig cluster")
}

// rbacResources are the resources the rbac commands read from a cluster.
func rbacResources() []cluster.Resource {
	var out []cluster.Resource
	for _, r := range cluster.Resources {
		if r.Group == rbacv1.GroupName {
			out = append(out, r)
		}
	}
	return out
}

func newRBACCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rbac",
		Short: "Compute effective RBAC permissions: who can do what",
		Long: "Evaluate the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings of the manifests (-f), or of\n" +
			"the live cluster (--cluster, read-only), as the\n" +
			"Kubernetes RBAC authorizer does: wildcards, subresources, resourceNames, non-resource URLs,\n" +
			"aggregated ClusterRoles, service account groups, and system:masters as a superuser.\n" +
			"A binding to a role the manifests lack uses the role the Kubernetes API server ships under that name\n" +
			"(cluster-admin, admin, edit, view, system:*; --kubernetes-version picks the version); a binding to\n" +
			"any other missing role grants nothing that kube4c can see, and is listed as a warning.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newWhoCanCommand(g), newCanCommand(g))
	return cmd
}

// loadRBAC reads the manifests and resolves their RBAC objects, printing
// input errors and warnings on stderr. It reports whether input errors
// were met.
func loadRBAC(cmd *cobra.Command, g *globalFlags, f *rbacFlags) (*rbac.Engine, bool, error) {
	if !contains(report.RBACFormats(), f.output) {
		return nil, false, usageError("unknown output format %q (want %s)", f.output, strings.Join(report.RBACFormats(), " or "))
	}
	f.cluster.resolve(cmd.Flags())
	switch {
	case f.cluster.enabled && len(f.files) > 0:
		return nil, false, usageError("read either files (-f) or the live cluster (--cluster), not both")
	case !f.cluster.enabled && len(f.files) == 0:
		return nil, false, usageError("say where the RBAC objects are: -f FILE|DIR|- or --cluster")
	}
	builtin, err := pipeline.BuiltinRBAC(f.kubeVersion)
	if err != nil {
		return nil, false, usageError("%v", err)
	}
	loaded, err := readRBACObjects(cmd, f)
	if err != nil {
		return nil, false, err
	}
	e := rbac.New(inventory.New(loaded.Objects), rbac.Options{Builtin: builtin})
	stderr := cmd.ErrOrStderr()
	for _, p := range loaded.Errors {
		fmt.Fprintln(stderr, "error:", report.SafeText(p.Error()))
	}
	if !g.quiet {
		for _, w := range e.Warnings() {
			fmt.Fprintln(stderr, "warning:", report.SafeText(w))
		}
		if missing := missingRoles(e); len(missing) > 0 {
			fmt.Fprintf(stderr, "warning: %d bindings refer to roles that are not in the input, so what they grant is unknown: %s\n",
				len(missing), report.SafeText(strings.Join(missing, ", ")))
		}
	}
	return e, len(loaded.Errors) > 0, nil
}

// readRBACObjects reads the objects from the files, or the RBAC objects of
// the live cluster. An answer from a cluster whose RBAC objects could not
// all be listed would miss grants: that is an error.
func readRBACObjects(cmd *cobra.Command, f *rbacFlags) (source.Result, error) {
	if !f.cluster.enabled {
		return manifest.Load(f.files, manifest.Options{Stdin: cmd.InOrStdin()}), nil
	}
	res, err := f.cluster.collect(cmd.Context(), rbacResources())
	if err != nil {
		return source.Result{}, err
	}
	for _, s := range res.Statuses {
		if s.State != cluster.Collected {
			return source.Result{}, &exitError{code: ExitError, err: fmt.Errorf("cannot list %s (%s): the answer would miss what they grant: %v",
				s.Resource.Resource, s.State, s.Err)}
		}
	}
	return res.Result, nil
}

// missingRoles lists the role references that resolve to nothing, with
// how many bindings make each.
func missingRoles(e *rbac.Engine) []string {
	count := map[string]int{}
	var order []string
	for _, b := range e.Bindings() {
		if b.Role != nil {
			continue
		}
		ref := b.RoleRefString()
		if b.RoleRef.Kind == rbac.KindRole && b.Namespace != "" {
			ref = b.RoleRef.Kind + "/" + b.Namespace + "/" + b.RoleRef.Name
		}
		if count[ref] == 0 {
			order = append(order, ref)
		}
		count[ref]++
	}
	for i, ref := range order {
		if n := count[ref]; n > 1 {
			order[i] = fmt.Sprintf("%s (%d)", ref, n)
		}
	}
	return order
}

// writeOutput buffers what write prints and maps failures to exit codes;
// inputErrors makes the exit code 2 after the output.
func writeOutput(cmd *cobra.Command, inputErrors bool, write func(w io.Writer) error) error {
	w := bufio.NewWriter(cmd.OutOrStdout())
	if err := write(w); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if err := w.Flush(); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if inputErrors {
		return &exitError{code: ExitError}
	}
	return nil
}
