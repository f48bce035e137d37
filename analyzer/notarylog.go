package analyzer

import (
	"fmt"
	"strings"
)

// NotaryIssue is an issue of the notary log given to check, with the names
// of the rules that explain its message (empty when none does).
type NotaryIssue struct {
	Path    string // as the log writes it
	Arch    string
	Message string
	DocURL  string
	Rules   []string
}

// LogPathMatches reports whether an item path and a notary log's path name
// the same item, allowing for the log's container: the log names
// "App.zip/App.app/…" where the input was "App.app", or "X.zip/a/b" where
// it was "Y.zip".
func LogPathMatches(itemPath, logPath string) bool {
	_, belowLog, _ := strings.Cut(logPath, "/")
	_, belowItem, _ := strings.Cut(itemPath, "/")
	return itemPath == logPath || itemPath == belowLog || (belowLog != "" && belowLog == belowItem)
}

// NotaryLogOnly is reported by the engine, not by a check of its own: for
// an issue of the notary log given to check that no finding of notarylint
// explains at the same path.
var NotaryLogOnly = &Rule{
	ID:       "NL8005",
	Name:     "notary-log-only",
	Severity: Warning,
	Kinds:    []Kind{KindDirectory, KindMachO, KindBundle, KindArchive, KindPackage, KindDiskImage},
	Doc: Doc{
		Title: "the notary log reports a problem notarylint does not find here",
		Why: "With --notary-log, each issue of the log is compared with notarylint's findings for the same path. " +
			"An issue no finding explains means the input is not what was submitted (it was fixed since, or is " +
			"another build), or a check notarylint lacks; the message is Apple's.",
		Fix: "Check that the input is the file that was submitted; if it is, fix what Apple's message says, and tell the notarylint maintainers.",
	},
	Check: func(*Pass) {}, // findings come from the engine (notaryLogOnly)
}

// notaryLogOnly returns a finding for each notary-log issue that no finding
// explains: one of its rules at a matching path (and arch, when both name
// one).
func notaryLogOnly(cfg *Config, found []Finding) []Finding {
	enabled := false
	for _, r := range cfg.Rules {
		enabled = enabled || r == NotaryLogOnly
	}
	if !enabled {
		return nil
	}
	var out []Finding
	for _, ni := range cfg.NotaryIssues {
		explained := false
		for _, f := range found {
			if !LogPathMatches(f.Path, ni.Path) || (ni.Arch != "" && f.Arch != "" && ni.Arch != f.Arch) {
				continue
			}
			for _, name := range ni.Rules {
				explained = explained || f.RuleName == name
			}
		}
		if explained {
			continue
		}
		r := NotaryLogOnly
		f := Finding{RuleID: r.ID, RuleName: r.Name, Severity: r.Severity, Path: ni.Path, Arch: ni.Arch, Key: ni.Message,
			NotaryMessage: ni.Message, DocURL: ni.DocURL, Fix: r.Doc.Fix,
			Message: fmt.Sprintf("Apple's notary log reports %q here; no notarylint finding at this path explains it", ni.Message)}
		if len(ni.Rules) > 0 {
			f.Message += fmt.Sprintf(" (it is what %s report)", strings.Join(ni.Rules, ", "))
		} else {
			f.Message += " (no notarylint rule documents this message)"
		}
		f.Fingerprint = fingerprint(&f)
		out = append(out, f)
	}
	return out
}
