package codesign

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"testing"
)

// TestAppleCertsPinned pins every embedded Apple certificate by the SHA-256 of
// its DER, so a changed file cannot silently change what is trusted.
func TestAppleCertsPinned(t *testing.T) {
	want := map[string]string{
		"apple-root-ca.pem":      "b0b1730ecbc7ff4505142c49f1295e6eda6bcaed7e2c68c5be91b5a11001f024",
		"developer-id-ca.pem":    "7afc9d01a62f03a2de9637936d4afe68090d2de18d03f29c88cfb0b1ba63587f",
		"developer-id-ca-g2.pem": "f16cd3c54c7f83cea4bf1a3e6a0819c8aaa8e4a1528fd144715f350643d2df3a",
		"apple-timestamp-ca.pem": "66285e2e374d00a8ba3d8d3d04393a48bd16554b284bc88dabec85b479adcd6b",
		"apple-wwdr-ca-g3.pem":   "dcf21878c77f4198e4b4614f03d696d89c66c66008d4244e1b99161aac91601f",
	}
	entries, err := appleCerts.ReadDir("certs")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		n++
		b, _ := appleCerts.ReadFile("certs/" + e.Name())
		block, _ := pem.Decode(b)
		if block == nil {
			t.Fatalf("%s: no PEM", e.Name())
		}
		sum := sha256.Sum256(block.Bytes)
		if got := hex.EncodeToString(sum[:]); got != want[e.Name()] {
			t.Errorf("%s: sha256 %s, pinned %q", e.Name(), got, want[e.Name()])
		}
	}
	if n != len(want) {
		t.Errorf("%d certificates embedded, %d pinned", n, len(want))
	}
	trust, err := AppleTrust()
	if err != nil {
		t.Fatal(err)
	}
	if len(trust.Roots) != 1 || trust.Roots[0].Subject.CommonName != "Apple Root CA" {
		t.Errorf("roots = %v; only Apple Root CA may be a trust anchor", trust.Roots)
	}
	if len(trust.Intermediates) != 4 {
		t.Errorf("%d intermediates, want 4", len(trust.Intermediates))
	}
	for _, c := range trust.Intermediates {
		if c.CheckSignatureFrom(trust.Roots[0]) != nil {
			t.Errorf("%s is not issued by Apple Root CA", c.Subject.CommonName)
		}
	}
}
