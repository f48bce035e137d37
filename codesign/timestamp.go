package codesign

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

var oidTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber *big.Int
	GenTime      time.Time     `asn1:"generalized"`
	Rest         asn1.RawValue `asn1:"optional"`
}

// Timestamp is a parsed RFC 3161 time-stamp token.
type Timestamp struct {
	GenTime      time.Time
	Signer       *x509.Certificate // the TSA certificate, nil when not carried
	Certificates []*x509.Certificate
	// Err says why the token does not prove the time: its structure, its
	// message imprint or its signature. GenTime is still set when the
	// TSTInfo could be read.
	Err error
}

// ParseTimestamp parses a time-stamp token (a CMS SignedData over a TSTInfo)
// and checks that it stamps signature (the SignerInfo signature value it was
// attached to) and that the TSA's signature over it verifies.
func ParseTimestamp(token, signature []byte) *Timestamp {
	ts := &Timestamp{}
	sd, err := ParseSignedData(token)
	if err != nil {
		ts.Err = fmt.Errorf("timestamp token: %w", err)
		return ts
	}
	ts.Certificates = sd.Certificates
	if !sd.EContentType.Equal(oidTSTInfo) || sd.EContent == nil {
		ts.Err = fmt.Errorf("timestamp token: content type %s is not TSTInfo", sd.EContentType)
		return ts
	}
	var info tstInfo
	if _, err := asn1.Unmarshal(sd.EContent, &info); err != nil {
		ts.Err = fmt.Errorf("timestamp token: TSTInfo: %w", err)
		return ts
	}
	ts.GenTime = info.GenTime
	h, err := HashForOID(info.MessageImprint.HashAlgorithm.Algorithm)
	if err != nil {
		ts.Err = fmt.Errorf("timestamp token: message imprint: %w", err)
		return ts
	}
	d := h.New()
	d.Write(signature)
	if got := d.Sum(nil); !bytes.Equal(got, info.MessageImprint.HashedMessage) {
		ts.Err = fmt.Errorf("timestamp token stamps %x, not the %s of this signature (%x)", info.MessageImprint.HashedMessage, h, got)
		return ts
	}
	si := sd.Signers[0]
	ts.Signer = si.SignerCert(sd.Certificates)
	if ts.Signer == nil {
		ts.Err = fmt.Errorf("timestamp token does not carry its signer's certificate")
		return ts
	}
	if err := si.VerifySignature(ts.Signer, sd.EContent); err != nil {
		ts.Err = fmt.Errorf("timestamp token: %w", err)
	}
	return ts
}
