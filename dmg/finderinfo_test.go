package dmg_test

import (
	"testing"

	"github.com/notarylint/notarylint/dmg"
)

// TestFinderInfoXattr hides the date added and the write counter (as a
// real hdiutil image's files carry them) but keeps a type and creator.
func TestFinderInfoXattr(t *testing.T) {
	fi := make([]byte, 32)
	copy(fi[20:], []byte{0x60, 0xe4, 0x80, 0x73}) // date added
	fi[31] = 2                                    // write generation counter
	if got := dmg.FinderInfoXattr(fi, false); got != nil {
		t.Errorf("only hidden fields: %x", got)
	}
	copy(fi, "TEXTttxt")
	got := dmg.FinderInfoXattr(fi, false)
	if string(got[:8]) != "TEXTttxt" || got[20] != 0 || got[31] != 0 {
		t.Errorf("type and creator: %x", got)
	}
	if got := dmg.FinderInfoXattr(fi, true); got != nil {
		t.Errorf("a symbolic link's type and creator are hidden: %x", got)
	}
	if fi[20] != 0x60 {
		t.Error("the input was changed")
	}
}
