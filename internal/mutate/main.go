// Command mutate checks notarylint's robustness on broken inputs: it builds
// one valid sample of every format (Mach-O, universal, zip, jar, tar.gz,
// packages with gzip and pbzx payloads, disk images with HFS+ and APFS, and
// the real samples of testdata), applies thousands of structured mutations
// (bit flips, truncations, length/offset/count fields set to interesting
// values, swapped, duplicated and zeroed regions) and runs the whole
// analyzer on each, with a time and a heap cap. A panic, a hang, a run over
// the time cap, a heap over its cap or an internal-error finding is a
// failure; the input is saved for a regression test.
//
//	go run ./internal/mutate [-n 5000] [-seed 1] [-timeout 5s] [-max-heap 512] [-out DIR]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

func main() {
	n := flag.Int("n", 5000, "mutations to run")
	seed := flag.Uint64("seed", 1, "random seed (the same seed gives the same mutations)")
	timeout := flag.Duration("timeout", 5*time.Second, "longest a run may take")
	maxHeap := flag.Int("max-heap", 512, "largest heap growth a run may cause, in MiB")
	out := flag.String("out", "", "directory for failing inputs (default: a temporary one)")
	flag.Parse()
	dir := *out
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "notarylint-mutate"); err != nil {
			fmt.Fprintln(os.Stderr, "mutate:", err)
			os.Exit(1)
		}
	}
	cfg := Config{N: *n, Seed: *seed, Timeout: *timeout, MaxHeap: uint64(*maxHeap) << 20, Dir: dir}
	res := Run(fixture.Command{}, cfg, Corpus(fixture.Command{}, "."), os.Stdout)
	res.Print(os.Stdout)
	if len(res.Failures) > 0 {
		fmt.Printf("failing inputs saved in %s\n", dir)
		os.Exit(1)
	}
}

// Config says how many mutations to run and the caps.
type Config struct {
	N       int
	Seed    uint64
	Timeout time.Duration
	MaxHeap uint64
	// Dir receives each run's input (and keeps the failing ones).
	Dir string
}

// Result summarises a campaign.
type Result struct {
	Runs     int
	BySample map[string]*SampleStats
	Failures []string
	Slowest  time.Duration
	MaxHeap  uint64
}

// SampleStats counts one sample's runs: how many gave other findings than
// the unmutated sample, and how many could not be read at all (exit 3).
type SampleStats struct {
	Runs, Changed, Unreadable int
}

// limits keep a mutated input's claims small, so that a run is quick.
var limits = archive.Limits{MaxDecompressed: 256 << 20, MaxRatio: 1000, MaxMemoryFile: 64 << 20, MaxEntries: 10000, MaxDepth: 4}

// Run mutates the samples round-robin and checks each mutation, printing a
// line per failure to w.
func Run(t testing.TB, cfg Config, samples []Sample, w interface{ Write([]byte) (int, error) }) *Result {
	res := &Result{BySample: map[string]*SampleStats{}}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e6f7461))
	tr := trust(t)
	clean := map[string]string{}
	for _, s := range samples {
		sig, _, _ := analyse(cfg, tr, s, s.Data)
		clean[s.Name] = sig
		res.BySample[s.Name] = &SampleStats{}
	}
	for i := 0; i < cfg.N; i++ {
		s := samples[i%len(samples)]
		m := Mutate(s.Data, rng)
		id := fmt.Sprintf("%05d-%s", i, s.Name)
		// Written before the run: if the process dies, the input is there.
		p := filepath.Join(cfg.Dir, id+"-"+s.File)
		if err := os.WriteFile(p, m.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(cfg.Dir, "current"), []byte(id+": "+m.Kind+"\n"), 0o644)
		sig, took, grew := analyseCapped(cfg, tr, p, w, id, m, res)
		st := res.BySample[s.Name]
		st.Runs++
		switch {
		case sig == "unreadable":
			st.Unreadable++
		case sig != clean[s.Name]:
			st.Changed++
		}
		res.Runs++
		res.Slowest = max(res.Slowest, took)
		res.MaxHeap = max(res.MaxHeap, grew)
		if n := len(res.Failures); n == 0 || !strings.HasPrefix(res.Failures[n-1], id) {
			os.Remove(p)
		}
		if sig == "timeout" {
			fmt.Fprintln(w, "stopping: the timed-out run may still be running")
			break
		}
	}
	os.Remove(filepath.Join(cfg.Dir, "current"))
	return res
}

// analyseCapped runs the analyzer on the file at p with the caps, recording
// failures.
func analyseCapped(cfg Config, tr *codesign.Trust, p string, w interface{ Write([]byte) (int, error) }, id string, m Mutation, res *Result) (sig string, took time.Duration, grew uint64) {
	fail := func(why string) {
		line := fmt.Sprintf("%s (%s): %s", id, m.Kind, why)
		res.Failures = append(res.Failures, line)
		fmt.Fprintln(w, "FAIL", line)
	}
	type outcome struct {
		sig      string
		internal []string
	}
	done := make(chan outcome, 1)
	start := time.Now()
	grew = testutil.HeapGrowth(func() {
		go func() {
			rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: tr, Limits: limits, Jobs: 2}, []string{p})
			done <- outcome{signature(rep, errs), internalErrors(rep)}
		}()
		select {
		case o := <-done:
			sig = o.sig
			for _, e := range o.internal {
				fail("internal error: " + e)
			}
		case <-time.After(cfg.Timeout):
			fail(fmt.Sprintf("no result after %v (a hang, or far too slow)", cfg.Timeout))
			sig = "timeout"
		}
	})
	took = time.Since(start)
	if grew > cfg.MaxHeap {
		fail(fmt.Sprintf("the heap grew by %d MiB (cap %d MiB)", grew>>20, cfg.MaxHeap>>20))
	}
	return sig, took, grew
}

// analyse runs the analyzer on a sample's bytes written to a file.
func analyse(cfg Config, tr *codesign.Trust, s Sample, data []byte) (string, time.Duration, error) {
	p := filepath.Join(cfg.Dir, "clean-"+s.File)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return "", 0, err
	}
	defer os.Remove(p)
	start := time.Now()
	rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All, Trust: tr, Limits: limits, Jobs: 2}, []string{p})
	return signature(rep, errs), time.Since(start), nil
}

// signature summarises a run: the rules that reported, or "unreadable".
func signature(rep *analyzer.Report, errs []error) string {
	if len(errs) > 0 {
		return "unreadable"
	}
	var names []string
	for _, f := range rep.Findings {
		names = append(names, f.RuleName)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func internalErrors(rep *analyzer.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.RuleName == analyzer.InternalError.Name {
			out = append(out, f.Path+": "+f.Message)
		}
	}
	return out
}

// Print writes the campaign's summary.
func (r *Result) Print(w interface{ Write([]byte) (int, error) }) {
	names := make([]string, 0, len(r.BySample))
	for n := range r.BySample {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "%d mutations, %d failures; slowest run %v, largest heap growth %.1f MiB\n", r.Runs, len(r.Failures), r.Slowest.Round(time.Millisecond), float64(r.MaxHeap)/(1<<20))
	for _, n := range names {
		s := r.BySample[n]
		fmt.Fprintf(w, "  %-14s %5d runs  %5d with other findings  %4d unreadable (exit 3)\n", n, s.Runs, s.Changed, s.Unreadable)
	}
}
