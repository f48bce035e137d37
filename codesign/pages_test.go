package codesign_test

import (
	"bytes"
	"testing"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

// signature parses the signature of a thin fixture.
func signature(t testing.TB, b []byte) (*macho.Slice, *codesign.Signature) {
	t.Helper()
	f, err := macho.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil || f.Slices[0].Err != nil {
		t.Fatal(err, f.Slices[0].Err)
	}
	s := f.Slices[0]
	cs := s.CodeSignature
	sig, err := codesign.Parse(b[cs.DataOff : cs.DataOff+cs.DataSize])
	if err != nil {
		t.Fatal(err)
	}
	return s, sig
}

func TestVerifyPages(t *testing.T) {
	pair := []fixture.CodeDirectory{{HashType: codesign.HashSHA1}, {}}
	for _, tc := range []struct {
		name    string
		corrupt int
		cds     []fixture.CodeDirectory
		text    int
	}{
		{"clean pair", 0, pair, 0},
		{"page 3 of a pair", 4, pair, 0},
		{"first page", 1, nil, 0},
		{"last partial page", 0, nil, 5*4096 + 17},
		{"16 KiB pages", 2, []fixture.CodeDirectory{{PageSizeLog2: 14}}, 200000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fixture.MustBytes(t, fixture.MachO{TextSize: tc.text, Signature: &fixture.Signature{CodeDirectories: tc.cds, CorruptPage: tc.corrupt}})
			s, sig := signature(t, b)
			for _, workers := range []int{1, 2, 7} {
				got, err := codesign.VerifyPages(sig.CodeDirectories, s.Reader(), s.Size, workers)
				if err != nil {
					t.Fatal(err)
				}
				for i, m := range got {
					switch {
					case tc.corrupt == 0 && m != nil:
						t.Errorf("workers %d CD %d: clean file has mismatch at page %d", workers, i, m.Page)
					case tc.corrupt > 0 && (m == nil || m.Page != tc.corrupt-1 || m.Offset != int64(tc.corrupt-1)*int64(sig.CodeDirectories[i].PageSize())):
						t.Errorf("workers %d CD %d: mismatch %+v, want page %d", workers, i, m, tc.corrupt-1)
					}
				}
			}
		})
	}
}

func TestVerifyPagesRejectsInconsistentDirectories(t *testing.T) {
	b := fixture.MustBytes(t, fixture.MachO{Signature: &fixture.Signature{}})
	s, sig := signature(t, b)
	cd := *sig.CodeDirectories[0]
	cd.CodeLimit = uint64(s.Size) + 1
	if _, err := codesign.VerifyPages([]*codesign.CodeDirectory{&cd}, s.Reader(), s.Size, 1); err == nil {
		t.Error("code limit past the slice accepted")
	}
	cd = *sig.CodeDirectories[0]
	cd.NCodeSlots++
	if _, err := codesign.VerifyPages([]*codesign.CodeDirectory{&cd}, s.Reader(), s.Size, 1); err == nil {
		t.Error("code slot count that disagrees with the code limit accepted")
	}
}

func TestCheckSpecialSlot(t *testing.T) {
	ents := fixture.EntitlementsXML(map[string]any{"com.apple.security.cs.allow-jit": true})
	b := fixture.MustBytes(t, fixture.MachO{Signature: &fixture.Signature{Entitlements: ents, Requirements: true}})
	_, sig := signature(t, b)
	cd := sig.Primary()
	if m := codesign.CheckSpecialSlot(cd, codesign.SlotEntitlements, sig.Entitlements); m != nil {
		t.Errorf("entitlements: %+v", m)
	}
	if m := codesign.CheckSpecialSlot(cd, codesign.SlotRequirements, sig.Requirements); m != nil {
		t.Errorf("requirements: %+v", m)
	}
	changed := bytes.Replace(sig.Entitlements, []byte("allow-jit"), []byte("allow-jiT"), 1)
	if m := codesign.CheckSpecialSlot(cd, codesign.SlotEntitlements, changed); m == nil || !m.Present || !m.Stored {
		t.Errorf("changed entitlements: %+v", m)
	}
	if m := codesign.CheckSpecialSlot(cd, codesign.SlotEntitlements, nil); m == nil || m.Present {
		t.Errorf("bound but absent entitlements: %+v", m)
	}
	if m := codesign.CheckSpecialSlot(cd, codesign.SlotEntitlementsDER, []byte("x")); m == nil || m.Stored {
		t.Errorf("unbound DER blob: %+v", m)
	}
	if m := codesign.CheckSpecialSlot(cd, codesign.SlotEntitlementsDER, nil); m != nil {
		t.Errorf("absent and unbound: %+v", m)
	}
}

// BenchmarkVerifyPages hashes a 64 MiB signed Mach-O; compare its MB/s with
// `openssl speed -evp sha256` or `go run ./internal/bench`.
func BenchmarkVerifyPages(b *testing.B) {
	for _, w := range []struct {
		name    string
		workers int
	}{{"jobs1", 1}, {"all", 0}} {
		b.Run(w.name, func(b *testing.B) {
			file := fixture.MustBytes(b, fixture.MachO{TextSize: 64 << 20, Signature: &fixture.Signature{}})
			s, sig := signature(b, file)
			b.SetBytes(s.Size)
			b.ResetTimer()
			for range b.N {
				if _, err := codesign.VerifyPages(sig.CodeDirectories, s.Reader(), s.Size, w.workers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
