// Package testutil holds helpers shared by tests and the mutation
// campaign: access to the real, third-party Mach-O samples in testdata/real
// and their recorded facts, and heap-growth measurement.
package testutil

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// RealSample is one entry of testdata/real/facts.json: facts recorded with
// independent tools (quill, relic, llvm-objdump, openssl).
type RealSample struct {
	File    string      `json:"file"`
	Package string      `json:"package"`
	Version string      `json:"version"`
	Vendor  string      `json:"vendor"`
	SHA256  string      `json:"sha256"`
	Size    int64       `json:"size"`
	Fat     bool        `json:"fat"`
	Slices  []RealSlice `json:"slices"`
	// ExpectErrors lists the only rules that may report errors on the
	// sample (real binaries today's notary service rejects); empty for
	// clean samples.
	ExpectErrors []string `json:"expect_errors"`
}

// RealSlice is the recorded facts of one slice.
type RealSlice struct {
	Arch            string   `json:"arch"`
	FileType        string   `json:"filetype"`
	Platform        string   `json:"platform"`
	MinOS           string   `json:"minos"`
	SDK             string   `json:"sdk"`
	VersionCommand  string   `json:"version_load_command"`
	CodeDirectories []RealCD `json:"code_directories"`
	CertCommonName  string   `json:"cert_common_name"`
	Timestamp       string   `json:"timestamp"`
	HardenedRuntime bool     `json:"hardened_runtime"`
	LeafKind        string   `json:"leaf_kind"`
	LeafTeamOU      string   `json:"leaf_team_ou"`
	CMSDigest       string   `json:"cms_digest"`
	TimestampSigner string   `json:"timestamp_signer_cn"`
}

// RealCD is the recorded facts of one CodeDirectory.
type RealCD struct {
	Slot       string `json:"slot"`
	Version    string `json:"version"`
	HashType   string `json:"hash_type"`
	Flags      string `json:"flags"`
	CDHash     string `json:"cdhash"`
	Identifier string `json:"identifier"`
	TeamID     string `json:"team_id"`
}

// RepoRoot returns the repository root.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// RealSamples loads testdata/real/facts.json.
func RealSamples(t testing.TB) []RealSample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "testdata", "real", "facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []RealSample
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no real samples recorded")
	}
	return out
}

// Decode returns the sample's raw bytes.
func (s RealSample) Decode(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "testdata", "real", s.File))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
	if err != nil {
		t.Fatalf("%s: %v", s.File, err)
	}
	return raw
}

// Name is the sample's file name without .b64.
func (s RealSample) Name() string { return strings.TrimSuffix(s.File, ".b64") }

// WriteTemp decodes the sample into dir and returns its path.
func (s RealSample) WriteTemp(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, s.Name())
	if err := os.WriteFile(p, s.Decode(t), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// RealBundle is one entry of testdata/real-bundles/facts.json.
type RealBundle struct {
	File         string   `json:"file"`
	Package      string   `json:"package"`
	Bundle       string   `json:"bundle"`
	Identifier   string   `json:"identifier"`
	Executable   string   `json:"executable"`
	TeamID       string   `json:"team_id"`
	Stapled      bool     `json:"stapled"`
	SealFiles2   int      `json:"seal_files2_count"`
	ExpectErrors []string `json:"expect_errors"`
	// ExpectErrorsElsewhere are the errors of the bundle extracted by a
	// tool that writes AppleDouble entries as plain ._ files (any tar on
	// Linux); nil means the same as ExpectErrors.
	ExpectErrorsElsewhere []string `json:"expect_errors_extracted_elsewhere"`
	Main                  struct {
		Archs    []string `json:"arch list"`
		CDHashes []struct {
			Arch string `json:"arch"`
			CDs  []struct {
				Slot   string `json:"slot"`
				CDHash string `json:"cdhash"`
			} `json:"cds"`
		} `json:"cdhashes"`
	} `json:"main"`
}

// RealBundles loads testdata/real-bundles/facts.json.
func RealBundles(t testing.TB) []RealBundle {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "testdata", "real-bundles", "facts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []RealBundle
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Xattrs are extended attributes by absolute path and name.
type Xattrs map[string]map[string][]byte

// Read reads one attribute; it has the signature of analyzer.Config.ReadXattr.
func (x Xattrs) Read(path, name string) ([]byte, error) {
	if v, ok := x[path][name]; ok {
		return v, nil
	}
	return nil, os.ErrNotExist
}

// ExtractAsMac unpacks the bundle as macOS's tar does: AppleDouble "._name"
// entries become the extended attributes of "name" (returned, since Linux
// file systems cannot hold Apple's attribute names) instead of files.
// decode turns an AppleDouble file into its attributes (bundle's decoder;
// passed in so that this package imports none of the project's).
func (r RealBundle) ExtractAsMac(t testing.TB, dir string, decode func([]byte) (map[string][]byte, error)) (string, Xattrs) {
	t.Helper()
	xattrs := Xattrs{}
	return r.extract(t, dir, func(name string, data []byte) bool {
		base := filepath.Base(name)
		if !strings.HasPrefix(base, "._") {
			return false
		}
		attrs, err := decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		xattrs[filepath.Join(dir, filepath.Dir(name), strings.TrimPrefix(base, "._"))] = attrs
		return true
	}), xattrs
}

// Extract unpacks the bundle's base64 tar into dir and returns the bundle's
// path. Symbolic links and modes are kept; entries that would leave dir are
// refused.
func (r RealBundle) Extract(t testing.TB, dir string) string {
	return r.extract(t, dir, nil)
}

// extract unpacks the tar; consume, when set, may take a regular file's
// contents instead of writing it.
func (r RealBundle) extract(t testing.TB, dir string, consume func(name string, data []byte) bool) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "testdata", "real-bundles", r.File))
	if err != nil {
		t.Fatal(err)
	}
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Clean(h.Name)
		if !filepath.IsLocal(name) {
			t.Fatalf("tar entry %q leaves the directory", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(p), 0o755)
			err = os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			if consume != nil {
				data, rerr := io.ReadAll(tr)
				if rerr != nil {
					t.Fatal(rerr)
				}
				if consume(name, data) {
					continue
				}
				os.MkdirAll(filepath.Dir(p), 0o755)
				err = os.WriteFile(p, data, os.FileMode(h.Mode)&0o777)
				break
			}
			os.MkdirAll(filepath.Dir(p), 0o755)
			var f *os.File
			if f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777); err == nil {
				_, err = io.Copy(f, tr)
				f.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, r.Bundle)
}
