package codesign

import (
	"bytes"
	"crypto/x509"
	"embed"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

//go:embed certs/*.pem
var appleCerts embed.FS

// Apple certificate extension OIDs.
var (
	OIDDeveloperIDApplication = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13}
	OIDDeveloperIDInstaller   = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 14}
	OIDDeveloperIDKext        = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 18}
	OIDAppleDevelopment       = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 12}
	OIDAppleDistribution      = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 7}
	OIDMacAppStoreApp         = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 9}
	OIDMacAppStoreInstaller   = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 10}
	OIDDeveloperIDDate        = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 33}
	OIDDeveloperIDCA          = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 6}
	OIDWWDRCA                 = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 1}
)

// appleCriticalOIDs are Apple's marker extensions that leaves mark critical;
// crypto/x509 does not know them and would refuse the chain.
var appleCriticalOIDs = []asn1.ObjectIdentifier{
	OIDDeveloperIDApplication, OIDDeveloperIDInstaller, OIDDeveloperIDKext, OIDAppleDevelopment,
	OIDAppleDistribution, OIDMacAppStoreApp, OIDMacAppStoreInstaller, OIDDeveloperIDDate,
	OIDDeveloperIDCA, OIDWWDRCA,
}

// CertKind classifies a signing certificate by Apple's marker extensions.
type CertKind int

// Certificate kinds.
const (
	CertOther CertKind = iota
	CertDeveloperIDApplication
	CertDeveloperIDInstaller
	CertDeveloperIDKext
	CertAppleDevelopment
	CertAppleDistribution
	CertMacAppStore
	CertMacAppStoreInstaller
)

var certKindNames = map[CertKind]string{
	CertOther:                  "a certificate without Apple's code-signing extension",
	CertDeveloperIDApplication: "Developer ID Application",
	CertDeveloperIDInstaller:   "Developer ID Installer",
	CertDeveloperIDKext:        "Developer ID Kernel Extension",
	CertAppleDevelopment:       "Apple Development / Mac Developer",
	CertAppleDistribution:      "Apple Distribution / Mac App Distribution",
	CertMacAppStore:            "Mac App Store application",
	CertMacAppStoreInstaller:   "Mac App Store installer",
}

// String names the kind as Apple's certificate names do.
func (k CertKind) String() string { return certKindNames[k] }

// ClassifyCert returns the kind of a leaf certificate.
func ClassifyCert(c *x509.Certificate) CertKind {
	for _, e := range c.Extensions {
		switch {
		case e.Id.Equal(OIDDeveloperIDApplication):
			return CertDeveloperIDApplication
		case e.Id.Equal(OIDDeveloperIDInstaller):
			return CertDeveloperIDInstaller
		case e.Id.Equal(OIDDeveloperIDKext):
			return CertDeveloperIDKext
		case e.Id.Equal(OIDAppleDevelopment):
			return CertAppleDevelopment
		case e.Id.Equal(OIDAppleDistribution):
			return CertAppleDistribution
		case e.Id.Equal(OIDMacAppStoreApp):
			return CertMacAppStore
		case e.Id.Equal(OIDMacAppStoreInstaller):
			return CertMacAppStoreInstaller
		}
	}
	return CertOther
}

// HasExtension reports whether c carries the extension oid.
func HasExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

// TeamID returns the team identifier of an Apple signing certificate: its
// subject's organizational unit.
func TeamID(c *x509.Certificate) string {
	if len(c.Subject.OrganizationalUnit) > 0 {
		return c.Subject.OrganizationalUnit[0]
	}
	return ""
}

// Trust holds the trust anchors and the known intermediates.
type Trust struct {
	// Roots are the only trust anchors.
	Roots []*x509.Certificate
	// Intermediates are known intermediate CAs. They never complete a chain;
	// they only name the certificate a signature fails to carry.
	Intermediates []*x509.Certificate
}

var (
	appleTrustOnce sync.Once
	appleTrust     *Trust
	appleTrustErr  error
)

// AppleTrust returns Apple's roots and intermediates embedded in notarylint.
func AppleTrust() (*Trust, error) {
	appleTrustOnce.Do(func() {
		appleTrust, appleTrustErr = loadAppleTrust()
	})
	return appleTrust, appleTrustErr
}

func loadAppleTrust() (*Trust, error) {
	entries, err := appleCerts.ReadDir("certs")
	if err != nil {
		return nil, err
	}
	t := &Trust{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".pem") {
			continue
		}
		b, err := appleCerts.ReadFile("certs/" + e.Name())
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode(b)
		if block == nil {
			return nil, fmt.Errorf("%s: no PEM block", e.Name())
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		// Apple Root CA signs itself with SHA-1, which CheckSignatureFrom
		// refuses; a root is simply its own issuer.
		if c.IsCA && bytes.Equal(c.RawSubject, c.RawIssuer) {
			t.Roots = append(t.Roots, c)
		} else {
			t.Intermediates = append(t.Intermediates, c)
		}
	}
	return t, nil
}

// ChainResult is the outcome of building a chain from a leaf to a root.
type ChainResult struct {
	// Chain is leaf first, root last, when Err is nil.
	Chain []*x509.Certificate
	Err   error
	// Missing names known intermediates the signature should have carried:
	// with them, the chain would verify.
	Missing []*x509.Certificate
	// Expired reports that a certificate of the chain is outside its
	// validity at the evaluation time.
	Expired bool
	// At is the time the chain was evaluated at.
	At time.Time
}

// Verify builds a chain from leaf to one of t's roots using only the
// certificates the signature carries (pool), at time at, for the extended
// key usage eku.
func (t *Trust) Verify(leaf *x509.Certificate, pool []*x509.Certificate, at time.Time, eku x509.ExtKeyUsage) ChainResult {
	res := ChainResult{At: at}
	res.Chain, res.Err = t.verify(leaf, pool, at, eku)
	if res.Err == nil {
		return res
	}
	var inv x509.CertificateInvalidError
	res.Expired = errors.As(res.Err, &inv) && inv.Reason == x509.Expired
	var unknown x509.UnknownAuthorityError
	if errors.As(res.Err, &unknown) {
		for _, cand := range t.Intermediates {
			if _, err := t.verify(leaf, append(append([]*x509.Certificate{}, pool...), cand), at, eku); err == nil {
				res.Missing = append(res.Missing, cand)
				break
			}
		}
	}
	return res
}

func (t *Trust) verify(leaf *x509.Certificate, pool []*x509.Certificate, at time.Time, eku x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	roots := x509.NewCertPool()
	for _, r := range t.Roots {
		roots.AddCert(r)
	}
	inter := x509.NewCertPool()
	for _, c := range pool {
		if c != leaf {
			inter.AddCert(withoutAppleCritical(c))
		}
	}
	chains, err := withoutAppleCritical(leaf).Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{eku},
	})
	if err != nil {
		return nil, err
	}
	return chains[0], nil
}

// withoutAppleCritical returns a copy of c whose Apple marker extensions no
// longer count as unhandled critical extensions.
func withoutAppleCritical(c *x509.Certificate) *x509.Certificate {
	if len(c.UnhandledCriticalExtensions) == 0 {
		return c
	}
	cp := *c
	cp.UnhandledCriticalExtensions = nil
	for _, oid := range c.UnhandledCriticalExtensions {
		known := false
		for _, a := range appleCriticalOIDs {
			known = known || oid.Equal(a)
		}
		if !known {
			cp.UnhandledCriticalExtensions = append(cp.UnhandledCriticalExtensions, oid)
		}
	}
	return &cp
}
