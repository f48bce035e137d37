package rules_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/internal/testutil"
)

// signatureInvalidRules are the rules whose findings mean the signature
// itself does not verify, which is what `relic verify` decides. (relic does
// not judge the certificate type, so cert-not-developer-id is not here.)
var signatureInvalidRules = []string{
	"code-hash-mismatch", "entitlements-hash-mismatch", "requirements-hash-mismatch", "infoplist-hash-mismatch",
	"cms-invalid", "cert-chain-missing", "timestamp-missing", "timestamp-not-apple", "malformed-macho",
}

// relicDiffers lists the cases where relic's verdict differs from
// notarylint's by design, with relic's verdict.
var relicDiffers = map[string]bool{
	// relic accepts a signature without a timestamp; the notary does not.
	"timestamp-missing/no timestamp": true,
	// relic rejects a timestamp outside the leaf's validity; notarylint
	// reports it as the (inferred, warning) cert-expired-untimestamped.
	"cert-expired-untimestamped/timestamp after the leaf expired": false,
}

// relicPath finds the relic binary: $RELIC, or relic on PATH.
func relicPath(t *testing.T) string {
	if p := os.Getenv("RELIC"); p != "" {
		return p
	}
	p, err := exec.LookPath("relic")
	if err != nil {
		t.Skip("relic not installed (set RELIC or put it on PATH); differential test skipped")
	}
	return p
}

// TestDifferentialRelic compares notarylint's signature verdict with relic
// v7's `verify` on the real samples and on signed and broken fixtures.
func TestDifferentialRelic(t *testing.T) {
	relic := relicPath(t)
	dir := t.TempDir()
	writePEM := func(name string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	apple, err := codesign.AppleTrust()
	if err != nil {
		t.Fatal(err)
	}
	appleRoot := writePEM("apple.pem", apple.Roots[0].Raw)
	testRoot := writePEM("test.pem", fixture.TestPKI(t).Root.Raw)

	type sample struct {
		name  string
		bytes []byte
		root  string
	}
	var samples []sample
	for _, s := range testutil.RealSamples(t) {
		samples = append(samples, sample{s.Name(), s.Decode(t), appleRoot})
	}
	for _, tc := range signatureCases() {
		if tc.rule == "cert-not-developer-id" || tc.configure != nil {
			continue // relic does not judge certificate types or --team-id
		}
		samples = append(samples, sample{tc.rule + "/" + tc.name, tc.build(t), testRoot})
	}
	for i, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			file := filepath.Join(dir, "f"+string(rune('a'+i%26))+filepath.Base(filepath.Clean(s.name)))
			if err := os.WriteFile(file, s.bytes, 0o644); err != nil {
				t.Fatal(err)
			}
			relicOK := exec.Command(relic, "verify", "--cert", s.root, file).Run() == nil
			var got map[string]bool = map[string]bool{}
			trust := testTrust(t)
			if s.root == appleRoot {
				trust = apple
			}
			for name := range findingsWithTrust(t, map[string][]byte{"file": s.bytes}, trust) {
				got[name] = true
			}
			ours := true
			for _, r := range signatureInvalidRules {
				ours = ours && !got[r]
			}
			if want, ok := relicDiffers[s.name]; ok {
				if relicOK != want {
					t.Errorf("relic says valid=%v here, the recorded difference says %v", relicOK, want)
				}
				return
			}
			if ours != relicOK {
				t.Errorf("relic says valid=%v, notarylint says valid=%v (findings %v)", relicOK, ours, got)
			}
		})
	}
}

// packageInvalidRules are the rules whose findings mean a package's
// signature does not verify, which is what `relic verify` decides for a
// package.
var packageInvalidRules = []string{"pkg-unsigned", "pkg-signature-invalid", "pkg-checksum-mismatch"}

// relicPackageDiffers lists the packages where relic's verdict differs from
// notarylint's by design, with relic's verdict.
var relicPackageDiffers = map[string]bool{
	// relic checks only the CMS signature when there is one; notarylint
	// checks the classic RSA signature too (Installer does).
	"nudge.bad-rsa": true,
	// relic checks the archived checksums only; an extracted-checksum that
	// does not match (bsdtar -x: "Sumcheck error") passes it.
	"fixture file changed": true,
}

// TestDifferentialRelicPackages compares notarylint's verdict on package
// signatures and checksums with relic v7's `verify`, on the real package,
// its tampered copies and fixtures.
func TestDifferentialRelicPackages(t *testing.T) {
	relic := relicPath(t)
	dir := t.TempDir()
	apple, err := codesign.AppleTrust()
	if err != nil {
		t.Fatal(err)
	}
	writePEM := func(name string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	appleRoot, testRoot := writePEM("apple.pem", apple.Roots[0].Raw), writePEM("test.pem", fixture.TestPKI(t).Root.Raw)
	type sample struct {
		name  string
		bytes []byte
		apple bool
	}
	var samples []sample
	for _, v := range []string{"", ".bad-rsa", ".bad-cms", ".bad-both"} {
		b, err := os.ReadFile("../testdata/real-pkg/nudge-launchagent-1.0.1" + v + ".pkg")
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, sample{"nudge" + v, b, true})
	}
	sign := func(mut func(*fixture.XarOptions)) []byte {
		o := fixture.XarOptions{Sign: installer(t)}
		mut(&o)
		return fixture.ProductPkg(t, []fixture.Component{toolComponent(t)}, fixture.ProductOptions{}, o)
	}
	samples = append(samples,
		sample{"fixture clean", sign(func(*fixture.XarOptions) {}), false},
		sample{"fixture sha256 TOC", sign(func(o *fixture.XarOptions) { o.Checksum = "sha256" }), false},
		sample{"fixture CMS only", sign(func(o *fixture.XarOptions) { o.Sign.RSA = false }), false},
		sample{"fixture wrong signatures", sign(func(o *fixture.XarOptions) { o.Sign.WrongSignature = true }), false},
		sample{"fixture TOC changed", sign(func(o *fixture.XarOptions) { o.CorruptTOCChecksum = true }), false},
		sample{"fixture file changed", sign(func(o *fixture.XarOptions) { o.CorruptFile = "tool.pkg/Payload" }), false},
	)
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			file := filepath.Join(dir, "p.pkg")
			if err := os.WriteFile(file, s.bytes, 0o644); err != nil {
				t.Fatal(err)
			}
			root, trust := testRoot, testTrust(t)
			if s.apple {
				root, trust = appleRoot, apple
			}
			relicOK := exec.Command(relic, "verify", "--cert", root, file).Run() == nil
			got := pkgFindingsTrusting(t, "p.pkg", s.bytes, trust)
			ours := true
			for _, r := range packageInvalidRules {
				ours = ours && len(got[r]) == 0
			}
			if want, ok := relicPackageDiffers[s.name]; ok {
				if relicOK != want || ours {
					t.Errorf("recorded difference: relic valid=%v (want %v), notarylint valid=%v", relicOK, want, ours)
				}
				return
			}
			if ours != relicOK {
				t.Errorf("relic says valid=%v, notarylint says valid=%v (findings %v)", relicOK, ours, keys(got))
			}
		})
	}
}

// imageInvalidRules are the rules whose findings mean a disk image's
// signature does not verify, which is what `relic verify` decides.
var imageInvalidRules = []string{"dmg-signature-invalid"}

// TestDifferentialRelicDiskImages compares notarylint's verdict on disk
// image signatures with relic v7's `verify`: images signed by the fixture
// writer, changed after signing, and signed by relic itself.
func TestDifferentialRelicDiskImages(t *testing.T) {
	relic := relicPath(t)
	dir := t.TempDir()
	pki := fixture.TestPKI(t)
	id := pki.Leaf(t, fixture.LeafDeveloperIDApplication, fixture.LeafOptions{})
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Root.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	signed := fixture.SignUDIF(t, plainDisk(t), dmgSigner(t, fixture.LeafDeveloperIDApplication, fixture.CMSOptions{}))
	flip := func(b []byte, at int) []byte {
		b = append([]byte(nil), b...)
		b[at] ^= 1
		return b
	}
	samples := map[string][]byte{
		"fixture signed":          signed,
		"fixture byte changed":    flip(signed, 10),
		"fixture trailer changed": flip(signed, len(signed)-20),
	}
	// relic signs an unsigned image with the leaf: notarylint must accept it.
	if relicSigned := relicSignImage(t, relic, dir, plainDisk(t), id); relicSigned != nil {
		samples["relic signed"] = relicSigned
	}
	for name, b := range samples {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, "v.dmg")
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
			relicOK := exec.Command(relic, "verify", "--cert", root, file).Run() == nil
			got := pkgFindings(t, "v.dmg", b)
			ours := true
			for _, r := range imageInvalidRules {
				ours = ours && len(got[r]) == 0
			}
			if ours != relicOK {
				t.Errorf("relic says valid=%v, notarylint says valid=%v (findings %v)", relicOK, ours, keys(got))
			}
		})
	}
}

// relicSignImage signs a disk image with relic and the identity's key and
// chain, or returns nil (and logs why) when relic cannot.
func relicSignImage(t *testing.T, relic, dir string, img []byte, id *fixture.Identity) []byte {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		t.Fatal(err)
	}
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw})
	for _, c := range id.Chain {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	files := map[string][]byte{
		"leaf.key":      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"leafchain.pem": chain,
		"relic.yml":     []byte("tokens:\n  file:\n    type: file\nkeys:\n  devid:\n    token: file\n    keyfile: ./leaf.key\n    x509certificate: ./leafchain.pem\n    timestamp: false\n"),
		"r.dmg":         img,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(relic, "sign", "-c", "relic.yml", "-k", "devid", "-f", "r.dmg", "--bundle-id", "com.example.App")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("relic sign failed, relic-signed image not compared: %v\n%s", err, out)
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "r.dmg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
