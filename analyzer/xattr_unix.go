//go:build unix

package analyzer

import (
	"errors"
	"runtime"

	"golang.org/x/sys/unix"
)

// getxattr reads an extended attribute, at most MaxSignatureSize bytes. Only
// macOS file systems hold Apple's attribute names (elsewhere they need a
// namespace prefix), so other systems answer at once without a system call.
func getxattr(path, name string) ([]byte, error) {
	if runtime.GOOS != "darwin" && runtime.GOOS != "ios" {
		return nil, errors.ErrUnsupported
	}
	size, err := unix.Getxattr(path, name, nil)
	if err != nil || size <= 0 || size > MaxSignatureSize {
		return nil, err
	}
	buf := make([]byte, size)
	n, err := unix.Getxattr(path, name, buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}
