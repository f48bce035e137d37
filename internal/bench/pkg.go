package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

// pbzxChunk is the chunk size of Apple's pbzx payloads.
const pbzxChunk = 16 << 20

// runPkg measures flat packages whose payload (half signed Mach-O code,
// half compressible resources) totals pkgMiB, gzip and pbzx encoded,
// against decompressing the same payload bytes with gzip -dc or xz -dc
// into openssl dgst -sha256.
func runPkg(dir, bin string, pkgMiB, runs int, formats string) error {
	for _, format := range strings.Split(formats, ",") {
		pkgFile, payloadFile, err := makePkg(dir, pkgMiB, format, "-2", true)
		if err != nil {
			return err
		}
		if pkgFile == "" {
			continue
		}
		baseline := map[string]string{"gzip": `gzip -dc "$1"`, "pbzx": `xz -dc "$1"`}[format]
		st, _ := os.Stat(pkgFile)
		fmt.Printf("payload %s (package %.0f MiB):\n", format, float64(st.Size())/(1<<20))
		compare(bin, pkgFile, runs, baseline+` | openssl dgst -sha256`, payloadFile)
		os.Remove(payloadFile)
		if keep := os.Getenv("NOTARYLINT_BENCH_KEEP"); keep != "" {
			// Keep the package for profiling: moved into that directory.
			os.Rename(pkgFile, filepath.Join(keep, filepath.Base(pkgFile)))
		}
		os.Remove(pkgFile)
	}
	return nil
}

// makePkg writes a flat package whose payload of pkgMiB holds signed
// 16 MiB dylibs and as many text files, encoded as format ("gzip", or
// "pbzx" with xz at the given preset), and beside it the baseline's input:
// the gzip payload, or the pbzx payload's xz streams as one .xz file
// (unless withBaseline is false). It returns empty paths when the encoder
// is missing.
func makePkg(dir string, pkgMiB int, format, xzPreset string, withBaseline bool) (pkgFile, payloadFile string, err error) {
	start := time.Now()
	files := []fixture.CpioFile{{Name: ".", Mode: fs.ModeDir}, {Name: "./lib", Mode: fs.ModeDir}, {Name: "./share", Mode: fs.ModeDir}}
	const fileMiB = 16
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < pkgMiB/fileMiB/2; i++ {
		lib, err := signedDylib(fileMiB << 20)
		if err != nil {
			return "", "", err
		}
		files = append(files, fixture.CpioFile{Name: fmt.Sprintf("./lib/lib%03d.dylib", i), Data: lib, Mode: 0o755})
		files = append(files, fixture.CpioFile{Name: fmt.Sprintf("./share/data%03d.txt", i), Data: compressible(rng, fileMiB<<20)})
	}
	cpio := fixture.CpioODC(fixture.Command{}, files)
	files = nil
	var payload, baselineInput []byte
	switch format {
	case "gzip":
		payload = fixture.Gzip(fixture.Command{}, cpio, "")
		baselineInput = payload
	case "pbzx":
		if _, err := exec.LookPath("xz"); err != nil {
			fmt.Println("xz not installed: pbzx package skipped")
			return "", "", nil
		}
		if payload, err = pbzxWithXZ(cpio, xzPreset); err != nil {
			return "", "", err
		}
		if withBaseline {
			baselineInput = pbzxStreams(payload)
		}
	default:
		return "", "", fmt.Errorf("unknown payload format %q", format)
	}
	fmt.Printf("flat package, %.0f MiB %s payload (%d signed dylibs and as many text files), generated in %v\n",
		float64(len(cpio))/(1<<20), format, pkgMiB/fileMiB/2, time.Since(start).Round(time.Millisecond))
	cpio = nil
	if withBaseline {
		payloadFile = filepath.Join(dir, "Payload."+format)
		if err := os.WriteFile(payloadFile, baselineInput, 0o644); err != nil {
			return "", "", err
		}
	}
	baselineInput = nil
	pkgFile = filepath.Join(dir, "Big-"+format+".pkg")
	comp := fixture.Xar(fixture.Command{}, []fixture.XarFile{
		{Name: "PackageInfo", Data: []byte(`<pkg-info identifier="com.example.big" version="1.0" install-location="/usr/local"/>`)},
		{Name: "Bom", Data: []byte("BOMStore")},
		{Name: "Payload", Data: payload, Encoding: "none"},
	}, fixture.XarOptions{})
	return pkgFile, payloadFile, os.WriteFile(pkgFile, comp, 0o644)
}

// signedDylib returns an ad-hoc signed dylib of about size bytes of
// pseudo-random code: one SHA-256 CodeDirectory with the hardened runtime.
func signedDylib(size int) ([]byte, error) {
	return fixture.MachO{
		FileType:     macho.TypeDylib,
		BuildVersion: &fixture.BuildVersion{Platform: macho.PlatformMacOS, MinOS: macho.MakeVersion(11, 0, 0), SDK: macho.MakeVersion(14, 2, 0)},
		TextSize:     size,
		Signature:    &fixture.Signature{CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagRuntime}}, CMS: []byte{}},
	}.Bytes()
}

// compressible returns n bytes of log-like text that gzip shrinks about
// fourfold.
func compressible(rng *rand.Rand, n int) []byte {
	var b bytes.Buffer
	b.Grow(n)
	words := []string{"open", "read", "seal", "page", "hash", "sign", "team", "code", "ticket", "bundle"}
	for b.Len() < n {
		fmt.Fprintf(&b, "%08x %s %s %d\n", rng.Uint32(), words[rng.IntN(len(words))], words[rng.IntN(len(words))], rng.IntN(1<<20))
	}
	return b.Bytes()[:n]
}

// pbzxWithXZ encodes data as pbzx, compressing its 16 MiB chunks with the
// xz command at preset (e.g. "-2"), one process per CPU (the Go xz writer is far slower).
func pbzxWithXZ(data []byte, preset string) ([]byte, error) {
	var chunks [][]byte
	for off := 0; off < len(data); off += pbzxChunk {
		chunks = append(chunks, data[off:min(off+pbzxChunk, len(data))])
	}
	stored := make([][]byte, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, c := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			cmd := exec.Command("xz", preset, "-c", "-T1")
			cmd.Stdin = bytes.NewReader(c)
			stored[i], errs[i] = cmd.Output()
		}()
	}
	wg.Wait()
	be := binary.BigEndian
	total := 12
	for _, st := range stored {
		total += 16 + len(st)
	}
	out := make([]byte, 0, total) // sized once: payloads of gigabytes
	out = be.AppendUint64(append(out, "pbzx"...), pbzxChunk)
	for i, c := range chunks {
		if errs[i] != nil {
			return nil, fmt.Errorf("xz: %w", errs[i])
		}
		out = be.AppendUint64(out, uint64(len(c)))
		out = be.AppendUint64(out, uint64(len(stored[i])))
		out = append(out, stored[i]...)
		stored[i] = nil
	}
	return out, nil
}

// pbzxStreams returns a pbzx payload's xz streams concatenated: a valid
// multi-stream .xz file holding the same compressed bytes, for xz -dc.
func pbzxStreams(p []byte) []byte {
	be := binary.BigEndian
	var out []byte
	for off := 12; off+16 <= len(p); {
		size := int(be.Uint64(p[off+8:]))
		out = append(out, p[off+16:off+16+size]...)
		off += 16 + size
	}
	return out
}
