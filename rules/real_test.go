package rules_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

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
			// Samples today's notary service rejects list the only rules
			// that may report errors (see testdata/real/README.md).
			allowed := map[string]bool{}
			for _, name := range s.ExpectErrors {
				allowed[name] = true
			}
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

func hasRule(rep *analyzer.Report, name string) bool { return len(ruleFindings(rep, name)) > 0 }

func checkRealFacts(t *testing.T, s testutil.RealSample, path string) {
	found, errs := analyzer.Inspect(analyzer.Config{}, []string{path})
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
		checkRealVerification(t, want, got)
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

// checkRealVerification asserts the full verification verdict, so that a
// silently skipped check cannot pass: every page and special slot matches,
// the CMS signature and CDHashes verify, the leaf is Developer ID
// Application chaining to Apple Root CA at the timestamp's time, and the
// timestamp is the one the oracle recorded.
func checkRealVerification(t *testing.T, want testutil.RealSlice, got *analyzer.SliceFacts) {
	t.Helper()
	if got.PagesErr != nil || len(got.Pages) != len(want.CodeDirectories) {
		t.Fatalf("%s: pages not verified: %v (%d results)", want.Arch, got.PagesErr, len(got.Pages))
	}
	for _, m := range got.Pages {
		if m != nil {
			t.Errorf("%s: page %d mismatch in a valid signature", want.Arch, m.Page)
		}
	}
	if len(got.Slots) != 0 {
		t.Errorf("%s: special slot mismatches %+v", want.Arch, got.Slots)
	}
	v := got.Verified
	if v == nil || v.Err != nil || v.SignatureErr != nil || v.CDHashesErr != nil {
		t.Fatalf("%s: CMS verdict %+v", want.Arch, v)
	}
	if v.LeafKind.String() != leafKindName(want.LeafKind) || v.Chain.Err != nil || len(v.Chain.Chain) != 3 ||
		v.Chain.Chain[2].Subject.CommonName != "Apple Root CA" {
		t.Errorf("%s: leaf kind %v, chain err %v, chain length %d", want.Arch, v.LeafKind, v.Chain.Err, len(v.Chain.Chain))
	}
	if team := codesign.TeamID(v.Leaf); team != want.LeafTeamOU || team != want.CodeDirectories[0].TeamID {
		t.Errorf("%s: leaf team %q, want %q", want.Arch, team, want.LeafTeamOU)
	}
	if d := codesign.DigestName(v.DigestAlgorithm); d != want.CMSDigest {
		t.Errorf("%s: CMS digest %s, oracle %s", want.Arch, d, want.CMSDigest)
	}
	if v.Timestamp != nil && v.Timestamp.Signer != nil && v.Timestamp.Signer.Subject.CommonName != want.TimestampSigner {
		t.Errorf("%s: TSA %q, oracle %q", want.Arch, v.Timestamp.Signer.Subject.CommonName, want.TimestampSigner)
	}
	if !v.Timestamp.Valid() {
		t.Fatalf("%s: timestamp not valid: %+v", want.Arch, v.Timestamp)
	}
	if gen := v.Timestamp.GenTime.UTC().Format(time.RFC3339); gen != want.Timestamp {
		t.Errorf("%s: timestamp genTime %s, oracle %s", want.Arch, gen, want.Timestamp)
	}
	if !v.Chain.At.Equal(v.Timestamp.GenTime) {
		t.Errorf("%s: chain evaluated at %v, not at the timestamp", want.Arch, v.Chain.At)
	}
}

// leafKindName maps the oracle's certificate type to ours.
func leafKindName(oracle string) string {
	switch oracle {
	case "3rd Party Mac Developer Application", "Apple Distribution":
		return codesign.CertAppleDistribution.String()
	}
	return oracle
}
