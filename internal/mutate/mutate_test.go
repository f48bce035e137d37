package main

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// TestMutationSlice runs a small fixed-seed slice of the campaign: every
// format's sample, mutated; no panic, hang, internal error, run over 10 s
// or heap growth over 256 MiB.
func TestMutationSlice(t *testing.T) {
	n := 120
	if testing.Short() {
		n = 36
	}
	var log bytes.Buffer
	res := Run(t, Config{N: n, Seed: 20261123, Timeout: 10 * time.Second, MaxHeap: 256 << 20, Dir: t.TempDir()}, Corpus(t, "../.."), &log)
	res.Print(&log)
	t.Log("\n" + log.String())
	if len(res.Failures) > 0 {
		t.Errorf("%d failures:\n%s", len(res.Failures), log.String())
	}
	changed := 0
	for _, s := range res.BySample {
		changed += s.Changed + s.Unreadable
	}
	if res.Runs != n || changed == 0 {
		t.Errorf("%d runs, %d with other findings: the mutations do not reach the parsers", res.Runs, changed)
	}
}

// TestMutateDeterministic: a seed gives the same mutations.
func TestMutateDeterministic(t *testing.T) {
	data := bytes.Repeat([]byte("koly mish PK\x03\x04 data "), 100)
	a, b := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	for range 50 {
		m1, m2 := Mutate(data, a), Mutate(data, b)
		if m1.Kind != m2.Kind || !bytes.Equal(m1.Data, m2.Data) {
			t.Fatalf("%s and %s differ", m1.Kind, m2.Kind)
		}
	}
	if !bytes.HasPrefix(data, []byte("koly mish")) {
		t.Error("Mutate changed its input")
	}
}
