package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fatih/color"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/notarylint/notarylint/analyzer"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with the golden file testdata/name, or rewrites
// the file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./report -update):\n%s", golden, got)
	}
}

// sdkRule is an observed rule with Apple's message and documentation.
var sdkRule = &analyzer.Rule{
	ID:       "NL1001",
	Name:     "sdk-older-than-10.9",
	Severity: analyzer.Error,
	Kinds:    []analyzer.Kind{analyzer.KindMachO},
	Doc: analyzer.Doc{
		Title: "binary built with an SDK older than macOS 10.9",
		Why: "The notary service rejects executables linked against an SDK older than macOS 10.9: " +
			"the SDK version in LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX is below 10.9.",
		AppleMessages: []string{"The binary uses an SDK older than the 10.9 SDK."},
		NotaryMessage: "The binary uses an SDK older than the 10.9 SDK.",
		DocURL:        "https://developer.apple.com/documentation/security/resolving-common-notarization-issues",
		Fix:           "Rebuild with a current Xcode (macOS SDK 10.9 or later), keeping -mmacosx-version-min for older systems.",
		Sources:       []string{"Apple developer forum thread 659964"},
	},
	Check: func(*analyzer.Pass) {},
}

// certRule is an inferred rule, so a warning.
var certRule = &analyzer.Rule{
	ID:       "NL2005",
	Name:     "cert-expired-untimestamped",
	Severity: analyzer.Warning,
	Kinds:    []analyzer.Kind{analyzer.KindMachO},
	Doc: analyzer.Doc{
		Title:    "expired certificate and no secure timestamp",
		Why:      "Gatekeeper rejects a signature whose leaf certificate has expired unless a secure timestamp proves it was made while the certificate was valid.",
		Fix:      "Sign with --timestamp so that every signature carries Apple's secure timestamp.",
		Inferred: true,
		Sources:  []string{"https://github.com/apple-oss-distributions/Security"},
	},
	Check: func(*analyzer.Pass) {},
}

// fullReport has two rules, three findings over two paths, one with an
// arch and one with a space in its path.
func fullReport() *analyzer.Report {
	return &analyzer.Report{
		Tool:    "notarylint",
		Version: "v0.3.0",
		Inputs:  []string{"build/App.zip", "dist/My App"},
		Findings: []analyzer.Finding{
			{
				RuleID: "NL1001", RuleName: "sdk-older-than-10.9", Severity: analyzer.Error,
				Path: "App.zip/App.app/Contents/MacOS/App", Arch: "arm64",
				Message:       "built with macOS SDK 10.8 (LC_BUILD_VERSION), older than 10.9",
				NotaryMessage: "The binary uses an SDK older than the 10.9 SDK.",
				DocURL:        sdkRule.Doc.DocURL,
				Fix:           sdkRule.Doc.Fix,
				Fingerprint:   "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
				Input:         "build/App.zip",
			},
			{
				RuleID: "NL1001", RuleName: "sdk-older-than-10.9", Severity: analyzer.Error,
				Path: "App.zip/App.app/Contents/MacOS/App", Arch: "x86_64",
				Message:       "built with macOS SDK 10.7 (LC_VERSION_MIN_MACOSX), older than 10.9",
				NotaryMessage: "The binary uses an SDK older than the 10.9 SDK.",
				DocURL:        sdkRule.Doc.DocURL,
				Fix:           sdkRule.Doc.Fix,
				Fingerprint:   "1f1e2d3c4b5a69788796a5b4c3d2e1f1",
				Input:         "build/App.zip",
			},
			{
				RuleID: "NL2005", RuleName: "cert-expired-untimestamped", Severity: analyzer.Warning,
				Path:        "My App/tool",
				Message:     "leaf certificate \"Developer ID Application: Example (ABCDE12345)\" expired on 2023-01-31 and the signature has no secure timestamp",
				Fix:         certRule.Doc.Fix,
				Fingerprint: "2f1e2d3c4b5a69788796a5b4c3d2e1f2",
				Input:       "dist/My App",
			},
		},
		Summary: analyzer.Summary{Error: 2, Warning: 1, Items: 5, Bytes: 12_897_485},
		Items:   htmlSampleItems(),
		Rules:   []*analyzer.Rule{sdkRule, certRule},
	}
}

// emptyReport has rules but no findings (and a nil slice of them).
func emptyReport() *analyzer.Report {
	return &analyzer.Report{
		Tool:    "notarylint",
		Version: "v0.3.0",
		Inputs:  []string{"build/App.zip"},
		Summary: analyzer.Summary{Items: 3, Bytes: 2048},
		Items:   htmlEmptySampleItems(),
		Rules:   []*analyzer.Rule{sdkRule, certRule},
	}
}

func render(t *testing.T, format string, r *analyzer.Report, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opt); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	reports := map[string]func() *analyzer.Report{"full": fullReport, "empty": emptyReport}
	exts := map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "junit.xml", "github": "github.txt", "checkstyle": "checkstyle.xml", "html": "html"}
	for name, mk := range reports {
		for _, format := range Formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				checkGolden(t, name+"."+exts[format]+".golden", render(t, format, mk(), Options{}))
			})
		}
	}
}

// compileSARIFSchema loads the OASIS SARIF 2.1.0 schema from the repository,
// without network access.
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := doc.(map[string]any)["id"].(string)
	if id == "" {
		t.Fatal("schema has no id")
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	long := *sdkRule
	long.Doc.Why = strings.Repeat("a very long explanation ", 100)
	withPlaceholder := fullReport()
	withPlaceholder.Rules = withPlaceholder.Rules[:1] // NL2005 undescribed
	cases := map[string]*analyzer.Report{
		"full":        fullReport(),
		"empty":       emptyReport(),
		"long":        {Version: "devel", Rules: []*analyzer.Rule{&long}},
		"placeholder": withPlaceholder,
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			out := render(t, "sarif", r, Options{Category: "notarylint/arm64"})
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("SARIF does not validate: %v\n%s", err, out)
			}
		})
	}
	// The schema does reject a bad log, so the passes above mean something.
	bad := strings.Replace(string(render(t, "sarif", fullReport(), Options{})), `"startLine": 1`, `"startLine": 0`, 1)
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if sch.Validate(v) == nil {
		t.Error("schema accepts startLine 0")
	}
}

// The parts of SARIF the assertions read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string
				Version         string
				SemanticVersion *string
				InformationURI  string
				Rules           []struct {
					ID                   string
					Name                 string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text, Markdown string }
					HelpURI              string
					DefaultConfiguration struct{ Level string }
					Properties           map[string]any
				}
			}
		}
		AutomationDetails struct{ ID string }
		Results           []struct {
			RuleID    string
			RuleIndex *int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine int }
				}
			}
			PartialFingerprints map[string]string
			Properties          map[string]string
		}
	}
}

func decodeSARIF(t *testing.T, r *analyzer.Report, opt Options) sarifDoc {
	t.Helper()
	var d sarifDoc
	if err := json.Unmarshal(render(t, "sarif", r, opt), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(d.Runs))
	}
	return d
}

func TestSARIFContents(t *testing.T) {
	r := fullReport()
	d := decodeSARIF(t, r, Options{})
	if d.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || d.Version != "2.1.0" {
		t.Errorf("$schema %q, version %q", d.Schema, d.Version)
	}
	run := d.Runs[0]
	drv := run.Tool.Driver
	if drv.Name != "notarylint" || drv.Version != "v0.3.0" || drv.InformationURI != "https://github.com/notarylint/notarylint" {
		t.Errorf("driver %+v", drv)
	}
	if drv.SemanticVersion == nil || *drv.SemanticVersion != "0.3.0" {
		t.Errorf("semanticVersion %v, want 0.3.0", drv.SemanticVersion)
	}
	if run.AutomationDetails.ID != "notarylint/" {
		t.Errorf("automationDetails.id %q, want notarylint/", run.AutomationDetails.ID)
	}
	if len(drv.Rules) != 2 {
		t.Fatalf("got %d rules, want 2", len(drv.Rules))
	}
	for i, rule := range drv.Rules {
		src := r.Rules[i]
		if rule.ID != src.ID || rule.Name == "" || rule.Name == rule.ID {
			t.Errorf("rule %d: id %q name %q", i, rule.ID, rule.Name)
		}
		if rule.ShortDescription.Text != src.Doc.Title || rule.FullDescription.Text != src.Doc.Why {
			t.Errorf("rule %s descriptions %q / %q", rule.ID, rule.ShortDescription.Text, rule.FullDescription.Text)
		}
		if rule.Help.Text == "" || rule.Help.Markdown == "" || rule.HelpURI != RuleHelpURL(src) {
			t.Errorf("rule %s help %+v helpUri %q", rule.ID, rule.Help, rule.HelpURI)
		}
		if strings.Contains(rule.Help.Text, "Inferred rule") != src.Doc.Inferred ||
			strings.Contains(rule.Help.Markdown, "Inferred rule") != src.Doc.Inferred {
			t.Errorf("rule %s: inferred note wrong in help", rule.ID)
		}
		wantPrecision := map[bool]string{false: "high", true: "medium"}[src.Doc.Inferred]
		if rule.Properties["precision"] != wantPrecision {
			t.Errorf("rule %s precision %v, want %s", rule.ID, rule.Properties["precision"], wantPrecision)
		}
		tags, _ := rule.Properties["tags"].([]any)
		if len(tags) != 3 || tags[0] != "notarization" || tags[1] != "macos" {
			t.Errorf("rule %s tags %v", rule.ID, tags)
		}
	}
	if got := drv.Rules[0].Properties["problem.severity"]; got != "error" {
		t.Errorf("NL1001 problem.severity %v", got)
	}
	if got := drv.Rules[1].Properties["problem.severity"]; got != "warning" {
		t.Errorf("NL2005 problem.severity %v", got)
	}
	if !strings.Contains(drv.Rules[0].Help.Markdown, "`The binary uses an SDK older than the 10.9 SDK.`") ||
		!strings.Contains(drv.Rules[0].Help.Markdown, `LC\_BUILD\_VERSION`) {
		t.Errorf("NL1001 help.markdown:\n%s", drv.Rules[0].Help.Markdown)
	}

	if len(run.Results) != len(r.Findings) {
		t.Fatalf("got %d results, want %d", len(run.Results), len(r.Findings))
	}
	wantURI := []string{"build/App.zip", "build/App.zip", "dist/My%20App"}
	for i, res := range run.Results {
		f := r.Findings[i]
		if res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(drv.Rules) || drv.Rules[*res.RuleIndex].ID != res.RuleID || res.RuleID != f.RuleID {
			t.Errorf("result %d: ruleId %q ruleIndex %v", i, res.RuleID, res.RuleIndex)
		}
		if res.Level != sarifLevel(f.Severity) {
			t.Errorf("result %d: level %q", i, res.Level)
		}
		if len(res.Locations) != 1 {
			t.Fatalf("result %d: %d locations", i, len(res.Locations))
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != wantURI[i] || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region.StartLine != 1 {
			t.Errorf("result %d: location %+v", i, loc)
		}
		if res.PartialFingerprints["notarylint/v1"] != f.Fingerprint || res.PartialFingerprints["primaryLocationLineHash"] != f.Fingerprint+":1" {
			t.Errorf("result %d: partialFingerprints %v", i, res.PartialFingerprints)
		}
		if res.Properties["path"] != f.Path || res.Properties["arch"] != f.Arch {
			t.Errorf("result %d: properties %v", i, res.Properties)
		}
		if strings.ContainsAny(res.Message.Text, "\n\r") || !strings.Contains(res.Message.Text, f.Message) ||
			!strings.Contains(res.Message.Text, "["+f.Path) {
			t.Errorf("result %d: message %q", i, res.Message.Text)
		}
	}
	want := `built with macOS SDK 10.8 (LC_BUILD_VERSION), older than 10.9; notary: "The binary uses an SDK older than the 10.9 SDK." [App.zip/App.app/Contents/MacOS/App, arm64]`
	if got := run.Results[0].Message.Text; got != want {
		t.Errorf("message\n got %s\nwant %s", got, want)
	}
	if got := run.Results[2].Message.Text; !strings.HasSuffix(got, "secure timestamp [My App/tool]") {
		t.Errorf("message without arch: %s", got)
	}
	if _, ok := run.Results[2].Properties["arch"]; ok {
		t.Error("empty arch is written to properties")
	}
}

func TestSARIFEmpty(t *testing.T) {
	out := string(render(t, "sarif", emptyReport(), Options{Category: "notarylint/x86_64"}))
	if !strings.Contains(out, `"results": []`) {
		t.Errorf("empty report has no results array:\n%s", out)
	}
	if strings.Contains(out, ": -1") {
		t.Errorf("output has a -1 sentinel")
	}
	d := decodeSARIF(t, emptyReport(), Options{Category: "notarylint/x86_64"})
	if got := d.Runs[0].AutomationDetails.ID; got != "notarylint/x86_64/" {
		t.Errorf("automationDetails.id %q", got)
	}
}

func TestSARIFLevels(t *testing.T) {
	for _, tc := range []struct {
		sev            analyzer.Severity
		level, problem string
	}{
		{analyzer.Error, "error", "error"},
		{analyzer.Warning, "warning", "warning"},
		{analyzer.Info, "note", "recommendation"},
	} {
		rule := *certRule
		rule.Severity = tc.sev
		r := &analyzer.Report{
			Version:  "1.0.0-rc.1+build.5",
			Rules:    []*analyzer.Rule{&rule},
			Findings: []analyzer.Finding{{RuleID: rule.ID, RuleName: rule.Name, Severity: tc.sev, Path: "x", Input: "x", Fingerprint: "ab"}},
		}
		d := decodeSARIF(t, r, Options{})
		drv := d.Runs[0].Tool.Driver
		if got := drv.Rules[0].DefaultConfiguration.Level; got != tc.level {
			t.Errorf("%v: defaultConfiguration.level %q, want %q", tc.sev, got, tc.level)
		}
		if got := drv.Rules[0].Properties["problem.severity"]; got != tc.problem {
			t.Errorf("%v: problem.severity %v, want %q", tc.sev, got, tc.problem)
		}
		if got := d.Runs[0].Results[0].Level; got != tc.level {
			t.Errorf("%v: result level %q, want %q", tc.sev, got, tc.level)
		}
		if drv.SemanticVersion == nil || *drv.SemanticVersion != "1.0.0-rc.1+build.5" {
			t.Errorf("semanticVersion %v", drv.SemanticVersion)
		}
	}
}

func TestSARIFFullDescriptionLimit(t *testing.T) {
	long := *sdkRule
	long.Doc.Why = strings.Repeat("é", 2000)
	d := decodeSARIF(t, &analyzer.Report{Version: "(devel)", Rules: []*analyzer.Rule{&long}}, Options{})
	drv := d.Runs[0].Tool.Driver
	full := drv.Rules[0].FullDescription.Text
	if n := utf8.RuneCountInString(full); n > 1024 || n < 1000 || !strings.HasSuffix(full, "…") {
		t.Errorf("fullDescription has %d characters, ends %q", n, full[len(full)-6:])
	}
	if drv.SemanticVersion != nil {
		t.Errorf("semanticVersion %q for a non-semver version", *drv.SemanticVersion)
	}
}

func TestSARIFUndescribedRule(t *testing.T) {
	r := fullReport()
	r.Rules = nil
	r.Findings = append(r.Findings, analyzer.Finding{
		RuleID: analyzer.InternalError.ID, RuleName: analyzer.InternalError.Name, Severity: analyzer.Error,
		Path: "My App/tool", Message: "rule NL2005 failed", Input: "dist/My App", Fingerprint: "cd",
	})
	d := decodeSARIF(t, r, Options{})
	drv := d.Runs[0].Tool.Driver
	var ids []string
	for _, rule := range drv.Rules {
		ids = append(ids, rule.ID)
		if rule.Name == "" || rule.Name == rule.ID || rule.ShortDescription.Text == "" || rule.Help.Text == "" {
			t.Errorf("placeholder rule %+v", rule)
		}
	}
	if want := []string{"NL1001", "NL2005", "NL9002"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("rules %v, want %v", ids, want)
	}
	if got := drv.Rules[2].FullDescription.Text; got != analyzer.InternalError.Doc.Why {
		t.Errorf("NL9002 described as %q", got)
	}
	for i, res := range d.Runs[0].Results {
		if res.RuleIndex == nil || drv.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %v for %s", i, res.RuleIndex, res.RuleID)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		input, path, want string
	}{
		{"build/App.zip", "App.zip/App.app", "build/App.zip"},
		{"./build/../dist/My App.app", "My App.app/Contents", "dist/My%20App.app"},
		{"My App.app", "My App.app", "My%20App.app"},
		{filepath.Join(wd, "out", "My App.app"), "My App.app", "out/My%20App.app"},
		{filepath.Join(filepath.Dir(wd), "elsewhere", "App.dmg"), "App.dmg", "App.dmg"},
		{"../outside/App.zip", "App.zip", "App.zip"},
		{"Über #1 (final)+?.zip", "x", "%C3%9Cber%20%231%20%28final%29%2B%3F.zip"},
		{"a:b/c", "c", "a%3Ab/c"},
		{"", "Tool.app/Contents/MacOS/Tool", "Tool.app"},
	} {
		got := artifactURI(analyzer.Finding{Input: tc.input, Path: tc.path})
		if got != tc.want {
			t.Errorf("artifactURI(%q) = %q, want %q", tc.input, got, tc.want)
		}
	}
}

func TestRuleHelpURL(t *testing.T) {
	for _, tc := range []struct {
		rule *analyzer.Rule
		want string
	}{
		{sdkRule, "https://github.com/notarylint/notarylint/blob/main/docs/rules.md#nl1001-sdk-older-than-109"},
		{certRule, "https://github.com/notarylint/notarylint/blob/main/docs/rules.md#nl2005-cert-expired-untimestamped"},
		{&analyzer.Rule{ID: "NL9001", Name: "malformed_input"}, "https://github.com/notarylint/notarylint/blob/main/docs/rules.md#nl9001-malformed_input"},
		{nil, ""},
	} {
		if got := RuleHelpURL(tc.rule); got != tc.want {
			t.Errorf("RuleHelpURL = %q, want %q", got, tc.want)
		}
	}
}

func TestTextColor(t *testing.T) {
	defer func(old bool) { color.NoColor = old }(color.NoColor)
	for _, global := range []bool{false, true} {
		color.NoColor = global
		plain := string(render(t, "text", fullReport(), Options{Color: false}))
		if strings.Contains(plain, "\x1b[") {
			t.Errorf("NoColor=%v: escape codes without Color:\n%q", global, plain)
		}
		colored := string(render(t, "text", fullReport(), Options{Color: true}))
		for _, code := range []string{"\x1b[31;1merror\x1b[", "\x1b[33;1mwarning\x1b[", "\x1b[1mMy App/tool\x1b["} {
			if !strings.Contains(colored, code) {
				t.Errorf("NoColor=%v: %q missing with Color:\n%q", global, code, colored)
			}
		}
		info := &analyzer.Report{Findings: []analyzer.Finding{{RuleID: "NL9001", Severity: analyzer.Info, Path: "x", Message: "m"}}}
		if got := string(render(t, "text", info, Options{Color: true})); !strings.Contains(got, "\x1b[34;1minfo\x1b[") {
			t.Errorf("NoColor=%v: info not blue:\n%q", global, got)
		}
	}
}

func TestTextLayout(t *testing.T) {
	out := string(render(t, "text", fullReport(), Options{}))
	for i, line := range strings.Split(out, "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Errorf("line %d has trailing space: %q", i+1, line)
		}
	}
	for _, want := range []string{
		"App.zip/App.app/Contents/MacOS/App (arm64)\n  error   NL1001 sdk-older-than-10.9: built with macOS SDK 10.8",
		"\n          notary: \"The binary uses an SDK older than the 10.9 SDK.\"\n          fix: Rebuild",
		"\n\nMy App/tool\n  warning NL2005 cert-expired-untimestamped: ",
		"\n\n2 errors, 1 warning, 0 infos in 5 items (12.3 MiB)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "2 errors, 1 warning, 0 infos in 5 items (12.3 MiB)\n") {
		t.Errorf("text does not end with the summary:\n%s", out)
	}
}

func TestTextSummary(t *testing.T) {
	if got := string(render(t, "text", emptyReport(), Options{})); got != "no problems found in 3 items (2.0 KiB)\n" {
		t.Errorf("empty report: %q", got)
	}
	r := &analyzer.Report{
		Findings: []analyzer.Finding{
			{RuleID: "NL1001", Severity: analyzer.Error, Path: "a", Message: "m\nsecond line  "},
			{RuleID: "NL1002", Severity: analyzer.Info, Path: "a", Message: "n"},
		},
		Summary: analyzer.Summary{Items: 1, Bytes: 512},
	}
	got := string(render(t, "text", r, Options{}))
	want := "a\n" +
		"  error   NL1001: m\n" +
		"          second line\n" +
		"  info    NL1002: n\n" +
		"\n" +
		"1 error, 0 warnings, 1 info in 1 item (512 B)\n"
	if got != want {
		t.Errorf("text\n got %q\nwant %q", got, want)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		12_897_485: "12.3 MiB", 1<<20 - 1: "1.0 MiB", 5 << 30: "5.0 GiB",
	} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestJSONContract(t *testing.T) {
	out := render(t, "json", fullReport(), Options{})
	if !bytes.HasSuffix(out, []byte("}\n")) || !bytes.HasPrefix(out, []byte("{\n  \"tool\": \"notarylint\",")) {
		t.Errorf("json not indented with a trailing newline:\n%s", out)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(doc), []string{"findings", "inputs", "summary", "tool", "version"}; !reflect.DeepEqual(got, want) {
		t.Errorf("top-level keys %v, want %v", got, want)
	}
	findings := doc["findings"].([]any)
	first := findings[0].(map[string]any)
	if got, want := keys(first), []string{"arch", "doc_url", "fingerprint", "fix", "input", "message", "name", "notary_message", "path", "rule", "severity"}; !reflect.DeepEqual(got, want) {
		t.Errorf("finding keys %v, want %v", got, want)
	}
	if first["severity"] != "error" || first["rule"] != "NL1001" || first["arch"] != "arm64" {
		t.Errorf("first finding %v", first)
	}
	third := findings[2].(map[string]any)
	for _, k := range []string{"arch", "notary_message", "doc_url"} {
		if _, ok := third[k]; ok {
			t.Errorf("empty %s is written", k)
		}
	}
	summary := doc["summary"].(map[string]any)
	if got, want := keys(summary), []string{"bytes", "error", "info", "items", "warning"}; !reflect.DeepEqual(got, want) {
		t.Errorf("summary keys %v, want %v", got, want)
	}

	empty := string(render(t, "json", &analyzer.Report{Tool: "notarylint"}, Options{}))
	if !strings.Contains(empty, `"findings": []`) || !strings.Contains(empty, `"inputs": []`) {
		t.Errorf("empty report:\n%s", empty)
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "xml", fullReport(), Options{}); err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("unknown format: %v", err)
	}
	if err := Write(&bytes.Buffer{}, "text", nil, Options{}); err == nil {
		t.Error("nil report: no error")
	}
	for _, format := range Formats {
		err := Write(failWriter{}, format, fullReport(), Options{})
		if !errors.Is(err, errFail) {
			t.Errorf("%s: error %v does not wrap the writer's", format, err)
		}
	}
}

var errFail = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFail }

func TestEscapeMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"__TEXT and *ptr":  `\_\_TEXT and \*ptr`,
		"- not a list":     `\- not a list`,
		"1. not a list":    `1\. not a list`,
		"<key> [x](y) # h": `\<key\> \[x\](y) \# h`,
	} {
		if got := escapeMarkdown(in); got != want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
	if got := codeSpan("a `b` c"); got != "``a `b` c``" {
		t.Errorf("codeSpan = %q", got)
	}
}

func TestSARIFSecuritySeverity(t *testing.T) {
	sec := *sdkRule
	sec.ID, sec.Name, sec.Doc.SecuritySeverity = "NL3999", "test-security", "6.5"
	var buf bytes.Buffer
	rep := &analyzer.Report{Version: "1.0.0", Rules: []*analyzer.Rule{sdkRule, &sec}}
	if err := SARIF(&buf, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Tool.Driver.Rules
	if _, ok := rs[0].Properties["security-severity"]; ok {
		t.Error("a rule without SecuritySeverity got security-severity")
	}
	if rs[1].Properties["security-severity"] != "6.5" || !strings.Contains(fmt.Sprint(rs[1].Properties["tags"]), "security") {
		t.Errorf("security rule properties = %v", rs[1].Properties)
	}
}

// TestSummaryLeftOut says how many findings the configuration and the
// baseline left out.
func TestSummaryLeftOut(t *testing.T) {
	r := emptyReport()
	r.Summary.Ignored, r.Summary.Baselined = 2, 1
	if got := summaryLine(r); !strings.HasSuffix(got, "; not shown: 2 ignored by the configuration, 1 in the baseline") {
		t.Errorf("summary %q", got)
	}
}
