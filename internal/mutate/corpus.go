package main

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

// Sample is one valid input of one format, to be mutated.
type Sample struct {
	// Name names the sample; File is the file name it is checked under
	// (its extension matters only for .dmg).
	Name, File string
	Data       []byte
}

// Corpus builds one sample of every input format notarylint reads, signed
// with the fixture PKI, plus the real samples of testdata (from root, the
// repository) when they are there.
func Corpus(t testing.TB, root string) []Sample {
	pki := fixture.TestPKI(t)
	dev := pki.Leaf(t, fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})
	sig := func() *fixture.Signature {
		return &fixture.Signature{CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagRuntime}}, Requirements: true,
			SignCMS: pki.SignCMS(t, fixture.CMSOptions{Identity: dev})}
	}
	bv := &fixture.BuildVersion{Platform: macho.PlatformMacOS, MinOS: macho.MakeVersion(11, 0, 0), SDK: macho.MakeVersion(14, 2, 0)}
	tool := fixture.MustBytes(t, fixture.MachO{BuildVersion: bv, Signature: sig()})
	lib := fixture.MustBytes(t, fixture.MachO{FileType: macho.TypeDylib, BuildVersion: bv, Signature: sig()})
	x86 := fixture.MustBytes(t, fixture.MachO{Arch: "x86_64", BuildVersion: bv, Signature: sig()})
	fat, err := fixture.Universal([][]byte{x86, tool}, fixture.UniversalOptions{})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	app := fixture.Bundle{Name: "App.app", Resources: map[string][]byte{"a.txt": []byte("alpha"), "lib/libx.dylib": lib},
		Sign: &fixture.SignOptions{CMS: &fixture.CMSOptions{Identity: dev}}}.Write(t, dir)
	if err := os.Symlink("/Applications", filepath.Join(dir, "Applications")); err != nil {
		t.Fatal(err)
	}
	toolFiles := []fixture.CpioFile{{Name: ".", Mode: os.ModeDir}, {Name: "./usr", Mode: os.ModeDir}, {Name: "./usr/bin", Mode: os.ModeDir},
		{Name: "./usr/bin/tool", Data: tool, Mode: 0o755}}
	installer := &fixture.XarSignature{Identity: pki.Leaf(t, fixture.LeafDeveloperIDInstaller, fixture.LeafOptions{}), RSA: true, CMS: true}
	comp := func(format string) fixture.Component {
		return fixture.Component{Name: "tool.pkg", Identifier: "com.example.tool", Payload: fixture.Payload{Files: toolFiles, Format: format}}
	}
	dmgSign := fixture.DMGSignOptions{Identifier: "App", SignCMS: pki.SignCMS(t, fixture.CMSOptions{Identity: dev})}
	hfs := fixture.HFSPlus(t, dir, fixture.HFSOptions{VolumeName: "App"})
	apfs := fixture.APFS(t, dir, fixture.APFSOptions{VolumeName: "App", Compact: true})

	out := []Sample{
		{Name: "macho", File: "tool", Data: tool},
		{Name: "universal", File: "fat", Data: fat},
		{Name: "zip-app", File: "App.zip", Data: fixture.DittoZip(t, app, fixture.DittoOptions{})},
		{Name: "jar", File: "x.jar", Data: fixture.Jar(t, []fixture.ZipEntry{{Name: "natives/libx.dylib", Data: lib}})},
		{Name: "tar.gz", File: "x.tar.gz", Data: fixture.TarGz(t, []fixture.TarEntry{{Name: "x/libx.dylib", Data: lib}, {Name: "x/l", Mode: 0o120755, Linkname: "libx.dylib"}})},
		{Name: "pkg-gzip", File: "P.pkg", Data: fixture.ProductPkg(t, []fixture.Component{comp("gzip")}, fixture.ProductOptions{}, fixture.XarOptions{Sign: installer})},
		{Name: "pkg-pbzx", File: "C.pkg", Data: fixture.ComponentPkg(t, comp("pbzx"), fixture.XarOptions{Sign: installer})},
		{Name: "dmg-hfs", File: "A.dmg", Data: fixture.SignUDIF(t, fixture.UDIFDisk(t, fixture.GPTLayout(hfs, fixture.GUIDAppleHFS), fixture.UDIFOptions{Codec: "raw"}), dmgSign)},
		{Name: "dmg-hfs-zlib", File: "Z.dmg", Data: fixture.UDIFDisk(t, fixture.APMLayout(hfs, "Apple_HFS"), fixture.UDIFOptions{ChunkSectors: 64})},
		{Name: "dmg-apfs", File: "B.dmg", Data: fixture.UDIF(t, apfs, fixture.UDIFOptions{Codec: "raw", Name: "disk image (Apple_APFS : 0)"})},
	}
	for _, real := range []struct{ name, path string }{
		{"real-dmg", "testdata/real-dmg/dummy.dmg"},
		{"real-pkg", "testdata/real-pkg/nudge-launchagent-1.0.1.pkg"},
	} {
		if b, err := os.ReadFile(filepath.Join(root, real.path)); err == nil {
			out = append(out, Sample{Name: real.name, File: filepath.Base(real.path), Data: b})
		}
	}
	return out
}

// trust is the fixture PKI as trust anchors.
func trust(t testing.TB) *codesign.Trust {
	pki := fixture.TestPKI(t)
	return &codesign.Trust{Roots: []*x509.Certificate{pki.Root}, Intermediates: []*x509.Certificate{pki.DevIDCA, pki.WWDRCA, pki.TSACA}}
}
