// Package report renders an analyzer.Report in the output formats of
// notarylint: human-readable text, the JSON contract, SARIF 2.1.0 for
// GitHub code scanning and editors, JUnit XML and Checkstyle XML for CI
// systems, GitHub Actions workflow commands, and a self-contained HTML page
// showing each input as a tree. Every writer reads the same Report and
// never changes it.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// Formats lists the output format names.
var Formats = []string{"text", "json", "sarif", "junit", "github", "checkstyle", "html"}

// Options tune the writers. The zero value is valid: no colour, the default
// SARIF category.
type Options struct {
	// Color turns on ANSI colour in the text format. The caller decides
	// (terminal, NO_COLOR, FORCE_COLOR); the writer never looks at the
	// environment or at fatih/color's global NoColor.
	Color bool
	// Category is the SARIF runAutomationDetails.id, which tells GitHub
	// code scanning's uploads of one commit apart (for example
	// "notarylint/arm64/"). Empty means "notarylint/". A trailing '/' is
	// added when missing, so that the whole value is the category, as
	// github/codeql-action/upload-sarif does with its category input.
	Category string
	// ToolVersion is used as the SARIF driver version when the Report has
	// none.
	ToolVersion string
}

// Write renders r in the named format (one of Formats) to w.
func Write(w io.Writer, format string, r *analyzer.Report, opt Options) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	switch format {
	case "text":
		return Text(w, r, opt)
	case "json":
		return JSON(w, r)
	case "sarif":
		return SARIF(w, r, opt)
	case "junit":
		return JUnit(w, r)
	case "github":
		return GitHub(w, r)
	case "checkstyle":
		return Checkstyle(w, r)
	case "html":
		return HTML(w, r, opt)
	}
	return fmt.Errorf("report: unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// rulesDocBase is where docs/rules.md is rendered on GitHub.
const rulesDocBase = "https://github.com/notarylint/notarylint/blob/main/docs/rules.md"

// RuleHelpURL returns the documentation URL of a rule: the section of
// docs/rules.md whose heading is "## <ID> <Name>", for example
// ".../docs/rules.md#nl1001-sdk-older-than-109" for the heading
// "## NL1001 sdk-older-than-10.9". The anchor is computed the way GitHub
// slugifies headings. It returns "" for a nil rule.
func RuleHelpURL(r *analyzer.Rule) string {
	if r == nil {
		return ""
	}
	return rulesDocBase + "#" + r.Anchor()
}

// severityName names a severity "error", "warning" or "info", the way
// countBySeverity counts it (anything above error is an error).
func severityName(s analyzer.Severity) string {
	switch {
	case s >= analyzer.Error:
		return "error"
	case s == analyzer.Warning:
		return "warning"
	}
	return "info"
}

// countBySeverity counts the findings of r by severity.
func countBySeverity(r *analyzer.Report) (errs, warns, infos int) {
	for _, f := range r.Findings {
		switch {
		case f.Severity >= analyzer.Error:
			errs++
		case f.Severity == analyzer.Warning:
			warns++
		default:
			infos++
		}
	}
	return errs, warns, infos
}
