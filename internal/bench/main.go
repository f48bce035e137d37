// Command bench measures `notarylint check` against `openssl dgst -sha256`
// on the same large signed Mach-O file, and prints both times and their
// ratio, with all cores and with --jobs 1.
//
//	go run ./internal/bench [-size 512] [-runs 3]
//
// Verifying a signature means hashing every code page, so the inherent cost
// is one SHA-256 pass over the file; openssl (hardware SHA-256) is that floor
// on one core.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

func main() {
	sizeMiB := flag.Int("size", 512, "size of the generated Mach-O in MiB")
	runs := flag.Int("runs", 3, "timed runs per command (the best is kept)")
	appMiB := flag.Int("app-size", 1024, "size of the generated app's resources in MiB (0 skips the app benchmark)")
	appFiles := flag.Int("app-files", 10000, "number of resource files in the generated app")
	pkgMiB := flag.Int("pkg-size", 1024, "size of the generated package payload in MiB (0 skips the package benchmark)")
	dmgMiB := flag.Int("dmg-size", 1024, "size of the generated disk image's contents in MiB (0 skips the disk image benchmark)")
	only := flag.String("only", "", "run one benchmark: macho, app, pkg or dmg")
	pkgFormats := flag.String("pkg-formats", "gzip,pbzx", "payload encodings of the package benchmark")
	flag.Parse()
	var err error
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

	openssl := best(runs, "openssl", "dgst", "-sha256", file)
	all := best(runs, bin, "check", "--fail-on", "none", "--format", "json="+os.DevNull, file)
	one := best(runs, bin, "check", "--jobs", "1", "--fail-on", "none", "--format", "json="+os.DevNull, file)
	fmt.Printf("cores: %d\n", runtime.NumCPU())
	fmt.Printf("openssl dgst -sha256           %8.3fs\n", openssl.Seconds())
	fmt.Printf("notarylint check (all cores)   %8.3fs  ratio %.2f\n", all.Seconds(), all.Seconds()/openssl.Seconds())
	fmt.Printf("notarylint check --jobs 1      %8.3fs  ratio %.2f\n", one.Seconds(), one.Seconds()/openssl.Seconds())
	return nil
}

// runApp measures seal verification: a signed app with appFiles resource
// files totalling appMiB, against openssl over the same files.
func runApp(dir, bin string, appMiB, appFiles, runs int) error {
	start := time.Now()
	per := (appMiB << 20) / appFiles
	res := make(map[string][]byte, appFiles)
	seed := make([]byte, per+4096)
	for i := range seed {
		seed[i] = byte(i*2654435761>>13) ^ byte(i>>7)
	}
	for i := range appFiles {
		// Distinct content per file, without holding appFiles copies apart
		// from the slices of seed.
		off := (i * 97) % 4096
		res[fmt.Sprintf("data/%03d/file%05d.bin", i%100, i)] = seed[off : off+per]
	}
	app := fixture.Bundle{Name: "Big.app", Resources: res, Sign: &fixture.SignOptions{Adhoc: true}}.Write(fixture.Command{}, dir)
	res = nil
	fmt.Printf("generated %s: %d resource files, %d MiB, in %v\n", app, appFiles, appMiB, time.Since(start).Round(time.Millisecond))

	openssl := best(runs, "sh", "-c", `find "$1" -type f -print0 | xargs -0 openssl dgst -sha256 >/dev/null`, "sh", app)
	all := best(runs, bin, "check", "--fail-on", "none", "--format", "json="+os.DevNull, app)
	one := best(runs, bin, "check", "--jobs", "1", "--fail-on", "none", "--format", "json="+os.DevNull, app)
	fmt.Printf("find | xargs openssl dgst -sha256  %8.3fs\n", openssl.Seconds())
	fmt.Printf("notarylint check (all cores)       %8.3fs  ratio %.2f\n", all.Seconds(), all.Seconds()/openssl.Seconds())
	fmt.Printf("notarylint check --jobs 1          %8.3fs  ratio %.2f\n", one.Seconds(), one.Seconds()/openssl.Seconds())
	return runZip(app, bin, runs)
}

// runZip measures the app zipped as ditto would, stored and deflated,
// against `unzip -p App.zip | openssl dgst -sha256`.
func runZip(app, bin string, runs int) error {
	if _, err := exec.LookPath("unzip"); err != nil {
		fmt.Println("unzip not installed (apt-get install unzip): zip benchmark skipped")
		return nil
	}
	for _, store := range []bool{true, false} {
		name, method := "stored", "Store"
		if !store {
			name, method = "deflated", "Deflate"
		}
		zipPath := filepath.Join(filepath.Dir(app), "Big-"+name+".zip")
		if err := os.WriteFile(zipPath, fixture.DittoZip(fixture.Command{}, app, fixture.DittoOptions{Store: store}), 0o644); err != nil {
			return err
		}
		st, _ := os.Stat(zipPath)
		fmt.Printf("zip (%s, %.0f MiB):\n", method, float64(st.Size())/(1<<20))
		openssl := best(runs, "sh", "-c", `unzip -p "$1" | openssl dgst -sha256 >/dev/null`, "sh", zipPath)
		all := best(runs, bin, "check", "--fail-on", "none", "--format", "json="+os.DevNull, zipPath)
		one := best(runs, bin, "check", "--jobs", "1", "--fail-on", "none", "--format", "json="+os.DevNull, zipPath)
		fmt.Printf("  unzip -p | openssl dgst -sha256  %8.3fs\n", openssl.Seconds())
		fmt.Printf("  notarylint check (all cores)     %8.3fs  ratio %.2f\n", all.Seconds(), all.Seconds()/openssl.Seconds())
		fmt.Printf("  notarylint check --jobs 1        %8.3fs  ratio %.2f\n", one.Seconds(), one.Seconds()/openssl.Seconds())
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

// best runs the command once to warm the page cache, then runs times more
// and returns the fastest wall-clock time.
func best(times int, name string, args ...string) time.Duration {
	var min time.Duration
	for i := 0; i <= times; i++ {
		start := time.Now()
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			os.Exit(1)
		}
		if d := time.Since(start); i > 0 && (min == 0 || d < min) {
			min = d
		}
	}
	return min
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
