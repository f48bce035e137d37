package pkg

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/notarylint/notarylint/codesign"
)

// Signature is the verdict on a flat package's signature: a classic RSA
// <signature> and a CMS <x-signature>, both over the TOC checksum, with the
// signing certificates in the TOC's KeyInfo.
type Signature struct {
	HasRSA bool
	HasCMS bool
	// Err says why the signature's structure cannot be read (certificates,
	// offsets); nothing below is then reliable.
	Err error
	// Certificates are the KeyInfo certificates (and the CMS ones), leaf
	// first.
	Certificates []*x509.Certificate
	Leaf         *x509.Certificate
	LeafKind     codesign.CertKind
	// RSAErr and CMSErr say why the RSA or CMS signature does not verify
	// over the TOC checksum.
	RSAErr error
	CMSErr error
	// Chain is the leaf's chain to a trusted root, at the timestamp's time
	// when it is valid, else now.
	Chain codesign.ChainResult
	// Timestamp is the CMS signature's secure timestamp, nil when none.
	Timestamp *codesign.TimestampResult
}

// Signed reports whether the package carries any signature.
func (s *Signature) Signed() bool { return s.HasRSA || s.HasCMS }

// VerifySignature checks the package's signatures over its TOC checksum
// and the signer's chain to trust's roots. It returns a Signature with
// neither HasRSA nor HasCMS when the package is unsigned.
func (x *Xar) VerifySignature(trust *codesign.Trust, now time.Time) *Signature {
	s := &Signature{}
	toc := x.TOC
	if toc == nil {
		return s
	}
	s.HasRSA, s.HasCMS = toc.Signature != nil, toc.XSig != nil
	if !s.Signed() {
		return s
	}
	if x.TOCChecksum == nil {
		s.Err = errors.New("the TOC has no checksum for the signature to cover")
		return s
	}
	for _, sig := range []*tocSig{toc.Signature, toc.XSig} {
		if sig == nil {
			continue
		}
		for i, der := range sig.Certificates() {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				s.Err = fmt.Errorf("%s signature: KeyInfo certificate %d: %w", sig.Style, i, err)
				return s
			}
			if !hasCert(s.Certificates, c) {
				s.Certificates = append(s.Certificates, c)
			}
		}
	}
	if toc.Signature != nil {
		s.RSAErr = x.verifyRSA(toc.Signature)
	}
	var cmsLeaf *x509.Certificate
	if toc.XSig != nil {
		cmsLeaf, s.CMSErr = x.verifyCMS(s, trust)
	}
	switch {
	case cmsLeaf != nil:
		s.Leaf = cmsLeaf
	case len(s.Certificates) > 0:
		s.Leaf = s.Certificates[0]
	default:
		s.Err = errors.New("the signature carries no certificate")
		return s
	}
	s.LeafKind = codesign.ClassifyCert(s.Leaf)
	at := now
	if s.Timestamp.Valid() {
		at = s.Timestamp.GenTime
	}
	// Installer certificates carry Apple's package-signing usage, not code
	// signing; the marker extension (LeafKind) is what identifies them.
	s.Chain = trust.Verify(s.Leaf, s.Certificates, at, x509.ExtKeyUsageAny)
	return s
}

// verifyRSA checks the classic signature: PKCS #1 v1.5 over the TOC
// checksum taken as the digest (older packages sign the checksum's own
// hash; both are accepted).
func (x *Xar) verifyRSA(sig *tocSig) error {
	raw, err := x.HeapBytes(sig.Offset, sig.Size)
	if err != nil {
		return fmt.Errorf("RSA signature: %w", err)
	}
	ders := sig.Certificates()
	if len(ders) == 0 {
		return errors.New("RSA signature: no certificate in KeyInfo")
	}
	leaf, err := x509.ParseCertificate(ders[0])
	if err != nil {
		return fmt.Errorf("RSA signature: %w", err)
	}
	pub, ok := leaf.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("RSA signature: the certificate's key is %s", leaf.PublicKeyAlgorithm)
	}
	h, ok := checksumHash(len(x.TOCChecksum))
	if !ok {
		return fmt.Errorf("RSA signature: a %d-byte TOC checksum is no digest it can sign", len(x.TOCChecksum))
	}
	if err := rsa.VerifyPKCS1v15(pub, h, x.TOCChecksum, raw); err == nil {
		return nil
	}
	d := h.New()
	d.Write(x.TOCChecksum)
	if rsa.VerifyPKCS1v15(pub, h, d.Sum(nil), raw) == nil {
		return nil
	}
	return errors.New("RSA signature does not verify over the TOC checksum")
}

// verifyCMS checks the detached CMS signature over the TOC checksum and its
// timestamp, adding the CMS's certificates to s; it returns the signer's
// certificate.
func (x *Xar) verifyCMS(s *Signature, trust *codesign.Trust) (*x509.Certificate, error) {
	raw, err := x.HeapBytes(x.TOC.XSig.Offset, x.TOC.XSig.Size)
	if err != nil {
		return nil, fmt.Errorf("CMS signature: %w", err)
	}
	sd, err := codesign.ParseSignedData(raw)
	if err != nil {
		return nil, fmt.Errorf("CMS signature: %w", err)
	}
	for _, c := range sd.Certificates {
		if !hasCert(s.Certificates, c) {
			s.Certificates = append(s.Certificates, c)
		}
	}
	si := sd.Signers[0]
	s.Timestamp = si.VerifyTimestamp(trust)
	leaf := si.SignerCert(s.Certificates)
	if leaf == nil {
		return nil, errors.New("CMS signature: the signer's certificate is not in the package")
	}
	if err := si.VerifySignature(leaf, x.TOCChecksum); err != nil {
		return leaf, fmt.Errorf("CMS signature: %w", err)
	}
	return leaf, nil
}

func checksumHash(n int) (crypto.Hash, bool) {
	switch n {
	case 20:
		return crypto.SHA1, true
	case 32:
		return crypto.SHA256, true
	case 64:
		return crypto.SHA512, true
	}
	return 0, false
}

func hasCert(certs []*x509.Certificate, c *x509.Certificate) bool {
	for _, have := range certs {
		if have.Equal(c) {
			return true
		}
	}
	return false
}
