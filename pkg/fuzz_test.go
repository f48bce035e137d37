package pkg

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/codesign"
)

// fuzzLimits keep fuzzing iterations small.
var fuzzLimits = archive.Limits{MaxDecompressed: 8 << 20, MaxRatio: 1000, MaxMemoryFile: 1 << 20, MaxEntries: 1000, MaxDepth: 4}

func keepAll(string, []byte, int64) bool { return true }

// FuzzOpenPackage opens arbitrary bytes as a flat package, reads every
// payload and verifies the signature: it must never panic or hang.
func FuzzOpenPackage(f *testing.F) {
	if b, err := os.ReadFile("../testdata/real-pkg/nudge-launchagent-1.0.1.pkg"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("xar!\x00\x1c\x00\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00\x01"))
	trust, err := codesign.AppleTrust()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := OpenPackage(bytes.NewReader(b), int64(len(b)), archive.NewBudget(fuzzLimits), Content{Keep: keepAll})
		if err != nil {
			return
		}
		p.UnresolvedPkgRefs()
		p.Xar.VerifySignature(trust, time.Unix(1700000000, 0))
		fs.WalkDir(p.Xar.Files, ".", func(name string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				fs.ReadFile(p.Xar.Files, name)
			}
			return nil
		})
	})
}

// FuzzOpenPayload streams arbitrary bytes as a Payload (gzip, pbzx or cpio).
func FuzzOpenPayload(f *testing.F) {
	cpio := []byte("0707070000000000010407550000000000000000010000000000000000000200000000000./\x00" +
		"0707070000000000000000000000000000000000010000000000000000000013000000000000TRAILER!!!\x00")
	f.Add(cpio)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(cpio)
	zw.Close()
	f.Add(gz.Bytes())
	f.Add([]byte("pbzx\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pl, err := OpenPayload(bytes.NewReader(b), archive.NewBudget(fuzzLimits), keepAll, nil)
		if err != nil {
			return
		}
		fs.WalkDir(pl.Tree, ".", func(string, fs.DirEntry, error) error { return nil })
	})
}

// FuzzParseDistribution parses arbitrary Distribution files.
func FuzzParseDistribution(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><installer-gui-script minSpecVersion="2"><pkg-ref id="a">#a.pkg</pkg-ref></installer-gui-script>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseDistribution(b)
	})
}

// FuzzParseBom parses arbitrary Bom files.
func FuzzParseBom(f *testing.F) {
	if b, err := os.ReadFile("../testdata/real-pkg/nudge-launchagent-1.0.1.pkg"); err == nil {
		if p, err := OpenPackage(bytes.NewReader(b), int64(len(b)), nil, Content{Keep: keepAll}); err == nil && len(p.Components) > 0 {
			if bom, err := readAll(p.Xar.Files.Entry(p.Components[0].Dir+"/Bom"), 1<<20); err == nil {
				f.Add(bom)
			}
		}
	}
	f.Add([]byte("BOMStore\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseBom(b)
	})
}
