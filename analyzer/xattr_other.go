//go:build !unix

package analyzer

import "errors"

// getxattr is unavailable where there are no Unix extended attributes.
func getxattr(string, string) ([]byte, error) { return nil, errors.ErrUnsupported }
