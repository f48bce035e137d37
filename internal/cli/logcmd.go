package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/notarylog"
	"github.com/notarylint/notarylint/rules"
	"github.com/spf13/cobra"
)

// logReport is the JSON form of `notarylint log`.
type logReport struct {
	Log     string            `json:"log"`
	Status  string            `json:"status"`
	Code    int               `json:"status_code"`
	Summary string            `json:"status_summary"`
	Archive string            `json:"archive"`
	Verdict notarylog.Verdict `json:"verdict"`
	Issues  []logIssue        `json:"issues"`
	Tickets int               `json:"ticket_items"`
	// Checked lists the inputs checked alongside the log (log LOG PATH...);
	// OnlyNotarylint, the errors notarylint found there that the log lacks.
	Checked        []string `json:"checked,omitempty"`
	OnlyNotarylint []string `json:"only_notarylint,omitempty"`
}

type logIssue struct {
	Severity string   `json:"severity"`
	Path     string   `json:"path"`
	Arch     string   `json:"arch,omitempty"`
	Message  string   `json:"message"`
	Known    bool     `json:"known"`
	Rules    []string `json:"rules"` // "NL2001 macho-unsigned"
	Why      string   `json:"why,omitempty"`
	Fix      string   `json:"fix,omitempty"`
	DocURL   string   `json:"doc_url,omitempty"`
	Note     string   `json:"note,omitempty"`
	// Found lists notarylint's findings for the same path and rule, when
	// inputs were checked alongside the log ("" when none were).
	Found []string `json:"found_by_notarylint,omitempty"`
}

func newLog(stdout, stderr io.Writer) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "log [--format text|json] LOG.json [PATH...]",
		Short: "Explain an Apple notary log: each issue's rule, meaning and fix, and what the status means; with PATHs, compare with what notarylint finds there",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("--format must be text or json, not %q", format)
			}
			raw, err := readLimited(args[0], notarylog.MaxSize)
			if err != nil {
				fmt.Fprintf(stderr, "notarylint: %s: %v\n", args[0], err)
				return &exitError{code: ExitInput, err: errSilent}
			}
			l, err := notarylog.Parse(raw)
			if err != nil {
				fmt.Fprintf(stderr, "notarylint: %s: %v\n", args[0], err)
				return &exitError{code: ExitInput, err: errSilent}
			}
			verdict, issues := notarylog.Explain(l, notarylog.NewMatcher(rules.All))
			rep := logReport{Log: args[0], Status: l.Status, Code: l.StatusCode, Summary: l.StatusSummary, Archive: l.ArchiveFilename,
				Verdict: verdict, Issues: []logIssue{}, Tickets: len(l.TicketContents)}
			for _, e := range issues {
				li := logIssue{Severity: e.Severity, Path: e.Path, Arch: e.Architecture, Message: e.Message, Known: len(e.Rules) > 0,
					Rules: []string{}, DocURL: e.DocURL, Note: e.Note}
				for _, r := range e.Rules {
					li.Rules = append(li.Rules, r.ID+" "+r.Name)
				}
				if len(e.Rules) > 0 {
					li.Why, li.Fix = e.Rules[0].Doc.Why, e.Rules[0].Doc.Fix
					if li.DocURL == "" {
						li.DocURL = e.Rules[0].Doc.DocURL
					}
				}
				rep.Issues = append(rep.Issues, li)
			}
			if len(args) > 1 {
				cfg := analyzer.Config{Rules: rules.All, Version: Version}
				withNotaryLog(&cfg, args[0]) // parsed above: cannot fail now
				found, inputErrs := analyzer.Run(cfg, args[1:])
				for _, e := range inputErrs {
					fmt.Fprintf(stderr, "notarylint: %v\n", e)
				}
				compareWithFindings(&rep, issues, found.Findings)
				rep.Checked = args[1:]
			}
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(rep)
			} else {
				err = writeLogText(stdout, rep)
			}
			if err != nil {
				return err
			}
			if verdict.Outcome != "accepted" {
				return &exitError{code: ExitFindings, err: errSilent}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// unpackCauses are the rules whose findings explain the pair of messages a
// package the service could not unpack gets.
var unpackCauses = []string{"pkg-not-extractable", "pkg-signed-component", "pkg-nonstandard-layout", "pkg-checksum-mismatch"}

// compareWithFindings marks each log issue with notarylint's findings for
// the same path and one of its rules, and lists notarylint's errors the log
// does not have.
func compareWithFindings(rep *logReport, issues []notarylog.Explained, findings []analyzer.Finding) {
	used := make([]bool, len(findings))
	for i, e := range issues {
		names := map[string]bool{}
		for _, r := range e.Rules {
			names[r.Name] = true
		}
		if e.Note != "" { // the unpack pair: any structural package finding is the cause
			for _, n := range unpackCauses {
				names[n] = true
			}
		}
		for j, f := range findings {
			if names[f.RuleName] && analyzer.LogPathMatches(f.Path, e.Path) && (e.Architecture == "" || f.Arch == "" || f.Arch == e.Architecture) {
				rep.Issues[i].Found = append(rep.Issues[i].Found, f.RuleID+" "+f.RuleName+": "+f.Message)
				used[j] = true
			}
		}
	}
	for j, f := range findings {
		if !used[j] && f.Severity == analyzer.Error {
			rep.OnlyNotarylint = append(rep.OnlyNotarylint, f.RuleID+" "+f.RuleName+" "+f.Path+": "+f.Message)
		}
	}
}

// withNotaryLog reads a notary log into cfg for check: its ticketContents,
// upload name and SHA-256.
func withNotaryLog(cfg *analyzer.Config, name string) error {
	raw, err := readLimited(name, notarylog.MaxSize)
	if err != nil {
		return err
	}
	l, err := notarylog.Parse(raw)
	if err != nil {
		return err
	}
	cfg.Notarized = []analyzer.NotarizedItem{}
	for _, t := range l.TicketContents {
		cfg.Notarized = append(cfg.Notarized, analyzer.NotarizedItem{Path: t.Path, Arch: t.Arch, DigestAlgorithm: t.DigestAlgorithm, CDHash: t.CDHash})
	}
	cfg.NotarizedUpload, cfg.NotarizedSHA256 = l.ArchiveFilename, l.SHA256
	_, explained := notarylog.Explain(l, notarylog.NewMatcher(rules.All))
	for _, e := range explained {
		ni := analyzer.NotaryIssue{Path: e.Path, Arch: e.Architecture, Message: e.Message, DocURL: e.DocURL}
		for _, r := range e.Rules {
			ni.Rules = append(ni.Rules, r.Name)
		}
		if e.Note != "" { // the unpack pair: any structural package finding explains it
			ni.Rules = append(ni.Rules, unpackCauses...)
		}
		cfg.NotaryIssues = append(cfg.NotaryIssues, ni)
	}
	return nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("more than %d bytes", limit)
	}
	return b, err
}

func writeLogText(w io.Writer, rep logReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%d) %q\n  %s\n", rep.Archive, rep.Status, rep.Code, rep.Summary, rep.Verdict.Explanation)
	if rep.Verdict.Next != "" {
		fmt.Fprintf(&b, "  next: %s\n", rep.Verdict.Next)
	}
	for _, is := range rep.Issues {
		where := is.Path
		if is.Arch != "" {
			where += " [" + is.Arch + "]"
		}
		fmt.Fprintf(&b, "\n%s %s\n  %q\n", is.Severity, where, is.Message)
		if !is.Known {
			b.WriteString("  unknown message: no notarylint rule documents it\n")
		} else {
			fmt.Fprintf(&b, "  rule: %s\n  fix: %s\n", strings.Join(is.Rules, ", "), is.Fix)
		}
		if is.DocURL != "" {
			fmt.Fprintf(&b, "  doc: %s\n", is.DocURL)
		}
		if is.Note != "" {
			fmt.Fprintf(&b, "  note: %s\n", is.Note)
		}
		for _, f := range is.Found {
			fmt.Fprintf(&b, "  found by notarylint: %s\n", f)
		}
	}
	if rep.Tickets > 0 {
		fmt.Fprintf(&b, "\nticket covers %d code item(s) and architecture(s)\n", rep.Tickets)
	}
	if len(rep.Checked) > 0 {
		fmt.Fprintf(&b, "\nnotarylint also found errors the log does not list (%d):\n", len(rep.OnlyNotarylint))
		for _, f := range rep.OnlyNotarylint {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
