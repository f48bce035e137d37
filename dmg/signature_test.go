package dmg_test

import (
	"bytes"
	"testing"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/internal/fixture"
)

// TestSignature reads a signed image's signature and checks every hash it
// binds: the single code hash over the bytes before it, the rep-specific
// slot over the trailer, and that a stapled ticket changes neither.
func TestSignature(t *testing.T) {
	unsigned := fixture.UDIF(t, volume(700*1024), fixture.UDIFOptions{})
	k, err := dmg.ReadKoly(bytes.NewReader(unsigned), int64(len(unsigned)))
	if err != nil {
		t.Fatal(err)
	}
	if k.Signed() || k.SigningLimit() != k.Offset {
		t.Fatalf("unsigned image: Signed %v, limit %#x, trailer at %#x", k.Signed(), k.SigningLimit(), k.Offset)
	}
	if sig, err := dmg.ReadSignature(bytes.NewReader(unsigned), k); sig != nil || err != nil {
		t.Fatalf("unsigned image: signature %d bytes, %v", len(sig), err)
	}
	for _, ticket := range [][]byte{nil, []byte("s8ch ticket bytes")} {
		signed := fixture.SignUDIF(t, unsigned, fixture.DMGSignOptions{Identifier: "Hello", Ticket: ticket})
		k, err := dmg.ReadKoly(bytes.NewReader(signed), int64(len(signed)))
		if err != nil {
			t.Fatal(err)
		}
		if !k.Signed() || k.SigningLimit() != int64(len(unsigned)-512) {
			t.Fatalf("signed: Signed %v, limit %#x, want %#x", k.Signed(), k.SigningLimit(), len(unsigned)-512)
		}
		raw, err := dmg.ReadSignature(bytes.NewReader(signed), k)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := codesign.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		cd := sig.Primary()
		if cd.Identifier != "Hello" || cd.PageSize() != 0 || cd.NCodeSlots != 1 || cd.CodeLimit != uint64(k.SigningLimit()) {
			t.Fatalf("CodeDirectory: %q, page size %d, %d slots, limit %#x", cd.Identifier, cd.PageSize(), cd.NCodeSlots, cd.CodeLimit)
		}
		if !bytes.Equal(sig.Ticket, ticket) {
			t.Errorf("ticket %q, want %q", sig.Ticket, ticket)
		}
		if m := codesign.CheckSpecialSlot(cd, codesign.SlotRepSpecific, k.RepSpecific()); m != nil {
			t.Errorf("rep-specific slot: %+v", m)
		}
		bad, err := codesign.VerifyPages(sig.CodeDirectories, bytes.NewReader(signed), int64(len(signed)), 1)
		if err != nil || bad[0] != nil {
			t.Fatalf("code hash: %v, %+v", err, bad[0])
		}
		// Any byte changed before the signature breaks the code hash; a
		// changed trailer field breaks the rep-specific slot.
		changed := append([]byte(nil), signed...)
		changed[100] ^= 1
		if bad, err := codesign.VerifyPages(sig.CodeDirectories, bytes.NewReader(changed), int64(len(changed)), 1); err != nil || bad[0] == nil {
			t.Errorf("changed byte 100: %v, %+v", err, bad)
		}
		k2 := *k
		k2.Raw[492] ^= 1 // sector count
		if m := codesign.CheckSpecialSlot(cd, codesign.SlotRepSpecific, k2.RepSpecific()); m == nil {
			t.Error("changed trailer: rep-specific slot still matches")
		}
	}
}

// TestSignatureBounds rejects a signature that does not end at the trailer
// or whose SuperBlob length disagrees with it.
func TestSignatureBounds(t *testing.T) {
	signed := fixture.SignUDIF(t, fixture.UDIF(t, volume(64*1024), fixture.UDIFOptions{}), fixture.DMGSignOptions{})
	k, err := dmg.ReadKoly(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		t.Fatal(err)
	}
	short := *k
	short.CodeSigLength -= 4
	if _, err := dmg.ReadSignature(bytes.NewReader(signed), &short); err == nil {
		t.Error("signature ending before the trailer accepted")
	}
	lying := append([]byte(nil), signed...)
	lying[k.CodeSigOffset+7]++
	if _, err := dmg.ReadSignature(bytes.NewReader(lying), k); err == nil {
		t.Error("SuperBlob length differing from the trailer's accepted")
	}
}
