package rules_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/rules"
)

var sdk14 = &fixture.BuildVersion{Platform: macho.PlatformMacOS, MinOS: macho.MakeVersion(11, 0, 0), SDK: macho.MakeVersion(14, 2, 0)}

// signedBy returns a signature as Apple's codesign makes it for a Developer
// ID: SHA-256 CodeDirectory with hardened runtime and the team ID,
// requirements, and a CMS signature by the test PKI with the given options
// (Identity defaults to a Developer ID Application leaf).
func signedBy(t *testing.T, o fixture.CMSOptions) *fixture.Signature {
	pki := fixture.TestPKI(t)
	if o.Identity == nil {
		o.Identity = pki.Leaf(t, fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})
	}
	return &fixture.Signature{
		CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagRuntime}},
		TeamID:          "ABCDE12345",
		Requirements:    true,
		SignCMS:         pki.SignCMS(t, o),
	}
}

// testTrust is the test PKI's root and intermediates, in place of Apple's.
func testTrust(t *testing.T) *codesign.Trust {
	pki := fixture.TestPKI(t)
	return &codesign.Trust{Roots: []*x509.Certificate{pki.Root}, Intermediates: []*x509.Certificate{pki.DevIDCA, pki.WWDRCA, pki.TSACA}}
}

// clean returns a thin arm64 executable that passes every rule.
func clean(t *testing.T) fixture.MachO {
	return fixture.MachO{BuildVersion: sdk14, Signature: signedBy(t, fixture.CMSOptions{})}
}

// findings analyses the files (name -> bytes) in one directory, trusting the
// test PKI, and returns the findings by rule name. configure, when given,
// adjusts the configuration.
func findings(t *testing.T, files map[string][]byte, configure ...func(*analyzer.Config)) map[string][]analyzer.Finding {
	t.Helper()
	return findingsWithTrust(t, files, testTrust(t), configure...)
}

// findingsWithTrust is findings with the given trust anchors.
func findingsWithTrust(t *testing.T, files map[string][]byte, trust *codesign.Trust, configure ...func(*analyzer.Config)) map[string][]analyzer.Finding {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := analyzer.Config{Rules: rules.All, Trust: trust}
	for _, c := range configure {
		c(&cfg)
	}
	rep, errs := analyzer.Run(cfg, []string{dir})
	if len(errs) > 0 {
		t.Fatalf("input errors: %v", errs)
	}
	out := map[string][]analyzer.Finding{}
	for _, f := range rep.Findings {
		out[f.RuleName] = append(out[f.RuleName], f)
	}
	return out
}

func mustUniversal(t *testing.T, opt fixture.UniversalOptions, slices ...fixture.MachO) []byte {
	t.Helper()
	var bs [][]byte
	for _, m := range slices {
		bs = append(bs, fixture.MustBytes(t, m))
	}
	b, err := fixture.Universal(bs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
