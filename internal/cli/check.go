package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/config"
	"github.com/notarylint/notarylint/report"
	"github.com/notarylint/notarylint/rules"
)

type checkFlags struct {
	formats    []string
	failOn     string
	color      string
	jobs       int
	enable     []string
	disable    []string
	category   string
	teamID     string
	notaryLog  string
	config     string
	baseline   string
	writeBase  string
	noProgress bool
	profile    profileFlags
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
	f.StringArrayVar(&fl.formats, "format", nil, "output `FORMAT[=FILE]`: text, json, sarif, junit, github, checkstyle or html; repeat for several outputs (default text)")
	f.StringVar(&fl.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info or none")
	f.StringVar(&fl.color, "color", "auto", "colour text output: auto, always or never (auto honours NO_COLOR and FORCE_COLOR)")
	f.IntVar(&fl.jobs, "jobs", 0, "items analysed in parallel (default: one per CPU)")
	f.StringArrayVar(&fl.enable, "enable", nil, "run only these `RULE`s (ID or name; repeatable)")
	f.StringArrayVar(&fl.disable, "disable", nil, "do not run this `RULE` (ID or name; repeatable)")
	f.StringVar(&fl.teamID, "team-id", "", "expected signing `TEAMID`: code signed by any other team is an error (team-id-unexpected)")
	f.StringVar(&fl.notaryLog, "notary-log", "", "notary `LOG.json` of the submission: code whose cdhash differs from its ticket is an error (ticket-for-other-build)")
	f.StringVar(&fl.category, "sarif-category", "notarylint/", "SARIF runAutomationDetails.id, distinct per upload (e.g. notarylint/arm64)")
	f.StringVar(&fl.config, "config", "", "configuration `FILE` (default: .notarylint.yaml in the first input's directory or a parent, up to the repository root)")
	f.StringVar(&fl.baseline, "baseline", "", "baseline `FILE`: findings recorded in it are not reported")
	f.StringVar(&fl.writeBase, "write-baseline", "", "write every finding of this run to baseline `FILE` (then exit 0)")
	f.BoolVar(&fl.noProgress, "no-progress", false, "never show a progress bar (it shows only on a terminal, for large inputs)")
	fl.profile.register(f)
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
	conf, err := findConfig(fl.config, paths)
	if err != nil {
		return err
	}
	enable, disable := fl.enable, fl.disable
	if conf != nil {
		if len(enable) == 0 {
			enable = conf.Enable
		}
		disable = append(append([]string(nil), conf.Disable...), disable...)
	}
	selected, err := selectRules(enable, disable)
	if err != nil {
		return err
	}
	if fl.teamID != "" && !teamIDPattern.MatchString(fl.teamID) {
		return usageErr("--team-id %q is not a team ID (ten upper-case letters and digits)", fl.teamID)
	}
	cfg := analyzer.Config{Rules: selected, Jobs: fl.jobs, Version: Version, TeamID: fl.teamID, Progress: newProgress(stderr, fl.noProgress)}
	if conf != nil {
		cfg.Severity, cfg.Ignore, cfg.Limits = conf.Severity, conf.Ignore, conf.Limits
	}
	if fl.baseline != "" {
		b, err := config.LoadBaseline(fl.baseline)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		cfg.Baseline = b.Fingerprints()
	}
	files, err := createOutputs(outputs, fl.writeBase)
	if err != nil {
		return err
	}
	defer files.close()
	if fl.notaryLog != "" {
		if err := withNotaryLog(&cfg, fl.notaryLog); err != nil {
			fmt.Fprintf(stderr, "notarylint: --notary-log %s: %v\n", fl.notaryLog, err)
			return &exitError{code: ExitInput, err: errSilent}
		}
	}
	stopProfile, err := fl.profile.start()
	if err != nil {
		return err
	}
	restoreMemoryLimit := limitMemory()
	rep, inputErrs := analyzer.Run(cfg, paths)
	restoreMemoryLimit()
	if err := stopProfile(); err != nil {
		fmt.Fprintf(stderr, "notarylint: %v\n", err)
	}
	for _, e := range inputErrs {
		fmt.Fprintf(stderr, "notarylint: %v\n", e)
	}
	err = files.write(outputs, stdout, func(w io.Writer, format string, toStdout bool) error {
		return report.Write(w, format, rep, report.Options{Color: color && toStdout, Category: fl.category})
	})
	if err != nil {
		return err
	}
	if fl.writeBase != "" {
		b, err := config.NewBaseline(rep).Encode()
		if err == nil {
			err = files.writeBaseline(b)
		}
		if err != nil {
			return fmt.Errorf("write baseline %s: %w", fl.writeBase, err)
		}
		fmt.Fprintf(stderr, "notarylint: wrote %d findings to baseline %s\n", len(rep.Findings), fl.writeBase)
		if len(inputErrs) > 0 {
			return &exitError{code: ExitInput, err: errSilent}
		}
		return nil
	}
	switch {
	case len(inputErrs) > 0:
		return &exitError{code: ExitInput, err: errSilent}
	case failOn >= 0 && rep.Count(failOn) > 0:
		return &exitError{code: ExitFindings, err: errSilent}
	}
	return nil
}

// findConfig loads the configuration named by --config, or the one found
// from the first input's directory upward; nil when there is none.
func findConfig(flag string, paths []string) (*config.File, error) {
	if flag != "" {
		return loadConfig(flag)
	}
	if len(paths) == 0 {
		return nil, nil
	}
	dir := paths[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	p, err := config.Find(dir)
	if err != nil || p == "" {
		return nil, nil // no configuration: the defaults
	}
	return loadConfig(p)
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
				hint := ""
				if near := config.Nearest(n, ruleNames()); near != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", near)
				}
				return nil, usageErr("--%s: unknown rule %q%s (see 'notarylint rules')", flag, n, hint)
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
