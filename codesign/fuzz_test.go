package codesign

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"testing"

	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/macho"
)

// realSignatures returns the embedded signatures of the real samples in
// testdata/real, as seeds for the fuzzers.
func realSignatures(t testing.TB) [][]byte {
	var out [][]byte
	for _, s := range testutil.RealSamples(t) {
		raw := s.Decode(t)
		f, err := macho.Open(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		for _, sl := range f.Slices {
			if cs := sl.CodeSignature; sl.Err == nil && cs != nil {
				start := sl.Offset + int64(cs.DataOff)
				out = append(out, raw[start:start+int64(cs.DataSize)])
			}
		}
	}
	return out
}

func TestParseRealSignatures(t *testing.T) {
	sigs := realSignatures(t)
	if len(sigs) < 5 {
		t.Fatalf("only %d real signatures", len(sigs))
	}
	for i, b := range sigs {
		sig, err := Parse(b)
		if err != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
		if _, err := ParseCMS(sig.CMS); err != nil {
			t.Errorf("signature %d: CMS: %v", i, err)
		}
	}
}

// superBlob builds a SuperBlob with the given (slot, blob) entries.
func superBlob(entries ...[2]any) []byte {
	head := 12 + 8*len(entries)
	var body []byte
	index := make([]byte, 0, 8*len(entries))
	for _, e := range entries {
		index = binary.BigEndian.AppendUint32(index, e[0].(uint32))
		index = binary.BigEndian.AppendUint32(index, uint32(head+len(body)))
		body = append(body, e[1].([]byte)...)
	}
	b := binary.BigEndian.AppendUint32(nil, MagicEmbeddedSig)
	b = binary.BigEndian.AppendUint32(b, uint32(head+len(body)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(entries)))
	b = append(b, index...)
	return append(b, body...)
}

func blob(magic uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	b = binary.BigEndian.AppendUint32(b, uint32(8+len(payload)))
	return append(b, payload...)
}

// minimalCD builds a version 0x20400 SHA-256 CodeDirectory with one code slot.
func minimalCD(flags uint32) []byte {
	const hdr = 88
	ident := []byte("com.example\x00")
	team := []byte("ABCDE12345\x00")
	b := make([]byte, hdr)
	be := binary.BigEndian
	be.PutUint32(b[0:], MagicCodeDirectory)
	be.PutUint32(b[8:], CDVersionExecSeg)
	be.PutUint32(b[12:], flags)
	be.PutUint32(b[16:], uint32(hdr+len(ident)+len(team)+2*32)) // hashOffset
	be.PutUint32(b[20:], hdr)                                   // identOffset
	be.PutUint32(b[24:], 2)                                     // nSpecialSlots
	be.PutUint32(b[28:], 1)                                     // nCodeSlots
	be.PutUint32(b[32:], 100)                                   // codeLimit
	b[36], b[37], b[39] = 32, HashSHA256, 12
	be.PutUint32(b[48:], uint32(hdr+len(ident))) // teamOffset
	b = append(b, ident...)
	b = append(b, team...)
	b = append(b, make([]byte, 3*32)...)
	be.PutUint32(b[4:], uint32(len(b)))
	return b
}

func TestParseMinimal(t *testing.T) {
	sig, err := Parse(superBlob(
		[2]any{uint32(SlotCodeDirectory), minimalCD(FlagAdhoc | FlagLinkerSigned)},
		[2]any{uint32(SlotRequirements), blob(MagicRequirements, []byte{0, 0, 0, 0})},
		[2]any{uint32(SlotSignature), blob(MagicBlobWrapper, nil)},
	))
	if err != nil {
		t.Fatal(err)
	}
	cd := sig.Primary()
	if cd == nil || cd.Identifier != "com.example" || cd.TeamID != "ABCDE12345" || cd.CodeLimit != 100 || cd.PageSize() != 4096 {
		t.Fatalf("CodeDirectory = %+v", cd)
	}
	if !cd.IsAdhoc() || !cd.IsLinkerSigned() || cd.HasRuntime() || !sig.IsAdhoc() || !sig.HasSignatureSlot {
		t.Errorf("flags/adhoc wrong: %s, IsAdhoc %v", FlagString(cd.Flags), sig.IsAdhoc())
	}
	if got := FlagString(cd.Flags); got != "0x20002(adhoc,linker-signed)" {
		t.Errorf("FlagString = %q", got)
	}
	if len(cd.CDHash()) != 20 || len(cd.SpecialSlot(2)) != 32 || cd.SpecialSlot(3) != nil {
		t.Error("slot accessors wrong")
	}
}

func TestParseErrors(t *testing.T) {
	cd := minimalCD(0)
	badCD := append([]byte{}, cd...)
	binary.BigEndian.PutUint32(badCD[16:], 0xffff) // hashOffset beyond blob
	cases := map[string][]byte{
		"short":          {0xfa, 0xde},
		"bad magic":      blob(0x12345678, make([]byte, 8)),
		"index overflow": append(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, MagicEmbeddedSig), 20), 1000), 0, 0, 0, 0, 0, 0, 0, 0),
		"dup slot":       superBlob([2]any{uint32(SlotCodeDirectory), cd}, [2]any{uint32(SlotCodeDirectory), cd}),
		"wrong magic":    superBlob([2]any{uint32(SlotEntitlements), blob(MagicRequirements, nil)}),
		"bad hashes":     superBlob([2]any{uint32(SlotCodeDirectory), badCD}),
	}
	for name, b := range cases {
		_, err := Parse(b)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if _, ok := err.(*ParseError); !ok {
			t.Errorf("%s: error %T %v, want *ParseError", name, err, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range realSignatures(f) {
		f.Add(b)
	}
	f.Add(superBlob([2]any{uint32(SlotCodeDirectory), minimalCD(FlagRuntime)}))
	f.Add(superBlob([2]any{uint32(SlotCodeDirectory), minimalCD(0)}, [2]any{uint32(SlotEntitlements), blob(MagicEntitlements, []byte("<plist/>"))},
		[2]any{uint32(SlotTicket), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		sig, err := Parse(b)
		if err != nil {
			return
		}
		for _, cd := range sig.CodeDirectories {
			_ = cd.CDHash()
			for i := 1; i <= int(cd.NSpecialSlots); i++ {
				_ = cd.SpecialSlot(i)
			}
			if cd.NCodeSlots > 0 {
				_ = cd.CodeSlot(int(cd.NCodeSlots) - 1)
			}
		}
		if len(sig.CMS) > 0 {
			_, _ = ParseCMS(sig.CMS)
		}
	})
}

func FuzzEntitlements(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><plist version="1.0"><dict><key>a</key><true/></dict></plist>`))
	f.Add([]byte("bplist00"))
	der, _ := EncodeEntitlementsDER(Entitlements{"a": true, "b": []any{"x"}, "c": map[string]any{"d": int64(1)}})
	f.Add(der)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseEntitlementsXML(b)
		if e, err := ParseEntitlementsDER(b); err == nil {
			if _, err := EncodeEntitlementsDER(e); err != nil {
				t.Fatalf("decoded entitlements do not encode: %v", err)
			}
		}
	})
}

func FuzzCMS(f *testing.F) {
	for _, b := range realSignatures(f) {
		if sig, err := Parse(b); err == nil {
			f.Add(sig.CMS)
		}
	}
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseCMS(b)
	})
}

// FuzzSignedData covers the BER reader, the CMS SignedData parser with its
// certificates and attributes, and RFC 3161 timestamp tokens. The RSA and
// chain checks themselves are crypto/x509's; they are left out because under
// coverage instrumentation they make each run take most of a second.
func FuzzSignedData(f *testing.F) {
	for _, b := range realSignatures(f) {
		sig, err := Parse(b)
		if err != nil {
			continue
		}
		f.Add(sig.CMS)
		if sd, err := ParseSignedData(sig.CMS); err == nil {
			if tok := findAttr(sd.Signers[0].UnsignedAttrs, OIDTimestampToken); tok != nil {
				f.Add(tok)
			}
		}
	}
	f.Add([]byte{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		if sd, err := ParseSignedData(b); err == nil {
			si := sd.Signers[0]
			_ = si.SignerCert(sd.Certificates)
			_ = findAttr(si.SignedAttrs, oidMessageDigest)
			_ = checkCDHashes(si, nil)
		}
		ts := ParseTimestamp(b, []byte("signature"))
		if ts.Err == nil && ts.Signer == nil {
			t.Fatal("a verified timestamp without a signer")
		}
		if e, _, err := parseBER(b); err == nil {
			_ = e.DER()
		}
	})
}

// realTimestamps returns the timestamp tokens and signature values of the
// real samples' CMS signatures, as seeds.
func realTimestamps(t testing.TB) (tokens, sigs [][]byte) {
	for _, raw := range realSignatures(t) {
		sig, err := Parse(raw)
		if err != nil || len(sig.CMS) == 0 {
			continue
		}
		cms, err := ParseCMS(sig.CMS)
		sd, err2 := ParseSignedData(sig.CMS)
		if err != nil || err2 != nil || len(cms.Signers) == 0 || len(sd.Signers) == 0 || cms.Signers[0].TimestampToken == nil {
			continue
		}
		tokens = append(tokens, cms.Signers[0].TimestampToken)
		sigs = append(sigs, sd.Signers[0].Signature)
	}
	return tokens, sigs
}

// FuzzTimestamp parses arbitrary RFC 3161 tokens against a signature:
// never a panic; a token that parses names its time.
func FuzzTimestamp(f *testing.F) {
	tokens, sigs := realTimestamps(f)
	for i := range tokens {
		f.Add(tokens[i], sigs[i])
	}
	f.Add([]byte{0x30, 0x80, 0, 0}, []byte("sig"))
	f.Fuzz(func(t *testing.T, token, signature []byte) {
		ts := ParseTimestamp(token, signature)
		if ts != nil && ts.Err == nil && ts.GenTime.IsZero() {
			t.Fatal("a token without a time parsed")
		}
	})
}

// FuzzCertificate classifies arbitrary certificates as the trust checks
// do: never a panic.
func FuzzCertificate(f *testing.F) {
	for _, raw := range realSignatures(f) {
		if sig, err := Parse(raw); err == nil && len(sig.CMS) > 0 {
			if cms, err := ParseCMS(sig.CMS); err == nil {
				for _, c := range cms.Certificates {
					f.Add(c.Raw)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		ClassifyCert(c)
		TeamID(c)
		HasExtension(c, OIDDeveloperIDApplication)
	})
}
