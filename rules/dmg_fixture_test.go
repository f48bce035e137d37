package rules_test

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/rules"
)

// dmgSigner signs disk images as codesign does with a timestamped Developer
// ID Application identity of the test PKI, or with leaf kind and options.
func dmgSigner(t *testing.T, kind fixture.LeafKind, o fixture.CMSOptions) fixture.DMGSignOptions {
	pki := fixture.TestPKI(t)
	o.Identity = pki.Leaf(t, kind, fixture.LeafOptions{})
	return fixture.DMGSignOptions{Identifier: "App", SignCMS: pki.SignCMS(t, o)}
}

// plainDisk is an image of bytes that hold no file system.
func plainDisk(t *testing.T) []byte {
	data := []byte(strings.Repeat("disk bytes that are neither HFS+ nor APFS ", 5000))
	return fixture.UDIF(t, data, fixture.UDIFOptions{ChunkSectors: 64})
}

// TestDiskImageRules builds disk images that each break one thing (and near
// misses that must not) and checks which dmg rules report.
func TestDiskImageRules(t *testing.T) {
	signed := func(t *testing.T) []byte {
		return fixture.SignUDIF(t, plainDisk(t), dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{}))
	}
	for _, tc := range []struct {
		name  string
		file  string
		build func(t *testing.T) []byte
		rule  string
		want  bool
		match string
	}{
		{"raw bytes named .dmg", "App.dmg", func(t *testing.T) []byte { return make([]byte, 64*1024) }, "dmg-not-udif", true, "no koly trailer"},
		{"encrypted image", "App.dmg", func(t *testing.T) []byte { return append([]byte("encrcdsa"), make([]byte, 4096)...) }, "dmg-not-udif", true, "encrypted"},
		{"sparse image", "App.sparseimage", func(t *testing.T) []byte { return append([]byte("sprs\x00\x00\x00\x03"), make([]byte, 4096)...) }, "dmg-not-udif", true, "sparse"},
		{"trailer version 3", "App.dmg", func(t *testing.T) []byte {
			b := plainDisk(t)
			binary.BigEndian.PutUint32(b[len(b)-508:], 3)
			return b
		}, "dmg-not-udif", true, "version 4"},
		{"near miss: UDIF", "App.dmg", signed, "dmg-not-udif", false, ""},
		{"unsigned", "App.dmg", plainDisk, "dmg-unsigned", true, "not signed"},
		{"ad-hoc", "App.dmg", func(t *testing.T) []byte { return fixture.SignUDIF(t, plainDisk(t), fixture.DMGSignOptions{}) }, "dmg-unsigned", true, "ad-hoc"},
		{"no timestamp", "App.dmg", func(t *testing.T) []byte {
			return fixture.SignUDIF(t, plainDisk(t), dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{Timestamp: fixture.TimestampNone}))
		}, "dmg-unsigned", true, "timestamp"},
		{"development certificate", "App.dmg", func(t *testing.T) []byte {
			return fixture.SignUDIF(t, plainDisk(t), dmgSigner(t, fixture.LeafAppleDevelopment, fixture.CMSOptions{}))
		}, "dmg-unsigned", true, "not Developer ID Application"},
		{"near miss: Developer ID, timestamped", "App.dmg", signed, "dmg-unsigned", false, ""},
		{"installer certificate", "App.dmg", func(t *testing.T) []byte {
			return fixture.SignUDIF(t, plainDisk(t), dmgSigner(t, fixture.LeafDeveloperIDInstaller, fixture.CMSOptions{}))
		}, "dmg-installer-cert", true, "installer-signing"},
		{"near miss: application certificate", "App.dmg", signed, "dmg-installer-cert", false, ""},
		{"bad partition checksum", "App.dmg", func(t *testing.T) []byte {
			return fixture.UDIF(t, []byte(strings.Repeat("x", 100000)), fixture.UDIFOptions{CorruptCRC: true})
		}, "dmg-corrupt-or-compression", true, "CRC32"},
		{"bzip2 image", "App.dmg", func(t *testing.T) []byte {
			return fixture.UDIF(t, []byte(strings.Repeat("text ", 50000)), fixture.UDIFOptions{Codec: "bzip2"})
		}, "dmg-corrupt-or-compression", true, "bzip2"},
		{"near miss: zlib image", "App.dmg", signed, "dmg-corrupt-or-compression", false, ""},
		{"no file system", "App.dmg", signed, "dmg-contents-not-analyzed", true, "no known file system"},
		{"changed after signing", "App.dmg", func(t *testing.T) []byte {
			b := signed(t)
			b[10] ^= 1
			return b
		}, "dmg-signature-invalid", true, "changed after signing"},
		{"trailer changed after signing", "App.dmg", func(t *testing.T) []byte {
			b := signed(t)
			b[len(b)-20] ^= 1 // the sector count
			return b
		}, "dmg-signature-invalid", true, "koly trailer"},
		{"near miss: stapled ticket", "App.dmg", func(t *testing.T) []byte {
			o := dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{})
			o.Ticket = stapledTicket
			return fixture.SignUDIF(t, plainDisk(t), o)
		}, "dmg-signature-invalid", false, ""},
		{"signed, not stapled", "App.dmg", signed, "ticket-not-stapled", true, "slot 0x10002"},
		{"near miss: stapled", "App.dmg", func(t *testing.T) []byte {
			o := dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{})
			o.Ticket = stapledTicket
			return fixture.SignUDIF(t, plainDisk(t), o)
		}, "ticket-not-stapled", false, ""},
		{"unsigned, not stapled", "App.dmg", plainDisk, "ticket-not-stapled", true, "slot 0x10002"},
		{"near miss: unsigned and stapled", "App.dmg", func(t *testing.T) []byte {
			return fixture.StapleUnsignedUDIF(t, plainDisk(t), stapledTicket)
		}, "ticket-not-stapled", false, ""},
		{"unsigned and stapled is still unsigned", "App.dmg", func(t *testing.T) []byte {
			return fixture.StapleUnsignedUDIF(t, plainDisk(t), stapledTicket)
		}, "dmg-unsigned", true, "stapled ticket"},
		{"near miss: a ticket alone is no broken signature", "App.dmg", func(t *testing.T) []byte {
			return fixture.StapleUnsignedUDIF(t, plainDisk(t), stapledTicket)
		}, "dmg-signature-invalid", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pkgFindings(t, tc.file, tc.build(t))
			fs := got[tc.rule]
			if !tc.want {
				if len(fs) > 0 {
					t.Fatalf("%s reported: %+v", tc.rule, fs)
				}
				return
			}
			if len(fs) == 0 {
				t.Fatalf("%s not reported; got %v", tc.rule, ruleNames(got))
			}
			for _, f := range fs {
				if strings.Contains(f.Message, tc.match) {
					return
				}
			}
			t.Errorf("no %s finding mentions %q: %+v", tc.rule, tc.match, fs)
		})
	}
}

func ruleNames(m map[string][]analyzer.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDiskImageSeverities checks that a heavy codec is info while a bad
// checksum is an error, under the same rule.
func TestDiskImageSeverities(t *testing.T) {
	got := pkgFindings(t, "App.dmg", fixture.UDIF(t, []byte(strings.Repeat("text ", 50000)), fixture.UDIFOptions{Codec: "bzip2", CorruptCRC: true}))
	var sev []string
	for _, f := range got["dmg-corrupt-or-compression"] {
		sev = append(sev, f.Severity.String())
	}
	if strings.Join(sev, ",") != "error,error,info" && strings.Join(sev, ",") != "error,info" {
		t.Errorf("severities %v, want the checksum errors and the codec info", sev)
	}
}

// TestTicketForOtherBuildDiskImage is Apple's Error 65 example: a disk
// image re-signed after notarization has another cdhash.
func TestTicketForOtherBuildDiskImage(t *testing.T) {
	img := plainDisk(t)
	notarized := fixture.SignUDIF(t, img, dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{}))
	p := filepath.Join(t.TempDir(), "App.dmg")
	write := func(b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(notarized)
	found, _ := analyzer.Inspect(analyzer.Config{Trust: testTrust(t)}, []string{p})
	if len(found) == 0 || found[0].DiskImage == nil || found[0].DiskImage.Signature == nil {
		t.Fatalf("inspect: %+v", found)
	}
	cdhash := hex.EncodeToString(found[0].DiskImage.Signature.Primary().CDHash()[:20])
	ticket := []analyzer.NotarizedItem{{Path: "App.dmg", DigestAlgorithm: "SHA-256", CDHash: cdhash}}
	count := func() int {
		rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Notarized: ticket}, []string{p})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return len(ruleFindings(rep, "ticket-for-other-build"))
	}
	if n := count(); n != 0 {
		t.Errorf("notarized image: %d findings", n)
	}
	// Re-signed: a new signing time makes a new CMS, but the cdhash is the
	// CodeDirectory's; re-signing with another identifier changes it.
	o := dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{})
	o.Identifier = "App-resigned"
	write(fixture.SignUDIF(t, img, o))
	if n := count(); n != 1 {
		t.Errorf("re-signed image: %d findings, want 1", n)
	}
}

// stapledTicket stands in for a ticket: opaque bytes after Apple's magic.
var stapledTicket = []byte("s8ch\x00\x00\x00\x01 opaque ticket bytes for the test")

// TestDiskImageChunkBomb: chunks that expand far beyond their stored size
// stop at the input's decompression limits, as not analysed (a warning),
// before anything is decoded.
func TestDiskImageChunkBomb(t *testing.T) {
	data := make([]byte, 24<<20) // nearly all zeros: each 1 MiB chunk stores about 1 KiB
	for i := 0; i < len(data); i += 1 << 20 {
		data[i] = 1
	}
	img := fixture.UDIF(t, data, fixture.UDIFOptions{})
	p := filepath.Join(t.TempDir(), "Bomb.dmg")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]archive.Limits{"ratio": {MaxRatio: 100}, "total": {MaxDecompressed: 8 << 20}} {
		rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Limits: l}, []string{p})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		got := ruleFindings(rep, "dmg-contents-not-analyzed")
		if len(got) != 1 || !strings.Contains(got[0].Message, "limit") {
			t.Errorf("%s limit: %+v", name, got)
		}
		if bad := ruleFindings(rep, "dmg-corrupt-or-compression"); len(bad) != 0 {
			t.Errorf("%s limit reported as damage: %+v", name, bad)
		}
	}
	// Within the default limits the same image is read.
	if got := pkgFindings(t, "Bomb.dmg", img)["dmg-contents-not-analyzed"]; len(got) != 1 || strings.Contains(got[0].Message, "limit") {
		t.Errorf("default limits: %+v", got)
	}
}
