package rules_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/rules"
)

// TestTicketForOtherBuild is the Error 65 case end to end: a signed tool's
// cdhash goes into a notary log as its ticket; the same tool passes, and
// the tool re-signed after notarization is ticket-for-other-build with its
// arch and both cdhashes.
func TestTicketForOtherBuild(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "MyTool")
	write := func(m fixture.MachO) {
		if err := os.WriteFile(tool, fixture.MustBytes(t, m), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	notarized := clean(t)
	write(notarized)
	found, errs := analyzer.Inspect(analyzer.Config{Trust: testTrust(t)}, []string{tool})
	if len(errs) > 0 || len(found) != 1 || found[0].MachO == nil || len(found[0].MachO.Slices) != 1 {
		t.Fatalf("inspect: %v %+v", errs, found)
	}
	slice := found[0].MachO.Slices[0]
	cdhash := hex.EncodeToString(slice.Signature.CodeDirectories[0].CDHash())
	ticket := []analyzer.NotarizedItem{{Path: "MyTool.zip/MyTool", Arch: slice.Arch, DigestAlgorithm: "SHA-256", CDHash: cdhash}}
	run := func() []analyzer.Finding {
		rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Notarized: ticket}, []string{tool})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return ruleFindings(rep, "ticket-for-other-build")
	}
	if got := run(); len(got) != 0 {
		t.Fatalf("the notarized build: %+v", got)
	}
	resigned := clean(t)
	resigned.Signature.Identifier = "com.example.resigned"
	write(resigned)
	got := run()
	if len(got) != 1 || got[0].Arch != slice.Arch || !strings.Contains(got[0].Message, cdhash) || !strings.Contains(got[0].Message, "Error 65") {
		t.Fatalf("re-signed build: %+v", got)
	}
	if strings.Count(got[0].Message, "cdhash") != 1 || strings.Contains(got[0].Message, "has  ") {
		t.Errorf("message lacks the found cdhash: %s", got[0].Message)
	}
	ticket[0].Arch = "x86_64" // another arch's entry says nothing about this slice
	if got := run(); len(got) != 0 {
		t.Errorf("other arch: %+v", got)
	}
}

// TestUploadChanged compares an input's SHA-256 with the log's: the same
// bytes pass, other bytes are a warning, and a stapled package whose bytes
// differ is only info.
func TestUploadChanged(t *testing.T) {
	dir := t.TempDir()
	runAs := func(name, upload string, b []byte, sum string) []analyzer.Finding {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), NotarizedUpload: upload, NotarizedSHA256: sum}, []string{p})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return ruleFindings(rep, "upload-changed")
	}
	run := func(name string, b []byte, sum string) []analyzer.Finding { return runAs(name, name, b, sum) }
	tool := fixture.MustBytes(t, clean(t))
	sum := sha256.Sum256(tool)
	if got := run("MyTool", tool, hex.EncodeToString(sum[:])); len(got) != 0 {
		t.Errorf("same bytes: %+v", got)
	}
	if got := run("MyTool", append(tool, 0), hex.EncodeToString(sum[:])); len(got) != 1 || got[0].Severity != analyzer.Warning {
		t.Errorf("changed bytes: %+v", got)
	}
	if got := runAs("Other", "MyTool", append(tool, 0), hex.EncodeToString(sum[:])); len(got) != 0 {
		t.Errorf("another file's log: %+v", got)
	}
	stapled := fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: []byte("ticket")})
	if got := run("Installer.pkg", stapled, hex.EncodeToString(sum[:])); len(got) != 1 || got[0].Severity != analyzer.Info {
		t.Errorf("stapled package: %+v", got)
	}
}

// TestTicketForOtherBuildPackage compares a package's own ticket entry with
// its TOC checksum: the notarized package passes, the one re-signed (a new
// TOC) does not.
func TestTicketForOtherBuildPackage(t *testing.T) {
	notarized := fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t)})
	p := filepath.Join(t.TempDir(), "Installer.pkg")
	write := func(b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(notarized)
	found, _ := analyzer.Inspect(analyzer.Config{Trust: testTrust(t)}, []string{p})
	if len(found) == 0 || found[0].Package == nil {
		t.Fatalf("inspect: %+v", found)
	}
	key := found[0].Package.TicketKey() // "2/1/<toc sha1>"
	ticket := []analyzer.NotarizedItem{{Path: "Installer.pkg", DigestAlgorithm: "SHA-1", CDHash: key[len("2/1/"):]}}
	count := func() int {
		rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Notarized: ticket}, []string{p})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return len(ruleFindings(rep, "ticket-for-other-build"))
	}
	if n := count(); n != 0 {
		t.Errorf("notarized package: %d findings", n)
	}
	write(fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{Title: "Re-signed"}, fixture.XarOptions{Sign: installer(t)}))
	if n := count(); n != 1 {
		t.Errorf("re-signed package: %d findings, want 1", n)
	}
}

// TestNotaryLogOnly compares a log's issues with the findings: an issue a
// finding explains at the same path and arch is not repeated; one nothing
// explains becomes notary-log-only.
func TestNotaryLogOnly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "MyTool")
	if err := os.WriteFile(p, fixture.MustBytes(t, fixture.MachO{BuildVersion: sdk14}), 0o755); err != nil {
		t.Fatal(err)
	}
	issues := []analyzer.NotaryIssue{
		{Path: "MyTool.zip/MyTool", Arch: "arm64", Message: "The binary is not signed.", Rules: []string{"macho-unsigned"}},
		{Path: "MyTool.zip/MyTool", Arch: "arm64", Message: "The binary uses an SDK older than the 10.9 SDK.", Rules: []string{"sdk-older-than-10.9"}},
		{Path: "MyTool.zip/Other", Message: "Something new.", Rules: nil},
	}
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), NotaryIssues: issues}, []string{p})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var only []string
	for _, f := range ruleFindings(rep, "notary-log-only") {
		only = append(only, f.NotaryMessage)
	}
	if strings.Join(only, "|") != "The binary uses an SDK older than the 10.9 SDK.|Something new." {
		t.Errorf("notary-log-only for %q", only)
	}
	rep, _ = analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t)}, []string{p})
	if hasRule(rep, "notary-log-only") {
		t.Errorf("reported without a log")
	}
}

// TestTicketForOtherBuildApp is the Error 65 case for an app: the ticket
// lists the app's (main executable's) cdhash under the zip it was uploaded
// in; the unzipped app passes, and after re-signing (a resource changed,
// so the seal and the cdhash change) it is reported at the app.
func TestTicketForOtherBuildApp(t *testing.T) {
	dir := t.TempDir()
	app := cleanApp().Write(t, dir)
	found, errs := analyzer.Inspect(analyzer.Config{Trust: testTrust(t)}, []string{app})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var ticket []analyzer.NotarizedItem
	for _, f := range found {
		if f.Bundle != nil && f.Item.TopLevel() {
			for _, s := range f.Bundle.Main.Slices {
				cd := s.Signature.CodeDirectories[0]
				ticket = append(ticket, analyzer.NotarizedItem{Path: "MyApp.zip/" + f.Item.Path, Arch: s.Arch, DigestAlgorithm: "SHA-256", CDHash: hex.EncodeToString(cd.CDHash())})
			}
		}
	}
	if len(ticket) == 0 {
		t.Fatal("no ticket entries for the app")
	}
	count := func() int {
		rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Notarized: ticket}, []string{app})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		n := 0
		for _, f := range ruleFindings(rep, "ticket-for-other-build") {
			if f.Path == "My App.app" {
				n++
			}
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("the notarized app: %d findings", n)
	}
	os.RemoveAll(app)
	resigned := cleanApp()
	resigned.Resources["a.txt"] = []byte("alpha, changed and re-signed")
	resigned.Write(t, dir)
	if n := count(); n != len(ticket) {
		t.Errorf("re-signed app: %d findings, want %d", n, len(ticket))
	}
}

// ruleFindings returns the report's findings of one rule.
func ruleFindings(rep *analyzer.Report, name string) []analyzer.Finding {
	var out []analyzer.Finding
	for _, f := range rep.Findings {
		if f.RuleName == name {
			out = append(out, f)
		}
	}
	return out
}
