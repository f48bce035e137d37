package codesign

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// OIDs of CMS structures and attributes.
var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidRSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
)

// SignedData is a CMS SignedData (RFC 5652) read from BER.
type SignedData struct {
	Certificates []*x509.Certificate
	// EContentType and EContent are the encapsulated content; EContent is
	// nil when the signature is detached (as in code signatures).
	EContentType asn1.ObjectIdentifier
	EContent     []byte
	Signers      []*SignerInfo
}

// SignerInfo is one CMS SignerInfo.
type SignerInfo struct {
	IssuerDER    []byte   // issuer Name of issuerAndSerialNumber
	SerialNumber *big.Int // serial of issuerAndSerialNumber
	SubjectKeyID []byte   // when identified by subjectKeyIdentifier

	DigestAlgorithm asn1.ObjectIdentifier
	// SignedAttrsDER is what the signature covers: the signed attributes
	// re-tagged as a SET, in the signer's own order and bytes.
	SignedAttrsDER     []byte
	SignedAttrs        []Attribute
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
	UnsignedAttrs      []Attribute
}

// Attribute is a CMS attribute: a type and the DER of each of its values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// findAttr returns the first value of the attribute of type oid, or nil.
func findAttr(attrs []Attribute, oid asn1.ObjectIdentifier) []byte {
	for _, a := range attrs {
		if a.Type.Equal(oid) && len(a.Values) > 0 {
			return a.Values[0]
		}
	}
	return nil
}

// ParseSignedData parses a BER ContentInfo holding a SignedData. Bytes after
// the structure (Apple pads the blob with zeros) are ignored.
func ParseSignedData(b []byte) (*SignedData, error) {
	ci, _, err := parseBER(b)
	if err != nil {
		return nil, fmt.Errorf("CMS: %w", err)
	}
	bad := func(e *berElem, what string) error {
		off := 0
		if e != nil {
			off = e.Offset
		}
		return fmt.Errorf("CMS at %#x: %s", off, what)
	}
	if !ci.is(0, 16, true) || len(ci.Children) < 2 {
		return nil, bad(ci, "ContentInfo is not a SEQUENCE of type and content")
	}
	var ct asn1.ObjectIdentifier
	if err := unmarshalDER(ci.Children[0], &ct); err != nil || !ct.Equal(oidSignedData) {
		return nil, bad(ci.Children[0], "content type is not signedData")
	}
	wrap := ci.Children[1]
	if !wrap.is(2, 0, true) || len(wrap.Children) != 1 {
		return nil, bad(wrap, "missing [0] content")
	}
	sd := wrap.Children[0]
	if !sd.is(0, 16, true) || len(sd.Children) < 4 {
		return nil, bad(sd, "SignedData is not a SEQUENCE of at least 4 elements")
	}
	out := &SignedData{}
	// version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos
	eci := sd.Children[2]
	if !eci.is(0, 16, true) || len(eci.Children) < 1 {
		return nil, bad(eci, "encapContentInfo is not a SEQUENCE")
	}
	if err := unmarshalDER(eci.Children[0], &out.EContentType); err != nil {
		return nil, bad(eci.Children[0], "encapContentInfo type: "+err.Error())
	}
	if len(eci.Children) > 1 {
		ec := eci.Children[1]
		if !ec.is(2, 0, true) || len(ec.Children) != 1 || !(ec.Children[0].is(0, 4, false) || ec.Children[0].is(0, 4, true)) {
			return nil, bad(ec, "eContent is not [0] OCTET STRING")
		}
		if out.EContent, err = ec.Children[0].octets(); err != nil {
			return nil, err
		}
	}
	rest := sd.Children[3:]
	if len(rest) > 0 && rest[0].is(2, 0, true) {
		for _, c := range rest[0].Children {
			cert, err := x509.ParseCertificate(c.DER())
			if err != nil {
				return nil, bad(c, "certificate: "+err.Error())
			}
			out.Certificates = append(out.Certificates, cert)
		}
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0].is(2, 1, true) {
		rest = rest[1:] // CRLs: not used
	}
	if len(rest) != 1 || !rest[0].is(0, 17, true) {
		return nil, bad(sd, "signerInfos SET missing")
	}
	for _, c := range rest[0].Children {
		si, err := parseSignerInfo(c)
		if err != nil {
			return nil, err
		}
		out.Signers = append(out.Signers, si)
	}
	if len(out.Signers) == 0 {
		return nil, bad(rest[0], "no SignerInfo")
	}
	return out, nil
}

func parseSignerInfo(e *berElem) (*SignerInfo, error) {
	bad := func(x *berElem, what string) error { return fmt.Errorf("CMS SignerInfo at %#x: %s", x.Offset, what) }
	if !e.is(0, 16, true) || len(e.Children) < 5 {
		return nil, bad(e, "not a SEQUENCE of at least 5 elements")
	}
	si := &SignerInfo{}
	c := e.Children[1:] // skip version
	switch sid := c[0]; {
	case sid.is(0, 16, true) && len(sid.Children) == 2:
		si.IssuerDER = sid.Children[0].DER()
		if err := unmarshalDER(sid.Children[1], &si.SerialNumber); err != nil {
			return nil, bad(sid, "serial number: "+err.Error())
		}
	case sid.is(2, 0, false):
		si.SubjectKeyID = sid.Content
	default:
		return nil, bad(sid, "signer identifier is neither issuerAndSerialNumber nor subjectKeyIdentifier")
	}
	c = c[1:]
	var err error
	if si.DigestAlgorithm, err = algorithmOID(c[0]); err != nil {
		return nil, bad(c[0], "digestAlgorithm: "+err.Error())
	}
	c = c[1:]
	if c[0].is(2, 0, true) {
		signed := c[0]
		if signed.Raw != nil && !signed.hasIndefinite() {
			si.SignedAttrsDER = append([]byte{0x31}, signed.Raw[1:]...)
		} else {
			si.SignedAttrsDER = (&berElem{Constructed: true, Tag: 17, Children: signed.Children}).DER()
		}
		if si.SignedAttrs, err = parseAttributes(signed); err != nil {
			return nil, err
		}
		c = c[1:]
	}
	if len(c) < 2 {
		return nil, bad(e, "signatureAlgorithm or signature missing")
	}
	if si.SignatureAlgorithm, err = algorithmOID(c[0]); err != nil {
		return nil, bad(c[0], "signatureAlgorithm: "+err.Error())
	}
	if si.Signature, err = c[1].octets(); err != nil || !(c[1].Tag == 4 && c[1].Class == 0) {
		return nil, bad(c[1], "signature is not an OCTET STRING")
	}
	if len(c) > 2 && c[2].is(2, 1, true) {
		if si.UnsignedAttrs, err = parseAttributes(c[2]); err != nil {
			return nil, err
		}
	}
	return si, nil
}

func parseAttributes(set *berElem) ([]Attribute, error) {
	var out []Attribute
	for _, a := range set.Children {
		if !a.is(0, 16, true) || len(a.Children) != 2 || !a.Children[1].is(0, 17, true) {
			return nil, fmt.Errorf("CMS attribute at %#x: not a SEQUENCE of type and SET of values", a.Offset)
		}
		var attr Attribute
		if err := unmarshalDER(a.Children[0], &attr.Type); err != nil {
			return nil, fmt.Errorf("CMS attribute at %#x: %w", a.Offset, err)
		}
		for _, v := range a.Children[1].Children {
			attr.Values = append(attr.Values, v.DER())
		}
		out = append(out, attr)
	}
	return out, nil
}

func algorithmOID(e *berElem) (asn1.ObjectIdentifier, error) {
	if !e.is(0, 16, true) || len(e.Children) < 1 {
		return nil, errors.New("not an AlgorithmIdentifier")
	}
	var oid asn1.ObjectIdentifier
	err := unmarshalDER(e.Children[0], &oid)
	return oid, err
}

func unmarshalDER(e *berElem, v any) error {
	rest, err := asn1.Unmarshal(e.DER(), v)
	if err == nil && len(rest) > 0 {
		err = errors.New("trailing data")
	}
	return err
}

// HashForOID returns the crypto.Hash of a digest algorithm OID.
func HashForOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case oid.Equal(OIDSHA1):
		return crypto.SHA1, nil
	case oid.Equal(OIDSHA256):
		return crypto.SHA256, nil
	case oid.Equal(OIDSHA384):
		return crypto.SHA384, nil
	case oid.Equal(OIDSHA512):
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("unsupported digest algorithm %s", oid)
}

// SignerCert returns the certificate among certs that the signer names.
func (si *SignerInfo) SignerCert(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if si.SerialNumber != nil && c.SerialNumber.Cmp(si.SerialNumber) == 0 && bytes.Equal(c.RawIssuer, si.IssuerDER) {
			return c
		}
		if si.SubjectKeyID != nil && bytes.Equal(c.SubjectKeyId, si.SubjectKeyID) {
			return c
		}
	}
	return nil
}

// VerifySignature checks the signer's signature with cert: when there are
// signed attributes, their messageDigest must equal the digest of content
// and the signature must cover the attributes' DER (in the signer's order);
// otherwise the signature covers content itself.
func (si *SignerInfo) VerifySignature(cert *x509.Certificate, content []byte) error {
	h, err := HashForOID(si.DigestAlgorithm)
	if err != nil {
		return err
	}
	signed := content
	if si.SignedAttrsDER != nil {
		md := findAttr(si.SignedAttrs, oidMessageDigest)
		var want []byte
		if md == nil {
			return errors.New("signed attributes lack messageDigest")
		}
		if _, err := asn1.Unmarshal(md, &want); err != nil {
			return fmt.Errorf("messageDigest: %w", err)
		}
		d := h.New()
		d.Write(content)
		if got := d.Sum(nil); !bytes.Equal(got, want) {
			return fmt.Errorf("messageDigest %x does not match the %s digest %x of the signed content", want, DigestName(si.DigestAlgorithm), got)
		}
		signed = si.SignedAttrsDER
	}
	alg, err := signatureAlgorithm(cert, h, si.SignatureAlgorithm)
	if err != nil {
		return err
	}
	if err := cert.CheckSignature(alg, signed, si.Signature); err != nil {
		return fmt.Errorf("signature does not verify with the signer's certificate: %w", err)
	}
	return nil
}

func signatureAlgorithm(cert *x509.Certificate, h crypto.Hash, sigOID asn1.ObjectIdentifier) (x509.SignatureAlgorithm, error) {
	pss := sigOID.Equal(oidRSAPSS)
	switch cert.PublicKeyAlgorithm {
	case x509.RSA:
		switch h {
		case crypto.SHA1:
			if !pss {
				return x509.SHA1WithRSA, nil
			}
		case crypto.SHA256:
			if pss {
				return x509.SHA256WithRSAPSS, nil
			}
			return x509.SHA256WithRSA, nil
		case crypto.SHA384:
			if pss {
				return x509.SHA384WithRSAPSS, nil
			}
			return x509.SHA384WithRSA, nil
		case crypto.SHA512:
			if pss {
				return x509.SHA512WithRSAPSS, nil
			}
			return x509.SHA512WithRSA, nil
		}
	case x509.ECDSA:
		switch h {
		case crypto.SHA1:
			return x509.ECDSAWithSHA1, nil
		case crypto.SHA256:
			return x509.ECDSAWithSHA256, nil
		case crypto.SHA384:
			return x509.ECDSAWithSHA384, nil
		case crypto.SHA512:
			return x509.ECDSAWithSHA512, nil
		}
	}
	return 0, fmt.Errorf("unsupported signature: %s key with %s", cert.PublicKeyAlgorithm, h)
}
