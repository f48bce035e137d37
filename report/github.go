package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// GitHub layout: one workflow command per finding, then the text format's
// summary line:
//
//	::error title=NL1001 sdk-older-than-10.9,file=build/App.zip::App.zip/App.app/Contents/MacOS/App (arm64): built with …%0Anotary: "…"%0Afix: …
//	::warning title=NL2005 cert-expired-untimestamped,file=dist/My App::My App/tool: leaf certificate …
//	2 errors, 1 warning, 0 infos in 5 items (12.3 MiB)

// githubData and githubProperty escape a command's message and its property
// values exactly as GitHub's toolkit does (escapeData and escapeProperty in
// @actions/core's command.ts). A strings.Replacer replaces in one pass, so
// "%" is never escaped twice.
var (
	githubData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// GitHub writes r as GitHub Actions workflow commands, one line per finding
// in the Report's order: "::error" for errors, "::warning" for warnings and
// "::notice" for info, each with the rule ("NL1001 sdk-older-than-10.9") as
// its title. GitHub shows them as annotations of the run and of the pull
// request (at most 10 of each type per step and 50 per job).
//
// Findings are paths inside artifacts, which are not files of the
// repository, so file= names the finding's top-level input instead: the
// input as given, cleaned and '/'-separated, when it is relative and stays
// inside the working directory; an absolute input made relative to the
// working directory when it is inside it; and no file= at all when the
// input is outside the working directory, is the working directory itself
// or is unknown (a finding of Apple's notary log whose path starts with no
// input's base name). GitHub resolves a relative file= against the workspace,
// which is the working directory of run steps unless working-directory says
// otherwise. The writer does not check that the file exists (the input was
// read from there, and the output stays a function of the Report). No line=
// is given, so GitHub annotates the whole file. The message starts with the
// item path and arch, "App.zip/App.app/Contents/MacOS/App (arm64): ", and
// goes on with the message, Apple's notary message, the fix and the
// documentation, on lines of their own: escaped, each finding stays one line
// of output, and GitHub shows the annotation on several lines.
//
// The output ends with the text format's summary line ("2 errors, 1
// warning, 0 infos in 5 items (12.3 MiB)" or "no problems found in …"),
// which is not a workflow command: the runner copies it to the log as it
// is. It is the only line when there are no findings.
func GitHub(w io.Writer, r *analyzer.Report) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(githubCommand(r, f))
		b.WriteByte('\n')
	}
	b.WriteString(summaryLine(r))
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: writing github: %w", err)
	}
	return nil
}

// githubCommand returns the workflow command of one finding, without a line
// break, built as the toolkit's issueCommand does:
// "::name key=value,key=value::message", properties with empty values left
// out, and no space when there are no properties.
func githubCommand(r *analyzer.Report, f analyzer.Finding) string {
	var b strings.Builder
	b.WriteString("::")
	b.WriteString(githubCommandName(f.Severity))
	sep := " "
	for _, p := range [][2]string{
		{"title", ruleTitle(f)},
		{"file", githubFileOf(r, f)},
	} {
		if p[1] == "" {
			continue
		}
		b.WriteString(sep + p[0] + "=" + githubProperty.Replace(p[1]))
		sep = ","
	}
	b.WriteString("::")
	b.WriteString(githubData.Replace(githubMessage(r, f)))
	return b.String()
}

// githubCommandName maps error, warning and info to the error, warning and
// notice commands.
func githubCommandName(s analyzer.Severity) string {
	switch {
	case s >= analyzer.Error:
		return "error"
	case s == analyzer.Warning:
		return "warning"
	}
	return "notice"
}

// githubMessage is the annotation's text: "<path> (<arch>): " and the
// finding's details, one per line.
func githubMessage(r *analyzer.Report, f analyzer.Finding) string {
	where := oneLine(f.Path)
	if f.Arch != "" {
		where += " (" + oneLine(f.Arch) + ")"
	}
	lines := findingDetails(r, f)
	if len(lines) == 0 {
		return where
	}
	lines[0] = where + ": " + lines[0]
	return strings.Join(lines, "\n")
}

// githubFileOf returns the file= value of a finding: its known input (see
// knownInput) as githubFile makes it, or "" when the input is unknown.
func githubFileOf(r *analyzer.Report, f analyzer.Finding) string {
	in, ok := knownInput(r, f)
	if !ok {
		return ""
	}
	return githubFile(in)
}

// githubFile returns the file= value for a top-level input: the input
// relative to the working directory, '/'-separated, or "" when it is empty,
// the working directory itself or outside it.
func githubFile(in string) string {
	if in == "" {
		return ""
	}
	p := filepath.Clean(in)
	if filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		wd, err := os.Getwd()
		if err != nil {
			return ""
		}
		rel, err := filepath.Rel(wd, p)
		if err != nil {
			return ""
		}
		p = rel
	}
	if p == "." || p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		return ""
	}
	return filepath.ToSlash(p)
}
