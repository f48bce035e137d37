// Package cli implements the notarylint command line: subcommands, flags,
// output files and exit codes. Main is testable: it takes the arguments and
// the output streams and returns the exit code.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK       = 0 // nothing at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on
	ExitUsage    = 2 // bad flags, arguments or configuration
	ExitInput    = 3 // an input could not be read or is not a supported format
)

// Version is the tool's version, set at build time with
// -ldflags "-X github.com/notarylint/notarylint/internal/cli.Version=…".
var Version = devVersion

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// subcommands are the first words Main treats as a subcommand; anything else
// means `check`.
var subcommands = map[string]bool{
	"check": true, "rules": true, "explain": true, "inspect": true, "log": true, "version": true, "config": true,
	"help": true, "completion": true, "-h": true, "--help": true, "--version": true,
}

// Main runs notarylint with args (without the program name) and returns the
// exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !subcommands[args[0]] {
		args = append([]string{"check"}, args...)
	}
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != errSilent {
			fmt.Fprintf(stderr, "notarylint: %v\n", ee.err)
		}
		if ee.code == ExitUsage {
			fmt.Fprintln(stderr, "Run 'notarylint --help' for usage.")
		}
		return ee.code
	}
	// cobra's own errors: unknown command or flag, wrong argument count.
	fmt.Fprintf(stderr, "notarylint: %v\nRun 'notarylint --help' for usage.\n", err)
	return ExitUsage
}

// errSilent marks an exit code whose message was already printed.
var errSilent = errors.New("")

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "notarylint [check] [flags] PATH...",
		Short: "Find what Apple's notary service would reject, before you upload",
		Long: `notarylint reads Mach-O files (thin or universal) and directories, offline,
and reports every problem Apple's notary service, codesign --strict, the stapler
or Gatekeeper would reject, with Apple's own message and the fix.

'notarylint PATH...' is short for 'notarylint check PATH...'.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage error, 3 an input could not be read or is not a supported format.`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("notarylint {{.Version}}\n")
	root.AddCommand(newCheck(stdout, stderr), newRules(stdout), newExplain(stdout), newInspect(stdout, stderr), newLog(stdout, stderr), newConfig(stdout), newVersion(stdout))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	return root
}

func newVersion(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info, _ := debug.ReadBuildInfo()
			fmt.Fprintf(stdout, "notarylint %s\n", versionFrom(Version, info))
			return nil
		},
	}
}

// devVersion is Version when the build did not set it.
const devVersion = "0.1.0-dev"

// versionFrom describes the build: the version set at build time, or else
// the module version `go install …@version` records, and the commit (with
// "-dirty" for uncommitted changes) when the build knows it.
func versionFrom(set string, info *debug.BuildInfo) string {
	v := set
	if info == nil {
		return v
	}
	if mv := info.Main.Version; set == devVersion && mv != "" && mv != "(devel)" {
		v = mv
	}
	var rev, dirty string
	for _, kv := range info.Settings {
		switch {
		case kv.Key == "vcs.revision":
			rev = kv.Value
		case kv.Key == "vcs.modified" && kv.Value == "true":
			dirty = "-dirty"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (commit " + rev + dirty + ")"
	}
	return v + ", " + info.GoVersion
}

// outputSpec is one --format value: FORMAT or FORMAT=FILE.
type outputSpec struct {
	format, file string
}

func parseOutputs(values []string, allowed []string, def string) ([]outputSpec, error) {
	if len(values) == 0 {
		values = []string{def}
	}
	var out []outputSpec
	stdout := 0
	for _, v := range values {
		format, file, _ := strings.Cut(v, "=")
		ok := false
		for _, a := range allowed {
			ok = ok || a == format
		}
		if !ok {
			return nil, usageErr("unknown format %q (want one of %s)", format, strings.Join(allowed, ", "))
		}
		if file == "" || file == "-" {
			file = ""
			stdout++
		}
		for _, prev := range out {
			if file != "" && prev.file == file {
				return nil, usageErr("--format %s and --format %s both write %s", prev.format, format, file)
			}
		}
		out = append(out, outputSpec{format: format, file: file})
	}
	if stdout > 1 {
		return nil, usageErr("only one --format may write to standard output; give the others a file: --format json=out.json")
	}
	return out, nil
}

// outputFiles are the files a run writes, created before any work so that
// an unwritable one is a usage error (exit 2) at once.
type outputFiles struct {
	byFile   map[string]*os.File
	baseline *os.File
}

// createOutputs creates the output files of specs and the baseline file.
func createOutputs(specs []outputSpec, baseline string) (*outputFiles, error) {
	o := &outputFiles{byFile: map[string]*os.File{}}
	create := func(path, what string) (*os.File, error) {
		f, err := os.Create(path)
		if err != nil {
			o.close()
			return nil, &exitError{code: ExitUsage, err: fmt.Errorf("%s: %w", what, err)}
		}
		return f, nil
	}
	for _, s := range specs {
		if s.file == "" {
			continue
		}
		f, err := create(s.file, "--format "+s.format)
		if err != nil {
			return nil, err
		}
		o.byFile[s.file] = f
	}
	if baseline != "" {
		f, err := create(baseline, "--write-baseline")
		if err != nil {
			return nil, err
		}
		o.baseline = f
	}
	return o, nil
}

// close closes the files still open.
func (o *outputFiles) close() {
	for name, f := range o.byFile {
		f.Close()
		delete(o.byFile, name)
	}
	if o.baseline != nil {
		o.baseline.Close()
		o.baseline = nil
	}
}

// write renders each output, to its file or to stdout, and closes the files.
func (o *outputFiles) write(specs []outputSpec, stdout io.Writer, render func(w io.Writer, format string, toTerminal bool) error) error {
	for _, s := range specs {
		if s.file == "" {
			if err := render(stdout, s.format, true); err != nil {
				return err
			}
			continue
		}
		f := o.byFile[s.file]
		delete(o.byFile, s.file)
		err := render(f, s.format, false)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", s.file, err)
		}
	}
	return nil
}

// writeBaseline writes and closes the baseline file.
func (o *outputFiles) writeBaseline(b []byte) error {
	f := o.baseline
	o.baseline = nil
	_, err := f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeOutputs renders each output, to its file or to stdout.
func writeOutputs(specs []outputSpec, stdout io.Writer, render func(w io.Writer, format string, toTerminal bool) error) error {
	files, err := createOutputs(specs, "")
	if err != nil {
		return err
	}
	defer files.close()
	return files.write(specs, stdout, render)
}
