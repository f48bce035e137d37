package pkg

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/codesign"
)

func openReal(t *testing.T, variant string) *Package {
	t.Helper()
	f, err := os.Open("../testdata/real-pkg/nudge-launchagent-1.0.1" + variant + ".pkg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	p, err := OpenPackage(f, st.Size(), archive.NewBudget(archive.DefaultLimits), Content{Keep: func(string, []byte, int64) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRealPackage checks a real Developer ID Installer product archive:
// structure, payload, both signatures, chain and timestamp.
func TestRealPackage(t *testing.T) {
	p := openReal(t, "")
	if !p.Product || p.DistErr != nil || len(p.UnresolvedPkgRefs()) != 0 {
		t.Fatalf("product=%v distErr=%v unresolved=%v", p.Product, p.DistErr, p.UnresolvedPkgRefs())
	}
	if p.Xar.ChecksumAlg != "sha1" || !p.Xar.TOCChecksumOK {
		t.Errorf("TOC checksum %s ok=%v", p.Xar.ChecksumAlg, p.Xar.TOCChecksumOK)
	}
	if len(p.Components) != 1 {
		t.Fatalf("%d components", len(p.Components))
	}
	c := p.Components[0]
	if c.Name != "Nudge_LaunchAgent-1.0.1.pkg" || c.PackageInfo == nil || c.PackageInfo.Identifier != "com.github.macadmins.Nudge.LaunchAgent" {
		t.Errorf("component %q info %+v (%v)", c.Name, c.PackageInfo, c.InfoErr)
	}
	if c.PayloadErr != nil || c.ScriptsErr != nil || !c.HasBom {
		t.Fatalf("payload %v scripts %v bom %v", c.PayloadErr, c.ScriptsErr, c.HasBom)
	}
	var files []string
	fs.WalkDir(c.Payload.Tree, ".", func(p string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if strings.Join(files, ",") != "com.github.macadmins.Nudge.plist" {
		t.Errorf("payload files %v", files)
	}
	if _, err := fs.Stat(c.Scripts.Tree, "postinstall"); err != nil {
		t.Errorf("scripts: %v", err)
	}
	if onlyBom, onlyPayload := c.BomDifference(5); c.BomErr != nil || len(c.BomPaths) != 2 || len(onlyBom)+len(onlyPayload) > 0 {
		t.Errorf("Bom %v (%v): only in Bom %v, only in Payload %v", c.BomPaths, c.BomErr, onlyBom, onlyPayload)
	}
	if c.Payload.Format != "gzip" || len(c.Payload.BareNames) != 0 {
		t.Errorf("payload %s, bare names %v", c.Payload.Format, c.Payload.BareNames)
	}
	if bad := p.Xar.BadChecksums(); len(bad) != 0 {
		t.Errorf("bad file checksums %v", bad)
	}
	trust, err := codesign.AppleTrust()
	if err != nil {
		t.Fatal(err)
	}
	s := p.Xar.VerifySignature(trust, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if !s.HasRSA || !s.HasCMS || s.Err != nil || s.RSAErr != nil || s.CMSErr != nil {
		t.Fatalf("signature %+v", s)
	}
	if s.LeafKind != codesign.CertDeveloperIDInstaller || codesign.TeamID(s.Leaf) != "T4SK8ZXCXG" {
		t.Errorf("leaf %v team %q", s.LeafKind, codesign.TeamID(s.Leaf))
	}
	if s.Chain.Err != nil {
		t.Errorf("chain: %v", s.Chain.Err)
	}
	if !s.Timestamp.Valid() || s.Timestamp.GenTime.Format(time.RFC3339) != "2024-01-03T15:48:26Z" {
		t.Errorf("timestamp %+v", s.Timestamp)
	}
	if p.Ticket != nil || p.TicketErr != nil {
		t.Errorf("ticket %d bytes, %v", len(p.Ticket), p.TicketErr)
	}
}

// TestRealPackageTampered checks that a changed byte in either signature is
// caught, each by its own check.
func TestRealPackageTampered(t *testing.T) {
	trust, err := codesign.AppleTrust()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		variant        string
		rsaBad, cmsBad bool
	}{
		{".bad-rsa", true, false},
		{".bad-cms", false, true},
		{".bad-both", true, true},
	} {
		s := openReal(t, tc.variant).Xar.VerifySignature(trust, now)
		if (s.RSAErr != nil) != tc.rsaBad || (s.CMSErr != nil) != tc.cmsBad {
			t.Errorf("%s: RSA %v, CMS %v", tc.variant, s.RSAErr, s.CMSErr)
		}
	}
}
