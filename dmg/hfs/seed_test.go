package hfs_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"os"
)

// readSeedVolume returns the committed xorriso volume (see
// testdata/README.md).
func readSeedVolume() ([]byte, error) {
	b64, err := os.ReadFile("testdata/xorriso-hello.hfs.gz.b64")
	if err != nil {
		return nil, err
	}
	gz, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b64)))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 16<<20))
}
