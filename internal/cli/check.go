package cli

import (
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/report"
	"github.com/notarylint/notarylint/rules"
)

type checkFlags struct {
	formats   []string
	failOn    string
	color     string
	jobs      int
	enable    []string
	disable   []string
	category  string
	teamID    string
	notaryLog string
}

func newCheck(stdout, stderr io.Writer) *cobra.Command {
	var fl checkFlags
	cmd := &cobra.Command{
		Use:   "check [flags] PATH...",
		Short: "Check apps, disk images, packages, archives and Mach-O files for what the notary service rejects",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runCheck(fl, args, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&fl.formats, "format", nil, "output `FORMAT[=FILE]`: text, json or sarif; repeat for several outputs (default text)")
	f.StringVar(&fl.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info or none")
	f.StringVar(&fl.color, "color", "auto", "colour text output: auto, always or never (auto honours NO_COLOR and FORCE_COLOR)")
	f.IntVar(&fl.jobs, "jobs", 0, "items analysed in parallel (default: one per CPU)")
	f.StringArrayVar(&fl.enable, "enable", nil, "run only these `RULE`s (ID or name; repeatable)")
	f.StringArrayVar(&fl.disable, "disable", nil, "do not run this `RULE` (ID or name; repeatable)")
	f.StringVar(&fl.teamID, "team-id", "", "expected signing `TEAMID`: code signed by any other team is an error (team-id-unexpected)")
	f.StringVar(&fl.notaryLog, "notary-log", "", "notary `LOG.json` of the submission: code whose cdhash differs from its ticket is an error (ticket-for-other-build)")
	f.StringVar(&fl.category, "sarif-category", "notarylint/", "SARIF runAutomationDetails.id, distinct per upload (e.g. notarylint/arm64)")
	return cmd
}

func runCheck(fl checkFlags, paths []string, stdout, stderr io.Writer) error {
	outputs, err := parseOutputs(fl.formats, report.Formats, "text")
	if err != nil {
		return err
	}
	failOn, err := parseFailOn(fl.failOn)
	if err != nil {
		return err
	}
	color, err := colorMode(fl.color, stdout)
	if err != nil {
		return err
	}
	if fl.jobs < 0 {
		return usageErr("--jobs must be 0 or more")
	}
	selected, err := selectRules(fl.enable, fl.disable)
	if err != nil {
		return err
	}
	if fl.teamID != "" && !teamIDPattern.MatchString(fl.teamID) {
		return usageErr("--team-id %q is not a team ID (ten upper-case letters and digits)", fl.teamID)
	}
	cfg := analyzer.Config{Rules: selected, Jobs: fl.jobs, Version: Version, TeamID: fl.teamID}
	if fl.notaryLog != "" {
		if err := withNotaryLog(&cfg, fl.notaryLog); err != nil {
			fmt.Fprintf(stderr, "notarylint: --notary-log %s: %v\n", fl.notaryLog, err)
			return &exitError{code: ExitInput, err: errSilent}
		}
	}
	rep, inputErrs := analyzer.Run(cfg, paths)
	for _, e := range inputErrs {
		fmt.Fprintf(stderr, "notarylint: %v\n", e)
	}
	err = writeOutputs(outputs, stdout, func(w io.Writer, format string, toStdout bool) error {
		return report.Write(w, format, rep, report.Options{Color: color && toStdout, Category: fl.category})
	})
	if err != nil {
		return err
	}
	switch {
	case len(inputErrs) > 0:
		return &exitError{code: ExitInput, err: errSilent}
	case failOn >= 0 && rep.Count(failOn) > 0:
		return &exitError{code: ExitFindings, err: errSilent}
	}
	return nil
}

// teamIDPattern matches Apple team identifiers.
var teamIDPattern = regexp.MustCompile(`^[A-Z0-9]{10}$`)

// parseFailOn returns the threshold severity, or -1 for "none".
func parseFailOn(s string) (analyzer.Severity, error) {
	if s == "none" {
		return -1, nil
	}
	sev, err := analyzer.ParseSeverity(s)
	if err != nil {
		return 0, usageErr("--fail-on must be error, warning, info or none, not %q", s)
	}
	return sev, nil
}

// colorMode decides whether text on w is coloured.
func colorMode(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		if os.Getenv("FORCE_COLOR") != "" {
			return true, nil
		}
		f, ok := w.(*os.File)
		return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())), nil
	}
	return false, usageErr("--color must be auto, always or never, not %q", mode)
}

// selectRules applies --enable and --disable to rules.All.
func selectRules(enable, disable []string) ([]*analyzer.Rule, error) {
	lookup := func(names []string, flag string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, n := range names {
			r := rules.Lookup(n)
			if r == nil {
				return nil, usageErr("--%s: unknown rule %q (see 'notarylint rules')", flag, n)
			}
			set[r.ID] = true
		}
		return set, nil
	}
	on, err := lookup(enable, "enable")
	if err != nil {
		return nil, err
	}
	off, err := lookup(disable, "disable")
	if err != nil {
		return nil, err
	}
	var out []*analyzer.Rule
	for _, r := range rules.All {
		if (len(on) == 0 || on[r.ID] || r == analyzer.InternalError) && !off[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}
