package rules_test

import (
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

// ruleCase builds one file and says which findings of one rule it must get.
type ruleCase struct {
	name      string
	rule      string
	build     func(t *testing.T) []byte
	configure func(*analyzer.Config)
	// archs are the archs of the expected findings ("" for file-level);
	// empty means the rule must not fire (a near miss).
	archs []string
	// contains must appear in every expected finding's message.
	contains string
}

// thin builds a thin file from the clean fixture changed by f.
func thin(f func(t *testing.T, m *fixture.MachO)) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return fixture.MustBytes(t, with(t, f)) }
}

func with(t *testing.T, f func(t *testing.T, m *fixture.MachO)) fixture.MachO {
	m := clean(t)
	if f != nil {
		f(t, &m)
	}
	return m
}

// plain builds a file from m as it is.
func plain(m fixture.MachO) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return fixture.MustBytes(t, m) }
}

func sdk(v macho.Version) *fixture.BuildVersion {
	return &fixture.BuildVersion{Platform: macho.PlatformMacOS, MinOS: macho.MakeVersion(10, 6, 0), SDK: v}
}

func entXML(body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<plist version="1.0">` + body + "</plist>\n")
}

func ruleCases() []ruleCase {
	v := macho.MakeVersion
	return []ruleCase{
		// sdk-older-than-10.9
		{name: "sdk 10.8", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) { m.BuildVersion = sdk(v(10, 8, 0)) }), archs: []string{"arm64"}, contains: "SDK 10.8"},
		{name: "version-min sdk 10.8", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Arch, m.BuildVersion, m.VersionMin = "x86_64", nil, &fixture.VersionMin{Version: v(10, 6, 0), SDK: v(10, 8, 0)}
		}), archs: []string{"x86_64"}, contains: "LC_VERSION_MIN_MACOSX records SDK 10.8"},
		{name: "sdk 0", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) { m.BuildVersion = sdk(0) }), archs: []string{"arm64"}, contains: "SDK 0"},
		{name: "no version command", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) { m.BuildVersion = nil }), archs: []string{"arm64"}, contains: "neither LC_BUILD_VERSION nor LC_VERSION_MIN_MACOSX"},
		{name: "near miss: sdk exactly 10.9", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) { m.BuildVersion = sdk(v(10, 9, 0)) })},
		{name: "near miss: minos 10.6 sdk 11.0", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) { m.BuildVersion = sdk(v(11, 0, 0)) })},
		{name: "near miss: iOS version-min only", rule: "sdk-older-than-10.9", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.BuildVersion, m.VersionMin = nil, &fixture.VersionMin{Cmd: macho.LCVersionMinIOS, Version: v(9, 0, 0), SDK: v(9, 3, 0)}
		})},
		{name: "near miss: object file without version", rule: "sdk-older-than-10.9", build: plain(fixture.MachO{FileType: macho.TypeObject})},
		{name: "universal: only the old slice", rule: "sdk-older-than-10.9", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch, m.BuildVersion = "x86_64", sdk(v(10, 7, 0)) }), clean(t))
		}, archs: []string{"x86_64"}},

		// macho-layout-strict
		{name: "data after __LINKEDIT", rule: "macho-layout-strict", build: thin(func(t *testing.T, m *fixture.MachO) { m.TrailingData = []byte("payload") }), archs: []string{"arm64"}, contains: "7 bytes follow the end of __LINKEDIT"},
		{name: "signature not last", rule: "macho-layout-strict", build: thin(func(t *testing.T, m *fixture.MachO) { m.SignatureNotLast = true }), archs: []string{"arm64"}, contains: "signature must be the last data"},
		{name: "universal: non-zero padding", rule: "macho-layout-strict", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{NonZeroPadding: true}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64" }), clean(t))
		}, archs: []string{"", ""}, contains: "not all zero"},
		{name: "universal: bytes after last slice", rule: "macho-layout-strict", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{TrailingBytes: 100}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64" }), clean(t))
		}, archs: []string{""}, contains: "100 bytes follow the last slice"},
		{name: "near miss: universal with unsorted header", rule: "macho-layout-strict", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{Unsorted: true}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64" }), clean(t))
		}},
		{name: "near miss: fat64", rule: "macho-layout-strict", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{Fat64: true}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64" }), clean(t))
		}},
		{name: "near miss: unsigned with trailing data", rule: "macho-layout-strict", build: plain(fixture.MachO{BuildVersion: sdk14, TrailingData: []byte("x")})},

		// legacy-slices
		{name: "i386 slice", rule: "legacy-slices", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "i386" }), with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64" }))
		}, archs: []string{"i386"}},
		{name: "ppc thin", rule: "legacy-slices", build: thin(func(t *testing.T, m *fixture.MachO) { m.Arch = "ppc" }), archs: []string{"ppc"}},
		{name: "near miss: x86_64h", rule: "legacy-slices", build: thin(func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64h" })},

		// bare-macho-submitted: inside a directory it must not fire (the
		// top-level case is covered by TestRealSamples and TestBareInput).
		{name: "near miss: Mach-O inside a directory", rule: "bare-macho-submitted", build: thin(nil)},

		// macho-unsigned
		{name: "unsigned executable", rule: "macho-unsigned", build: plain(fixture.MachO{BuildVersion: sdk14}), archs: []string{"arm64"}, contains: "MH_EXECUTE has no LC_CODE_SIGNATURE"},
		{name: "unsigned dylib in universal", rule: "macho-unsigned", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{}, fixture.MachO{Arch: "x86_64", FileType: macho.TypeDylib, BuildVersion: sdk14}, fixture.MachO{FileType: macho.TypeDylib, BuildVersion: sdk14})
		}, archs: []string{"arm64", "x86_64"}},
		{name: "near miss: signed", rule: "macho-unsigned", build: thin(nil)},
		{name: "near miss: unsigned object file", rule: "macho-unsigned", build: plain(fixture.MachO{FileType: macho.TypeObject, BuildVersion: sdk14})},

		// adhoc-or-linker-signed
		{name: "linker signed", rule: "adhoc-or-linker-signed", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature = &fixture.Signature{CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagAdhoc | codesign.FlagLinkerSigned}}}
		}), archs: []string{"arm64"}, contains: "flags=0x20002(adhoc,linker-signed), no CMS signature blob"},
		{name: "codesign -s - (empty CMS wrapper)", rule: "adhoc-or-linker-signed", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature = &fixture.Signature{CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagAdhoc | codesign.FlagRuntime}}, CMS: []byte{}}
		}), archs: []string{"arm64"}, contains: "empty CMS signature blob"},
		{name: "near miss: CMS signed", rule: "adhoc-or-linker-signed", build: thin(nil)},

		// weak-signature-algorithm
		{name: "only SHA-1", rule: "weak-signature-algorithm", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.CodeDirectories = []fixture.CodeDirectory{{Flags: codesign.FlagRuntime, HashType: codesign.HashSHA1}}
		}), archs: []string{"arm64"}, contains: "every CodeDirectory uses SHA-1"},
		{name: "near miss: SHA-1 + SHA-256 pair", rule: "weak-signature-algorithm", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.CodeDirectories = []fixture.CodeDirectory{{Flags: codesign.FlagRuntime, HashType: codesign.HashSHA1}, {Flags: codesign.FlagRuntime}}
		})},

		// hardened-runtime-missing
		{name: "executable without runtime", rule: "hardened-runtime-missing", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.CodeDirectories[0].Flags = 0 }), archs: []string{"arm64"}, contains: "slot 0x0"},
		{name: "runtime on SHA-1 CD only", rule: "hardened-runtime-missing", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.CodeDirectories = []fixture.CodeDirectory{{Flags: codesign.FlagRuntime, HashType: codesign.HashSHA1}, {}}
		}), archs: []string{"arm64"}, contains: "slot 0x1000 (sha256"},
		{name: "near miss: runtime set", rule: "hardened-runtime-missing", build: thin(nil)},
		{name: "near miss: dylib without runtime", rule: "hardened-runtime-missing", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.FileType = macho.TypeDylib
			m.Signature.CodeDirectories[0].Flags = 0
		})},

		// get-task-allow
		{name: "XML get-task-allow", rule: "get-task-allow", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.security.get-task-allow": true})
		}), archs: []string{"arm64"}, contains: "XML entitlements (slot 5)"},
		{name: "DER-only get-task-allow", rule: "get-task-allow", build: func(t *testing.T) []byte {
			return fixture.MustBytes(t, with(t, func(t *testing.T, m *fixture.MachO) {
				m.Signature.EntitlementsDER = fixture.MustEntitlementsDER(t, map[string]any{"com.apple.security.get-task-allow": true})
			}))
		}, archs: []string{"arm64"}, contains: "DER entitlements (slot 7)"},
		{name: "near miss: get-task-allow false", rule: "get-task-allow", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.security.get-task-allow": false, "com.apple.security.cs.allow-jit": true})
		})},

		// entitlements-malformed
		{name: "binary plist entitlements", rule: "entitlements-malformed", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.Entitlements = []byte("bplist00\xd0\x08\x00\x00") }), archs: []string{"arm64"}, contains: "binary property list"},
		{name: "BOM entitlements", rule: "entitlements-malformed", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = append([]byte{0xef, 0xbb, 0xbf}, entXML("<dict/>")...)
		}), archs: []string{"arm64"}, contains: "byte-order mark"},
		{name: "non-ASCII entitlements", rule: "entitlements-malformed", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = entXML("<dict><key>k</key><string>\xc3\xa9</string></dict>")
		}), archs: []string{"arm64"}, contains: "non-ASCII"},
		{name: "invalid XML entitlements", rule: "entitlements-malformed", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = entXML("<dict><key>k</key><true></dict>")
		}), archs: []string{"arm64"}, contains: "invalid XML"},
		{name: "undecodable DER entitlements", rule: "entitlements-malformed", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.EntitlementsDER = []byte{0x70, 0x03, 0x02, 0x01} }), archs: []string{"arm64"}, contains: "DER entitlements (slot 7)"},
		{name: "near miss: valid XML entitlements", rule: "entitlements-malformed", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.security.cs.allow-jit": true})
		})},

		// malformed-macho
		{name: "truncated Mach-O", rule: "malformed-macho", build: func(t *testing.T) []byte { return fixture.MustBytes(t, clean(t))[:40] }, archs: []string{"arm64"}, contains: "sizeofcmds"},
		{name: "signature blob out of bounds", rule: "malformed-macho", build: func(t *testing.T) []byte {
			b := fixture.MustBytes(t, clean(t))
			return b[:len(b)-8] // LC_CODE_SIGNATURE now runs past the end
		}, archs: []string{"arm64"}, contains: "runs past the slice end"},
		{name: "near miss: Java class file", rule: "malformed-macho", build: func(*testing.T) []byte {
			return append([]byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41}, make([]byte, 64)...)
		}},
	}
}

func TestRuleFixtures(t *testing.T) {
	for _, tc := range append(ruleCases(), signatureCases()...) {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			var configure []func(*analyzer.Config)
			if tc.configure != nil {
				configure = append(configure, tc.configure)
			}
			got := findings(t, map[string][]byte{"file": tc.build(t)}, configure...)[tc.rule]
			var archs []string
			for _, f := range got {
				archs = append(archs, f.Arch)
				if tc.contains != "" && !strings.Contains(f.Message, tc.contains) {
					t.Errorf("message %q does not contain %q", f.Message, tc.contains)
				}
				if f.Path != f.Path[:strings.LastIndex(f.Path, "/")]+"/file" {
					t.Errorf("path %q does not end in the file name", f.Path)
				}
			}
			if strings.Join(archs, ",") != strings.Join(tc.archs, ",") {
				t.Errorf("findings for archs %q, want %q; findings: %+v", archs, tc.archs, got)
			}
		})
	}
}

// TestCleanFixtureHasNoFindings makes every near miss meaningful: the base
// fixture they vary is clean for every rule.
func TestCleanFixtureHasNoFindings(t *testing.T) {
	for rule, fs := range findings(t, map[string][]byte{"tool": fixture.MustBytes(t, clean(t))}) {
		t.Errorf("clean fixture got %s: %+v", rule, fs)
	}
}

// TestBadItemDoesNotHideOthers checks that a malformed file is reported and
// the rest of the directory is still analysed.
func TestBadItemDoesNotHideOthers(t *testing.T) {
	got := findings(t, map[string][]byte{
		"broken":    fixture.MustBytes(t, clean(t))[:40],
		"unsigned":  fixture.MustBytes(t, fixture.MachO{BuildVersion: sdk14}),
		"Foo.class": append([]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34}, make([]byte, 100)...),
	})
	if len(got["malformed-macho"]) != 1 || len(got["macho-unsigned"]) != 1 {
		t.Errorf("findings = %v", got)
	}
	for _, f := range got["malformed-macho"] {
		if !strings.Contains(f.Message, "0x") {
			t.Errorf("malformed-macho message lacks an offset: %q", f.Message)
		}
	}
}
