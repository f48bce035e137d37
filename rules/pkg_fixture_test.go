package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/rules"
)

// pkgFindings analyses one package as a top-level input, trusting the test
// PKI, and returns the findings by rule name.
func pkgFindings(t *testing.T, name string, b []byte) map[string][]analyzer.Finding {
	t.Helper()
	return pkgFindingsTrusting(t, name, b, testTrust(t))
}

// pkgFindingsTrusting is pkgFindings with the given trust anchors.
func pkgFindingsTrusting(t *testing.T, name string, b []byte, trust *codesign.Trust) map[string][]analyzer.Finding {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: trust}, []string{p})
	if len(errs) > 0 {
		t.Fatalf("input errors: %v", errs)
	}
	out := map[string][]analyzer.Finding{}
	for _, f := range rep.Findings {
		out[f.RuleName] = append(out[f.RuleName], f)
	}
	return out
}

// installer signs as productsign does: RSA and CMS, timestamped, with a
// Developer ID Installer leaf of the test PKI.
func installer(t *testing.T) *fixture.XarSignature {
	pki := fixture.TestPKI(t)
	return &fixture.XarSignature{Identity: pki.Leaf(t, fixture.LeafDeveloperIDInstaller, fixture.LeafOptions{}), RSA: true, CMS: true}
}

// toolComponent is a component installing one clean signed tool.
func toolComponent(t *testing.T) fixture.Component {
	tool := fixture.MustBytes(t, clean(t))
	return fixture.Component{Name: "tool.pkg", Identifier: "com.example.tool", Payload: fixture.Payload{Files: []fixture.CpioFile{
		{Name: ".", Mode: os.ModeDir}, {Name: "./usr", Mode: os.ModeDir}, {Name: "./usr/local", Mode: os.ModeDir},
		{Name: "./usr/local/bin", Mode: os.ModeDir}, {Name: "./usr/local/bin/tool", Data: tool, Mode: 0o755},
	}}}
}

// TestPackageRules builds packages that each break one thing (and near
// misses that must not) and checks which pkg rules report.
func TestPackageRules(t *testing.T) {
	pki := fixture.TestPKI(t)
	ticket := []byte("ticket bytes, opaque to notarylint")
	clean := func(t *testing.T) []byte {
		return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
	}
	unsignedTool := toolComponent(t)
	unsignedTool.Payload.Files[4].Data = fixture.MustBytes(t, fixture.MachO{BuildVersion: sdk14})
	dataOnly := fixture.Component{Name: "data.pkg", Payload: fixture.Payload{Files: []fixture.CpioFile{
		{Name: ".", Mode: os.ModeDir}, {Name: "./etc", Mode: os.ModeDir}, {Name: "./etc/tool.conf", Data: []byte("x=1\n")},
	}}}
	withSign := func(mut func(*fixture.XarSignature)) fixture.XarOptions {
		s := installer(t)
		mut(s)
		return fixture.XarOptions{Sign: s, Ticket: ticket}
	}
	for _, tc := range []struct {
		name  string
		build func(t *testing.T) []byte
		rule  string
		want  bool   // the rule reports
		match string // a finding's message contains it
	}{
		{"clean product", clean, "", false, ""},
		{"unsigned", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, fixture.XarOptions{})
		}, "pkg-unsigned", true, "no signature"},
		{"near miss: CMS only is signed", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, withSign(func(s *fixture.XarSignature) { s.RSA = false }))
		}, "pkg-unsigned", false, ""},
		{"application certificate", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, withSign(func(s *fixture.XarSignature) {
				s.Identity = pki.Leaf(t, fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})
			}))
		}, "pkg-wrong-cert", true, "Developer ID Application"},
		{"self-signed certificate", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, withSign(func(s *fixture.XarSignature) {
				s.Identity = pki.Leaf(t, fixture.LeafSelfSigned, fixture.LeafOptions{})
			}))
		}, "pkg-wrong-cert", true, "not Developer ID Installer"},
		{"near miss: installer certificate", clean, "pkg-wrong-cert", false, ""},
		{"RSA only", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, withSign(func(s *fixture.XarSignature) { s.CMS = false }))
		}, "pkg-no-timestamp", true, "only the classic RSA"},
		{"CMS without timestamp", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, withSign(func(s *fixture.XarSignature) { s.NoTimestamp = true }))
		}, "pkg-no-timestamp", true, "no timestamp token"},
		{"near miss: timestamped", clean, "pkg-no-timestamp", false, ""},
		{"wrong signatures", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, withSign(func(s *fixture.XarSignature) { s.WrongSignature = true }))
		}, "pkg-signature-invalid", true, "RSA signature does not verify"},
		{"near miss: SHA-256 TOC signs fine", func(t *testing.T) []byte {
			o := withSign(func(*fixture.XarSignature) {})
			o.Checksum = "sha256"
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, o)
		}, "pkg-signature-invalid", false, ""},
		{"TOC changed after signing", func(t *testing.T) []byte {
			o := withSign(func(*fixture.XarSignature) {})
			o.CorruptTOCChecksum = true
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, o)
		}, "pkg-checksum-mismatch", true, "table of contents does not match"},
		{"file checksum wrong", func(t *testing.T) []byte {
			o := withSign(func(*fixture.XarSignature) {})
			o.CorruptFile = "tool.pkg/Payload"
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, o)
		}, "pkg-checksum-mismatch", true, "tool.pkg/Payload"},
		{"near miss: checksums right", clean, "pkg-checksum-mismatch", false, ""},
		{"pkg-ref without #", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{PkgRefWithoutHash: true}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-not-extractable", true, "without the leading '#'"},
		{"ill-formed Distribution", func(t *testing.T) []byte {
			dist := []byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2"><!-- a -- b --><pkg-ref id="com.example.tool">#tool.pkg</pkg-ref></installer-gui-script>`)
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{Distribution: dist}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-not-extractable", true, "Distribution"},
		{"corrupt Payload", func(t *testing.T) []byte {
			c := toolComponent(t)
			return fixture.Xar(t, []fixture.XarFile{
				{Name: "Distribution", Data: []byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2"><pkg-ref id="a">#tool.pkg</pkg-ref></installer-gui-script>`)},
				{Name: "tool.pkg/PackageInfo", Data: []byte(`<pkg-info identifier="a" version="1"/>`)},
				{Name: "tool.pkg/Bom", Data: fixture.Bom(t, c.Payload.Files)},
				{Name: "tool.pkg/Payload", Data: []byte("\x1f\x8bnot really gzip"), Encoding: "none"},
			}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-not-extractable", true, "Payload"},
		{"near miss: well-formed product", clean, "pkg-not-extractable", false, ""},
		{"data only", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{dataOnly}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-no-code", true, "no Mach-O file or bundle"},
		{"near miss: a tool is code", clean, "pkg-no-code", false, ""},
		{"near miss: a disk image may hold code", func(t *testing.T) []byte {
			c := dataOnly
			c.Payload.Files = append(c.Payload.Files[:len(c.Payload.Files):len(c.Payload.Files)], fixture.CpioFile{Name: "./etc/Tool.dmg", Data: []byte("not opened yet")})
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-no-code", false, ""},
		{"code listed", clean, "pkg-payload-issues", true, "tool.pkg Contents/Payload/usr/local/bin/tool"},
		{"near miss: no code, no list", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{dataOnly}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-payload-issues", false, ""},
		{"payload code is checked with its path", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{unsignedTool}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "macho-unsigned", true, "Installer.pkg/tool.pkg Contents/Payload/usr/local/bin/tool"},
		{"pbzx payload code is checked", func(t *testing.T) []byte {
			c := unsignedTool
			c.Payload.Format = "pbzx"
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "macho-unsigned", true, "tool.pkg Contents/Payload/usr/local/bin/tool"},
		{"package inside a zip is opened", func(t *testing.T) []byte {
			inner := fixture.ProductPkg(t, []fixture.Component{unsignedTool}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t)})
			return fixture.Zip(t, []fixture.ZipEntry{{Name: "Inner.pkg", Data: inner}})
		}, "macho-unsigned", true, "Installer.pkg/Inner.pkg/tool.pkg Contents/Payload/usr/local/bin/tool"},
		{"a signed app in the payload is clean", func(t *testing.T) []byte {
			root := t.TempDir()
			cleanApp().Write(t, filepath.Join(root, "Applications"))
			c := fixture.Component{Name: "app.pkg", Identifier: "com.example.app", Payload: fixture.Payload{Files: fixture.DirPayload(t, root)}}
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "", false, ""},
		{"a component package with a signed app is clean", func(t *testing.T) []byte {
			root := t.TempDir()
			cleanApp().Write(t, filepath.Join(root, "Applications"))
			c := fixture.Component{Identifier: "com.example.app", Payload: fixture.Payload{Files: fixture.DirPayload(t, root)}}
			return fixture.ComponentPkg(t, c, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "", false, ""},
		{"component package paths", func(t *testing.T) []byte {
			return fixture.ComponentPkg(t, unsignedTool, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "macho-unsigned", true, "Installer.pkg Contents/Payload/usr/local/bin/tool"},
		{"an app with an unsealed change in the payload", func(t *testing.T) []byte {
			root := t.TempDir()
			app := cleanApp().Write(t, filepath.Join(root, "Applications"))
			write(t, filepath.Join(app, "Contents", "Resources", "added.txt"), "not sealed")
			c := fixture.Component{Name: "app.pkg", Identifier: "com.example.app", Payload: fixture.Payload{Files: fixture.DirPayload(t, root)}}
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "sealed-resource-invalid", true, "added.txt"},
		{"a Mach-O in the scripts is checked", func(t *testing.T) []byte {
			c := toolComponent(t)
			c.Scripts = []fixture.CpioFile{{Name: ".", Mode: os.ModeDir}, {Name: "./postinstall", Data: []byte("#!/bin/sh\n"), Mode: 0o755},
				{Name: "./helper", Data: fixture.MustBytes(t, fixture.MachO{BuildVersion: sdk14}), Mode: 0o755}}
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "macho-unsigned", true, "Installer.pkg/tool.pkg Contents/Scripts/helper"},
		{"signed component inside the product", func(t *testing.T) []byte {
			c := toolComponent(t)
			c.Sign = installer(t)
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{SignedComponents: true}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-signed-component", true, "tool.pkg"},
		{"near miss: expanded component", clean, "pkg-signed-component", false, ""},
		{"payload names without ./", func(t *testing.T) []byte {
			c := toolComponent(t)
			for i := range c.Payload.Files {
				c.Payload.Files[i].Name = strings.TrimPrefix(c.Payload.Files[i].Name, "./")
			}
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-nonstandard-layout", true, "without the leading"},
		{"Bom disagrees with the Payload", func(t *testing.T) []byte {
			c := toolComponent(t)
			c.Bom = fixture.Bom(t, append(c.Payload.Files[:4:4], fixture.CpioFile{Name: "./usr/local/bin/other", Data: []byte("x")}))
			return fixture.ProductPkg(t, []fixture.Component{c}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-nonstandard-layout", true, "usr/local/bin/other"},
		{"choice installs an unknown pkg-ref", func(t *testing.T) []byte {
			dist := []byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2">` +
				`<choices-outline><line choice="default"><line choice="com.example.tool"/><line choice="missing"/></line></choices-outline>` +
				`<choice id="default"/><choice id="com.example.tool"><pkg-ref id="com.example.tool"/><pkg-ref id="com.example.gone"/></choice>` +
				`<pkg-ref id="com.example.tool" version="1.0">#tool.pkg</pkg-ref></installer-gui-script>`)
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{Distribution: dist}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-nonstandard-layout", true, `pkg-ref "com.example.gone"`},
		{"outline names an undefined choice", func(t *testing.T) []byte {
			dist := []byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2">` +
				`<choices-outline><line choice="default"><line choice="missing"/></line></choices-outline>` +
				`<choice id="default"><pkg-ref id="t"/></choice><pkg-ref id="t">#tool.pkg</pkg-ref></installer-gui-script>`)
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{Distribution: dist}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-nonstandard-layout", true, `choice "missing"`},
		{"near miss: pkg-ref text inside its choice", func(t *testing.T) []byte {
			dist := []byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2">` +
				`<choices-outline><line choice="default"/></choices-outline>` +
				`<choice id="default"><pkg-ref id="t">#tool.pkg</pkg-ref></choice></installer-gui-script>`)
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{Distribution: dist}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-nonstandard-layout", false, ""},
		{"pkg-ref without # inside a choice", func(t *testing.T) []byte {
			dist := []byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2">` +
				`<choices-outline><line choice="default"/></choices-outline>` +
				`<choice id="default"><pkg-ref id="t">tool.pkg</pkg-ref></choice></installer-gui-script>`)
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{Distribution: dist}, fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "pkg-not-extractable", true, "without the leading '#'"},
		{"SHA-256 TOC checksum", func(t *testing.T) []byte {
			o := withSign(func(*fixture.XarSignature) {})
			o.Checksum = "sha256"
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, o)
		}, "pkg-nonstandard-layout", true, "sha256"},
		{"near miss: pkgbuild layout", clean, "pkg-nonstandard-layout", false, ""},
		{"not stapled", func(t *testing.T) []byte {
			return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t)})
		}, "ticket-not-stapled", true, "no ticket"},
		{"near miss: stapled", clean, "ticket-not-stapled", false, ""},
		{"component package signed and stapled", func(t *testing.T) []byte {
			return fixture.ComponentPkg(t, toolComponent(t), fixture.XarOptions{Sign: installer(t), Ticket: ticket})
		}, "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pkgFindings(t, "Installer.pkg", tc.build(t))
			if tc.rule == "" {
				for name, fs := range got {
					for _, f := range fs {
						if f.Severity != analyzer.Info || name == "ticket-not-stapled" {
							t.Errorf("clean package: %s %s: %s", f.RuleName, f.Path, f.Message)
						}
					}
				}
				return
			}
			fs := got[tc.rule]
			if !tc.want {
				for _, f := range fs {
					t.Errorf("near miss reported: %s: %s", f.Path, f.Message)
				}
				return
			}
			if len(fs) == 0 {
				t.Fatalf("%s did not report; got %v", tc.rule, keys(got))
			}
			ok := tc.match == ""
			for _, f := range fs {
				ok = ok || strings.Contains(f.Message, tc.match) || strings.Contains(f.Path, tc.match)
			}
			if !ok {
				t.Errorf("no %s finding mentions %q: %+v", tc.rule, tc.match, fs)
			}
		})
	}
}

// TestPackageLegacyBundle checks that a directory named .pkg is reported
// and a flat package is not.
func TestPackageLegacyBundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Old.pkg")
	if err := os.MkdirAll(filepath.Join(dir, "Contents"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Contents", "Archive.pax.gz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t)}, []string{dir})
	if len(errs) > 0 || !hasRule(rep, "pkg-legacy-bundle") {
		t.Errorf("bundle-style package not reported (%v): %+v", errs, rep.Findings)
	}
	flat := fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer(t)})
	if got := pkgFindings(t, "New.pkg", flat); len(got["pkg-legacy-bundle"]) > 0 {
		t.Errorf("flat package reported as bundle-style")
	}
}

func keys(m map[string][]analyzer.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
