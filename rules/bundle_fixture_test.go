package rules_test

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/rules"
)

// cleanApp is a signed, sealed app with resources, a localization, a nested
// framework and a helper tool, all signed by the test PKI.
func cleanApp() fixture.Bundle {
	return fixture.Bundle{
		Name: "My App.app",
		Resources: map[string][]byte{
			"a.txt":              []byte("alpha"),
			"en.lproj/L.strings": []byte("hello"),
			"Base.lproj/M.nib":   []byte("nib"),
		},
		Nested: []fixture.NestedBundle{
			{Path: "Frameworks", Bundle: fixture.Bundle{Name: "Kit.framework", Kind: fixture.BundleFramework, Sign: &fixture.SignOptions{}}},
		},
		Sign: &fixture.SignOptions{},
	}
}

// bundleCase builds the clean app (or a variant), mutates it on disk, and
// says which findings of one rule the app must get.
type bundleCase struct {
	name   string
	rule   string
	app    func() fixture.Bundle
	mutate func(t *testing.T, app string)
	// xattrs stands in for a macOS file system's extended attributes:
	// path below the app -> attribute name -> value.
	xattrs map[string]map[string][]byte
	// paths are the expected findings' paths below the app ("" for the app
	// itself); empty means the rule must not fire.
	paths    []string
	contains string
}

func write(t *testing.T, p string, data string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// t0 builds fixture bytes outside a test's own *testing.T: the case tables
// are built before the subtests run.
var t0 = fatalTB{}

type fatalTB struct{ testing.TB }

func (fatalTB) Helper() {}

func (fatalTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (fatalTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

func bundleCases() []bundleCase {
	contents := func(app, p string) string { return filepath.Join(app, "Contents", filepath.FromSlash(p)) }
	return []bundleCase{
		{name: "resource modified", rule: "sealed-resource-invalid", mutate: func(t *testing.T, app string) { write(t, contents(app, "Resources/a.txt"), "changed") },
			paths: []string{"Contents/Resources/a.txt"}, contains: "file modified"},
		{name: "resource added", rule: "sealed-resource-invalid", mutate: func(t *testing.T, app string) { write(t, contents(app, "Resources/new.txt"), "new") },
			paths: []string{"Contents/Resources/new.txt"}, contains: "file added"},
		{name: "sealed resource removed", rule: "sealed-resource-invalid", mutate: func(t *testing.T, app string) { os.Remove(contents(app, "Resources/Base.lproj/M.nib")) },
			paths: []string{"Contents/Resources/Base.lproj/M.nib"}, contains: "file missing"},
		{name: "name normalization changed", rule: "sealed-resource-invalid",
			app: func() fixture.Bundle { a := cleanApp(); a.Resources["caf\u00e9.txt"] = []byte("coffee"); return a },
			mutate: func(t *testing.T, app string) {
				os.Rename(contents(app, "Resources/caf\u00e9.txt"), contents(app, "Resources/cafe\u0301.txt"))
			}, paths: []string{"Contents/Resources/cafe\u0301.txt"}, contains: "differ only in Unicode normalization"},
		{name: "near miss: optional localization removed, .DS_Store added", rule: "sealed-resource-invalid", mutate: func(t *testing.T, app string) {
			os.Remove(contents(app, "Resources/en.lproj/L.strings"))
			write(t, contents(app, "Resources/.DS_Store"), "junk")
		}},
		{name: "near miss: clean", rule: "sealed-resource-invalid"},

		{name: "framework changed after the app was signed", rule: "nested-code-modified", mutate: func(t *testing.T, app string) {
			exe := contents(app, "Frameworks/Kit.framework/Versions/A/Kit")
			b, _ := os.ReadFile(exe)
			b2 := fixture.SignedMachO(t, fixture.MachO{FileType: macho.TypeDylib, TextSize: 5000}, "com.example.kit", fixture.SignOptions{})
			if len(b2) == 0 || len(b) == 0 {
				t.Fatal("cannot rebuild the framework executable")
			}
			os.WriteFile(exe, b2, 0o755)
		}, paths: []string{"Contents/Frameworks/Kit.framework"}, contains: "sealed cdhash"},
		{name: "framework replaced by another identity's", rule: "nested-code-modified", mutate: func(t *testing.T, app string) {
			exe := contents(app, "Frameworks/Kit.framework/Versions/A/Kit")
			os.WriteFile(exe, fixture.SignedMachO(t, fixture.MachO{FileType: macho.TypeDylib}, "org.thirdparty.kit", fixture.SignOptions{}), 0o755)
		}, paths: []string{"Contents/Frameworks/Kit.framework"}, contains: `its identifier is "org.thirdparty.kit"`},
		{name: "near miss: clean", rule: "nested-code-modified"},

		{name: "data in Contents/MacOS", rule: "nested-code-unsigned", mutate: func(t *testing.T, app string) { write(t, contents(app, "MacOS/settings.json"), "{}") },
			paths: []string{"Contents/MacOS/settings.json"}, contains: "not code"},
		{name: "dotted directory in Frameworks", rule: "dotted-dir-in-code-location", mutate: func(t *testing.T, app string) {
			write(t, contents(app, "Frameworks/python3.11/lib.txt"), "x")
		}, paths: []string{"Contents/Frameworks/python3.11"}, contains: "taken for a bundle"},
		{name: "near miss: undotted directory in Frameworks", rule: "dotted-dir-in-code-location", mutate: func(t *testing.T, app string) {
			write(t, contents(app, "Frameworks/python3/lib.txt"), "x")
		}},
		{name: "Finder info on a resource", rule: "xattr-detritus", xattrs: map[string]map[string][]byte{
			"Contents/Resources/a.txt": {"com.apple.FinderInfo": make([]byte, 32)},
		}, paths: []string{"Contents/Resources/a.txt"}, contains: "com.apple.FinderInfo"},
		{name: "near miss: other attributes", rule: "xattr-detritus", xattrs: map[string]map[string][]byte{
			"Contents/Resources/a.txt": {"com.apple.quarantine": []byte("0081;")},
		}},
		{name: "near miss: data in Resources", rule: "nested-code-unsigned", mutate: func(t *testing.T, app string) { write(t, contents(app, "Resources/settings.json"), "{}") }},

		{name: "CodeResources replaced", rule: "resource-dir-hash-mismatch", mutate: func(t *testing.T, app string) {
			p := contents(app, "_CodeSignature/CodeResources")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, '\n'), 0o644)
		}, paths: []string{"Contents/MacOS/My App"}, contains: "special slot -3 does not match"},
		{name: "Info.plist edited", rule: "infoplist-hash-mismatch", mutate: func(t *testing.T, app string) {
			p := contents(app, "Info.plist")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "<string>1.0</string>", "<string>1.1</string>", 1)), 0o644)
		}, paths: []string{"Contents/MacOS/My App"}, contains: "special slot -1 does not match"},
		{name: "near miss: clean", rule: "infoplist-hash-mismatch"},

		{name: "bundle beside Contents", rule: "bundle-root-unsealed", mutate: func(t *testing.T, app string) {
			write(t, filepath.Join(app, "My_Resources.bundle", "x.json"), "{}")
		}, paths: []string{"My_Resources.bundle"}},
		{name: "near miss: .DS_Store at the root", rule: "bundle-root-unsealed", mutate: func(t *testing.T, app string) { write(t, filepath.Join(app, ".DS_Store"), "x") }},

		{name: "framework root file", rule: "framework-root-unsealed", mutate: func(t *testing.T, app string) {
			write(t, contents(app, "Frameworks/Kit.framework/README"), "r")
		}, paths: []string{"Contents/Frameworks/Kit.framework/README"}},
		{name: "framework links flattened", rule: "framework-symlinks-flattened", mutate: func(t *testing.T, app string) {
			fw := contents(app, "Frameworks/Kit.framework")
			os.Remove(filepath.Join(fw, "Kit"))
			b, _ := os.ReadFile(filepath.Join(fw, "Versions/A/Kit"))
			os.WriteFile(filepath.Join(fw, "Kit"), b, 0o755)
		}, paths: []string{"Contents/Frameworks/Kit.framework/Kit"}},
		{name: "near miss: clean framework", rule: "framework-symlinks-flattened"},
		{name: "unsigned old framework version", rule: "framework-bad-version", mutate: func(t *testing.T, app string) {
			write(t, contents(app, "Frameworks/Kit.framework/Versions/B/Resources/Info.plist"), "<plist version=\"1.0\"><dict><key>CFBundleExecutable</key><string>Kit</string><key>CFBundleIdentifier</key><string>k</string></dict></plist>")
			os.WriteFile(contents(app, "Frameworks/Kit.framework/Versions/B/Kit"), fixture.MustBytes(t, fixture.MachO{FileType: macho.TypeDylib}), 0o755)
		}, paths: []string{"Contents/Frameworks/Kit.framework"}, contains: "not sealed"},
		{name: "near miss: clean framework, one version", rule: "framework-bad-version"},

		{name: "absolute symlink to the build machine", rule: "symlink-escapes-bundle", mutate: func(t *testing.T, app string) {
			os.Symlink("/Users/dev/project/lib.dylib", contents(app, "Resources/lib.dylib"))
		}, paths: []string{"Contents/Resources/lib.dylib"}, contains: "only /System/ and /Library/"},
		{name: "near miss: link to /System", rule: "symlink-escapes-bundle", mutate: func(t *testing.T, app string) {
			os.Symlink("/System/Library/Frameworks/AppKit.framework", contents(app, "Resources/AppKit"))
		}},

		{name: "AppleDouble file", rule: "appledouble-in-bundle", mutate: func(t *testing.T, app string) { write(t, contents(app, "Resources/._a.txt"), "\x00\x05\x16\x07") },
			paths: []string{"Contents/Resources/._a.txt"}},
		{name: "symlinked main executable", rule: "not-regular-file", mutate: func(t *testing.T, app string) {
			exe := contents(app, "MacOS/My App")
			os.Rename(exe, contents(app, "Resources/real-exe"))
			os.Symlink("../Resources/real-exe", exe)
		}, paths: []string{"Contents/MacOS/My App"}},
		{name: "Mach-O under Resources", rule: "macho-in-resources", mutate: func(t *testing.T, app string) {
			os.WriteFile(contents(app, "Resources/tool"), fixture.SignedMachO(t, fixture.MachO{}, "com.example.tool", fixture.SignOptions{}), 0o755)
		}, paths: []string{"Contents/Resources/tool"}},
		{name: "sealed unsigned tool in Resources is still checked as code", rule: "macho-unsigned", app: func() fixture.Bundle {
			a := cleanApp()
			a.Resources["bin/tool"] = fixture.MustBytes(t0, fixture.MachO{BuildVersion: sdk14})
			return a
		}, paths: []string{"Contents/Resources/bin/tool"}},
		{name: "sealed Mach-O in Resources", rule: "macho-in-resources", app: func() fixture.Bundle {
			a := cleanApp()
			a.Resources["bin/tool"] = fixture.MustBytes(t0, fixture.MachO{BuildVersion: sdk14})
			return a
		}, paths: []string{"Contents/Resources/bin/tool"}},
		{name: "ticket location is a symlink", rule: "coderesources-symlink", mutate: func(t *testing.T, app string) {
			os.Symlink("_CodeSignature/CodeResources", contents(app, "CodeResources"))
		}, paths: []string{"Contents/CodeResources"}},
		{name: "not stapled", rule: "ticket-not-stapled", paths: []string{""}},
		{name: "near miss: stapled", rule: "ticket-not-stapled", mutate: func(t *testing.T, app string) { write(t, contents(app, "CodeResources"), "ticket") }},
		{name: "v1-only seal", rule: "obsolete-resource-envelope", mutate: func(t *testing.T, app string) {
			write(t, contents(app, "_CodeSignature/CodeResources"), `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>files</key><dict/><key>rules</key><dict><key>^Resources/</key><true/></dict></dict></plist>`)
		}, paths: []string{"Contents/_CodeSignature/CodeResources"}, contains: "no files2/rules2"},
		{name: "no CFBundleIdentifier", rule: "infoplist-incomplete",
			app: func() fixture.Bundle {
				a := cleanApp()
				a.InfoPlist = map[string]any{"CFBundleIdentifier": ""}
				return a
			},
			paths: []string{"Contents/Info.plist"}, contains: "no CFBundleIdentifier"},
		{name: "near miss: clean", rule: "infoplist-incomplete"},

		{name: "library of another team", rule: "team-id-mismatch", app: func() fixture.Bundle {
			a := cleanApp()
			a.Nested[0].Bundle.Sign = &fixture.SignOptions{TeamID: "OTHER12345", CMS: &fixture.CMSOptions{}}
			return a
		}, paths: []string{"Contents/Frameworks/Kit.framework/Versions/A/Kit"}, contains: "signed by team OTHER12345"},
		{name: "near miss: library of another team with disable-library-validation", rule: "team-id-mismatch", app: func() fixture.Bundle {
			a := cleanApp()
			a.Nested[0].Bundle.Sign = &fixture.SignOptions{TeamID: "OTHER12345", CMS: &fixture.CMSOptions{}}
			a.Sign.Entitlements = map[string]any{"com.apple.security.cs.disable-library-validation": true}
			return a
		}},

		{name: "restricted entitlement, no profile", rule: "restricted-entitlement-no-profile", app: func() fixture.Bundle {
			a := cleanApp()
			a.Sign.Entitlements = map[string]any{"keychain-access-groups": []any{"ABCDE12345.com.example.shared"}}
			return a
		}, paths: []string{"Contents/MacOS/My App"}, contains: "keychain-access-groups"},
		{name: "near miss: unrestricted entitlements", rule: "restricted-entitlement-no-profile", app: func() fixture.Bundle {
			a := cleanApp()
			a.Sign.Entitlements = map[string]any{"com.apple.security.cs.allow-jit": true, "com.apple.security.app-sandbox": true}
			return a
		}},
	}
}

// withProfile returns the clean app claiming ents, signed by a fresh
// Developer ID identity, with a provisioning profile made by mk (which gets
// the identity's certificate).
func withProfile(t *testing.T, ents map[string]any, mk func(cert *x509.Certificate) fixture.Profile) fixture.Bundle {
	pki := fixture.TestPKI(t)
	id := pki.Leaf(t, fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})
	a := cleanApp()
	a.Sign = &fixture.SignOptions{Entitlements: ents, CMS: &fixture.CMSOptions{Identity: id}}
	a.Files = map[string][]byte{"embedded.provisionprofile": pki.ProvisioningProfile(t, mk(id.Cert))}
	return a
}

var keychainEnts = map[string]any{"keychain-access-groups": []any{"ABCDE12345.com.example.shared"}}

func developerIDProfile(cert *x509.Certificate) fixture.Profile {
	return fixture.Profile{Name: "Developer ID: My App", ProvisionsAllDevices: true, Certificates: []*x509.Certificate{cert},
		Entitlements: map[string]any{"keychain-access-groups": []any{"ABCDE12345.*"}, "com.apple.application-identifier": "ABCDE12345.com.example.my app"}}
}

func profileCases(t *testing.T) []bundleCase {
	return []bundleCase{
		{name: "near miss: restricted entitlement with a profile", rule: "restricted-entitlement-no-profile", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, developerIDProfile)
		}},
		{name: "near miss: Developer ID profile allowing the entitlement", rule: "profile-mismatch", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, developerIDProfile)
		}},
		{name: "profile does not allow the keychain group", rule: "profile-mismatch", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, func(c *x509.Certificate) fixture.Profile {
				p := developerIDProfile(c)
				p.Entitlements = map[string]any{"keychain-access-groups": []any{"ABCDE12345.com.example.other"}}
				return p
			})
		}, paths: []string{"Contents/embedded.provisionprofile"}, contains: "does not allow keychain-access-groups"},
		{name: "profile of another team, without the certificate", rule: "profile-mismatch", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, func(c *x509.Certificate) fixture.Profile {
				p := developerIDProfile(c)
				p.TeamID, p.Certificates = "OTHER12345", nil
				return p
			})
		}, paths: []string{"Contents/embedded.provisionprofile"}, contains: "for team OTHER12345"},
		{name: "expired profile", rule: "profile-mismatch", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, func(c *x509.Certificate) fixture.Profile {
				p := developerIDProfile(c)
				p.Expiration = time.Now().AddDate(0, -1, 0)
				return p
			})
		}, paths: []string{"Contents/embedded.provisionprofile"}, contains: "expired"},
		{name: "keychain group of another team", rule: "profile-mismatch", app: func() fixture.Bundle {
			return withProfile(t, map[string]any{"keychain-access-groups": []any{"OTHER12345.shared"}}, func(c *x509.Certificate) fixture.Profile {
				p := developerIDProfile(c)
				p.Entitlements["keychain-access-groups"] = []any{"*"}
				return p
			})
		}, paths: []string{"Contents/embedded.provisionprofile"}, contains: "does not start with the team ID ABCDE12345"},
		{name: "development profile", rule: "dev-profile-embedded", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, func(c *x509.Certificate) fixture.Profile {
				p := developerIDProfile(c)
				p.ProvisionsAllDevices, p.ProvisionedDevices = false, []string{"00008103-001234560E12345A"}
				return p
			})
		}, paths: []string{"Contents/embedded.provisionprofile"}, contains: "ProvisionedDevices"},
		{name: "near miss: Developer ID profile", rule: "dev-profile-embedded", app: func() fixture.Bundle {
			return withProfile(t, keychainEnts, developerIDProfile)
		}},
	}
}

func TestBundleFixtures(t *testing.T) {
	for _, tc := range append(bundleCases(), profileCases(t)...) {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			b := cleanApp()
			if tc.app != nil {
				b = tc.app()
			}
			dir := t.TempDir()
			app := b.Write(t, dir)
			if tc.mutate != nil {
				tc.mutate(t, app)
			}
			cfg := analyzer.Config{Rules: rules.All, Trust: testTrust(t)}
			cfg.ReadXattr = func(p, name string) ([]byte, error) {
				rel, _ := filepath.Rel(app, p)
				if v, ok := tc.xattrs[filepath.ToSlash(rel)][name]; ok {
					return v, nil
				}
				return nil, os.ErrNotExist
			}
			rep, errs := analyzer.Run(cfg, []string{app})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.RuleName != tc.rule {
					continue
				}
				rel := strings.TrimPrefix(strings.TrimPrefix(f.Path, filepath.Base(app)), "/")
				got = append(got, rel)
				if tc.contains != "" && !strings.Contains(f.Message, tc.contains) {
					t.Errorf("message %q does not contain %q", f.Message, tc.contains)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.paths, ",") {
				t.Errorf("findings at %q, want %q", got, tc.paths)
			}
		})
	}
}

// TestCleanAppHasNoFindings makes the near misses meaningful: the clean app
// gets nothing but the not-stapled info.
func TestCleanAppHasNoFindings(t *testing.T) {
	app := cleanApp().Write(t, t.TempDir())
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t)}, []string{app})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, f := range rep.Findings {
		if f.RuleName != "ticket-not-stapled" {
			t.Errorf("clean app: %s at %s: %s", f.RuleName, f.Path, f.Message)
		}
	}
}
