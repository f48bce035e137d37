package analyzer_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/rules"
)

// FuzzAnalyze runs every rule over arbitrary bytes given as a top-level
// input: Mach-O files, zips, tars, gzips, packages and disk images (HFS+
// and APFS) nested in each other. Nothing may
// panic (a rule's panic would be an internal-error finding) or hang, within
// small archive limits.
func FuzzAnalyze(f *testing.F) {
	dylib := fixture.MustBytes(f, fixture.MachO{FileType: macho.TypeDylib, Signature: &fixture.Signature{}})
	f.Add(dylib)
	f.Add(fixture.Zip(f, []fixture.ZipEntry{{Name: "lib/libx.dylib", Data: dylib}, {Name: "a.app/Contents/Info.plist", Data: []byte("<plist/>")}}))
	f.Add(fixture.TarGz(f, []fixture.TarEntry{{Name: "x/libx.dylib", Data: dylib}, {Name: "x/l", Mode: 0o120755, Linkname: "libx.dylib"}}))
	f.Add(fixture.Jar(f, []fixture.ZipEntry{{Name: "n.zip", Data: fixture.Zip(f, []fixture.ZipEntry{{Name: "m", Data: dylib}})}}))
	vol := f.TempDir()
	if err := os.MkdirAll(filepath.Join(vol, "A.app", "Contents", "MacOS"), 0o755); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vol, "A.app", "Contents", "MacOS", "A"), dylib, 0o755); err != nil {
		f.Fatal(err)
	}
	f.Add(fixture.UDIFDisk(f, fixture.GPTLayout(fixture.HFSPlus(f, vol, fixture.HFSOptions{}), fixture.GUIDAppleHFS), fixture.UDIFOptions{Codec: "raw"}))
	f.Add(fixture.UDIF(f, fixture.APFS(f, vol, fixture.APFSOptions{Compact: true}), fixture.UDIFOptions{Codec: "raw"}))
	if real, err := os.ReadFile("../testdata/real-pkg/nudge-launchagent-1.0.1.pkg"); err == nil {
		f.Add(real)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "input")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		limits := archive.Limits{MaxDecompressed: 8 << 20, MaxRatio: 100, MaxMemoryFile: 4 << 20, MaxEntries: 256, MaxDepth: 3}
		rep, _ := analyzer.Run(analyzer.Config{Rules: rules.All, Jobs: 1, Limits: limits}, []string{p})
		for _, fd := range rep.Findings {
			if fd.RuleName == "internal-error" {
				t.Fatalf("internal error: %s", fd.Message)
			}
		}
	})
}
