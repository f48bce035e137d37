package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// realPath decodes the named real sample into a temp dir.
func realPath(t *testing.T, name string) string {
	for _, s := range testutil.RealSamples(t) {
		if s.Name() == name {
			return s.WriteTemp(t, t.TempDir())
		}
	}
	t.Fatalf("no real sample %s", name)
	return ""
}

func TestExitCodes(t *testing.T) {
	clean := realPath(t, "pg_ctl-universal")
	legacy := realPath(t, "load_osxfuse-fat3")
	garbage := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(garbage, []byte("just some text\n"), 0o644)

	cases := []struct {
		name string
		args []string
		want int
		errs string
	}{
		{"clean real binary", []string{"check", clean}, ExitOK, ""},
		{"plain form", []string{clean}, ExitOK, ""},
		{"errors found", []string{"check", legacy}, ExitFindings, ""},
		{"fail-on none", []string{"check", "--fail-on", "none", legacy}, ExitOK, ""},
		{"fail-on info trips on infos", []string{"check", "--fail-on", "info", clean}, ExitFindings, ""},
		{"disable the failing rule", []string{"check", "--disable", "sdk-older-than-10.9", legacy}, ExitOK, ""},
		{"missing input", []string{"check", filepath.Join(t.TempDir(), "nope")}, ExitInput, "no such file"},
		{"unsupported input", []string{"check", garbage}, ExitInput, "unsupported input"},
		{"bad flag", []string{"check", "--frobnicate", clean}, ExitUsage, "unknown flag"},
		{"bad fail-on", []string{"check", "--fail-on", "fatal", clean}, ExitUsage, "--fail-on"},
		{"bad format", []string{"check", "--format", "xml", clean}, ExitUsage, "unknown format"},
		{"two stdout formats", []string{"check", "--format", "json", "--format", "sarif", clean}, ExitUsage, "only one"},
		{"unknown rule", []string{"check", "--disable", "nope", clean}, ExitUsage, "unknown rule"},
		{"no paths", []string{"check"}, ExitUsage, ""},
		{"explain unknown", []string{"explain", "zzz-not-a-rule"}, ExitUsage, "no rule"},
		{"expected team", []string{"check", "--team-id", "26QKX55P9K", clean}, ExitOK, ""},
		{"another team", []string{"check", "--team-id", "ABCDE12345", clean}, ExitFindings, ""},
		{"bad team id", []string{"check", "--team-id", "acme", clean}, ExitUsage, "--team-id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.want {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.want, stderr)
			}
			if tc.errs != "" && !strings.Contains(stderr, tc.errs) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.errs)
			}
		})
	}
}

func TestInputErrorStillReportsOthers(t *testing.T) {
	legacy := realPath(t, "load_osxfuse-fat3")
	code, stdout, stderr := run(t, "check", "--format", "json", legacy, filepath.Join(t.TempDir(), "missing"))
	if code != ExitInput {
		t.Fatalf("exit %d, want %d", code, ExitInput)
	}
	if !strings.Contains(stderr, "missing") || !strings.Contains(stdout, "sdk-older-than-10.9") {
		t.Errorf("want the readable input's findings on stdout and the error on stderr; stderr %q", stderr)
	}
}

func TestMultipleOutputs(t *testing.T) {
	legacy := realPath(t, "load_osxfuse-fat3")
	dir := t.TempDir()
	jsonPath, sarifPath := filepath.Join(dir, "out.json"), filepath.Join(dir, "out.sarif")
	code, stdout, _ := run(t, "check", "--format", "text", "--format", "json="+jsonPath, "--format", "sarif="+sarifPath, legacy)
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout, "NL1001 sdk-older-than-10.9") {
		t.Errorf("text output missing the finding:\n%s", stdout)
	}
	var rep struct {
		Tool     string `json:"tool"`
		Findings []struct {
			Rule, Name, Severity, Path, Arch string
		} `json:"findings"`
		Summary struct{ Error, Items int } `json:"summary"`
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("json output unreadable: %v", err)
	}
	if rep.Tool != "notarylint" || rep.Summary.Error != 3 || rep.Summary.Items != 1 {
		t.Errorf("json summary = %+v", rep.Summary)
	}
	for _, f := range rep.Findings {
		if f.Path != "load_osxfuse-fat3" {
			t.Errorf("finding path %q, want the input's base name", f.Path)
		}
	}
	sb, err := os.ReadFile(sarifPath)
	if err != nil || !bytes.Contains(sb, []byte(`"version": "2.1.0"`)) {
		t.Errorf("sarif output missing or wrong: %v", err)
	}
}

func TestRulesAndExplainCoverEveryRule(t *testing.T) {
	_, text, _ := run(t, "rules")
	_, js, _ := run(t, "rules", "--format", "json")
	var list []ruleJSON
	if err := json.Unmarshal([]byte(js), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != len(rules.All) {
		t.Errorf("rules --format json lists %d rules, want %d", len(list), len(rules.All))
	}
	for _, r := range rules.All {
		if !strings.Contains(text, r.ID) || !strings.Contains(text, r.Name) {
			t.Errorf("rules output lacks %s %s", r.ID, r.Name)
		}
		for _, key := range []string{r.ID, r.Name} {
			code, out, _ := run(t, "explain", key)
			if code != 0 || !strings.Contains(out, r.Doc.Fix) || !strings.Contains(out, r.Doc.Title) {
				t.Errorf("explain %s: exit %d, output lacks title or fix", key, code)
			}
		}
	}
	code, out, _ := run(t, "explain", "The binary uses an SDK older than the 10.9 SDK.")
	if code != 0 || !strings.Contains(out, "NL1001") {
		t.Errorf("explain by Apple message: exit %d, %q", code, out)
	}
}

// TestDocsCurrent keeps docs/rules.md equal to `notarylint rules --format
// markdown`. Regenerate with: go run ./cmd/notarylint rules --format markdown > docs/rules.md
func TestDocsCurrent(t *testing.T) {
	want := RulesMarkdown(rules.All)
	got, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("docs/rules.md is stale: go run ./cmd/notarylint rules --format markdown > docs/rules.md")
	}
}

func TestInspect(t *testing.T) {
	p := realPath(t, "pg_ctl-universal")
	code, out, _ := run(t, "inspect", "--format", "json", p)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var items []inspectItem
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !items[0].Universal || len(items[0].Slices) != 2 {
		t.Fatalf("items = %+v", items)
	}
	s := items[0].Slices[1]
	if s.Arch != "arm64" || s.Signature == nil || s.Signature.Kind != "cms" || !s.Signature.Timestamp ||
		s.Signature.CodeDirectories[0].CDHash != "7fd721bff1709195a5f218d3f67607369bb475ee" ||
		s.Signature.CodeDirectories[0].TeamID != "26QKX55P9K" || s.BuildVersions[0].SDK != "14.5" {
		t.Errorf("arm64 slice = %+v", s)
	}
	_, text, _ := run(t, "inspect", p)
	if v := s.Signature.Verification; v == nil || v.Pages != "ok" || v.CMS != "ok" || v.LeafKind != "Developer ID Application" ||
		!strings.HasPrefix(v.Chain, "ok: ") || v.TimestampTime != "2026-05-13T09:32:47Z" || v.Timestamp != "ok" {
		t.Errorf("verification = %+v", v)
	}
	for _, want := range []string{"cdhash 7fd721bff1709195a5f218d3f67607369bb475ee", "team=26QKX55P9K", "com.apple.security.cs.allow-jit = true",
		"chain: ok: Developer ID Application: EnterpriseDB Corporation (26QKX55P9K) > Developer ID Certification Authority > Apple Root CA"} {
		if !strings.Contains(text, want) {
			t.Errorf("inspect text lacks %q", want)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := run(t, args...)
		if code != 0 || !strings.Contains(out, "notarylint "+Version) {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}

func TestInspectBundleTree(t *testing.T) {
	app := fixture.Bundle{
		Name:   "Tree.app",
		Nested: []fixture.NestedBundle{{Path: "Frameworks", Bundle: fixture.Bundle{Name: "Kit.framework", Kind: fixture.BundleFramework}}},
		Sign:   &fixture.SignOptions{},
	}.Write(t, t.TempDir())
	code, out, _ := run(t, "inspect", "--format", "json", app)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var items []inspectItem
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%d %s %s", it.Depth, it.Kind, it.Path))
	}
	want := []string{
		"0 bundle Tree.app",
		"1 bundle Tree.app/Contents/Frameworks/Kit.framework",
		"2 mach-o Tree.app/Contents/Frameworks/Kit.framework/Versions/A/Kit",
		"1 mach-o Tree.app/Contents/MacOS/Tree",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b := items[0].Bundle; b == nil || b.Identifier != "com.example.tree" || !b.Sealed || b.SealVerdict != "ok" || b.SealFiles == 0 {
		t.Errorf("bundle = %+v", b)
	}
	if items[2].Slices[0].Signature == nil || items[2].Slices[0].Signature.CodeDirectories[0].Identifier != "com.example.kit" {
		t.Errorf("framework executable = %+v", items[2].Slices)
	}
}

// TestInspectPackage shows a real package's identity for ticket matching,
// its signer and its components.
func TestInspectPackage(t *testing.T) {
	p := "../../testdata/real-pkg/nudge-launchagent-1.0.1.pkg"
	code, out, _ := run(t, "inspect", "--format", "json", p)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var items []inspectItem
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Package == nil {
		t.Fatalf("items = %+v", items)
	}
	pk := items[0].Package
	if !pk.Product || pk.TOCChecksum != "sha1:76cb95853587d2b8b0960c25fed1a5c0dd294a29" || pk.TicketKey != "2/1/76cb95853587d2b8b0960c25fed1a5c0dd294a29" ||
		pk.Signature != "RSA+CMS" || pk.LeafKind != "Developer ID Installer" || pk.Chain != "ok" || pk.Timestamp != "2024-01-03T15:48:26Z" ||
		len(pk.Components) != 1 || pk.Components[0].Payload != "gzip" || pk.Components[0].BomPaths != 2 {
		t.Errorf("package = %+v", pk)
	}
	if _, text, _ := run(t, "inspect", p); !strings.Contains(text, "ticket record 2/1/76cb95853587d2b8b0960c25fed1a5c0dd294a29") {
		t.Errorf("inspect text:\n%s", text)
	}
}

// TestLog explains notary logs: exit 0 for an accepted one, 1 for one
// that failed, 3 for a file that is not a log; text and JSON.
func TestLog(t *testing.T) {
	dir := "../../testdata/notary-logs/"
	if code, out, _ := run(t, "log", dir+"made-up-accepted.json"); code != 0 || !strings.Contains(out, "ticket covers 2") {
		t.Errorf("accepted: exit %d\n%s", code, out)
	}
	code, out, _ := run(t, "log", "--format", "json", dir+"made-up-distribution-unpack.json")
	var rep logReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
		t.Fatalf("exit %d, %v", code, err)
	}
	if rep.Verdict.Outcome != "invalid" || len(rep.Issues) != 2 || rep.Issues[1].Rules[0] != "NL6006 pkg-not-extractable" || rep.Issues[0].Note == "" {
		t.Errorf("report %+v", rep)
	}
	if code, out, _ := run(t, "log", dir+"made-up-rejected-7000.json"); code != 1 || !strings.Contains(out, "not enabled notarization for this team") {
		t.Errorf("7000: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, "log", "../../go.mod"); code != ExitInput || !strings.Contains(errOut, "not a notary log") {
		t.Errorf("go.mod: exit %d, %q", code, errOut)
	}
}

// TestExplainPastedMessage finds a rule from a whole message pasted from a
// log, names substituted.
func TestExplainPastedMessage(t *testing.T) {
	code, out, _ := run(t, "explain", "Package My Thing 2.pkg has no signed executables or bundles. No tickets can be generated.")
	if code != 0 || !strings.HasPrefix(out, "NL6007 pkg-no-code") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestLogWithPackage gives the package alongside the log of its failed
// submission: the two unhelpful messages are traced to the exact cause.
func TestLogWithPackage(t *testing.T) {
	pki := fixture.TestPKI(t)
	comp := fixture.Component{Name: "tool.pkg", Payload: fixture.Payload{Files: []fixture.CpioFile{{Name: ".", Mode: fs.ModeDir}, {Name: "./x", Data: []byte("x")}}}}
	b := fixture.ProductPkg(t, []fixture.Component{comp}, fixture.ProductOptions{PkgRefWithoutHash: true},
		fixture.XarOptions{Sign: &fixture.XarSignature{Identity: pki.Leaf(t, fixture.LeafDeveloperIDInstaller, fixture.LeafOptions{}), RSA: true, CMS: true}})
	p := filepath.Join(t.TempDir(), "Installer.pkg")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "log", "--format", "json", "../../testdata/notary-logs/made-up-distribution-unpack.json", p)
	var rep logReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
		t.Fatalf("exit %d, %v", code, err)
	}
	for _, is := range rep.Issues {
		ok := false
		for _, f := range is.Found {
			ok = ok || strings.Contains(f, "pkg-not-extractable") && strings.Contains(f, "without the leading '#'")
		}
		if !ok {
			t.Errorf("%q: found %q", is.Message, is.Found)
		}
	}
}

// TestExplainAccountErrors explains notarytool's account-side error texts.
func TestExplainAccountErrors(t *testing.T) {
	for text, want := range map[string]string{
		"Error: HTTP status code: 401. Invalid credentials. Username or password is incorrect. Use the app-specific password generated at appleid.apple.com.":                      "bad-credentials",
		"Error: HTTP status code: 403. Invalid or inaccessible developer team ID for the provided Apple ID. Ensure the Team ID is correct and that you are a member of that team.": "invalid-team-id",
		"Error: HTTP status code: 403. A required agreement is missing or has expired. FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED":                                           "agreements-missing",
	} {
		code, out, _ := run(t, "explain", text)
		if code != 0 || !strings.HasPrefix(out, want) {
			t.Errorf("%.40s…: exit %d, %q", text, code, out)
		}
	}
}

// TestInspectDiskImage shows a signed, stapled disk image: its blkx
// entries, codecs, signature and cdhash.
func TestInspectDiskImage(t *testing.T) {
	img := fixture.SignUDIF(t, fixture.UDIF(t, []byte(strings.Repeat("disk ", 40000)), fixture.UDIFOptions{}),
		fixture.DMGSignOptions{Identifier: "Hello", Ticket: []byte("s8ch\x00\x00\x00\x01ticket")})
	p := filepath.Join(t.TempDir(), "Hello.dmg")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "inspect", "--format", "json", p)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var items []inspectItem
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].DiskImage == nil || items[0].Kind != "disk-image" {
		t.Fatalf("items = %+v", items)
	}
	d := items[0].DiskImage
	if d.NotUDIF != "" || !d.Stapled || d.Codecs["zlib"] == 0 || len(d.Partitions) != 1 || d.Signature == nil || d.Signature.Kind != "ad-hoc" ||
		len(d.Signature.CodeDirectories) != 1 || d.Signature.CodeDirectories[0].Identifier != "Hello" || d.Signature.CodeDirectories[0].PageSize != 0 {
		t.Fatalf("disk image = %+v", d)
	}
	cdhash := d.Signature.CodeDirectories[0].CDHash
	if v := d.Signature.Verification; v == nil || v.Pages != "ok" || v.SpecialSlots != "ok" {
		t.Errorf("verification = %+v", v)
	}
	if _, text, _ := run(t, "inspect", p); !strings.Contains(text, "disk image, UDIF") || !strings.Contains(text, "cdhash "+cdhash) {
		t.Errorf("inspect text:\n%s", text)
	}
}

// TestVersionFrom prints the module version of a `go install …@version`
// build and the commit of a build from a checkout.
func TestVersionFrom(t *testing.T) {
	for _, tc := range []struct {
		set  string
		info *debug.BuildInfo
		want string
	}{
		{devVersion, nil, devVersion},
		{devVersion, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}}, "v0.4.0, go1.26.8"},
		{devVersion, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3c428b3d1e2f4a5b6c7d8e9f00112233445566778"}, {Key: "vcs.modified", Value: "true"}}},
			devVersion + " (commit 3c428b3d1e2f-dirty), go1.26.8"},
		{"1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}}, "1.2.3, go1.26.8"},
	} {
		if got := versionFrom(tc.set, tc.info); got != tc.want {
			t.Errorf("versionFrom(%q, %+v) = %q, want %q", tc.set, tc.info, got, tc.want)
		}
	}
	if code, out, _ := run(t, "version"); code != ExitOK || !strings.HasPrefix(out, "notarylint "+Version) {
		t.Errorf("version: %d %q", code, out)
	}
}
