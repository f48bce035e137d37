package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/notarylint/notarylint/analyzer"
)

// ciFormats are the CI formats written by functions of their own, with the
// extension of their golden files.
var ciFormats = []struct {
	name, ext string
	write     func(io.Writer, *analyzer.Report) error
}{
	{"junit", "junit.xml", JUnit},
	{"github", "github.txt", GitHub},
	{"checkstyle", "checkstyle.xml", Checkstyle},
}

func renderCI(t *testing.T, write func(io.Writer, *analyzer.Report) error, r *analyzer.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCIFormatGolden compares the JUnit, GitHub and Checkstyle output of the
// reports TestGolden uses with testdata/{empty,full}.<ext>.golden; run
// go test ./report -run TestCIFormatGolden -update to rewrite them.
func TestCIFormatGolden(t *testing.T) {
	reports := map[string]func() *analyzer.Report{"full": fullReport, "empty": emptyReport}
	for name, mk := range reports {
		for _, format := range ciFormats {
			t.Run(name+"/"+format.name, func(t *testing.T) {
				checkGolden(t, name+"."+format.ext+".golden", renderCI(t, format.write, mk()))
			})
		}
	}
}

// nastyMessage has XML's special characters, a line break, the characters
// GitHub's commands escape and control characters XML does not allow.
const nastyMessage = "a <&>\"' b\nc 100% d: e, f\x01g\x1bh"

// nastyReport has an error, a warning and an info finding with nastyMessage
// in an input whose name needs escaping, an input without findings, and a
// finding of Apple's notary log without an Input.
func nastyReport() *analyzer.Report {
	return &analyzer.Report{
		Tool:    "notarylint",
		Version: "v0.3.0",
		Inputs:  []string{"build/in,put: 100%.zip", "clean.pkg", "Notarized.dmg"},
		Findings: []analyzer.Finding{
			{RuleID: "NL1001", RuleName: "sdk-older-than-10.9", Severity: analyzer.Error, Path: "in,put: 100%.zip/A<&>.app/x", Arch: "arm64",
				Message: nastyMessage, NotaryMessage: "n\x00m", Fix: "fix <it>", DocURL: "https://example.com/?a=1&b=2", Input: "build/in,put: 100%.zip", Fingerprint: "01"},
			{RuleID: "NL2005", RuleName: "cert-expired-untimestamped", Severity: analyzer.Warning, Path: "in,put: 100%.zip/A<&>.app/x",
				Message: nastyMessage, Input: "build/in,put: 100%.zip", Fingerprint: "02"},
			{RuleID: "NL4002", RuleName: "some-info", Severity: analyzer.Info, Path: "in,put: 100%.zip/A<&>.app",
				Message: nastyMessage, Input: "build/in,put: 100%.zip", Fingerprint: "03"},
			{RuleID: analyzer.NotaryLogOnly.ID, RuleName: analyzer.NotaryLogOnly.Name, Severity: analyzer.Error, Path: "Notarized.dmg/App.app/Contents/MacOS/App",
				Message: "Apple's notary log reports \"x\" here", Fingerprint: "04"},
		},
		Summary: analyzer.Summary{Error: 2, Warning: 1, Info: 1, Items: 4, Bytes: 4096},
		Rules:   []*analyzer.Rule{sdkRule, certRule},
	}
}

// xmlSafe replaces what encoding/xml replaces by U+FFFD: characters outside
// XML 1.0's Char production.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return utf8.RuneError
	}, s)
}

// checkXMLChars fails when out holds a byte XML 1.0 does not allow or
// invalid UTF-8, whatever a parser makes of it.
func checkXMLChars(t *testing.T, out []byte) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Error("output is not valid UTF-8")
	}
	if s := string(out); xmlSafe(s) != s {
		t.Errorf("output has characters XML does not allow:\n%q", s)
	}
}

// renderXML renders r with write, checks that the output holds only
// characters XML allows, and parses it strictly into a T.
func renderXML[T any](t *testing.T, write func(io.Writer, *analyzer.Report) error, r *analyzer.Report) *T {
	t.Helper()
	out := renderCI(t, write, r)
	checkXMLChars(t, out)
	var doc T
	decodeXML(t, out, &doc)
	return &doc
}

// decodeXML parses out strictly into v and fails on any trailing content.
func decodeXML(t *testing.T, out []byte, v any) {
	t.Helper()
	if !bytes.HasPrefix(out, []byte(xml.Header)) || !bytes.HasSuffix(out, []byte(">\n")) {
		t.Errorf("no XML header or trailing newline:\n%s", out)
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("invalid XML: %v\n%s", err, out)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after the root: %v", err)
		}
		if cd, ok := tok.(xml.CharData); !ok || strings.TrimSpace(string(cd)) != "" {
			t.Fatalf("content after the root: %#v", tok)
		}
	}
}

type parsedJUnit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   *int   `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Classname string        `xml:"classname,attr"`
			Name      string        `xml:"name,attr"`
			Failure   *parsedResult `xml:"failure"`
			Skipped   *parsedResult `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type parsedResult struct {
	Message string  `xml:"message,attr"`
	Type    *string `xml:"type,attr"`
	Body    string  `xml:",chardata"`
}

func TestJUnitCounts(t *testing.T) {
	type suite struct {
		name                              string
		tests, failures, skipped, passing int
	}
	for _, tc := range []struct {
		name                   string
		r                      *analyzer.Report
		tests, failures        int
		suites                 []suite
		classnames, casesNames []string
	}{
		{"full", fullReport(), 3, 3, []suite{{"build/App.zip", 2, 2, 0, 0}, {"dist/My App", 1, 1, 0, 0}},
			[]string{"NL1001 sdk-older-than-10.9", "NL1001 sdk-older-than-10.9", "NL2005 cert-expired-untimestamped"},
			[]string{"App.zip/App.app/Contents/MacOS/App [arm64]", "App.zip/App.app/Contents/MacOS/App [x86_64]", "My App/tool"}},
		{"empty", emptyReport(), 1, 0, []suite{{"build/App.zip", 1, 0, 0, 1}},
			[]string{"notarylint"}, []string{"build/App.zip"}},
		{"nasty", nastyReport(), 5, 3, []suite{{"build/in,put: 100%.zip", 3, 2, 1, 0}, {"clean.pkg", 1, 0, 0, 1}, {"Notarized.dmg", 1, 1, 0, 0}},
			[]string{"NL1001 sdk-older-than-10.9", "NL2005 cert-expired-untimestamped", "NL4002 some-info", "notarylint", analyzer.NotaryLogOnly.ID + " " + analyzer.NotaryLogOnly.Name},
			[]string{"in,put: 100%.zip/A<&>.app/x [arm64]", "in,put: 100%.zip/A<&>.app/x", "in,put: 100%.zip/A<&>.app", "clean.pkg", "Notarized.dmg/App.app/Contents/MacOS/App"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := renderXML[parsedJUnit](t, JUnit, tc.r)
			if doc.Name != "notarylint" || doc.Tests != tc.tests || doc.Failures != tc.failures || doc.Errors == nil || *doc.Errors != 0 {
				t.Errorf("testsuites name=%q tests=%d failures=%d errors=%v, want tests=%d failures=%d errors=0",
					doc.Name, doc.Tests, doc.Failures, doc.Errors, tc.tests, tc.failures)
			}
			if len(doc.Suites) != len(tc.suites) {
				t.Fatalf("%d suites, want %d", len(doc.Suites), len(tc.suites))
			}
			var classnames, names []string
			for i, s := range doc.Suites {
				want := tc.suites[i]
				failures, skipped, passing := 0, 0, 0
				for _, c := range s.Cases {
					classnames = append(classnames, c.Classname)
					names = append(names, c.Name)
					switch {
					case c.Failure != nil && c.Skipped != nil:
						t.Errorf("test case %q both fails and is skipped", c.Name)
					case c.Failure != nil:
						failures++
					case c.Skipped != nil:
						skipped++
					default:
						passing++
					}
				}
				if s.Name != want.name || s.Tests != want.tests || len(s.Cases) != want.tests || s.Failures != want.failures || failures != want.failures ||
					s.Skipped != want.skipped || skipped != want.skipped || passing != want.passing || s.Errors == nil || *s.Errors != 0 {
					t.Errorf("suite %d: %q tests=%d (%d cases) failures=%d (%d) skipped=%d (%d) passing=%d, want %+v",
						i, s.Name, s.Tests, len(s.Cases), s.Failures, failures, s.Skipped, skipped, passing, want)
				}
			}
			if !reflect.DeepEqual(classnames, tc.classnames) || !reflect.DeepEqual(names, tc.casesNames) {
				t.Errorf("test cases\n got %q %q\nwant %q %q", classnames, names, tc.classnames, tc.casesNames)
			}
		})
	}
}

func TestJUnitSeverities(t *testing.T) {
	doc := renderXML[parsedJUnit](t, JUnit, nastyReport())
	cases := doc.Suites[0].Cases
	if f := cases[0].Failure; f == nil || f.Type == nil || *f.Type != "error" {
		t.Errorf("error finding: %+v", cases[0])
	}
	if f := cases[1].Failure; f == nil || f.Type == nil || *f.Type != "warning" {
		t.Errorf("warning finding: %+v", cases[1])
	}
	if s := cases[2].Skipped; s == nil || cases[2].Failure != nil || s.Type != nil || s.Message == "" || s.Body == "" {
		t.Errorf("info finding is not skipped with a message and body: %+v", cases[2])
	}
}

func TestJUnitEscaping(t *testing.T) {
	doc := renderXML[parsedJUnit](t, JUnit, nastyReport())
	f := doc.Suites[0].Cases[0].Failure
	if want := xmlSafe(strings.ReplaceAll(nastyMessage, "\n", " ")); f.Message != want {
		t.Errorf("failure message\n got %q\nwant %q", f.Message, want)
	}
	wantBody := xmlSafe(nastyMessage) + "\n" +
		"notary: \"n\uFFFDm\"\n" +
		"fix: fix <it>\n" +
		"docs: https://example.com/?a=1&b=2\n" +
		"rule: " + RuleHelpURL(sdkRule)
	if f.Body != wantBody {
		t.Errorf("failure body\n got %q\nwant %q", f.Body, wantBody)
	}
	if got := doc.Suites[0].Name; got != "build/in,put: 100%.zip" {
		t.Errorf("suite name %q", got)
	}
	// The rule of a finding the Report does not describe is still linked.
	last := doc.Suites[2].Cases[0].Failure
	if want := "rule: " + RuleHelpURL(analyzer.NotaryLogOnly); !strings.HasSuffix(last.Body, want) {
		t.Errorf("notary-log finding body %q lacks %q", last.Body, want)
	}

	// Whatever a message holds, the document stays well-formed.
	r := nastyReport()
	r.Findings[0].Message = "\x00\x08\x0b\x0c\x1f\x7f\ufffe\uffff\xff\xfe]]><!-- <![CDATA[ &#1;"
	r.Findings[0].Path = "p\x00ath"
	r.Inputs[0] = "in\x02put"
	r.Findings[0].Input = "in\x02put"
	doc = renderXML[parsedJUnit](t, JUnit, r)
	if got := doc.Suites[0].Cases[0].Failure.Message; !strings.HasSuffix(got, "]]><!-- <![CDATA[ &#1;") {
		t.Errorf("failure message %q", got)
	}
	if got := doc.Suites[0].Name; got != "in\uFFFDput" {
		t.Errorf("suite name %q", got)
	}
}

func TestJUnitDuplicateCases(t *testing.T) {
	r := fullReport()
	dup := r.Findings[0]
	dup.Message, dup.Fingerprint = "another load command", "ff"
	r.Findings = append(r.Findings[:1], append([]analyzer.Finding{dup, dup}, r.Findings[1:]...)...)
	doc := renderXML[parsedJUnit](t, JUnit, r)
	var names []string
	for _, c := range doc.Suites[0].Cases {
		names = append(names, c.Name)
	}
	want := []string{
		"App.zip/App.app/Contents/MacOS/App [arm64]",
		"App.zip/App.app/Contents/MacOS/App [arm64] (2)",
		"App.zip/App.app/Contents/MacOS/App [arm64] (3)",
		"App.zip/App.app/Contents/MacOS/App [x86_64]",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("test case names\n got %q\nwant %q", names, want)
	}
}

// githubUnescape undoes the escapes of a workflow command's message, or of
// a property value with prop, as the Actions runner does.
func githubUnescape(s string, prop bool) string {
	pairs := []string{"%0D", "\r", "%0A", "\n", "%25", "%"}
	if prop {
		pairs = append(pairs, "%3A", ":", "%2C", ",")
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// parsedCommand is one workflow command line, unescaped.
type parsedCommand struct {
	name    string
	props   map[string]string
	message string
}

// parseGitHubCommand parses "::name k=v,k=v::message" as the runner does.
func parseGitHubCommand(t *testing.T, line string) parsedCommand {
	t.Helper()
	rest, ok := strings.CutPrefix(line, "::")
	if !ok {
		t.Fatalf("not a command: %q", line)
	}
	head, msg, ok := strings.Cut(rest, "::")
	if !ok {
		t.Fatalf("command without message: %q", line)
	}
	c := parsedCommand{props: map[string]string{}, message: githubUnescape(msg, false)}
	name, props, _ := strings.Cut(head, " ")
	c.name = name
	if props != "" {
		for _, kv := range strings.Split(props, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("property %q in %q", kv, line)
			}
			c.props[k] = githubUnescape(v, true)
		}
	}
	return c
}

func TestGitHubLines(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r       *analyzer.Report
		summary string
	}{
		{"full", fullReport(), "2 errors, 1 warning, 0 infos in 5 items (12.3 MiB)"},
		{"empty", emptyReport(), "no problems found in 3 items (2.0 KiB)"},
		{"nasty", nastyReport(), "2 errors, 1 warning, 1 info in 4 items (4.0 KiB)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(renderCI(t, GitHub, tc.r))
			if !strings.HasSuffix(out, "\n") {
				t.Fatalf("no trailing newline: %q", out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(tc.r.Findings)+1 {
				t.Fatalf("%d lines for %d findings:\n%s", len(lines), len(tc.r.Findings), out)
			}
			if got := lines[len(lines)-1]; got != tc.summary || strings.HasPrefix(got, "::") {
				t.Errorf("summary line %q, want %q", got, tc.summary)
			}
			for i, f := range tc.r.Findings {
				if strings.ContainsAny(lines[i], "\r\n") {
					t.Errorf("line %d has a line break: %q", i, lines[i])
				}
				c := parseGitHubCommand(t, lines[i])
				if want := map[analyzer.Severity]string{analyzer.Error: "error", analyzer.Warning: "warning", analyzer.Info: "notice"}[f.Severity]; c.name != want {
					t.Errorf("line %d: command %q, want %q", i, c.name, want)
				}
				if want := f.RuleID + " " + f.RuleName; c.props["title"] != want {
					t.Errorf("line %d: title %q, want %q", i, c.props["title"], want)
				}
				where := f.Path
				if f.Arch != "" {
					where += " (" + f.Arch + ")"
				}
				if want := where + ": " + f.Message; !strings.HasPrefix(c.message, want) {
					t.Errorf("line %d: message %q does not start with %q", i, c.message, want)
				}
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	out := string(renderCI(t, GitHub, nastyReport()))
	lines := strings.Split(out, "\n")
	wantLine := "::error title=NL1001 sdk-older-than-10.9,file=build/in%2Cput%3A 100%25.zip::" +
		"in,put: 100%25.zip/A<&>.app/x (arm64): a <&>\"' b%0Ac 100%25 d: e, f\x01g\x1bh" +
		"%0Anotary: \"n\x00m\"%0Afix: fix <it>%0Adocs: https://example.com/?a=1&b=2%0Arule: " + RuleHelpURL(sdkRule)
	if lines[0] != wantLine {
		t.Errorf("first line\n got %q\nwant %q", lines[0], wantLine)
	}
	c := parseGitHubCommand(t, lines[0])
	if c.props["file"] != "build/in,put: 100%.zip" {
		t.Errorf("file round-trips to %q", c.props["file"])
	}
	if !strings.HasPrefix(c.message, "in,put: 100%.zip/A<&>.app/x (arm64): "+nastyMessage+"\nnotary: ") {
		t.Errorf("message round-trips to %q", c.message)
	}
	// The notary-log finding has no Input: its file is the input its path
	// starts with.
	if c := parseGitHubCommand(t, lines[3]); c.props["file"] != "Notarized.dmg" {
		t.Errorf("notary-log finding: file %q", c.props["file"])
	}
	for in, want := range map[string]string{
		"a\rb\nc%d:e,f": "a%0Db%0Ac%25d%3Ae%2Cf",
		"%0A":           "%250A",
	} {
		if got := githubProperty.Replace(in); got != want {
			t.Errorf("property %q escaped to %q, want %q", in, got, want)
		}
	}
	if got := githubData.Replace("a\rb\nc%d:e,f"); got != "a%0Db%0Ac%25d:e,f" {
		t.Errorf("data escaped to %q", got)
	}
}

func TestGitHubFile(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ input, want string }{
		{"build/App.zip", "build/App.zip"},
		{"./build/../dist/My App.app", "dist/My App.app"},
		{filepath.Join(wd, "out", "App.dmg"), "out/App.dmg"},
		{filepath.Join(filepath.Dir(wd), "elsewhere", "App.dmg"), ""},
		{"../outside/App.zip", ""},
		{".", ""},
		{wd, ""},
		{"", ""},
	} {
		if got := githubFile(tc.input); got != tc.want {
			t.Errorf("githubFile(%q) = %q, want %q", tc.input, got, tc.want)
		}
	}
	r := &analyzer.Report{Findings: []analyzer.Finding{{RuleID: "NL1001", Severity: analyzer.Error, Path: "App.zip", Input: "../App.zip", Message: "m"}}}
	if got := strings.SplitN(string(renderCI(t, GitHub, r)), "\n", 2)[0]; got != "::error title=NL1001::App.zip: m" {
		t.Errorf("input outside the workspace: %q", got)
	}
	r = &analyzer.Report{Findings: []analyzer.Finding{{Severity: analyzer.Info, Path: "x", Message: "m"}}}
	if got := strings.SplitN(string(renderCI(t, GitHub, r)), "\n", 2)[0]; got != "::notice::x: m" {
		t.Errorf("finding without rule or input: %q", got)
	}
}

type parsedCheckstyle struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []struct {
		Name   string `xml:"name,attr"`
		Errors []struct {
			Line     *int   `xml:"line,attr"`
			Column   *int   `xml:"column,attr"`
			Severity string `xml:"severity,attr"`
			Message  string `xml:"message,attr"`
			Source   string `xml:"source,attr"`
		} `xml:"error"`
	} `xml:"file"`
}

func TestCheckstyleCounts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      *analyzer.Report
		files  []string
		errors []int
	}{
		{"full", fullReport(), []string{"build/App.zip", "dist/My App"}, []int{2, 1}},
		{"empty", emptyReport(), []string{"build/App.zip"}, []int{0}},
		{"nasty", nastyReport(), []string{"build/in,put: 100%.zip", "clean.pkg", "Notarized.dmg"}, []int{3, 0, 1}},
		{"nil inputs", &analyzer.Report{}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := renderXML[parsedCheckstyle](t, Checkstyle, tc.r)
			if doc.Version != "4.3" {
				t.Errorf("version %q", doc.Version)
			}
			var files []string
			var errs []int
			var sevs []string
			for _, f := range doc.Files {
				files = append(files, f.Name)
				errs = append(errs, len(f.Errors))
				for _, e := range f.Errors {
					sevs = append(sevs, e.Severity)
					if e.Line == nil || *e.Line != 0 || e.Column == nil || *e.Column != 0 {
						t.Errorf("%s: line %v column %v, want 0 0", f.Name, e.Line, e.Column)
					}
				}
			}
			if !reflect.DeepEqual(files, tc.files) || !reflect.DeepEqual(errs, tc.errors) {
				t.Errorf("files %q with %v errors, want %q with %v", files, errs, tc.files, tc.errors)
			}
			var want []string
			for _, g := range groupByInput(tc.r) {
				for _, f := range g.findings {
					want = append(want, severityName(f.Severity))
				}
			}
			if !reflect.DeepEqual(sevs, want) {
				t.Errorf("severities %q, want %q", sevs, want)
			}
		})
	}
}

func TestCheckstyleEscaping(t *testing.T) {
	doc := renderXML[parsedCheckstyle](t, Checkstyle, nastyReport())
	errs := doc.Files[0].Errors
	want := xmlSafe("in,put: 100%.zip/A<&>.app/x (arm64): a <&>\"' b c 100% d: e, f\x01g\x1bh; notary: \"n\x00m\"; fix: fix <it>")
	if errs[0].Message != want {
		t.Errorf("message\n got %q\nwant %q", errs[0].Message, want)
	}
	if got := []string{errs[0].Severity, errs[1].Severity, errs[2].Severity}; !reflect.DeepEqual(got, []string{"error", "warning", "info"}) {
		t.Errorf("severities %q", got)
	}
	if errs[0].Source != "notarylint.NL1001.sdk-older-than-10.9" {
		t.Errorf("source %q", errs[0].Source)
	}
	if got := errs[2].Message; got != xmlSafe("in,put: 100%.zip/A<&>.app: a <&>\"' b c 100% d: e, f\x01g\x1bh") {
		t.Errorf("message without arch, notary message or fix: %q", got)
	}
	if doc.Files[0].Name != "build/in,put: 100%.zip" {
		t.Errorf("file name %q", doc.Files[0].Name)
	}
	if got := doc.Files[2].Errors[0].Source; got != "notarylint."+analyzer.NotaryLogOnly.ID+"."+analyzer.NotaryLogOnly.Name {
		t.Errorf("notary-log finding source %q", got)
	}
	r := &analyzer.Report{Findings: []analyzer.Finding{{Severity: analyzer.Warning, Path: "x", Message: "m"}}}
	if got := renderXML[parsedCheckstyle](t, Checkstyle, r).Files[0].Errors[0].Source; got != "notarylint" {
		t.Errorf("source without a rule %q", got)
	}
}

func TestGroupByInput(t *testing.T) {
	r := &analyzer.Report{
		Inputs: []string{"a/App.zip", "b", "a/App.zip", "."},
		Findings: []analyzer.Finding{
			{Path: "App.zip/x", Input: "a/App.zip", Message: "1"},
			{Path: "App.zip/y", Message: "2"},                     // notary log: matched by base name
			{Path: "Other.pkg/z", Message: "3"},                   // matches no input
			{Path: "c/w", Input: "c", Message: "4"},               // an input not in Inputs
			{Path: filepath.Base(mustWd(t)), Message: "5"},        // the base name of "."
			{Path: "Other.pkg/v", Input: "", Message: "6"},        // grouped with 3
			{Path: "b/u", Input: "b", Message: "7"},               // after the others, in Inputs order
			{Path: "App.zip/t", Input: "a/App.zip", Message: "8"}, // report order within a group
		},
	}
	type group struct {
		Input    string
		Messages []string
	}
	var got []group
	for _, g := range groupByInput(r) {
		gr := group{Input: g.input}
		for _, f := range g.findings {
			gr.Messages = append(gr.Messages, f.Message)
		}
		got = append(got, gr)
	}
	want := []group{
		{"a/App.zip", []string{"1", "2", "8"}},
		{"b", []string{"7"}},
		{".", []string{"5"}},
		{"Other.pkg", []string{"3", "6"}},
		{"c", []string{"4"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups\n got %+v\nwant %+v", got, want)
	}
}

func mustWd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestCIFormatErrors(t *testing.T) {
	for _, format := range ciFormats {
		if err := format.write(&bytes.Buffer{}, nil); err == nil {
			t.Errorf("%s: nil report: no error", format.name)
		}
		if err := format.write(failWriter{}, fullReport()); !errors.Is(err, errFail) {
			t.Errorf("%s: error %v does not wrap the writer's", format.name, err)
		}
	}
}

// TestCIFormatsKeepReport checks that the writers leave the Report as it was
// and write the same bytes every time.
func TestCIFormatsKeepReport(t *testing.T) {
	for _, format := range ciFormats {
		r := nastyReport()
		before, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		rules := append([]*analyzer.Rule(nil), r.Rules...)
		first := renderCI(t, format.write, r)
		second := renderCI(t, format.write, r)
		after, _ := json.Marshal(r)
		if !bytes.Equal(before, after) || len(r.Rules) != len(rules) || r.Rules[0] != rules[0] || r.Rules[1] != rules[1] {
			t.Errorf("%s changed the report", format.name)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%s: two renderings differ", format.name)
		}
	}
}
