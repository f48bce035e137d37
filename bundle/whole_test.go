package bundle

import (
	"bytes"
	"testing"
)

// TestAppendWhole checks that a file's content is collected intact, that
// the buffer grows by doubling up to the claimed size (a few copies, not
// append's dozen for large slices), and that a file holding more than it
// claimed still arrives whole.
func TestAppendWhole(t *testing.T) {
	for _, tc := range []struct {
		name          string
		claimed, real int
		maxGrowths    int
	}{
		{"as claimed, within the trusted size", 8 << 20, 8 << 20, 0},
		{"as claimed, beyond the trusted size", 40 << 20, 40 << 20, 2},
		{"less than claimed", 40 << 20, 1 << 20, 0},
		{"more than claimed", 1 << 20, 9 << 20, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := make([]byte, tc.real)
			for i := range data {
				data[i] = byte(i * 7 >> 3)
			}
			whole := make([]byte, 0, min(tc.claimed, wholeTrusted))
			growths := 0
			for off := 0; off < len(data); off += chunkSize {
				before := cap(whole)
				whole = appendWhole(whole, data[off:min(off+chunkSize, len(data))], int64(tc.claimed))
				if cap(whole) != before {
					growths++
				}
			}
			if !bytes.Equal(whole, data) {
				t.Fatal("content differs")
			}
			if growths > tc.maxGrowths {
				t.Errorf("%d growths, want at most %d", growths, tc.maxGrowths)
			}
		})
	}
}
