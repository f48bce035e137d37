package codesign

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"github.com/fullsailor/pkcs7"
)

// OIDs found in Apple code signatures.
var (
	OIDTimestampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	OIDCDHashesPlist  = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 1}
	OIDCDHashes2      = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 2}
	OIDSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDSHA1           = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	OIDSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// DigestName names a digest algorithm OID.
func DigestName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(OIDSHA1):
		return "sha1"
	case oid.Equal(OIDSHA256):
		return "sha256"
	case oid.Equal(OIDSHA384):
		return "sha384"
	case oid.Equal(OIDSHA512):
		return "sha512"
	}
	return oid.String()
}

// CMS is the parsed CMS SignedData of a code signature (slot 0x10000).
type CMS struct {
	// Certificates are the certificates the CMS carries, in its order.
	Certificates []*x509.Certificate
	Signers      []Signer
}

// Signer is one SignerInfo.
type Signer struct {
	DigestAlgorithm asn1.ObjectIdentifier
	// Cert is the certificate named by the SignerInfo's issuer and serial
	// number, or nil when the CMS does not carry it.
	Cert *x509.Certificate
	// SignedAttributes and UnsignedAttributes list the attribute types.
	SignedAttributes   []asn1.ObjectIdentifier
	UnsignedAttributes []asn1.ObjectIdentifier
	// TimestampToken is the DER of the RFC 3161 token in the unsigned
	// attribute 1.2.840.113549.1.9.16.2.14, or nil.
	TimestampToken []byte
}

// HasTimestamp reports whether the signer carries a secure-timestamp token.
func (s *Signer) HasTimestamp() bool { return len(s.TimestampToken) > 0 }

// Leaf returns the first signer's certificate, or nil.
func (c *CMS) Leaf() *x509.Certificate {
	if len(c.Signers) == 0 {
		return nil
	}
	return c.Signers[0].Cert
}

// ParseCMS parses the CMS blob payload of a signature. Apple pads the blob
// with zeros after the (BER) structure; the padding is ignored.
func ParseCMS(b []byte) (cms *CMS, err error) {
	defer func() {
		if p := recover(); p != nil {
			cms, err = nil, fmt.Errorf("CMS: parser panic: %v", p)
		}
	}()
	if len(bytes.TrimRight(b, "\x00")) == 0 {
		return nil, fmt.Errorf("CMS: empty")
	}
	p7, err := pkcs7.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("CMS: %w", err)
	}
	cms = &CMS{Certificates: p7.Certificates}
	for _, si := range p7.Signers {
		s := Signer{DigestAlgorithm: si.DigestAlgorithm.Algorithm}
		for _, c := range p7.Certificates {
			if si.IssuerAndSerialNumber.SerialNumber != nil && c.SerialNumber.Cmp(si.IssuerAndSerialNumber.SerialNumber) == 0 &&
				bytes.Equal(c.RawIssuer, si.IssuerAndSerialNumber.IssuerName.FullBytes) {
				s.Cert = c
				break
			}
		}
		for _, a := range si.AuthenticatedAttributes {
			s.SignedAttributes = append(s.SignedAttributes, a.Type)
		}
		for _, a := range si.UnauthenticatedAttributes {
			s.UnsignedAttributes = append(s.UnsignedAttributes, a.Type)
			if a.Type.Equal(OIDTimestampToken) {
				s.TimestampToken = a.Value.Bytes
			}
		}
		cms.Signers = append(cms.Signers, s)
	}
	if len(cms.Signers) == 0 {
		return nil, fmt.Errorf("CMS: no SignerInfo")
	}
	return cms, nil
}
