package rules_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

// limitCase is an input built to hit one limit.
type limitCase struct {
	name   string
	file   string
	build  func(t *testing.T) []byte
	limits archive.Limits
	// rule and contains: a finding of rule whose message contains this.
	rule, contains string
	// maxHeap bounds the heap growth while the input is analysed.
	maxHeap uint64
}

// TestLimits: each bomb or hostile count stops at its limit with a finding
// (never a crash, a hang or memory proportional to what it claims), with
// the heap's growth asserted under a stated bound.
func TestLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds inputs of tens of MiB")
	}
	for _, tc := range []limitCase{
		{name: "zip bomb (4 GiB of zeros in a 4 MiB zip)", file: "bomb.zip", rule: "archive-unreadable", contains: "limit", maxHeap: 64 << 20,
			build: func(t *testing.T) []byte { return fixture.ZipBomb(t, "zeros.bin", 4<<30) }},
		{name: "overlapping zip entries", file: "overlap.zip", rule: "archive-unreadable", contains: "overlap", maxHeap: 64 << 20,
			build: func(t *testing.T) []byte {
				names := make([]string, 2000)
				for i := range names {
					names[i] = fmt.Sprintf("f%04d", i)
				}
				return fixture.OverlapZip(t, names, make([]byte, 1<<20))
			}},
		{name: "a million zip entries", file: "many.zip", limits: archive.Limits{MaxEntries: 100000}, rule: "archive-unreadable", contains: "1000000 entries", maxHeap: 32 << 20,
			build: manyEntryZip},
		{name: "nesting 100 deep", file: "deep.zip", rule: "archive-unreadable", contains: "nested 9 deep", maxHeap: 32 << 20,
			build: func(t *testing.T) []byte {
				b := fixture.Zip(t, []fixture.ZipEntry{{Name: "x", Data: []byte("x")}})
				for range 100 {
					b = fixture.Zip(t, []fixture.ZipEntry{{Name: "n.zip", Data: b, Store: true}})
				}
				return b
			}},
		// Up to four 16 MiB chunks are in flight (decoded in parallel, queued, read), each with its stored
		// bytes and the decoder's state: a bound that does not grow with the 256 MiB the payload holds.
		{name: "pbzx bomb (256 MiB of zeros)", file: "bomb.pkg", limits: archive.Limits{MaxDecompressed: 16 << 20}, rule: "archive-unreadable", contains: "limit", maxHeap: 192 << 20,
			build: func(t *testing.T) []byte {
				c := fixture.Component{Identifier: "com.example.bomb", Payload: fixture.Payload{Format: "pbzx", Files: []fixture.CpioFile{
					{Name: ".", Mode: os.ModeDir}, {Name: "./zeros", Data: make([]byte, 256<<20)}}}}
				return fixture.ComponentPkg(t, c, fixture.XarOptions{})
			}},
		{name: "cpio entry claiming 8 GiB", file: "huge.pkg", rule: "pkg-not-extractable", contains: "Payload", maxHeap: 32 << 20,
			build: hugeCpioPkg},
		{name: "xar entry claiming 1 TiB", file: "claim.pkg", rule: "pkg-not-extractable", contains: "Payload", maxHeap: 32 << 20,
			build: func(t *testing.T) []byte {
				c := fixture.Component{Identifier: "com.example.claim", Payload: fixture.Payload{Files: []fixture.CpioFile{{Name: ".", Mode: os.ModeDir}, {Name: "./a", Data: []byte("a")}}}}
				return fixture.ComponentPkg(t, c, fixture.XarOptions{ClaimSize: "Payload"})
			}},
		{name: "symbolic link loops", file: "loops.zip", rule: "", maxHeap: 32 << 20,
			build: func(t *testing.T) []byte {
				return fixture.Zip(t, []fixture.ZipEntry{
					{Name: "App.app/Contents/Info.plist", Data: []byte("<plist><dict><key>CFBundleExecutable</key><string>A</string></dict></plist>")},
					{Name: "App.app/Contents/MacOS/A", Data: []byte("a"), Mode: os.ModeSymlink | 0o755},
					{Name: "App.app/Contents/MacOS/a", Data: []byte("A"), Mode: os.ModeSymlink | 0o755},
					{Name: "App.app/Contents/Frameworks/K.framework/Versions/Current", Data: []byte("Current"), Mode: os.ModeSymlink | 0o755},
					{Name: "App.app/Contents/Frameworks/K.framework/K", Data: []byte("Versions/Current/K"), Mode: os.ModeSymlink | 0o755},
				})
			}},
		{name: "UDIF chunk bomb", file: "bomb.dmg", limits: archive.Limits{MaxRatio: 50}, rule: "dmg-contents-not-analyzed", contains: "limit", maxHeap: 32 << 20,
			build: func(t *testing.T) []byte {
				data := make([]byte, 32<<20)
				for i := 0; i < len(data); i += 1 << 20 {
					data[i] = 1
				}
				return fixture.UDIF(t, data, fixture.UDIFOptions{})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(p, tc.build(t), 0o644); err != nil {
				t.Fatal(err)
			}
			var rep *analyzer.Report
			var errs []error
			start := time.Now()
			grew := testutil.HeapGrowth(func() {
				rep, errs = analyzer.Run(analyzer.Config{Rules: rules.All, Trust: testTrust(t), Limits: tc.limits, Jobs: 2}, []string{p})
			})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			found := false
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.RuleName+": "+f.Message)
				found = found || f.RuleName == tc.rule && strings.Contains(f.Message, tc.contains)
			}
			if !found && tc.rule != "" {
				t.Errorf("no %s finding mentioning %q:\n%s", tc.rule, tc.contains, strings.Join(got, "\n"))
			}
			if grew > tc.maxHeap {
				t.Errorf("the heap grew by %d MiB, over the %d MiB bound", grew>>20, tc.maxHeap>>20)
			}
			t.Logf("heap grew by %.1f MiB in %v", float64(grew)/(1<<20), time.Since(start).Round(time.Millisecond))
		})
	}
}

// manyEntryZip returns a zip of 1,000,000 empty stored entries (zip64 end
// records), written directly: archive/zip's writer would need far more
// memory than the zip.
func manyEntryZip(t *testing.T) []byte {
	const n = 1000000
	le := binary.LittleEndian
	var local, central []byte
	for i := range n {
		name := fmt.Appendf(nil, "%07d", i)
		off := uint32(len(local))
		h := make([]byte, 30)
		le.PutUint32(h, 0x04034b50)
		le.PutUint16(h[4:], 20)
		le.PutUint16(h[26:], uint16(len(name)))
		local = append(append(local, h...), name...)
		c := make([]byte, 46)
		le.PutUint32(c, 0x02014b50)
		le.PutUint16(c[4:], 0x0314)
		le.PutUint16(c[6:], 20)
		le.PutUint16(c[28:], uint16(len(name)))
		le.PutUint32(c[42:], off)
		central = append(append(central, c...), name...)
	}
	out := append(local, central...)
	cdOff, cdLen := uint64(len(local)), uint64(len(central))
	z64 := make([]byte, 56)
	le.PutUint32(z64, 0x06064b50)
	le.PutUint64(z64[4:], 44)
	le.PutUint16(z64[12:], 45)
	le.PutUint16(z64[14:], 45)
	le.PutUint64(z64[24:], n)
	le.PutUint64(z64[32:], n)
	le.PutUint64(z64[40:], cdLen)
	le.PutUint64(z64[48:], cdOff)
	z64At := uint64(len(out))
	out = append(out, z64...)
	loc := make([]byte, 20)
	le.PutUint32(loc, 0x07064b50)
	le.PutUint64(loc[8:], z64At)
	le.PutUint32(loc[16:], 1)
	out = append(out, loc...)
	end := make([]byte, 22)
	le.PutUint32(end, 0x06054b50)
	le.PutUint16(end[8:], 0xffff)
	le.PutUint16(end[10:], 0xffff)
	le.PutUint32(end[12:], 0xffffffff)
	le.PutUint32(end[16:], 0xffffffff)
	return append(out, end...)
}

// hugeCpioPkg returns a component package whose payload's one file claims
// 8 GiB (the odc size field's largest value) but holds 4 bytes.
func hugeCpioPkg(t *testing.T) []byte {
	cpio := fixture.CpioODC(t, []fixture.CpioFile{{Name: ".", Mode: os.ModeDir}, {Name: "./big", Data: []byte("data")}})
	i := strings.Index(string(cpio), "./big")
	// The odc header is 76 bytes; the file size is its last 11 octal
	// digits, before the name size (6 digits) and the name.
	hdr := i - 76
	copy(cpio[hdr+65:hdr+76], "77777777777")
	payload := fixture.Gzip(t, cpio, "")
	return fixture.Xar(t, []fixture.XarFile{
		{Name: "PackageInfo", Data: []byte(`<pkg-info identifier="com.example.huge" version="1"/>`)},
		{Name: "Bom", Data: fixture.Bom(t, []fixture.CpioFile{{Name: ".", Mode: os.ModeDir}, {Name: "./big", Data: []byte("data")}})},
		{Name: "Payload", Data: payload, Encoding: "none"},
	}, fixture.XarOptions{})
}
