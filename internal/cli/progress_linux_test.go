package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its two ends.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, tty
}

// onTerminal runs notarylint with stderr on a pseudo-terminal and returns
// what the terminal showed.
func onTerminal(t *testing.T, args ...string) string {
	t.Helper()
	master, tty := openPTY(t)
	defer master.Close()
	var shown bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&shown, master) // ends with EIO once the terminal side closes
		close(done)
	}()
	var out bytes.Buffer
	Main(args, &out, tty)
	tty.Close()
	<-done
	return shown.String()
}

// TestProgressTerminal: a large run on a terminal shows a progress bar on
// stderr; --no-progress, a small run or a stderr that is not a terminal
// show none.
func TestProgressTerminal(t *testing.T) {
	input := realPath(t, "pg_ctl-universal")
	defer func(old int64) { progressThreshold = old }(progressThreshold)
	progressThreshold = 1 // every run counts as large
	if shown := onTerminal(t, "check", "--fail-on", "none", input); !strings.Contains(shown, "checking") {
		t.Errorf("no progress bar on the terminal: %q", shown)
	}
	if shown := onTerminal(t, "check", "--fail-on", "none", "--no-progress", input); strings.Contains(shown, "checking") {
		t.Errorf("--no-progress showed %q", shown)
	}
	var errb bytes.Buffer
	if Main([]string{"check", "--fail-on", "none", input}, io.Discard, &errb); errb.Len() != 0 {
		t.Errorf("stderr not a terminal: %q", errb.String())
	}
	progressThreshold = 1 << 40
	if shown := onTerminal(t, "check", "--fail-on", "none", input); strings.Contains(shown, "checking") {
		t.Errorf("a small run showed %q", shown)
	}
}
