package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/notarylint/notarylint/internal/fixture"
)

// runDMG measures a zlib (UDZO) disk image of about dmgMiB: an HFS+
// volume in hdiutil's GPT layout holding an app with signed dylibs
// (incompressible code) and as many text resources, against `7zz t`, which
// decodes every chunk and checks the checksums.
func runDMG(dir, bin string, dmgMiB, runs int) error {
	if _, err := exec.LookPath("7zz"); err != nil {
		fmt.Println("7zz not installed (apt-get install 7zip): disk image benchmark skipped")
		return nil
	}
	file, err := makeDMG(dir, dmgMiB)
	if err != nil {
		return err
	}
	compare(bin, file, runs, `7zz t -tdmg "$1"`, file)
	if keep := os.Getenv("NOTARYLINT_BENCH_KEEP"); keep != "" {
		os.Rename(file, filepath.Join(keep, filepath.Base(file)))
	}
	return nil
}

// makeDMG writes the disk image runDMG measures and returns its path.
func makeDMG(dir string, dmgMiB int) (string, error) {
	start := time.Now()
	const fileMiB = 16
	rng := rand.New(rand.NewPCG(3, 4))
	res := map[string][]byte{}
	for i := 0; i < dmgMiB/fileMiB/2; i++ {
		lib, err := signedDylib(fileMiB << 20)
		if err != nil {
			return "", err
		}
		res[fmt.Sprintf("lib/lib%03d.dylib", i)] = lib
		res[fmt.Sprintf("data/data%03d.txt", i)] = compressible(rng, fileMiB<<20)
	}
	root := filepath.Join(dir, "root")
	fixture.Bundle{Name: "Big.app", Resources: res, Sign: &fixture.SignOptions{Adhoc: true}}.Write(fixture.Command{}, root)
	res = nil
	vol := fixture.HFSPlus(fixture.Command{}, root, fixture.HFSOptions{VolumeName: "Big"})
	os.RemoveAll(root)
	img := fixture.UDIFDisk(fixture.Command{}, fixture.GPTLayout(vol, fixture.GUIDAppleHFS), fixture.UDIFOptions{})
	vol = nil
	file := filepath.Join(dir, "Big.dmg")
	if err := os.WriteFile(file, img, 0o644); err != nil {
		return "", err
	}
	fmt.Printf("disk image (UDZO, GPT, HFS+; %d signed dylibs and as many text files, %.0f MiB stored) generated in %v\n",
		dmgMiB/fileMiB/2, float64(len(img))/(1<<20), time.Since(start).Round(time.Millisecond))
	return file, nil
}
