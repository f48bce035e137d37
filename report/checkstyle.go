package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// Checkstyle layout:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<checkstyle version="4.3">
//	  <file name="build/App.zip">
//	    <error line="0" column="0" severity="error" message="App.zip/App.app/Contents/MacOS/App (arm64): built with …; notary: &#34;…&#34;; fix: …" source="notarylint.NL1001.sdk-older-than-10.9"></error>
//	  </file>
//	</checkstyle>
const checkstyleVersion = "4.3"

// The Checkstyle XML subset notarylint writes.
type (
	checkstyleDoc struct {
		XMLName xml.Name         `xml:"checkstyle"`
		Version string           `xml:"version,attr"`
		Files   []checkstyleFile `xml:"file"`
	}
	checkstyleFile struct {
		Name   string            `xml:"name,attr"`
		Errors []checkstyleError `xml:"error"`
	}
	checkstyleError struct {
		Line     int    `xml:"line,attr"`
		Column   int    `xml:"column,attr"`
		Severity string `xml:"severity,attr"`
		Message  string `xml:"message,attr"`
		Source   string `xml:"source,attr"`
	}
)

// Checkstyle writes r as Checkstyle XML 4.3, which reviewdog and Jenkins'
// warnings-ng read: one <file> per input, in r.Inputs order and named as
// the input was given (an input without findings has an empty <file>, as
// Checkstyle lists every file it checked), and one <error> per finding in
// the Report's order. Findings are paths inside the input, so every <error>
// is on line 0, column 0 (the whole file), and its message starts with the
// item path and arch: "App.zip/App.app/Contents/MacOS/App (arm64): " then
// the message, Apple's notary message and the fix, on one line. severity is
// "error", "warning" or "info"; source is "notarylint.<rule id>.<rule
// name>". Text is escaped by encoding/xml, which replaces the characters
// XML 1.0 does not allow by U+FFFD.
func Checkstyle(w io.Writer, r *analyzer.Report) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	doc := checkstyleDoc{Version: checkstyleVersion, Files: []checkstyleFile{}}
	for _, g := range groupByInput(r) {
		file := checkstyleFile{Name: g.input}
		for _, f := range g.findings {
			file.Errors = append(file.Errors, checkstyleError{
				Severity: severityName(f.Severity),
				Message:  checkstyleMessage(f),
				Source:   checkstyleSource(f),
			})
		}
		doc.Files = append(doc.Files, file)
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: writing checkstyle: %w", err)
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: writing checkstyle: %w", err)
	}
	return nil
}

// checkstyleSource is "notarylint.<rule id>.<rule name>", without the parts
// that are empty.
func checkstyleSource(f analyzer.Finding) string {
	parts := []string{toolName}
	for _, p := range []string{f.RuleID, f.RuleName} {
		if p = strings.TrimSpace(oneLine(p)); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// checkstyleMessage is one line: `<path> (<arch>): <message>; notary:
// "<notary message>"; fix: <fix>`, without the parts that are empty.
func checkstyleMessage(f analyzer.Finding) string {
	where := oneLine(f.Path)
	if f.Arch != "" {
		where += " (" + oneLine(f.Arch) + ")"
	}
	parts := []string{where + ": " + strings.TrimSpace(oneLine(f.Message))}
	if n := strings.TrimSpace(oneLine(f.NotaryMessage)); n != "" {
		parts = append(parts, `notary: "`+n+`"`)
	}
	if fix := strings.TrimSpace(oneLine(f.Fix)); fix != "" {
		parts = append(parts, "fix: "+fix)
	}
	return strings.TrimSpace(strings.Join(parts, "; "))
}
