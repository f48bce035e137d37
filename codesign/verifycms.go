package codesign

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"howett.net/plist"
)

// CMSResult is the verdict on a code signature's CMS blob.
type CMSResult struct {
	// Err is set when the CMS cannot be parsed; nothing else is then set.
	Err error

	DigestAlgorithm asn1.ObjectIdentifier
	Certificates    []*x509.Certificate
	// Leaf is the signer's certificate; nil when the CMS does not carry it.
	Leaf     *x509.Certificate
	LeafKind CertKind
	// SignatureErr says why the signer's signature, or its messageDigest
	// over the primary CodeDirectory, does not verify.
	SignatureErr error
	// CDHashesErr says why the CDHashes attributes do not list every
	// CodeDirectory.
	CDHashesErr error
	// Chain is the leaf's chain to a trusted root.
	Chain ChainResult
	// Timestamp is the secure timestamp, nil when there is none.
	Timestamp *TimestampResult
}

// TimestampResult is the verdict on a secure timestamp.
type TimestampResult struct {
	*Timestamp
	// Chain is the TSA certificate's chain to a trusted root, evaluated at
	// the token's time.
	Chain ChainResult
}

// Valid reports whether the timestamp proves its time: the token verifies
// and its TSA chains to a trusted root.
func (t *TimestampResult) Valid() bool {
	return t != nil && t.Err == nil && t.Chain.Err == nil
}

// VerifyCMS verifies the CMS blob of sig against the CodeDirectories, the
// trust anchors and the time now (or the secure timestamp's time).
func VerifyCMS(sig *Signature, trust *Trust, now time.Time) *CMSResult {
	res := &CMSResult{}
	sd, err := ParseSignedData(sig.CMS)
	if err != nil {
		res.Err = err
		return res
	}
	si := sd.Signers[0]
	res.DigestAlgorithm = si.DigestAlgorithm
	res.Certificates = sd.Certificates
	res.Leaf = si.SignerCert(sd.Certificates)
	primary := sig.Primary()
	switch {
	case res.Leaf == nil:
		res.SignatureErr = fmt.Errorf("the CMS does not carry the signer's certificate")
	case primary == nil:
		res.SignatureErr = fmt.Errorf("no primary CodeDirectory to verify against")
	default:
		res.LeafKind = ClassifyCert(res.Leaf)
		res.SignatureErr = si.VerifySignature(res.Leaf, primary.Raw)
	}
	res.CDHashesErr = checkCDHashes(si, sig.CodeDirectories)
	res.Timestamp = si.VerifyTimestamp(trust)
	if res.Leaf != nil {
		at := now
		if res.Timestamp.Valid() {
			at = res.Timestamp.GenTime
		}
		res.Chain = trust.Verify(res.Leaf, sd.Certificates, at, x509.ExtKeyUsageCodeSigning)
	}
	return res
}

// VerifyTimestamp verifies the secure timestamp the signer carries: the
// token must stamp the signer's signature and its TSA must chain to one of
// trust's roots at the stamped time. It returns nil when there is none.
func (si *SignerInfo) VerifyTimestamp(trust *Trust) *TimestampResult {
	tok := findAttr(si.UnsignedAttrs, OIDTimestampToken)
	if tok == nil {
		return nil
	}
	ts := &TimestampResult{Timestamp: ParseTimestamp(tok, si.Signature)}
	if ts.Signer != nil && !ts.GenTime.IsZero() {
		ts.Chain = trust.Verify(ts.Signer, ts.Certificates, ts.GenTime, x509.ExtKeyUsageTimeStamping)
	} else {
		ts.Chain.Err = fmt.Errorf("no TSA certificate to verify")
	}
	return ts
}

// checkCDHashes checks the CDHashes (1.2.840.113635.100.9.1, a plist of
// truncated cdhashes) and CDHashes2 (…9.2, full digests) signed attributes:
// when present, each must list every CodeDirectory; with more than one
// CodeDirectory, the plist form is required.
func checkCDHashes(si *SignerInfo, cds []*CodeDirectory) error {
	var problems []string
	if v := findAttr(si.SignedAttrs, OIDCDHashesPlist); v != nil {
		var raw []byte
		if _, err := asn1.Unmarshal(v, &raw); err != nil {
			return fmt.Errorf("CDHashes attribute: %w", err)
		}
		var doc struct {
			CDHashes [][]byte `plist:"cdhashes"`
		}
		if _, err := plist.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("CDHashes attribute: %w", err)
		}
		if len(doc.CDHashes) != len(cds) {
			problems = append(problems, fmt.Sprintf("CDHashes lists %d cdhashes for %d CodeDirectories", len(doc.CDHashes), len(cds)))
		}
		for i, cd := range cds {
			if i < len(doc.CDHashes) && !bytes.Equal(doc.CDHashes[i], cd.CDHash()) {
				problems = append(problems, fmt.Sprintf("CDHashes entry %d is %x, CodeDirectory slot %#x has cdhash %x", i, doc.CDHashes[i], cd.Slot, cd.CDHash()))
			}
		}
	} else if len(cds) > 1 {
		problems = append(problems, fmt.Sprintf("%d CodeDirectories but no CDHashes attribute binds the alternates", len(cds)))
	}
	if v := findAttr(si.SignedAttrs, OIDCDHashes2); v != nil {
		// The attribute's values are SEQUENCE { digestAlgorithm, OCTET STRING },
		// one per CodeDirectory; findAttr gave the first, so read them all.
		var all [][]byte
		for _, a := range si.SignedAttrs {
			if a.Type.Equal(OIDCDHashes2) {
				all = a.Values
			}
		}
		listed := map[string]bool{}
		for _, val := range all {
			var e struct {
				Alg    asn1.ObjectIdentifier
				Digest []byte
			}
			if _, err := asn1.Unmarshal(val, &e); err != nil {
				return fmt.Errorf("CDHashes2 attribute: %w", err)
			}
			listed[hex.EncodeToString(e.Digest)] = true
		}
		for _, cd := range cds {
			h, _ := NewHash(cd.HashType)
			h.Write(cd.Raw)
			if d := hex.EncodeToString(h.Sum(nil)); !listed[d] && !listed[d[:40]] {
				problems = append(problems, fmt.Sprintf("CDHashes2 does not list CodeDirectory slot %#x (%s)", cd.Slot, cd.HashName()))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}
