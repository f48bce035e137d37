package rules_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

// legacyOK lists real samples that today's notary service would reject, with
// the only error findings they may produce. See testdata/real/README.md.
var legacyOK = map[string]map[string]bool{
	"load_osxfuse-fat3": {"sdk-older-than-10.9": true},
}

// TestRealSamples checks real, third-party Developer ID-signed binaries: the
// facts notarylint reads must equal what independent tools recorded, and
// clean samples must produce no error.
func TestRealSamples(t *testing.T) {
	for _, s := range testutil.RealSamples(t) {
		t.Run(s.Name(), func(t *testing.T) {
			raw := s.Decode(t)
			if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != s.SHA256 {
				t.Fatalf("sha256 of decoded sample differs from facts.json")
			}
			path := s.WriteTemp(t, t.TempDir())
			checkRealFacts(t, s, path)

			rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All}, []string{path})
			if len(errs) > 0 {
				t.Fatalf("input errors: %v", errs)
			}
			allowed := legacyOK[s.Name()]
			for _, f := range rep.Findings {
				if f.Severity == analyzer.Error && !allowed[f.RuleName] {
					t.Errorf("unexpected error finding: %s %s [%s]: %s", f.RuleID, f.RuleName, f.Arch, f.Message)
				}
			}
			for name := range allowed {
				n := 0
				for _, f := range rep.Findings {
					if f.RuleName == name {
						n++
					}
				}
				if n != len(s.Slices) {
					t.Errorf("%s: %d findings, want one per slice (%d)", name, n, len(s.Slices))
				}
			}
			if !hasRule(rep, "bare-macho-submitted") {
				t.Errorf("a bare Mach-O input must get the bare-macho-submitted info")
			}
		})
	}
}

func hasRule(rep *analyzer.Report, name string) bool {
	for _, f := range rep.Findings {
		if f.RuleName == name {
			return true
		}
	}
	return false
}

func checkRealFacts(t *testing.T, s testutil.RealSample, path string) {
	found, errs := analyzer.Inspect([]string{path})
	if len(errs) > 0 || len(found) != 1 {
		t.Fatalf("inspect: %v (%d items)", errs, len(found))
	}
	m := found[0].MachO
	if m.Err != nil {
		t.Fatalf("parse: %v", m.Err)
	}
	if (m.File.Fat != nil) != (len(s.Slices) > 1) {
		t.Errorf("universal = %v, want %v", m.File.Fat != nil, len(s.Slices) > 1)
	}
	if len(m.Slices) != len(s.Slices) {
		t.Fatalf("%d slices, want %d", len(m.Slices), len(s.Slices))
	}
	for i, want := range s.Slices {
		got := m.Slices[i]
		if got.Err != nil || got.SignatureErr != nil || got.CMSErr != nil {
			t.Fatalf("slice %d: errors %v / %v / %v", i, got.Err, got.SignatureErr, got.CMSErr)
		}
		if got.Arch != want.Arch || got.FileTypeName() != want.FileType {
			t.Errorf("slice %d = %s %s, want %s %s", i, got.Arch, got.FileTypeName(), want.Arch, want.FileType)
		}
		minos, sdk := versionsOf(got)
		if minos != normVersion(want.MinOS) || sdk != normVersion(want.SDK) {
			t.Errorf("%s: minos/sdk = %s/%s, want %s/%s", want.Arch, minos, sdk, want.MinOS, want.SDK)
		}
		cds := got.CodeDirectories()
		if len(cds) != len(want.CodeDirectories) {
			t.Fatalf("%s: %d CodeDirectories, want %d", want.Arch, len(cds), len(want.CodeDirectories))
		}
		for j, wcd := range want.CodeDirectories {
			cd := cds[j]
			if h := hex.EncodeToString(cd.CDHash()); h != wcd.CDHash {
				t.Errorf("%s CD %s: cdhash %s, want %s", want.Arch, wcd.Slot, h, wcd.CDHash)
			}
			if fmt.Sprintf("%#x", cd.Slot) != wcd.Slot || fmt.Sprintf("%#x", cd.Version) != wcd.Version ||
				cd.HashName() != wcd.HashType || cd.Identifier != wcd.Identifier || cd.TeamID != wcd.TeamID {
				t.Errorf("%s CD %s: got slot %#x v%#x %s %q team %q, want %+v", want.Arch, wcd.Slot, cd.Slot, cd.Version, cd.HashName(), cd.Identifier, cd.TeamID, wcd)
			}
			if cd.HasRuntime() != want.HardenedRuntime {
				t.Errorf("%s: runtime flag %v, want %v", want.Arch, cd.HasRuntime(), want.HardenedRuntime)
			}
		}
		if got.CMS == nil || got.CMS.Leaf() == nil {
			t.Fatalf("%s: no CMS signer certificate", want.Arch)
		}
		if cn := got.CMS.Leaf().Subject.CommonName; cn != want.CertCommonName {
			t.Errorf("%s: leaf %q, want %q", want.Arch, cn, want.CertCommonName)
		}
		if got.CMS.Signers[0].HasTimestamp() != (want.Timestamp != "") {
			t.Errorf("%s: timestamp present = %v, want %v", want.Arch, got.CMS.Signers[0].HasTimestamp(), want.Timestamp != "")
		}
	}
}

func versionsOf(s *analyzer.SliceFacts) (string, string) {
	if len(s.BuildVersions) > 0 {
		return s.BuildVersions[0].MinOS.String(), s.BuildVersions[0].SDK.String()
	}
	for _, v := range s.VersionMins {
		if v.IsMacOS() {
			return v.Version.String(), v.SDK.String()
		}
	}
	return "", ""
}

// normVersion maps the oracle's spelling to ours: "0.0" is "n/a".
func normVersion(v string) string {
	if v == "0.0" || v == "0" || v == "" {
		return "n/a"
	}
	if strings.Count(v, ".") == 2 {
		return strings.TrimSuffix(v, ".0")
	}
	return v
}
