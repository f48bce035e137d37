package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// JUnit layout, as GitLab, Jenkins, Azure Pipelines and CircleCI read it:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<testsuites name="notarylint" tests="3" failures="3" errors="0">
//	  <testsuite name="build/App.zip" tests="2" failures="2" errors="0" skipped="0">
//	    <testcase classname="NL1001 sdk-older-than-10.9" name="App.zip/App.app/Contents/MacOS/App [arm64]">
//	      <failure message="built with macOS SDK 10.8 …" type="error">built with macOS SDK 10.8 …
//	notary: "The binary uses an SDK older than the 10.9 SDK."
//	fix: Rebuild with a current Xcode …
//	docs: https://developer.apple.com/…
//	rule: https://github.com/notarylint/notarylint/blob/main/docs/rules.md#nl1001-sdk-older-than-109</failure>
//	    </testcase>
//	  </testsuite>
//	</testsuites>
const (
	// junitPassName is the class name of the passing test case of an
	// input without findings.
	junitPassName = "notarylint"
)

// The JUnit XML subset notarylint writes: the attributes common to the
// Jenkins (Ant) schema and Maven Surefire's, which the CI systems share.
type (
	junitTestsuites struct {
		XMLName  xml.Name         `xml:"testsuites"`
		Name     string           `xml:"name,attr"`
		Tests    int              `xml:"tests,attr"`
		Failures int              `xml:"failures,attr"`
		Errors   int              `xml:"errors,attr"`
		Suites   []junitTestsuite `xml:"testsuite"`
	}
	junitTestsuite struct {
		Name     string          `xml:"name,attr"`
		Tests    int             `xml:"tests,attr"`
		Failures int             `xml:"failures,attr"`
		Errors   int             `xml:"errors,attr"`
		Skipped  int             `xml:"skipped,attr"`
		Cases    []junitTestcase `xml:"testcase"`
	}
	junitTestcase struct {
		Classname string       `xml:"classname,attr"`
		Name      string       `xml:"name,attr"`
		Failure   *junitResult `xml:"failure,omitempty"`
		Skipped   *junitResult `xml:"skipped,omitempty"`
	}
)

// junitResult is a <failure> or <skipped> element: a one-line message
// attribute, an optional type attribute and a multi-line body.
type junitResult struct {
	Message string
	Type    string
	Body    string
}

// MarshalXML writes the result with its body as character data whose line
// breaks stay line breaks (encoding/xml's ",chardata" would write them as
// "&#xA;"). encoding/xml still escapes <, &, >, quotes and carriage returns,
// and replaces characters XML does not allow (control characters, invalid
// UTF-8) by U+FFFD.
func (j junitResult) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "message"}, Value: j.Message})
	if j.Type != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "type"}, Value: j.Type})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if j.Body != "" {
		if err := e.EncodeToken(xml.CharData(j.Body)); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// JUnit writes r as JUnit XML for CI test reports: one <testsuite> per
// input, in r.Inputs order and named as the input was given, and one
// <testcase> per finding, its class name the rule ("NL1001
// sdk-older-than-10.9") and its name the item path with the arch in
// brackets. An input without findings gets one passing test case (class
// name "notarylint", named after the input), so the CI shows it was
// checked.
//
// Errors and warnings are failures (<failure type="error"> or
// type="warning"), so a CI gate on failed tests stops on either; info
// findings are skipped test cases (<skipped>), shown with their message but
// never failing the build. The failure or skipped body holds the message,
// Apple's notary message, the fix, Apple's documentation and the rule's
// documentation, one per line. Two findings with the same class name and
// name (one rule, path and arch) get " (2)", " (3)", … after the name, as
// CI systems key tests by the two. errors is always 0: errors in JUnit are
// crashes of the test itself. An input that could not be read at all has no
// findings in the Report, so it shows as a passing test: the command's exit
// status and error output report it.
//
// Text is escaped by encoding/xml, which replaces the characters XML 1.0
// does not allow (control characters other than tab, line feed and carriage
// return; invalid UTF-8) by U+FFFD, so that no message can make the
// document invalid.
func JUnit(w io.Writer, r *analyzer.Report) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	doc := buildJUnit(r)
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: writing junit: %w", err)
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: writing junit: %w", err)
	}
	return nil
}

func buildJUnit(r *analyzer.Report) *junitTestsuites {
	doc := &junitTestsuites{Name: toolName, Suites: []junitTestsuite{}}
	for _, g := range groupByInput(r) {
		s := junitTestsuite{Name: g.input}
		seen := map[[2]string]int{}
		for _, f := range g.findings {
			c := junitTestcase{Classname: ruleTitle(f), Name: junitCaseName(f)}
			// Two findings of one rule on one path and arch (two load
			// commands, say) would be one test to a CI that keys tests
			// by class and name: number the second and later ones.
			key := [2]string{c.Classname, c.Name}
			seen[key]++
			if n := seen[key]; n > 1 {
				c.Name += " (" + strconv.Itoa(n) + ")"
			}
			res := &junitResult{
				Message: strings.TrimSpace(oneLine(f.Message)),
				Body:    strings.Join(findingDetails(r, f), "\n"),
			}
			if f.Severity >= analyzer.Warning {
				res.Type = f.Severity.String()
				if f.Severity > analyzer.Error {
					res.Type = analyzer.Error.String()
				}
				c.Failure = res
				s.Failures++
			} else {
				c.Skipped = res
				s.Skipped++
			}
			s.Cases = append(s.Cases, c)
		}
		if len(g.findings) == 0 {
			s.Cases = append(s.Cases, junitTestcase{Classname: junitPassName, Name: g.input})
		}
		s.Tests = len(s.Cases)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Suites = append(doc.Suites, s)
	}
	return doc
}

// junitCaseName is "<path> [<arch>]", or the path alone without an arch.
func junitCaseName(f analyzer.Finding) string {
	name := oneLine(f.Path)
	if f.Arch != "" {
		name += " [" + oneLine(f.Arch) + "]"
	}
	return name
}

// ruleTitle is "<rule id> <rule name>", either alone when the other is
// empty.
func ruleTitle(f analyzer.Finding) string {
	return strings.TrimSpace(oneLine(f.RuleID + " " + f.RuleName))
}

// findingDetails returns the lines that explain a finding: its message (which
// may itself span lines), Apple's notary message in quotes, the fix, Apple's
// documentation ("docs: ") and the rule's section of docs/rules.md
// ("rule: "), leaving out what is empty. The JUnit and GitHub writers share
// it.
func findingDetails(r *analyzer.Report, f analyzer.Finding) []string {
	var lines []string
	if m := strings.TrimSpace(f.Message); m != "" {
		lines = append(lines, m)
	}
	if n := strings.TrimSpace(f.NotaryMessage); n != "" {
		lines = append(lines, `notary: "`+n+`"`)
	}
	if fix := strings.TrimSpace(f.Fix); fix != "" {
		lines = append(lines, "fix: "+fix)
	}
	if u := strings.TrimSpace(f.DocURL); u != "" {
		lines = append(lines, "docs: "+u)
	}
	if u := findingRuleURL(r, f); u != "" {
		lines = append(lines, "rule: "+u)
	}
	return lines
}

// findingRuleURL is the documentation URL of the finding's rule: the
// Report's rule when it describes it, else one made of the finding's rule ID
// and name (the heading of docs/rules.md is "## <ID> <Name>" either way), or
// "" when the finding lacks either.
func findingRuleURL(r *analyzer.Report, f analyzer.Finding) string {
	if f.RuleID == "" {
		return ""
	}
	if rule := r.Rule(f.RuleID); rule != nil {
		return RuleHelpURL(rule)
	}
	if f.RuleName == "" {
		return ""
	}
	return RuleHelpURL(&analyzer.Rule{ID: f.RuleID, Name: f.RuleName})
}

// inputGroup is one top-level input and its findings, in the Report's
// order.
type inputGroup struct {
	input    string
	findings []analyzer.Finding
}

// groupByInput groups the findings of r by top-level input (see
// findingInput), for the formats that list findings per input file (JUnit,
// Checkstyle): one group per input of r.Inputs, in that order and each once
// even when given twice, with or without findings, then one group per other
// input that findings name, in the order of their first finding.
func groupByInput(r *analyzer.Report) []inputGroup {
	var groups []inputGroup
	index := map[string]int{}
	add := func(in string) int {
		i, ok := index[in]
		if !ok {
			i = len(groups)
			index[in] = i
			groups = append(groups, inputGroup{input: in})
		}
		return i
	}
	for _, in := range r.Inputs {
		add(in)
	}
	for _, f := range r.Findings {
		i := add(findingInput(r, f))
		groups[i].findings = append(groups[i].findings, f)
	}
	return groups
}

// findingInput returns the top-level input of a finding: its known input
// (see knownInput), else the first element of its path.
func findingInput(r *analyzer.Report, f analyzer.Finding) string {
	if in, ok := knownInput(r, f); ok {
		return in
	}
	first, _, _ := strings.Cut(f.Path, "/")
	return first
}

// knownInput returns the finding's Input, or, for a finding without one
// (those from Apple's notary log), the input of r.Inputs whose base name the
// finding's path starts with. It reports false when there is neither.
func knownInput(r *analyzer.Report, f analyzer.Finding) (string, bool) {
	if f.Input != "" {
		return f.Input, true
	}
	first, _, _ := strings.Cut(f.Path, "/")
	for _, in := range r.Inputs {
		if inputBase(in) == first {
			return in, true
		}
	}
	return "", false
}

// inputBase is the base name an input's item paths start with, computed as
// the analyzer does: the base name of the cleaned input, or of its absolute
// form for "." and "/".
func inputBase(in string) string {
	base := filepath.Base(filepath.Clean(in))
	if base == "." || base == string(filepath.Separator) {
		if abs, err := filepath.Abs(in); err == nil {
			base = filepath.Base(abs)
		}
	}
	return base
}
