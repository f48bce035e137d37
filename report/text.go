package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/notarylint/notarylint/analyzer"
)

// Text layout: one group per (path, arch), in the Report's order (findings
// are already sorted by path, arch and rule):
//
//	App.zip/App.app/Contents/MacOS/App (arm64)
//	  error   NL2001 timestamp-missing: the signature has no secure timestamp
//	          notary: "The signature does not include a secure timestamp."
//	          fix: Sign again with codesign --timestamp.
//
//	2 errors, 1 warning, 0 infos in 5 items (12.3 MiB)
const (
	sevWidth   = len("warning") // severity column width
	findIndent = "  "           // before the severity
)

// contIndent starts the continuation lines of a finding, under its rule ID.
var contIndent = strings.Repeat(" ", len(findIndent)+sevWidth+1)

// palette holds the colour objects of one Text call, each switched on or off
// explicitly so that fatih/color's global NoColor never matters.
type palette struct {
	err, warn, info, path *color.Color
}

func newPalette(on bool) palette {
	p := palette{
		err:  color.New(color.FgRed, color.Bold),
		warn: color.New(color.FgYellow, color.Bold),
		info: color.New(color.FgBlue, color.Bold),
		path: color.New(color.Bold),
	}
	for _, c := range []*color.Color{p.err, p.warn, p.info, p.path} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

func (p palette) severity(s analyzer.Severity) string {
	name := s.String()
	pad := strings.Repeat(" ", max(sevWidth-len(name), 0))
	switch {
	case s >= analyzer.Error:
		return p.err.Sprint(name) + pad
	case s == analyzer.Warning:
		return p.warn.Sprint(name) + pad
	default:
		return p.info.Sprint(name) + pad
	}
}

// Text writes the findings of r for a person to read, grouped by item path
// and architecture, and a closing summary line.
func Text(w io.Writer, r *analyzer.Report, opt Options) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	p := newPalette(opt.Color)
	var b strings.Builder
	for i, f := range r.Findings {
		if i == 0 || f.Path != r.Findings[i-1].Path || f.Arch != r.Findings[i-1].Arch {
			if i > 0 {
				b.WriteByte('\n')
			}
			header := oneLine(f.Path)
			if f.Arch != "" {
				header += " (" + oneLine(f.Arch) + ")"
			}
			b.WriteString(p.path.Sprint(header))
			b.WriteByte('\n')
		}
		title := f.RuleID
		if f.RuleName != "" {
			title += " " + f.RuleName
		}
		writeBlock(&b, findIndent+p.severity(f.Severity)+" ", contIndent, title+": "+f.Message)
		if f.NotaryMessage != "" {
			writeBlock(&b, contIndent, contIndent, `notary: "`+f.NotaryMessage+`"`)
		}
		if f.Fix != "" {
			writeBlock(&b, contIndent+"fix: ", contIndent+"     ", f.Fix)
		}
	}
	if len(r.Findings) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(summaryLine(r))
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: writing text: %w", err)
	}
	return nil
}

// writeBlock writes text after first, continuing its further lines after
// cont, without trailing spaces or empty lines.
func writeBlock(b *strings.Builder, first, cont, text string) {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n")
	n := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			continue
		}
		if n == 0 {
			b.WriteString(first)
		} else {
			b.WriteString(cont)
		}
		b.WriteString(l)
		b.WriteByte('\n')
		n++
	}
	if n == 0 {
		b.WriteString(strings.TrimRight(first, " "))
		b.WriteByte('\n')
	}
}

// summaryLine returns "3 errors, 1 warning, 0 infos in 5 items (12.3 MiB)",
// or "no problems found in 5 items (12.3 MiB)". The severity counts are those
// of the findings shown; items and bytes come from the Report's summary.
func summaryLine(r *analyzer.Report) string {
	where := fmt.Sprintf("in %s (%s)", plural(r.Summary.Items, "item"), humanBytes(r.Summary.Bytes))
	var left []string
	if n := r.Summary.Ignored; n > 0 {
		left = append(left, fmt.Sprintf("%d ignored by the configuration", n))
	}
	if n := r.Summary.Baselined; n > 0 {
		left = append(left, fmt.Sprintf("%d in the baseline", n))
	}
	if len(left) > 0 {
		where += "; not shown: " + strings.Join(left, ", ")
	}
	if len(r.Findings) == 0 {
		return "no problems found " + where
	}
	e, w, i := countBySeverity(r)
	return fmt.Sprintf("%s, %s, %s %s", plural(e, "error"), plural(w, "warning"), plural(i, "info"), where)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// humanBytes formats a size with binary units: "512 B", "1.5 KiB",
// "12.3 MiB".
func humanBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	s := fmt.Sprintf("%.1f", v)
	if s == "1024.0" && u < len(units)-1 {
		s, u = "1.0", u+1
	}
	return s + " " + units[u]
}

// lineBreaks turns line breaks and tabs into spaces.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ")

// oneLine replaces line breaks and tabs by spaces.
func oneLine(s string) string {
	return lineBreaks.Replace(s)
}
