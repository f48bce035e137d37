package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/rules"
)

// imageOf builds a signed, stapled zlib disk image of the tree at root in
// the given layout ("gpt", "apm", "bare") and file system ("hfs", "apfs").
func imageOf(t *testing.T, root, layout, fsys string, hfsOpts fixture.HFSOptions, sign bool) []byte {
	t.Helper()
	var vol []byte
	typ, guid := "Apple_HFS", fixture.GUIDAppleHFS
	switch fsys {
	case "apfs":
		vol = fixture.APFS(t, root, fixture.APFSOptions{VolumeName: "App", FinderInfo: hfsOpts.FinderInfo, ResourceFork: hfsOpts.ResourceFork})
		typ, guid = "Apple_APFS", fixture.GUIDAppleAPFS
	default:
		hfsOpts.VolumeName = "App"
		vol = fixture.HFSPlus(t, root, hfsOpts)
	}
	var parts []fixture.UDIFPartition
	switch layout {
	case "apm":
		parts = fixture.APMLayout(vol, typ)
	case "bare":
		parts = []fixture.UDIFPartition{{Name: "whole disk (" + typ + " : 0)", Data: vol}}
	default:
		parts = fixture.GPTLayout(vol, guid)
	}
	img := fixture.UDIFDisk(t, parts, fixture.UDIFOptions{})
	if !sign {
		return img
	}
	o := dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{})
	o.Ticket = stapledTicket
	return fixture.SignUDIF(t, img, o)
}

// volumeRoot writes a volume's tree as hdiutil's users lay it out: the app
// and a symlink to /Applications.
func volumeRoot(t *testing.T, app fixture.Bundle, mutate func(app string)) string {
	root := t.TempDir()
	p := app.Write(t, root)
	if err := os.Symlink("/Applications", filepath.Join(root, "Applications")); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(p)
	}
	return root
}

// problems returns the error and warning findings.
func problems(got map[string][]analyzer.Finding) []analyzer.Finding {
	var out []analyzer.Finding
	for _, fs := range got {
		for _, f := range fs {
			if f.Severity != analyzer.Info {
				out = append(out, f)
			}
		}
	}
	return out
}

// TestDiskImageContentsClean: a clean signed, stapled app in a signed,
// stapled image has no error or warning in every layout and file system;
// the /Applications symlink is normal.
func TestDiskImageContentsClean(t *testing.T) {
	for _, tc := range []struct{ layout, fs string }{{"gpt", "hfs"}, {"apm", "hfs"}, {"bare", "hfs"}, {"gpt", "apfs"}, {"bare", "apfs"}} {
		t.Run(tc.layout+"-"+tc.fs, func(t *testing.T) {
			root := volumeRoot(t, cleanApp(), func(app string) { write(t, filepath.Join(app, "Contents", "CodeResources"), "ticket") })
			got := pkgFindings(t, "App.dmg", imageOf(t, root, tc.layout, tc.fs, fixture.HFSOptions{}, true))
			if p := problems(got); len(p) > 0 {
				t.Fatalf("problems: %+v", p)
			}
			c := got["dmg-contents"]
			if len(c) != 1 || !strings.Contains(c[0].Message, "My App.app") {
				t.Errorf("dmg-contents: %+v", c)
			}
			if len(got["dmg-inner-app-not-stapled"]) != 0 {
				t.Errorf("stapled app reported: %+v", got["dmg-inner-app-not-stapled"])
			}
		})
	}
}

// TestDiskImageContentsRules builds images whose contents break one thing,
// and near misses, and checks the rule with the path inside the image.
func TestDiskImageContentsRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fs     string
		app    func() fixture.Bundle
		mutate func(t *testing.T, root, app string) fixture.HFSOptions
		rule   string
		want   bool
		match  string
	}{
		{"unsigned helper", "hfs", cleanApp, addHelper, "macho-unsigned", true, "App.dmg/My App.app/Contents/Helpers/helper"},
		{"unsigned helper on APFS", "apfs", cleanApp, addHelper, "macho-unsigned", true, "App.dmg/My App.app/Contents/Helpers/helper"},
		{"resource changed after signing", "hfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			write(t, filepath.Join(app, "Contents", "Resources", "a.txt"), "changed")
			return fixture.HFSOptions{}
		}, "sealed-resource-invalid", true, "a.txt"},
		{"Finder info on a bundle file", "hfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			fi := make([]byte, 32)
			copy(fi, "TEXTttxt")
			return fixture.HFSOptions{FinderInfo: map[string][]byte{"My App.app/Contents/Resources/a.txt": fi}}
		}, "xattr-detritus", true, "com.apple.FinderInfo"},
		{"near miss: Finder info with only the date added", "hfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			fi := make([]byte, 32)
			copy(fi[20:], []byte{0x60, 0xe4, 0x80, 0x73}) // as Finder sets it on every file it copies
			fi[31] = 2
			return fixture.HFSOptions{FinderInfo: map[string][]byte{"My App.app/Contents/Resources/a.txt": fi}}
		}, "xattr-detritus", false, ""},
		{"resource fork on APFS", "apfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			return fixture.HFSOptions{ResourceFork: map[string][]byte{"My App.app/Contents/Resources/a.txt": []byte("fork")}}
		}, "xattr-detritus", true, "com.apple.ResourceFork"},
		{"near miss: Finder info outside the bundle", "hfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			fi := make([]byte, 32)
			copy(fi, "TEXTttxt")
			write(t, filepath.Join(root, "ReadMe.txt"), "read me")
			return fixture.HFSOptions{FinderInfo: map[string][]byte{"ReadMe.txt": fi}}
		}, "xattr-detritus", false, ""},
		{"app not stapled", "hfs", cleanApp, nil, "dmg-inner-app-not-stapled", true, "Contents/CodeResources"},
		{"near miss: app stapled", "hfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			write(t, filepath.Join(app, "Contents", "CodeResources"), "ticket")
			return fixture.HFSOptions{}
		}, "dmg-inner-app-not-stapled", false, ""},
		{"near miss: the app's own ticket rule stays quiet on an image", "hfs", cleanApp, nil, "ticket-not-stapled", false, ""},
		{"near miss: a helper app inside the app is not dragged off the image", "hfs", func() fixture.Bundle {
			a := cleanApp()
			a.Nested = append(a.Nested, fixture.NestedBundle{Path: "Library/LoginItems", Bundle: fixture.Bundle{Name: "Helper.app", Sign: &fixture.SignOptions{}}})
			return a
		}, func(t *testing.T, root, app string) fixture.HFSOptions {
			write(t, filepath.Join(app, "Contents", "CodeResources"), "ticket")
			return fixture.HFSOptions{}
		}, "dmg-inner-app-not-stapled", false, ""},
		{"compressed file", "hfs", cleanApp, func(t *testing.T, root, app string) fixture.HFSOptions {
			write(t, filepath.Join(root, "notes.txt"), "compressed notes")
			return fixture.HFSOptions{Compressed: []string{"notes.txt"}}
		}, "dmg-contents-not-analyzed", true, "notes.txt"},
		{"near miss: nothing hidden", "hfs", cleanApp, nil, "dmg-contents-not-analyzed", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts fixture.HFSOptions
			root := volumeRoot(t, tc.app(), nil)
			if tc.mutate != nil {
				opts = tc.mutate(t, root, filepath.Join(root, "My App.app"))
			}
			got := pkgFindings(t, "App.dmg", imageOf(t, root, "gpt", tc.fs, opts, true))
			fs := got[tc.rule]
			if !tc.want {
				if len(fs) > 0 {
					t.Fatalf("%s reported: %+v", tc.rule, fs)
				}
				return
			}
			for _, f := range fs {
				if strings.Contains(f.Path+" "+f.Message, tc.match) {
					return
				}
			}
			t.Errorf("no %s finding mentions %q: %+v (rules %v)", tc.rule, tc.match, fs, ruleNames(got))
		})
	}
}

// TestDiskImageNested opens a disk image inside a zip and a zip on a disk
// image.
func TestDiskImageNested(t *testing.T) {
	root := volumeRoot(t, cleanApp(), nil)
	addHelper(t, root, filepath.Join(root, "My App.app"))
	img := imageOf(t, root, "gpt", "hfs", fixture.HFSOptions{}, true)
	got := pkgFindings(t, "Outer.zip", fixture.Zip(t, []fixture.ZipEntry{{Name: "Inner.dmg", Data: img}}))
	if fs := got["macho-unsigned"]; len(fs) != 1 || fs[0].Path != "Outer.zip/Inner.dmg/My App.app/Contents/Helpers/helper" {
		t.Errorf("dmg in zip: %+v", fs)
	}
	root = t.TempDir()
	write(t, filepath.Join(root, "tools.zip"), string(fixture.Zip(t, []fixture.ZipEntry{{Name: "tool", Data: fixture.MustBytes(t, fixture.MachO{BuildVersion: sdk14})}})))
	got = pkgFindings(t, "App.dmg", imageOf(t, root, "gpt", "hfs", fixture.HFSOptions{}, true))
	if fs := got["macho-unsigned"]; len(fs) != 1 || fs[0].Path != "App.dmg/tools.zip/tool" {
		t.Errorf("zip on dmg: %+v", fs)
	}
}

// addHelper puts an unsigned tool into the app's Contents/Helpers after
// the app was signed.
func addHelper(t *testing.T, root, app string) fixture.HFSOptions {
	p := filepath.Join(app, "Contents", "Helpers", "helper")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, p, string(fixture.MustBytes(t, fixture.MachO{BuildVersion: sdk14})))
	return fixture.HFSOptions{}
}

// TestDiskImagesAmongResources: disk images sealed in an app are opened by
// the seal check's workers at once; each must get exactly its own contents.
func TestDiskImagesAmongResources(t *testing.T) {
	root := volumeRoot(t, cleanApp(), nil)
	addHelper(t, root, filepath.Join(root, "My App.app"))
	inner := imageOf(t, root, "gpt", "hfs", fixture.HFSOptions{}, true)
	res := map[string][]byte{}
	for i := range 6 {
		res[fmt.Sprintf("img%d.dmg", i)] = inner
	}
	outer := fixture.Bundle{Name: "Outer.app", Resources: res, Sign: &fixture.SignOptions{}}
	p := outer.Write(t, t.TempDir())
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Jobs: 4}, []string{p})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	unsigned := map[string]bool{}
	for _, f := range rep.Findings {
		switch f.RuleName {
		case "internal-error":
			t.Errorf("internal error: %s", f.Message)
		case "macho-unsigned":
			unsigned[f.Path] = true
		case "dmg-contents":
			if !strings.Contains(f.Message, "2 bundle(s) and 3 Mach-O file(s)") {
				t.Errorf("%s: %s", f.Path, f.Message)
			}
		}
	}
	for i := range 6 {
		if want := fmt.Sprintf("Outer.app/Contents/Resources/img%d.dmg/My App.app/Contents/Helpers/helper", i); !unsigned[want] {
			t.Errorf("no macho-unsigned at %s (got %v)", want, unsigned)
		}
	}
	if len(unsigned) != 6 {
		t.Errorf("%d unsigned helpers reported, want 6: %v", len(unsigned), unsigned)
	}
}

// TestDiskImageNotUDIFNested: an encrypted image inside a zip is not
// analysed (a warning), not a broken upload.
func TestDiskImageNotUDIFNested(t *testing.T) {
	enc := append([]byte("encrcdsa"), make([]byte, 8192)...)
	got := pkgFindings(t, "Outer.zip", fixture.Zip(t, []fixture.ZipEntry{{Name: "Secret.dmg", Data: enc}}))
	if fs := got["dmg-not-udif"]; len(fs) != 0 {
		t.Errorf("dmg-not-udif on a nested image: %+v", fs)
	}
	fs := got["dmg-contents-not-analyzed"]
	if len(fs) != 1 || fs[0].Path != "Outer.zip/Secret.dmg" || !strings.Contains(fs[0].Message, "encrypted") {
		t.Errorf("dmg-contents-not-analyzed: %+v", fs)
	}
}
