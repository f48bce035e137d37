package rules_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fullsailor/pkcs7"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/rules"
)

var (
	sdk14 = &fixture.BuildVersion{Platform: macho.PlatformMacOS, MinOS: macho.MakeVersion(11, 0, 0), SDK: macho.MakeVersion(14, 2, 0)}

	cmsOnce sync.Once
	cmsCert *x509.Certificate
	cmsKey  *rsa.PrivateKey
)

// testCMS signs the primary CodeDirectory with a throw-away self-signed
// certificate, so that a fixture carries a well-formed, non-empty CMS blob.
// Whether the certificate is trusted is the next layer's business.
func testCMS(primary []byte, _ [][]byte) ([]byte, error) {
	cmsOnce.Do(func() {
		cmsKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Developer ID Application: Test (ABCDE12345)"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &cmsKey.PublicKey, cmsKey)
		cmsCert, _ = x509.ParseCertificate(der)
	})
	sd, err := pkcs7.NewSignedData(primary)
	if err != nil {
		return nil, err
	}
	if err := sd.AddSigner(cmsCert, cmsKey, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	sd.Detach()
	return sd.Finish()
}

// devID returns a signature as a Developer ID signer would make it, as far as
// this layer can tell: SHA-256 CodeDirectory with hardened runtime, a team ID
// and a CMS blob.
func devID() *fixture.Signature {
	return &fixture.Signature{
		CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagRuntime}},
		TeamID:          "ABCDE12345",
		Requirements:    true,
		SignCMS:         testCMS,
	}
}

// clean returns a thin arm64 executable that passes every rule of this layer.
func clean() fixture.MachO {
	return fixture.MachO{BuildVersion: sdk14, Signature: devID()}
}

// findings analyses the files (name -> bytes) in one directory and returns
// the findings by rule name.
func findings(t *testing.T, files map[string][]byte) map[string][]analyzer.Finding {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All}, []string{dir})
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
