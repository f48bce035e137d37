//go:build unix

package analyzer

import "golang.org/x/sys/unix"

// getxattr reads an extended attribute, at most MaxSignatureSize bytes.
func getxattr(path, name string) ([]byte, error) {
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
