// Command bench measures `notarylint check` against the tool that does the
// least the same input needs (`openssl dgst -sha256` on a signed Mach-O and
// an app's files, `unzip -p`, `gzip -dc` or `xz -dc` piped to it, `7zz t`),
// and prints the median times, their ratio and notarylint's peak memory,
// with all cores and with --jobs 1.
//
//	go run ./internal/bench [-size 512] [-runs 5] [-only macho|app|pkg|dmg]
//	go run ./internal/bench -memory 4096   # peak memory on 4 GiB inputs
//
// Verifying a signature means hashing every code page, so the inherent cost
// is one SHA-256 pass over the file; openssl (hardware SHA-256) is that floor
// on one core.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

func main() {
	sizeMiB := flag.Int("size", 512, "size of the generated Mach-O in MiB")
	runs := flag.Int("runs", 5, "timed runs per command, after one to warm the page cache (the median is kept)")
	appMiB := flag.Int("app-size", 1024, "size of the generated app's resources in MiB (0 skips the app benchmark)")
	appFiles := flag.Int("app-files", 10000, "number of resource files in the generated app")
	pkgMiB := flag.Int("pkg-size", 1024, "size of the generated package payload in MiB (0 skips the package benchmark)")
	dmgMiB := flag.Int("dmg-size", 1024, "size of the generated disk image's contents in MiB (0 skips the disk image benchmark)")
	only := flag.String("only", "", "run one benchmark: macho, app, pkg or dmg")
	pkgFormats := flag.String("pkg-formats", "gzip,pbzx", "payload encodings of the package benchmark")
	flag.StringVar(&beforeBin, "before", "", "also time this notarylint `binary` (an earlier build) on the same inputs, for before/after tables")
	memoryMiB := flag.Int("memory", 0, "instead of timing, generate an app, zip, packages and a disk image of this many MiB of content each and print notarylint's peak memory on them")
	flag.Parse()
	var err error
	if *memoryMiB > 0 {
		if err := withBinary(func(dir, bin string) error { return runMemory(dir, bin, *memoryMiB, *only, *pkgFormats) }); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *only == "" || *only == "macho" {
		err = withBinary(func(dir, bin string) error { return run(dir, bin, *sizeMiB, *runs) })
	}
	if err == nil && *appMiB > 0 && (*only == "" || *only == "app") {
		err = withBinary(func(dir, bin string) error { return runApp(dir, bin, *appMiB, *appFiles, *runs) })
	}
	if err == nil && *pkgMiB > 0 && (*only == "" || *only == "pkg") {
		err = withBinary(func(dir, bin string) error { return runPkg(dir, bin, *pkgMiB, *runs, *pkgFormats) })
	}
	if err == nil && *dmgMiB > 0 && (*only == "" || *only == "dmg") {
		err = withBinary(func(dir, bin string) error { return runDMG(dir, bin, *dmgMiB, *runs) })
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(dir, bin string, sizeMiB, runs int) error {
	file := filepath.Join(dir, "big-tool")
	start := time.Now()
	b, err := fixture.MachO{
		BuildVersion: &fixture.BuildVersion{Platform: macho.PlatformMacOS, MinOS: macho.MakeVersion(11, 0, 0), SDK: macho.MakeVersion(14, 2, 0)},
		TextSize:     sizeMiB << 20,
		Signature: &fixture.Signature{
			// One SHA-256 CodeDirectory, as codesign writes for deployment
			// targets from macOS 10.11.4 on (older targets add a SHA-1 one).
			CodeDirectories: []fixture.CodeDirectory{{Flags: codesign.FlagRuntime}},
			CMS:             []byte{},
		},
	}.Bytes()
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("generated %s: %.0f MiB signed Mach-O (SHA-256 CodeDirectory, 4 KiB pages) in %v\n",
		file, float64(len(b))/(1<<20), time.Since(start).Round(time.Millisecond))
	b = nil

	compare(bin, file, runs, `openssl dgst -sha256 "$1"`, file)
	return nil
}

// runApp measures seal verification: a signed app with appFiles resource
// files totalling appMiB, against openssl over the same files.
func runApp(dir, bin string, appMiB, appFiles, runs int) error {
	app := makeApp(dir, appMiB, appFiles)
	compare(bin, app, runs, `find "$1" -type f -print0 | xargs -0 openssl dgst -sha256`, app)
	return runZip(app, bin, runs)
}

// makeApp writes an ad-hoc signed app with appFiles resource files
// totalling appMiB: every other file pseudo-random (incompressible), the
// others log-like text. Each file is a slice of one of two pools at its own
// offset, so contents differ without holding appMiB of distinct bytes.
func makeApp(dir string, appMiB, appFiles int) string {
	start := time.Now()
	per := (appMiB << 20) / appFiles
	const spread = 1 << 20
	rng := rand.New(rand.NewPCG(5, 6))
	random := make([]byte, per+spread)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := compressible(rng, per+spread)
	res := make(map[string][]byte, appFiles)
	for i := range appFiles {
		pool, ext := random, "bin"
		if i%2 == 1 {
			pool, ext = text, "txt"
		}
		off := (i * 4099) % spread
		res[fmt.Sprintf("data/%03d/file%05d.%s", i%100, i, ext)] = pool[off : off+per]
	}
	app := fixture.Bundle{Name: "Big.app", Resources: res, Sign: &fixture.SignOptions{Adhoc: true}}.Write(fixture.Command{}, dir)
	fmt.Printf("generated %s: %d resource files (half random, half text), %d MiB, in %v\n", app, appFiles, appMiB, time.Since(start).Round(time.Millisecond))
	return app
}

// makeZip writes the app zipped as ditto would, stored or deflated, beside
// it, and returns the zip's path.
func makeZip(app string, store bool) (string, error) {
	name := "Big-deflated.zip"
	if store {
		name = "Big-stored.zip"
	}
	p := filepath.Join(filepath.Dir(app), name)
	return p, os.WriteFile(p, fixture.DittoZip(fixture.Command{}, app, fixture.DittoOptions{Store: store}), 0o644)
}

// runZip measures the app zipped as ditto would, stored and deflated,
// against `unzip -p App.zip | openssl dgst -sha256`.
func runZip(app, bin string, runs int) error {
	if _, err := exec.LookPath("unzip"); err != nil {
		fmt.Println("unzip not installed (apt-get install unzip): zip benchmark skipped")
		return nil
	}
	for _, store := range []bool{true, false} {
		method := "stored"
		if !store {
			method = "deflated"
		}
		zipPath, err := makeZip(app, store)
		if err != nil {
			return err
		}
		st, _ := os.Stat(zipPath)
		fmt.Printf("zip (%s, %.0f MiB):\n", method, float64(st.Size())/(1<<20))
		compare(bin, zipPath, runs, `unzip -p "$1" | openssl dgst -sha256`, zipPath)
		os.Remove(zipPath)
	}
	return nil
}

// withBinary builds notarylint into a temporary directory and runs f there.
func withBinary(f func(dir, bin string) error) error {
	dir, err := os.MkdirTemp("", "notarylint-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := buildNotarylint(dir)
	if err != nil {
		return err
	}
	return f(dir, bin)
}

// buildNotarylint builds the command into dir and returns its path.
func buildNotarylint(dir string) (string, error) {
	bin := filepath.Join(dir, "notarylint")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/notarylint").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
}

// median runs the command once to warm the page cache, then runs times
// more and returns the median wall-clock time.
func median(times int, name string, args ...string) time.Duration {
	var ds []time.Duration
	for i := 0; i <= max(times, 1); i++ {
		start := time.Now()
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			os.Exit(1)
		}
		if i > 0 {
			ds = append(ds, time.Since(start))
		}
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// beforeBin is an earlier notarylint build that compare times too, when set.
var beforeBin string

// compare times baseline (a shell command line, given baselineInput as $1)
// and `notarylint check` on input, with all cores and with --jobs 1, and
// prints the medians, their ratios to the baseline, and the peak memory.
func compare(bin, input string, runs int, baseline, baselineInput string) {
	check := func(extra ...string) []string {
		return append(append([]string{"check"}, extra...), "--fail-on", "none", "--format", "json="+os.DevNull, input)
	}
	base := median(runs, "sh", "-c", baseline+" >/dev/null", "sh", baselineInput)
	shown := strings.ReplaceAll(baseline, `"$1"`, filepath.Base(baselineInput))
	fmt.Printf("  %-44s %8.3fs\n", shown, base.Seconds())
	builds := []struct{ label, bin string }{{"", bin}}
	if beforeBin != "" {
		builds = []struct{ label, bin string }{{"before: ", beforeBin}, {"after:  ", bin}}
	}
	for _, b := range builds {
		all := median(runs, b.bin, check()...)
		one := median(runs, b.bin, check("--jobs", "1")...)
		fmt.Printf("  %-44s %8.3fs  ratio %.2f\n", fmt.Sprintf("%snotarylint check (%d cores)", b.label, runtime.NumCPU()), all.Seconds(), all.Seconds()/base.Seconds())
		fmt.Printf("  %-44s %8.3fs  ratio %.2f\n", b.label+"notarylint check --jobs 1", one.Seconds(), one.Seconds()/base.Seconds())
		fmt.Printf("  %-44s %s\n", b.label+"notarylint check peak memory", peakMemory(b.bin, check()...))
	}
}

// peakMemory runs the command under /usr/bin/time and returns its peak
// resident memory, or "n/a". (The command's own rusage is useless here: a
// child started from this large process inherits its high-water mark.)
func peakMemory(name string, args ...string) string {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return "n/a (no /usr/bin/time)"
	}
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", name}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "n/a (" + err.Error() + ")"
	}
	lines := strings.Fields(stderr.String())
	if len(lines) == 0 {
		return "n/a"
	}
	kib, err := strconv.Atoi(lines[len(lines)-1])
	if err != nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}

// runMemory generates an app, its deflated zip, gzip and pbzx packages and
// a zlib disk image, each holding contentMiB of content (half incompressible,
// half text), and prints notarylint's peak memory on each (all cores).
// only ("app", "pkg" or "dmg") and formats narrow it as they narrow the
// timings.
func runMemory(dir, bin string, contentMiB int, only, formats string) error {
	peak := func(label, input string) {
		st, err := os.Stat(input)
		size := "?"
		if err == nil {
			size = fmt.Sprintf("%.0f MiB", float64(st.Size())/(1<<20))
		}
		if st != nil && st.IsDir() {
			size = fmt.Sprintf("%d MiB of files", contentMiB)
		}
		fmt.Printf("  %-10s %-18s peak memory %s\n", label, size, peakMemory(bin, "check", "--fail-on", "none", "--format", "json="+os.DevNull, input))
	}
	if only == "" || only == "app" {
		appDir := filepath.Join(dir, "app")
		app := makeApp(appDir, contentMiB, 10000)
		peak("app", app)
		zipPath, err := makeZip(app, false)
		if err != nil {
			return err
		}
		os.RemoveAll(app) // the zip stays, beside it
		peak("zip", zipPath)
		os.Remove(zipPath)
	}
	for _, format := range strings.Split(formats, ",") {
		if only != "" && only != "pkg" {
			break
		}
		// xz -0: the chunks' preset does not change the decoder's memory,
		// and -2 takes minutes per GiB to encode.
		pkgFile, _, err := makePkg(dir, contentMiB, format, "-0", false)
		if err != nil {
			return err
		}
		if pkgFile == "" {
			continue
		}
		peak("pkg "+format, pkgFile)
		os.Remove(pkgFile)
	}
	if only != "" && only != "dmg" {
		return nil
	}
	file, err := makeDMG(dir, contentMiB)
	if err != nil {
		return err
	}
	peak("dmg", file)
	return os.Remove(file)
}
