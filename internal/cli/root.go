// Package cli builds the kube4c command tree. Each command lives in its own
// file and only parses flags and wires the library packages together.
package cli

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	// ExitOK means nothing at or above the threshold was found.
	ExitOK = 0
	// ExitFindings means a finding at or above the threshold was found.
	ExitFindings = 1
	// ExitError means a usage, configuration or input error.
	ExitError = 2
)

// exitError carries an exit code out of a command. A nil Err means the
// command already reported everything it had to say.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// usageError marks an error as a usage or input error (exit code 2).
func usageError(format string, args ...any) error {
	return &exitError{code: ExitError, err: fmt.Errorf(format, args...)}
}

// Version is the program version, set at build time with
// -ldflags "-X github.com/kube4c/kube4c/internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// globalFlags are shared by every command.
type globalFlags struct {
	verbose bool
	quiet   bool
}

// NewRoot builds the root command. stdout and stderr are where commands
// write; tests pass buffers.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	return newRoot(stdin, stdout, stderr, &profileFlags{}, nil)
}

// newRoot builds the root command; prof receives the profiling flags, and
// whoever runs the command stops the profiles. -v lowers logLevel (the
// level of the default logger, which main sets up) to debug; nil leaves
// logging alone.
func newRoot(stdin io.Reader, stdout, stderr io.Writer, prof *profileFlags, logLevel *slog.LevelVar) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "kube4c",
		Short: "Audit and guard Kubernetes along the 4C model: Code, Container, Cluster, Cloud",
		Long: "kube4c audits Kubernetes manifests and clusters for security problems in four layers:\n" +
			"code (what is deployed and how it talks), container (images and runtime privileges),\n" +
			"cluster (RBAC, network policies, control plane) and cloud (what the cluster exposes to its provider).",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			if g.verbose && logLevel != nil {
				logLevel.Set(slog.LevelDebug)
			}
			lowerCaseValues(cmd)
			if err := prof.start(); err != nil {
				fmt.Fprintln(stderr, "kube4c:", err)
			}
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "list skipped documents and warnings, and log what kube4c does")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print nothing but the report")
	root.PersistentFlags().StringVar(&prof.cpu, "cpuprofile", "", "write a Go CPU profile of the run to this file")
	root.PersistentFlags().StringVar(&prof.mem, "memprofile", "", "write a Go allocation profile of the run to this file")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	_ = root.PersistentFlags().MarkHidden("memprofile")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		//lint:ignore ST1005 printed to the user as two sentences
		return &exitError{code: ExitError, err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, cmd.CommandPath())}
	})
	root.AddCommand(newScanCommand(g), newChecksCommand(), newVersionCommand(), newNetpolCommand(g), newRBACCommand(g), newAuditCommand(g), newNodeCommand(g), newAdmissionCommand(), newWatchCommand(g), newPathsCommand(g), newFixCommand(g))
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kube4c's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "kube4c", version())
			return err
		},
	}
}

// caseFreeFlags are the flags whose values are names users may type in
// any case: -o JSON, --fail-on HIGH.
var caseFreeFlags = []string{"output", "fail-on", "color"}

// lowerCaseValues lowers the case of the values of caseFreeFlags given to
// cmd.
func lowerCaseValues(cmd *cobra.Command) {
	for _, name := range caseFreeFlags {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			_ = f.Value.Set(strings.ToLower(f.Value.String()))
		}
	}
}

// Main runs kube4c with the process's arguments and returns its exit code.
// logLevel is the level of the default logger, which -v lowers to debug.
func Main(args []string, logLevel *slog.LevelVar) int {
	prof := &profileFlags{}
	root := newRoot(os.Stdin, os.Stdout, os.Stderr, prof, logLevel)
	root.SetArgs(args)
	code := Execute(root)
	if err := prof.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "kube4c:", err)
	}
	return code
}

// Execute runs a command tree and maps its error to an exit code, printing
// the error on the command's error stream.
func Execute(root *cobra.Command) int {
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(root.ErrOrStderr(), "kube4c:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors (unknown command, bad arguments) are usage errors.
	fmt.Fprintln(root.ErrOrStderr(), "kube4c:", err)
	return ExitError
}
