package rules_test

import (
	"bytes"
	"crypto"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
)

// signed builds the clean fixture signed with the given CMS options.
func signed(o func(t *testing.T) fixture.CMSOptions) func(t *testing.T) []byte {
	return thin(func(t *testing.T, m *fixture.MachO) { m.Signature = signedBy(t, o(t)) })
}

func leaf(kind fixture.LeafKind, opts fixture.LeafOptions) func(t *testing.T) fixture.CMSOptions {
	return func(t *testing.T) fixture.CMSOptions {
		return fixture.CMSOptions{Identity: fixture.TestPKI(t).Leaf(t, kind, opts)}
	}
}

func opts(o fixture.CMSOptions) func(t *testing.T) fixture.CMSOptions {
	return func(*testing.T) fixture.CMSOptions { return o }
}

// replaceOnce returns b with the first old replaced by new (same length).
func replaceOnce(t *testing.T, b, old, new []byte) []byte {
	t.Helper()
	i := bytes.Index(b, old)
	if i < 0 || len(old) != len(new) {
		t.Fatalf("cannot find %q to replace", old)
	}
	out := append([]byte{}, b...)
	copy(out[i:], new)
	return out
}

// flipCMSSignature signs normally, then flips a byte of the signer's
// signature value inside the CMS payload.
func flipCMSSignature(t *testing.T) func(primary []byte, all [][]byte) ([]byte, error) {
	pki := fixture.TestPKI(t)
	sign := pki.SignCMS(t, fixture.CMSOptions{Identity: pki.Leaf(t, fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})})
	return func(primary []byte, all [][]byte) ([]byte, error) {
		payload, err := sign(primary, all)
		if err != nil {
			return nil, err
		}
		sd, err := codesign.ParseSignedData(payload)
		if err != nil {
			return nil, err
		}
		sig := sd.Signers[0].Signature
		i := bytes.Index(payload, sig)
		payload[i+len(sig)/2] ^= 0x01
		return payload, nil
	}
}

func signatureCases() []ruleCase {
	now := time.Now()
	expired := fixture.LeafOptions{NotBefore: now.AddDate(-3, 0, 0), NotAfter: now.AddDate(-1, 0, 0)}
	return []ruleCase{
		// cert-not-developer-id
		{name: "Apple Development leaf", rule: "cert-not-developer-id", build: signed(leaf(fixture.LeafAppleDevelopment, fixture.LeafOptions{})), archs: []string{"arm64"}, contains: "type Apple Development / Mac Developer, not Developer ID Application"},
		{name: "Apple Distribution leaf", rule: "cert-not-developer-id", build: signed(leaf(fixture.LeafAppleDistribution, fixture.LeafOptions{})), archs: []string{"arm64"}, contains: "Apple Distribution"},
		{name: "Developer ID Installer leaf on code", rule: "cert-not-developer-id", build: signed(leaf(fixture.LeafDeveloperIDInstaller, fixture.LeafOptions{})), archs: []string{"arm64"}, contains: "Developer ID Installer"},
		{name: "self-signed leaf", rule: "cert-not-developer-id", build: signed(leaf(fixture.LeafSelfSigned, fixture.LeafOptions{})), archs: []string{"arm64"}, contains: "without Apple's code-signing extension"},
		{name: "near miss: Developer ID Application", rule: "cert-not-developer-id", build: thin(nil)},

		// cert-chain-missing
		{name: "leaf only", rule: "cert-chain-missing", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})(t)
			o.OmitChain = true
			return o
		}), archs: []string{"arm64"}, contains: `not "Developer ID Certification Authority"`},
		{name: "near miss: chain with a stray extra certificate", rule: "cert-chain-missing", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})(t)
			o.ExtraCerts = append(o.ExtraCerts, fixture.TestPKI(t).OtherRoot)
			return o
		})},

		// timestamp-missing and timestamp-not-apple
		{name: "no timestamp", rule: "timestamp-missing", build: signed(withTS(fixture.TimestampNone)), archs: []string{"arm64"}, contains: "no timestamp token"},
		{name: "timestamp over other bytes", rule: "timestamp-missing", build: signed(withTS(fixture.TimestampWrongImprint)), archs: []string{"arm64"}, contains: "not the SHA-256 of this signature"},
		{name: "near miss: Apple timestamp", rule: "timestamp-missing", build: thin(nil)},
		{name: "third-party TSA", rule: "timestamp-not-apple", build: signed(withTS(fixture.TimestampOther)), archs: []string{"arm64"}, contains: "Third Party Timestamp Signer"},
		{name: "near miss: third-party TSA is not also missing", rule: "timestamp-missing", build: signed(withTS(fixture.TimestampOther))},
		{name: "near miss: Apple TSA", rule: "timestamp-not-apple", build: thin(nil)},

		// code-hash-mismatch
		{name: "page 2 modified", rule: "code-hash-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.CorruptPage = 3 }), archs: []string{"arm64"}, contains: "page 2 (file offset 0x2000"},
		{name: "ad-hoc signature, page modified", rule: "code-hash-mismatch", build: plain(fixture.MachO{BuildVersion: sdk14, Signature: &fixture.Signature{CMS: []byte{}, CorruptPage: 1}}), archs: []string{"arm64"}, contains: "page 0"},
		{name: "universal: only the modified slice", rule: "code-hash-mismatch", build: func(t *testing.T) []byte {
			return mustUniversal(t, fixture.UniversalOptions{}, with(t, func(t *testing.T, m *fixture.MachO) { m.Arch = "x86_64"; m.Signature.CorruptPage = 1 }), clean(t))
		}, archs: []string{"x86_64"}, contains: "page 0 (file offset 0x1000"},
		{name: "near miss: untouched", rule: "code-hash-mismatch", build: thin(nil)},

		// entitlements-hash-mismatch and requirements-hash-mismatch
		{name: "entitlements edited after signing", rule: "entitlements-hash-mismatch", build: func(t *testing.T) []byte {
			b := fixture.MustBytes(t, with(t, func(t *testing.T, m *fixture.MachO) {
				m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.security.cs.allow-jit": true})
			}))
			return replaceOnce(t, b, []byte("allow-jit"), []byte("allow-JIT"))
		}, archs: []string{"arm64"}, contains: "special slot -5 does not match"},
		{name: "DER entitlements edited after signing", rule: "entitlements-hash-mismatch", build: func(t *testing.T) []byte {
			b := fixture.MustBytes(t, with(t, func(t *testing.T, m *fixture.MachO) {
				m.Signature.EntitlementsDER = fixture.MustEntitlementsDER(t, map[string]any{"com.apple.security.cs.allow-jit": true})
			}))
			return replaceOnce(t, b, []byte("allow-jit"), []byte("allow-JIT"))
		}, archs: []string{"arm64"}, contains: "special slot -7"},
		{name: "near miss: entitlements as signed", rule: "entitlements-hash-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.security.cs.allow-jit": true})
			m.Signature.EntitlementsDER = fixture.MustEntitlementsDER(t, map[string]any{"com.apple.security.cs.allow-jit": true})
		})},
		{name: "requirements edited after signing", rule: "requirements-hash-mismatch", build: func(t *testing.T) []byte {
			b := fixture.MustBytes(t, clean(t))
			return replaceOnce(t, b, []byte{0xfa, 0xde, 0x0c, 0x01, 0, 0, 0, 0x0c, 0, 0, 0, 0}, []byte{0xfa, 0xde, 0x0c, 0x01, 0, 0, 0, 0x0c, 0, 0, 0, 1})
		}, archs: []string{"arm64"}, contains: "special slot -2 does not match"},
		{name: "near miss: requirements as signed", rule: "requirements-hash-mismatch", build: thin(nil)},

		// infoplist-hash-mismatch (standalone tool with __TEXT,__info_plist)
		{name: "embedded Info.plist changed", rule: "infoplist-hash-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.InfoPlist = fixture.EntitlementsXML(map[string]any{"CFBundleIdentifier": "com.example.tool", "CFBundleVersion": "2"})
			m.Signature.InfoPlistFile = fixture.EntitlementsXML(map[string]any{"CFBundleIdentifier": "com.example.tool", "CFBundleVersion": "1"})
		}), archs: []string{"arm64"}, contains: "special slot -1 does not match"},
		{name: "near miss: embedded Info.plist as signed", rule: "infoplist-hash-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.InfoPlist = fixture.EntitlementsXML(map[string]any{"CFBundleIdentifier": "com.example.tool"})
			m.Signature.InfoPlistFile = m.InfoPlist
		})},

		// cms-invalid
		{name: "CDHashes lists a wrong cdhash", rule: "cms-invalid", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})(t)
			o.WrongCDHashes = true
			return o
		}), archs: []string{"arm64"}, contains: "CDHashes entry 0"},
		{name: "CMS signature byte flipped", rule: "cms-invalid", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.SignCMS = flipCMSSignature(t) }), archs: []string{"arm64"}, contains: "signature does not verify"},
		{name: "CMS over another CodeDirectory", rule: "cms-invalid", build: thin(func(t *testing.T, m *fixture.MachO) {
			sign := m.Signature.SignCMS
			m.Signature.SignCMS = func(primary []byte, all [][]byte) ([]byte, error) {
				other := append([]byte{}, primary...)
				other[len(other)-1] ^= 0xff
				return sign(other, [][]byte{other})
			}
		}), archs: []string{"arm64"}, contains: "messageDigest"},
		{name: "garbage CMS", rule: "cms-invalid", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.SignCMS, m.Signature.CMS = nil, []byte{0x30, 0x03, 0x02, 0x01, 0x01}
		}), archs: []string{"arm64"}},
		{name: "near miss: pair of CodeDirectories bound by CDHashes", rule: "cms-invalid", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.CodeDirectories = []fixture.CodeDirectory{{Flags: codesign.FlagRuntime, HashType: codesign.HashSHA1}, {Flags: codesign.FlagRuntime}}
		})},

		// cert-expired-untimestamped
		{name: "expired leaf, no timestamp", rule: "cert-expired-untimestamped", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, expired)(t)
			o.Timestamp = fixture.TimestampNone
			return o
		}), archs: []string{"arm64"}, contains: "no secure timestamp proves the signing time"},
		{name: "timestamp after the leaf expired", rule: "cert-expired-untimestamped", build: signed(leaf(fixture.LeafDeveloperIDApplication, expired)), archs: []string{"arm64"}, contains: "lies outside the validity"},
		{name: "near miss: expired leaf, timestamp inside its validity", rule: "cert-expired-untimestamped", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, expired)(t)
			o.TimestampTime = now.AddDate(-2, 0, 0)
			return o
		})},
		{name: "near miss: expired-but-timestamped is not a Developer ID problem", rule: "cert-not-developer-id", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, expired)(t)
			o.TimestampTime = now.AddDate(-2, 0, 0)
			return o
		})},

		// team-id-mismatch and team-id-unexpected
		{name: "CodeDirectory team differs from the certificate", rule: "team-id-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.TeamID = "ZZZZZ99999" }), archs: []string{"arm64"}, contains: "team ID ZZZZZ99999, the certificate"},
		{name: "near miss: no CodeDirectory team", rule: "team-id-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) { m.Signature.TeamID = "" })},
		{name: "another team than --team-id", rule: "team-id-unexpected", build: thin(nil), configure: func(c *analyzer.Config) { c.TeamID = "QQQQQ11111" }, archs: []string{"arm64"}, contains: "signed by team ABCDE12345"},
		{name: "near miss: the expected team", rule: "team-id-unexpected", build: thin(nil), configure: func(c *analyzer.Config) { c.TeamID = "ABCDE12345" }},
		{name: "near miss: no --team-id", rule: "team-id-unexpected", build: thin(nil)},

		// app-id-team-mismatch
		{name: "application identifier of another team", rule: "app-id-team-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.application-identifier": "ZZZZZ99999.com.example.tool"})
		}), archs: []string{"arm64"}, contains: `"ZZZZZ99999.com.example.tool", but the signing team is ABCDE12345`},
		{name: "team identifier of another team", rule: "app-id-team-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.EntitlementsDER = fixture.MustEntitlementsDER(t, map[string]any{"com.apple.developer.team-identifier": "ZZZZZ99999"})
		}), archs: []string{"arm64"}, contains: "team-identifier"},
		{name: "near miss: own team", rule: "app-id-team-mismatch", build: thin(func(t *testing.T, m *fixture.MachO) {
			m.Signature.Entitlements = fixture.EntitlementsXML(map[string]any{"com.apple.application-identifier": "ABCDE12345.com.example.tool", "com.apple.developer.team-identifier": "ABCDE12345"})
		})},

		// weak-signature-algorithm, CMS side
		{name: "SHA-1 CMS digest", rule: "weak-signature-algorithm", build: signed(func(t *testing.T) fixture.CMSOptions {
			o := leaf(fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})(t)
			o.Digest = crypto.SHA1
			return o
		}), archs: []string{"arm64"}, contains: "CMS signature's digest algorithm is SHA-1"},
	}
}

func withTS(mode fixture.TimestampMode) func(t *testing.T) fixture.CMSOptions {
	return func(t *testing.T) fixture.CMSOptions {
		o := leaf(fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})(t)
		o.Timestamp = mode
		return o
	}
}
