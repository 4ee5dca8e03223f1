package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/fix"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

type fixFlags struct {
	scan   scanFlags
	diff   bool
	dryRun bool
}

func newFixCommand(g *globalFlags) *cobra.Command {
	f := &fixFlags{scan: scanFlags{output: "table", failOn: "none", cluster: newClusterFlags()}}
	cmd := &cobra.Command{
		Use:   "fix PATH...",
		Short: "Apply the mechanical fixes of findings to manifest files, keeping everything else byte for byte",
		Long: "Scan the manifests and, for the findings that have a safe mechanical fix (kube4c checks marks them),\n" +
			"edit the files in place: a value replaced where the field is set, a few lines inserted where it is not.\n" +
			"Nothing else in the file changes: comments, key order, quoting, indentation, CRLF line ends and the\n" +
			"other documents stay as they were. Edits that would be ambiguous are refused with the reason (anchors\n" +
			"and aliases, merge keys, flow-style mappings that would have to grow, Helm templates, files that do not\n" +
			"parse). Each file is proven before it is written (it must decode to the same objects plus the intended\n" +
			"fields) and written atomically; then the files are scanned again to show the fixed findings are gone.\n" +
			"Findings an exception suppresses are not fixed.\n\n" +
			"Exit codes: 0; 1 when a fixed finding is still reported after the fix; 2 on a usage, config or input error.",
		Example: "  kube4c fix --diff ./deploy      # show the changes as a unified diff, write nothing\n" +
			"  kube4c fix --dry-run ./deploy   # list what would be fixed and refused\n" +
			"  kube4c fix ./deploy             # edit the files",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFix(cmd, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.diff, "diff", false, "print the changes as a unified diff instead of writing the files")
	fl.BoolVar(&f.dryRun, "dry-run", false, "list what would be fixed and refused; write nothing")
	fl.StringVar(&f.scan.configPath, "config", "", "config file (default: .kube4c.yaml in the scanned path or a parent directory)")
	fl.StringSliceVar(&f.scan.checks, "checks", nil, "fix only the findings of these check IDs (comma-separated)")
	fl.StringSliceVar(&f.scan.skipChecks, "skip-checks", nil, "do not fix the findings of these check IDs (comma-separated)")
	return cmd
}

// fileFix is the plan for one file.
type fileFix struct {
	path string
	plan *fix.Plan
}

func runFix(cmd *cobra.Command, g *globalFlags, f *fixFlags, paths []string) error {
	if slices.Contains(paths, manifest.Stdin) {
		return usageError("fix edits files: standard input (-) cannot be fixed; use kube4c scan for it")
	}
	plan, err := f.scan.plan(paths, func(c *check.Check) bool { return c.Fix != nil })
	if err != nil {
		return err
	}
	run, err := planFixes(cmd, plan, paths)
	if err != nil {
		return err
	}
	a, files, refused := run.analysis, run.files, run.refused

	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	summary := out
	if f.diff {
		summary = errOut // standard output is the patch
		for _, ff := range files {
			if err := writeDiff(out, ff); err != nil {
				return &exitError{code: ExitError, err: err}
			}
		}
	}
	write := !f.diff && !f.dryRun
	applied, changed := 0, 0
	for _, ff := range files {
		if len(ff.plan.Edits) > 0 {
			changed++
			if write {
				if err := writeAtomically(ff.path, ff.plan.Fixed); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			}
		}
		applied += len(ff.plan.Applied)
	}
	verb := "would fix"
	if write {
		verb = "fixed"
	}
	if !g.quiet {
		listFixes(summary, verb, files, refused)
	}
	fmt.Fprintf(summary, "%s %d %s in %d %s; refused %d.\n", verb, applied, report.Plural(applied, "finding", "findings"),
		changed, report.Plural(changed, "file", "files"), len(refused))
	for _, e := range a.Input.Errors {
		fmt.Fprintln(errOut, "error:", report.SafeText(e.Error()))
	}
	if write && changed > 0 {
		if err := rescan(cmd, plan, paths, files, summary); err != nil {
			return err
		}
	}
	if len(a.Input.Errors) > 0 || len(a.Failures) > 0 {
		return &exitError{code: ExitError}
	}
	return nil
}

// fixRun is what kube4c fix works out before it writes anything.
type fixRun struct {
	analysis *pipeline.Analysis
	files    []fileFix // the files with targets, by path
	refused  []fix.Refusal
}

// planFixes scans paths and plans the fix of every file with fixable
// findings.
func planFixes(cmd *cobra.Command, plan *pipeline.Plan, paths []string) (*fixRun, error) {
	a, err := plan.Analyze(cmd.Context(), pipeline.Request{Source: pipeline.Files{Paths: paths}})
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	byFile, refused := fix.Targets(a.Kept, check.Default.Get)
	var files []fileFix
	for _, name := range slices.Sorted(maps.Keys(byFile)) {
		if fix.InHelmChart(name) {
			for _, t := range byFile[name] {
				refused = append(refused, fix.Refusal{Target: t, Reason: "the file is a template of a Helm chart; fix the chart's values or template instead"})
			}
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			for _, t := range byFile[name] {
				refused = append(refused, fix.Refusal{Target: t, Reason: err.Error()})
			}
			continue
		}
		p := fix.PlanFile(src, byFile[name])
		refused = append(refused, p.Refused...)
		files = append(files, fileFix{name, p})
	}
	return &fixRun{analysis: a, files: files, refused: refused}, nil
}

// listFixes prints each fix made (verb: "fixed", or "would fix" when
// nothing is written) and each refused, by file and line.
func listFixes(w io.Writer, verb string, files []fileFix, refused []fix.Refusal) {
	for _, ff := range files {
		for _, t := range ff.plan.Applied {
			fmt.Fprintf(w, "%-9s  %s  %s  %s: %s\n", verb, report.SafeText(t.Finding.Location.String()), report.SafeText(t.Finding.Object.Ref().String()),
				t.Finding.CheckID, report.SafeText(t.Patch.String()))
		}
	}
	slices.SortStableFunc(refused, func(a, b fix.Refusal) int {
		return cmp.Or(cmp.Compare(a.Target.Finding.Location.File, b.Target.Finding.Location.File),
			cmp.Compare(a.Target.Finding.Location.Line, b.Target.Finding.Location.Line))
	})
	for _, r := range refused {
		f := r.Target.Finding
		ref := ""
		if f.Object != nil {
			ref = f.Object.Ref().String()
		}
		fmt.Fprintf(w, "%-9s  %s  %s  %s: %s\n", "refused", report.SafeText(f.Location.String()), report.SafeText(ref), f.CheckID, report.SafeText(r.Reason))
	}
}

// writeDiff prints the unified diff of one file's plan.
func writeDiff(w io.Writer, ff fileFix) error {
	if len(ff.plan.Edits) == 0 {
		return nil
	}
	// git's a/ and b/ prefixes for relative paths (git apply, patch -p1);
	// an absolute path as it is (patch -p0).
	from, to := filepath.ToSlash(ff.path), filepath.ToSlash(ff.path)
	if !filepath.IsAbs(ff.path) {
		from, to = "a/"+from, "b/"+to
	}
	return difflib.WriteUnifiedDiff(w, difflib.UnifiedDiff{
		A: difflib.SplitLines(string(ff.plan.Original)), B: difflib.SplitLines(string(ff.plan.Fixed)),
		FromFile: from, ToFile: to, Context: 3,
	})
}

// writeAtomically replaces a file's content through a temporary file in
// its directory, keeping its mode: a reader sees the old or the new file,
// never a part.
func writeAtomically(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".kube4c-*")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return nil
}

// rescan scans the changed files again and says whether any fixed finding
// is still reported: it must not be.
func rescan(cmd *cobra.Command, plan *pipeline.Plan, paths []string, files []fileFix, w io.Writer) error {
	a, err := plan.Analyze(cmd.Context(), pipeline.Request{Source: pipeline.Files{Paths: paths}})
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	// A finding is the same when its check, document (lines moved, the
	// documents did not), object and field are.
	type key struct {
		check, file string
		document    int
		object      string
		path        string
	}
	keyOf := func(f *check.Finding) key {
		src := f.Object.Source
		return key{f.CheckID, src.File, src.Document, src.PathPrefix + " " + f.Object.Ref().String(), f.Path}
	}
	now := map[key]bool{}
	for _, f := range a.Kept {
		if f.Object != nil {
			now[keyOf(f)] = true
		}
	}
	var left []string
	for _, ff := range files {
		for _, t := range ff.plan.Applied {
			if now[keyOf(t.Finding)] {
				left = append(left, t.Finding.CheckID+" "+t.Finding.Location.String())
			}
		}
	}
	if n := len(left); n > 0 {
		more := ""
		if n > 10 {
			left, more = left[:10], fmt.Sprintf(" and %d more", n-10)
		}
		return &exitError{code: ExitFindings, err: fmt.Errorf("after the fix, the scan still reports %d fixed %s: %s%s",
			n, report.Plural(n, "finding", "findings"), report.SafeText(strings.Join(left, ", ")), more)}
	}
	fmt.Fprintln(w, "The scan after the fix no longer reports the fixed findings.")
	return nil
}
