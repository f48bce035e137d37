package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/rules"
)

// archiveCase builds an input file and says which findings of one rule it
// must get, by path.
type archiveCase struct {
	name     string
	rule     string
	file     string // the input's file name
	build    func(t *testing.T) []byte
	limits   archive.Limits
	paths    []string
	contains string
}

// unsignedDylib is native code as JNA ships it in its jars.
func unsignedDylib(t *testing.T) []byte {
	return fixture.MustBytes(t, fixture.MachO{FileType: macho.TypeDylib, BuildVersion: sdk14})
}

// appZip writes the clean app, lets change alter the tree, and zips it as
// ditto would.
func appZip(change func(t *testing.T, app string), opts fixture.DittoOptions) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		app := cleanApp().Write(t, t.TempDir())
		if change != nil {
			change(t, app)
		}
		return fixture.DittoZip(t, app, opts)
	}
}

func archiveCases() []archiveCase {
	jna := func(t *testing.T) []byte {
		return fixture.Jar(t, []fixture.ZipEntry{
			{Name: "com/sun/jna/Native.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")},
			{Name: "com/sun/jna/darwin-aarch64/libjnidispatch.jnilib", Data: unsignedDylib(t)},
		})
	}
	return []archiveCase{
		{name: "ditto zip of a clean app", rule: "zip-cannot-staple", file: "App.zip", build: appZip(nil, fixture.DittoOptions{}), paths: []string{"App.zip"}},
		{name: "near miss: clean app in a ditto zip has no error", rule: "sealed-resource-invalid", file: "App.zip", build: appZip(nil, fixture.DittoOptions{})},
		{name: "stored ditto zip of a clean app", rule: "sealed-resource-invalid", file: "App.zip", build: appZip(nil, fixture.DittoOptions{Store: true})},

		{name: "unsigned native in a jar in the app's Resources", rule: "macho-unsigned", file: "App.zip",
			build: func(t *testing.T) []byte {
				a := cleanApp()
				a.Resources["java/jna.jar"] = jna(t)
				return fixture.DittoZip(t, a.Write(t, t.TempDir()), fixture.DittoOptions{})
			},
			paths: []string{"App.zip/My App.app/Contents/Resources/java/jna.jar/com/sun/jna/darwin-aarch64/libjnidispatch.jnilib"}},
		{name: "the jar is listed as holding code", rule: "nested-archive-code", file: "App.zip",
			build: func(t *testing.T) []byte {
				a := cleanApp()
				a.Resources["java/jna.jar"] = jna(t)
				return fixture.DittoZip(t, a.Write(t, t.TempDir()), fixture.DittoOptions{})
			},
			paths: []string{"App.zip/My App.app/Contents/Resources/java/jna.jar"}, contains: "libjnidispatch.jnilib"},
		{name: "near miss: jar of classes only", rule: "nested-archive-code", file: "lib.jar",
			build: func(t *testing.T) []byte {
				return fixture.Jar(t, []fixture.ZipEntry{{Name: "a/B.class", Data: []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34")}})
			}},
		{name: "signed but untimestamped executable in a .tar.gz", rule: "timestamp-missing", file: "tool.tar.gz",
			build: func(t *testing.T) []byte {
				m := fixture.MachO{BuildVersion: sdk14, Signature: signedBy(t, fixture.CMSOptions{Timestamp: fixture.TimestampNone})}
				return fixture.TarGz(t, []fixture.TarEntry{{Name: "tool/bin/tool", Data: fixture.MustBytes(t, m), Mode: 0o755}})
			},
			paths: []string{"tool.tar.gz/tool/bin/tool"}},
		{name: "three levels: zip in a tar.gz in a zip", rule: "macho-unsigned", file: "outer.zip",
			build: func(t *testing.T) []byte {
				inner := fixture.Zip(t, []fixture.ZipEntry{{Name: "lib/libx.dylib", Data: unsignedDylib(t)}})
				mid := fixture.TarGz(t, []fixture.TarEntry{{Name: "plugin.zip", Data: inner}})
				return fixture.Zip(t, []fixture.ZipEntry{{Name: "deps/bundle.tgz", Data: mid}})
			},
			paths: []string{"outer.zip/deps/bundle.tgz/plugin.zip/lib/libx.dylib"}},
		{name: "single-file gzip", rule: "macho-unsigned", file: "libfoo.dylib.gz",
			build: func(t *testing.T) []byte { return fixture.Gzip(t, unsignedDylib(t), "libfoo.dylib") },
			paths: []string{"libfoo.dylib.gz/libfoo.dylib"}},

		{name: "zip bomb", rule: "archive-unreadable", file: "outer.zip",
			build: func(t *testing.T) []byte {
				return fixture.Zip(t, []fixture.ZipEntry{{Name: "inner.zip", Data: fixture.ZipBomb(t, "zeros.bin", 4<<30), Store: true}})
			},
			paths: nil},
		{name: "nesting deeper than the limit", rule: "archive-unreadable", file: "deep.zip", limits: archive.Limits{MaxDepth: 2},
			build: func(t *testing.T) []byte {
				b := fixture.Zip(t, []fixture.ZipEntry{{Name: "x", Data: []byte("x")}})
				for range 3 {
					b = fixture.Zip(t, []fixture.ZipEntry{{Name: "n.zip", Data: b, Store: true}})
				}
				return b
			},
			paths: []string{"deep.zip/n.zip/n.zip"}, contains: "nested 3 deep"},
		{name: "unsafe names", rule: "archive-path-unsafe", file: "evil.zip",
			build: func(t *testing.T) []byte {
				return fixture.Zip(t, []fixture.ZipEntry{{Name: "../escape", Data: []byte("x")}, {Name: "ok", Data: []byte("y")}})
			},
			paths: []string{"evil.zip"}, contains: "../escape"},

		{name: "framework links flattened by zip -r", rule: "zip-made-wrongly", file: "App.zip",
			build: appZip(nil, fixture.DittoOptions{FlattenSymlinks: true}), paths: []string{"App.zip"}, contains: "stored as copies"},
		{name: "._ entries inside the app", rule: "zip-made-wrongly", file: "App.zip",
			build: appZip(nil, fixture.DittoOptions{DotUnderscoreInPlace: map[string][]byte{
				"My App.app/Contents/Resources/a.txt": fixture.AppleDouble(nil, nil, map[string][]byte{"com.apple.quarantine": []byte("q")}),
			}}), paths: []string{"App.zip"}, contains: "AppleDouble ._ entries"},
		{name: "__MACOSX resource fork on a bundle file", rule: "zip-made-wrongly", file: "App.zip",
			build: appZip(nil, fixture.DittoOptions{AppleDouble: map[string][]byte{
				"My App.app/Contents/Resources/a.txt": fixture.AppleDouble(nil, []byte("rsrc"), nil),
			}}), paths: []string{"App.zip"}, contains: "resource fork"},
		{name: "near miss: __MACOSX with harmless attributes", rule: "zip-made-wrongly", file: "App.zip",
			build: appZip(nil, fixture.DittoOptions{AppleDouble: map[string][]byte{
				"My App.app/Contents/Resources/a.txt": fixture.AppleDouble(nil, nil, map[string][]byte{"com.apple.quarantine": []byte("q")}),
			}})},
		{name: "zip written on Windows", rule: "zip-no-unix-modes", file: "App.zip",
			build: appZip(nil, fixture.DittoOptions{MSDOS: true}), paths: []string{"App.zip"}, contains: "non-Unix creator"},
		{name: "near miss: ditto zip has modes", rule: "zip-no-unix-modes", file: "App.zip", build: appZip(nil, fixture.DittoOptions{})},
		{name: "names normalized by the zip tool", rule: "sealed-resource-invalid", file: "App.zip",
			build: func(t *testing.T) []byte {
				a := cleanApp()
				a.Resources["caf\u00e9.txt"] = []byte("coffee")
				return fixture.DittoZip(t, a.Write(t, t.TempDir()), fixture.DittoOptions{NFD: true})
			},
			paths: []string{"App.zip/My App.app/Contents/Resources/cafe\u0301.txt"}, contains: "differ only in Unicode normalization"},
		{name: "overlapping entries stop at the budget", rule: "archive-unreadable", file: "overlap.zip",
			limits: archive.Limits{MaxDecompressed: 1 << 20},
			build: func(t *testing.T) []byte {
				var names []string
				for i := range 64 {
					names = append(names, fmt.Sprintf("copy%02d.bin", i))
				}
				return fixture.OverlapZip(t, names, make([]byte, 64<<10))
			}},
		{name: "zipped without --keepParent", rule: "zip-layout", file: "App.zip",
			build: func(t *testing.T) []byte {
				app := cleanApp().Write(t, t.TempDir())
				return fixture.DittoZip(t, filepath.Join(app, "Contents"), fixture.DittoOptions{})
			},
			paths: []string{"App.zip"}},
		{name: "near miss: --keepParent", rule: "zip-layout", file: "App.zip", build: appZip(nil, fixture.DittoOptions{})},
	}
}

func TestArchiveFixtures(t *testing.T) {
	for _, tc := range archiveCases() {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(p, tc.build(t), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Limits: tc.limits}, []string{p})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.RuleName == tc.rule {
					got = append(got, f.Path)
					if tc.contains != "" && !strings.Contains(f.Message, tc.contains) {
						t.Errorf("message %q does not contain %q", f.Message, tc.contains)
					}
				}
			}
			if tc.paths == nil && tc.rule == "archive-unreadable" {
				if len(got) == 0 {
					t.Errorf("no %s finding", tc.rule)
				}
				return
			}
			if strings.Join(got, ",") != strings.Join(tc.paths, ",") {
				t.Errorf("findings at %q, want %q", got, tc.paths)
			}
		})
	}
}

// TestCleanAppZipHasNoErrors: a clean app zipped by ditto gets only infos.
func TestCleanAppZipHasNoErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "App.zip")
	os.WriteFile(p, appZip(nil, fixture.DittoOptions{})(t), 0o644)
	rep, _ := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t)}, []string{p})
	for _, f := range rep.Findings {
		if f.Severity != analyzer.Info {
			t.Errorf("%s at %s: %s", f.RuleName, f.Path, f.Message)
		}
	}
}
