package lzma

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"
)

// xzCommand compresses data with the xz command and args, skipping the
// test when xz is not installed.
func xzCommand(t *testing.T, data []byte, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath("xz")
	if err != nil {
		t.Skip("xz command not found")
	}
	cmd := exec.Command(path, append(append([]string{"-c", "-q"}, args...), "-")...)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xz %v: %v: %s", args, err, stderr.Bytes())
	}
	return out
}

// TestDecodeXZCommand decodes streams written by liblzma through the xz
// command with varied presets, checks, properties and blocks.
func TestDecodeXZCommand(t *testing.T) {
	text, mix := textLike(2<<20+12345, 11), mixed(3<<20, 12)
	medium, small := textLike(1<<20+123, 13), textLike(300_000, 13)
	tests := []struct {
		name string
		data []byte
		args []string
	}{
		{"-0", text, []string{"-0"}},
		{"-6", text, []string{"-6"}},
		{"-6 mixed", mix, []string{"-6"}},
		{"-9e", small, []string{"-9e"}},
		{"sha256", small, []string{"--check=sha256"}},
		{"crc32", small, []string{"--check=crc32"}},
		{"none", small, []string{"--check=none"}},
		{"lc=0,lp=2,pb=0", medium, []string{"--lzma2=lc=0,lp=2,pb=0"}},
		{"lc=4,lp=0", medium, []string{"--lzma2=lc=4,lp=0"}},
		{"lc=1,lp=3,pb=4 dict=4KiB", small, []string{"--lzma2=lc=1,lp=3,pb=4,dict=4KiB"}},
		{"blocks", mix, []string{"-T2", "--block-size=100000"}},
		{"random", randomBytes(500_000, 14), []string{"-6"}},
		{"zeros", make([]byte, 4<<20), []string{"-6"}},
		{"repeats", repeats(1<<20, 15), []string{"-9"}},
		{"empty", nil, []string{"-6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mustDecode(t, xzCommand(t, tt.data, tt.args...), tt.data)
		})
	}
}

// TestDecodeXZCommandConcatenated decodes xz streams back to back with
// stream padding, as xz -dc does.
func TestDecodeXZCommandConcatenated(t *testing.T) {
	a, b := textLike(100_000, 16), repeats(50_000, 17)
	var src, want []byte
	for i, part := range [][]byte{a, b, nil, a} {
		src = append(src, xzCommand(t, part, "--check=sha256")...)
		src = append(src, make([]byte, 4*i)...)
		want = append(want, part...)
	}
	mustDecode(t, src, want)
}

// TestDecodeXZCommandUnsupported checks that filters before LZMA2 give
// ErrUnsupported.
func TestDecodeXZCommandUnsupported(t *testing.T) {
	data := textLike(100_000, 18)
	for _, args := range [][]string{{"--x86", "--lzma2"}, {"--delta=dist=4", "--lzma2"}, {"--arm64", "--lzma2"}} {
		t.Run(args[0], func(t *testing.T) {
			_, err := Decode(nil, xzCommand(t, data, args...), len(data))
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("got %v, want ErrUnsupported", err)
			}
		})
	}
}
